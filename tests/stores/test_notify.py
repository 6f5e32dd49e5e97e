"""Telling staff about a new callback request: a real local SMTP server (aiosmtpd), a local stand-in for Twilio's
Messages API (an HTTP server that records what it is sent), and a failure that keeps the request."""

import asyncio
import base64
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
import yaml

from clinic_faq.notify import notify_staff
from clinic_faq.paths import project_file
from clinic_faq.stores.callbacks import CallbackStore


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def clinic(tmp_path, monkeypatch):
    """A clinic.yml of its own with the notifications set as each test wants."""

    def configure(email=None, sms=None):
        config = yaml.safe_load(project_file("clinic.yml").read_text(encoding="utf-8"))
        config["callbacks"]["notify"] = {"email": email or {"enabled": False}, "sms": sms or {"enabled": False}}
        path = tmp_path / f"clinic-{len(list(tmp_path.iterdir()))}.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("CLINIC_CONFIG", str(path))

    return configure


@pytest.fixture
def store(tmp_path):
    store = CallbackStore(str(tmp_path / "clinic.db"))
    return store, store.create("socketio", "es", "+15550100142", "Rosa", "morning", "appointment")


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def twilio(monkeypatch):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers.get("Authorization"), parse_qs(body)))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"sid": "SM123"}).encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("TWILIO_API_BASE", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    yield received
    server.shutdown()


def test_an_email_reaches_a_real_smtp_server_without_the_number(clinic, store, smtp):
    port, inbox = smtp
    clinic(email={"enabled": True, "host": "127.0.0.1", "port": port, "from": "assistant@clinic.example",
                  "to": "frontdesk@clinic.example"})
    callbacks, request_id = store
    assert asyncio.run(notify_staff(callbacks, request_id)) == "email sent"
    [(sender, recipients, content)] = inbox.messages
    assert sender == "assistant@clinic.example" and recipients == ["frontdesk@clinic.example"]
    assert f"Subject: Callback request {request_id}" in content and "appointment" in content
    assert "0142" not in content and "Rosa" not in content
    assert callbacks.requests()[0].notified == "email sent"


def test_a_text_goes_to_the_on_call_phone_through_the_messages_api(clinic, store, twilio):
    clinic(sms={"enabled": True, "to": "+15550100123", "from": "+15550100100"})
    callbacks, request_id = store
    assert asyncio.run(notify_staff(callbacks, request_id)) == "sms sent"
    [(path, auth, form)] = twilio
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert auth == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert form["To"] == ["+15550100123"] and form["From"] == ["+15550100100"]
    assert f"request {request_id}" in form["Body"][0] and "0142" not in form["Body"][0]


def test_a_failed_notification_keeps_the_request_and_says_so(clinic, store):
    clinic(email={"enabled": True, "host": "127.0.0.1", "port": free_port(), "from": "a@clinic.example",
                  "to": "b@clinic.example"})  # nothing listens there
    callbacks, request_id = store
    note = asyncio.run(notify_staff(callbacks, request_id))
    assert note.startswith("email failed")
    [request] = callbacks.requests()
    assert request.id == request_id and request.notified.startswith("email failed")


def test_nothing_is_sent_when_notifications_are_off(clinic, store):
    clinic()
    callbacks, request_id = store
    assert asyncio.run(notify_staff(callbacks, request_id)) == ""
    assert callbacks.requests()[0].notified is None
