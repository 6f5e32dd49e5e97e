"""The constants the widget shares with the server have one source: the Python values. This test reads
web/widget/constants.js and compares its shared constants with them (the longest message, the reply
routes, the message numbers, the socket.io events and path), so the two cannot drift apart. No browser.

The widget's own behaviour is tested by `node --test` (tests/web/unit/, `make widget-unit`).
"""

from __future__ import annotations

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict

import pytest
import yaml

from clinic_faq.core.contract import ROUTES
from clinic_faq.core.rate_limit import Decision, MemoryBackend, RateLimiter, RateLimits
from clinic_faq.core.sanitize import DEFAULT_MAX_MESSAGE_CHARS
from clinic_faq.rasa_ext.channels import socketio
from tests.web.browser import PROJECT, WEB

CONSTANTS = WEB / "widget" / "constants.js"
CHANNEL = "clinic_faq.rasa_ext.channels.socketio.ClinicSocketIOInput"
# `export const NAME = <JSON>;` or `Object.freeze(<JSON>);`, over one or more lines, then perhaps a comment.
EXPORT = re.compile(r"export const ([A-Z_]+) = (.*?);[ \t]*(?://[^\n]*)?(?:\n|$)", re.DOTALL)
FROZEN = re.compile(r"^Object\.freeze\((.*)\)$", re.DOTALL)
SHARED = {"MAX_CHARS", "ROUTES", "MAX_MESSAGE_ID", "EVENTS", "SOCKET_PATH"}


def widget_constants() -> Dict[str, Any]:
    """The JSON-literal constants of web/widget/constants.js, by name."""
    found = {}
    for declaration in re.split(r"^(?=export const )", CONSTANTS.read_text(encoding="utf-8"), flags=re.MULTILINE):
        match = EXPORT.match(declaration)
        if not match:
            continue
        name, value = match.groups()
        frozen = FROZEN.match(value)
        value = frozen.group(1) if frozen else value
        try:
            found[name] = json.loads(value)
        except json.JSONDecodeError:
            if name in SHARED:
                pytest.fail(f"{CONSTANTS}: {name} must stay a JSON literal (this test reads it): {value!r}")
    return found


@pytest.fixture(scope="module")
def widget() -> Dict[str, Any]:
    found = widget_constants()
    missing = SHARED - found.keys()
    assert not missing, f"{CONSTANTS} no longer exports {sorted(missing)}"
    return found


@pytest.fixture(scope="module")
def credentials() -> Dict[str, Any]:
    with open(PROJECT / "credentials.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)[CHANNEL] or {}


@pytest.fixture
def channel(rasa_patched, credentials):
    """The socket.io channel as Rasa builds it from credentials.yml, with a fixed key and limits in memory."""
    channel = socketio.ClinicSocketIOInput.from_credentials(credentials)
    channel.signer = socketio.SessionSigner(b"key")
    channel.limiter = RateLimiter(RateLimits(), MemoryBackend())
    channel.blueprint(lambda message: None)
    return channel


def test_the_constants_file_is_read():
    assert set(widget_constants()) >= SHARED | {"COUNTER_FROM", "FULL_SCREEN_QUERY"}


def test_the_longest_message_is_the_servers(widget, channel):
    assert widget["MAX_CHARS"] == DEFAULT_MAX_MESSAGE_CHARS
    assert widget["MAX_CHARS"] == channel.max_message_chars  # credentials.yml: what the widget's channel takes


def test_the_routes_are_the_contracts_and_the_channels_own(widget):
    assert len(set(widget["ROUTES"])) == len(widget["ROUTES"])
    channel_routes = {socketio.not_stored_message("en")["metadata"]["route"],
                      socketio.limited_message(Decision(False, retry_after=6, notify=True), "en")["metadata"]["route"]}
    assert channel_routes == {"error"}
    assert sorted(widget["ROUTES"]) == sorted({*ROUTES, *channel_routes})


def test_message_numbers_stop_where_the_server_stops_taking_them(widget):
    assert widget["MAX_MESSAGE_ID"] == socketio.MAX_MESSAGE_ID
    assert socketio.message_id({"id": widget["MAX_MESSAGE_ID"]}) == widget["MAX_MESSAGE_ID"]
    assert socketio.message_id({"id": widget["MAX_MESSAGE_ID"] + 1}) is None


def test_the_socketio_events_and_path_are_the_channels(widget, channel):
    events = widget["EVENTS"]
    assert channel.user_message_evt == events["userUttered"]
    assert channel.bot_message_evt == events["botUttered"]
    assert {events["sessionRequest"], events["userUttered"]} <= set(channel.sio.handlers["/"])
    assert channel.socketio_path.rstrip("/") == widget["SOCKET_PATH"].rstrip("/")

    emitted = []

    async def emit(event, data, room=None, **kwargs):
        emitted.append(event)

    async def enter_room(sid, room, namespace=None):
        pass

    channel.sio.emit, channel.sio.enter_room = emit, enter_room
    handler = channel.sio.handlers["/"][events["sessionRequest"]]
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, handler("sock-1", {"session_id": None})).result(timeout=30)
    assert emitted == [events["sessionConfirm"]]
