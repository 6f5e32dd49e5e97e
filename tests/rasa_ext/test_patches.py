"""The patches to Rasa: applied once, by one function, only on the Rasa they were written for, and undone."""

import asyncio
import http.server
import logging
import subprocess
import sys
import threading
import time

import pytest
import rasa.core.actions.action
import rasa.version
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from clinic_faq.rasa_ext import patches, speedups
from clinic_faq.rasa_ext.nlg import ClinicNLG


@pytest.fixture(autouse=True)
def clean():
    patches.undo()
    yield
    patches.undo()


def test_apply_changes_rasa_and_undo_puts_everything_back(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "7")
    before = (RemoteAction._validate_action_result, Event.__dict__["resolve_by_type"],
              rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT, logging.getLogRecordFactory(),
              RulePolicy._prediction_states, RemoteAction._action_call_format)
    state = patches.apply()
    assert state.rasa_version == rasa.version.__version__
    assert state.action_timeout == 7 and rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 7
    assert state.speedups == list(speedups.CHANGES)
    assert RemoteAction._validate_action_result is not before[0]
    assert logging.getLogRecordFactory() is not before[3]
    assert RulePolicy._prediction_states is not before[4] and RemoteAction._action_call_format is not before[5]
    again = patches.apply()  # once: a second call changes nothing
    assert again is state and logging.getLogRecordFactory() is not before[3]
    patches.undo()
    after = (RemoteAction._validate_action_result, Event.__dict__["resolve_by_type"],
             rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT, logging.getLogRecordFactory(),
             RulePolicy._prediction_states, RemoteAction._action_call_format)
    assert after == before
    assert not patches.applied().server


def test_another_rasa_version_is_refused_before_anything_changes(monkeypatch):
    monkeypatch.setattr(rasa.version, "__version__", "3.7.0")
    factory = logging.getLogRecordFactory()
    with pytest.raises(patches.UnsupportedRasaVersion, match=r"Rasa 3\.7\.0 is installed"):
        patches.apply()
    assert logging.getLogRecordFactory() is factory
    assert not patches.applied().server


def test_the_server_launcher_refuses_another_rasa_version_with_a_clear_message():
    code = ("import rasa.version; rasa.version.__version__ = '3.5.0'; "
            "from clinic_faq.rasa_ext.servers.rasa_server import main; main(['run', '--port', '5999'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "The Rasa server was not started" in done.stderr and "Rasa 3.5.0 is installed" in done.stderr
    assert "3.6.21" in done.stderr


def test_the_projects_server_classes_refuse_to_run_without_the_patches():
    with pytest.raises(patches.PatchesNotApplied, match="clinic-rasa"):
        ClinicNLG(domain=Domain.empty())
    patches.apply()
    ClinicNLG(domain=Domain.empty())


class SlowActionServer(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        time.sleep(6)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"events": [], "responses": []}')

    def log_message(self, *args):
        pass


def test_rasa_cuts_a_slow_action_call_at_the_patched_timeout(monkeypatch):
    """Rasa's own RemoteAction, not a constant: with the timeout applied, the call fails after ~1 s."""
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowActionServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    patches.apply()
    try:
        action = RemoteAction("action_safety_notes",
                              EndpointConfig(f"http://127.0.0.1:{server.server_address[1]}/webhook"))
        tracker = DialogueStateTracker("slow", slots=[])
        domain = Domain.empty()
        start = time.monotonic()
        with pytest.raises(Exception) as failure:
            asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain))
        elapsed = time.monotonic() - start
    finally:
        server.shutdown()
    assert 0.9 <= elapsed < 4, f"the call was not cut at the 1 s timeout ({elapsed:.1f} s)"
    assert "timeout" in repr(failure.value).lower() or "timed out" in str(failure.value).lower()
