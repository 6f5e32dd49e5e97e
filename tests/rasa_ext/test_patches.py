"""The Rasa internals the project still replaces: applied once, by one function, only over the Rasa code
they were written for, undone; each behaves as the Rasa code it replaces."""

import asyncio
import http.server
import logging
import threading
import time

import pytest
import rasa.core.actions.action
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from clinic_faq.rasa_ext import patches, tuning
from clinic_faq.settings import SettingsError


@pytest.fixture(autouse=True)
def clean():
    patches.undo()
    yield
    patches.undo()


def rasas_code():
    return (RemoteAction._validate_action_result, RemoteAction._action_call_format,
            rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT)


def test_apply_changes_rasa_and_undo_puts_everything_back(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "7")
    before = rasas_code()
    state = patches.apply()
    assert state.patches == ["action_result_validator", "action_recent_events", "action_timeout"]
    assert not state.skipped
    assert state.action_timeout == 7 and rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 7
    assert RemoteAction._validate_action_result is patches.validate_action_result
    assert RemoteAction._action_call_format is patches.action_call_format
    assert patches.apply() is state and rasas_code()[:2] == (patches.validate_action_result,
                                                              patches.action_call_format)
    patches.undo()
    assert rasas_code() == before
    assert not patches.applied().patches


def test_at_most_three_rasa_internals_are_replaced_and_each_names_its_code():
    assert len(patches.PATCHES) <= 3
    assert set(patches.REPLACED) == set(patches.PATCHES)
    for name in patches.PATCHES:
        assert patches.unchanged(name), f"Rasa's code replaced by {name} changed: review patches.py"


def test_a_patch_over_changed_rasa_code_is_skipped_and_the_server_still_starts(monkeypatch, caplog):
    function, _ = patches.REPLACED["action_result_validator"]
    monkeypatch.setitem(patches.REPLACED, "action_result_validator", (function, "0" * 64))
    before = RemoteAction._validate_action_result
    with caplog.at_level(logging.WARNING, logger="clinic_faq.rasa_ext.patches"):
        state = patches.apply()
    assert state.skipped == ["action_result_validator"]
    assert state.patches == ["action_recent_events", "action_timeout"]
    assert RemoteAction._validate_action_result is before
    assert "has changed" in caplog.text and "action_result_validator" in caplog.text


def test_the_speed_ups_are_selected_by_the_environment_and_the_timeout_always_applies(monkeypatch):
    monkeypatch.setenv(tuning.ENV, "none")
    assert patches.apply().patches == ["action_timeout"]
    assert tuning.selected("") == list(tuning.SPEEDUPS) == tuning.selected("all")
    assert tuning.selected("tracker_cache") == ["tracker_cache"]
    with pytest.raises(ValueError, match="unknown speed-up"):
        tuning.selected("faster_please")


# --- action_result_validator ---------------------------------------------------------------------------

VALID = {
    "events": [{"event": "slot", "name": "topic", "value": None, "timestamp": None}],
    "responses": [{"response": "utter_disclaimer"}],
}
INVALID = [
    {"events": [{"event": "slot", "name": 3}], "responses": []},
    {"events": "not a list"},
    {"events": [], "responses": ["not an object"]},
    {"events": [{"no_event_key": 1}]},
]


def test_the_action_result_is_validated_exactly_as_rasa_does():
    action = RemoteAction("action_safety_notes", None)
    assert patches.validate_action_result(action, VALID) is True
    assert patches._original_validate_action_result(action, VALID) is True
    for result in INVALID:
        with pytest.raises(ValidationError) as ours:
            patches.validate_action_result(action, result)
        with pytest.raises(ValidationError) as rasas:
            patches._original_validate_action_result(action, result)
        assert ours.value.message == rasas.value.message
        assert list(ours.value.path) == list(rasas.value.path)


# --- action timeout ------------------------------------------------------------------------------------


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


def test_a_timeout_above_the_lock_lifetime_is_refused(monkeypatch):
    monkeypatch.setenv("TICKET_LOCK_LIFETIME", "30")
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "45")
    with pytest.raises(SettingsError, match="ACTION_TIMEOUT_SECONDS must be below TICKET_LOCK_LIFETIME"):
        patches.action_timeout()
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "29.5")
    assert patches.action_timeout() == 29.5
