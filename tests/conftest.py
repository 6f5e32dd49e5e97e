"""Shared fixtures: the domain, fresh trackers and dispatchers, and the real servers (started once)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic_faq.core.contract import SAFETY_KEY, SafetyVerdict

PROJECT = Path(__file__).resolve().parent.parent
SESSION_START = time.time()


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    with open(PROJECT / "domain.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def bot_event(response: str, domain: Dict[str, Any]) -> Dict[str, Any]:
    meta = domain["responses"][response][0].get("metadata") or {}
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response, "metadata": meta}}


@pytest.fixture
def make_tracker(domain) -> Callable[..., Tracker]:
    """A fresh tracker for one test: the latest user message, then what the bot said in this turn."""

    def make(
        intent: str = "greet",
        said: Optional[List[str]] = None,
        safety: Optional[SafetyVerdict] = None,
        metadata: Optional[Dict[str, Any]] = None,
        slots: Optional[Dict[str, Any]] = None,
        text: str = "hello",
    ) -> Tracker:
        latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
                  "metadata": metadata or {}}
        if safety is not None:
            latest[SAFETY_KEY] = safety.to_dict()  # as the Rasa server stores it
        events = [{"event": "action", "name": "action_listen"}, {"event": "user", **latest, "parse_data": latest}]
        events += [bot_event(r, domain) for r in said or []]
        return Tracker.from_dict(
            {"sender_id": f"test-{uuid.uuid4().hex[:8]}", "slots": slots or {}, "latest_message": latest,
             "events": events, "paused": False, "active_loop": {}, "latest_action_name": "action_listen"}
        )

    return make


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Iterator[Any]:
    """The real action server and Rasa server, started once for the session with debug logging on
    (so the PHI checks cover debug logs too) and a private SQLite tracker store."""
    from clinic_faq_dev.harness import RunningAssistant

    with RunningAssistant(tmp_path_factory.mktemp("assistant"), debug_logs=True) as running:
        yield running


@pytest.fixture(scope="session")
def web_page_url(assistant) -> Iterator[str]:
    """The demo clinic page, served by web/serve.py on the port the session's Rasa server accepts as an origin (one
    static server for the session: the widget's tests in tests/web/ and in tests/integration/ share it)."""
    import urllib.parse

    from tests.web.browser import static_server

    port = getattr(assistant, "web_port", None)
    if not port:
        pytest.fail("RunningAssistant has no `web_port`: the widget's server side (dev/clinic_faq_dev/harness.py, "
                    "the socket.io channel) is missing")
    with static_server(port) as base:
        yield f"{base}/index.html?socket={urllib.parse.quote(assistant.url, safe='')}"


# Tests that start the real servers (or nginx, PostgreSQL and Redis restarts) are integration tests, whether or not
# their module says so: `make unit` (-m "not integration") starts no server.
SERVER_DIRECTORIES = ("integration", "production")
SERVER_FIXTURES = {"assistant", "cluster", "cluster_database"}
# `make test` runs the suite on two workers (pytest-xdist, --dist loadgroup), a module at a time, so that a module's
# servers and evaluated sets (module fixtures) are set up once. The tests that use the machine's PostgreSQL, Redis or
# nginx (`services`: the whole of tests/production/, and the modules marked so), some of which stop and restart those
# under load, all go to one worker, one after another.
SERVICE_DIRECTORIES = ("production",)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).resolve().parent
    for item in items:
        path = Path(str(item.fspath)).resolve()
        top = path.relative_to(tests).parts[0] if path.is_relative_to(tests) else ""
        if top in SERVER_DIRECTORIES or SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
        services = top in SERVICE_DIRECTORIES or item.get_closest_marker("services")
        item.add_marker(pytest.mark.xdist_group("services" if services else item.nodeid.split("::")[0]))


def pytest_terminal_summary(terminalreporter):
    """Show the evaluation metrics measured in this run (written by tests/integration/test_evaluation.py)."""
    import json

    from clinic_faq_dev.evaluate import format_table

    for name in ("dev_set", "red_team", "wild_dev", "wild_unrelated"):
        path = PROJECT / "reports" / f"{name}.summary.json"
        if path.exists() and path.stat().st_mtime >= SESSION_START:
            terminalreporter.write_sep("-", f"evaluation: {name}")
            terminalreporter.write_line(format_table(json.loads(path.read_text())))


@pytest.fixture
def rasa_patched():
    """The project's patches to Rasa (clinic_faq.rasa_ext.patches), applied as the server launcher applies
    them, and undone afterwards."""
    from clinic_faq.rasa_ext import patches

    yield patches.apply()
    patches.undo()
