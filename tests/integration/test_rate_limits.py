"""The abuse limits on every channel, on the real servers, with tight limits set by the environment.

REST: 429 with Retry-After and a JSON error; the website: one polite message (Spanish in a Spanish
conversation), then silence; SMS: one short text, then empty TwiML until the window passes. Refused
messages are never processed or stored. Client addresses come from X-Forwarded-For only when the request
comes from a trusted proxy (this machine), else from the connection itself.
"""

import hashlib
import hmac
import http.client
import json
import time
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from twilio.request_validator import RequestValidator

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq_dev.harness import RunningAssistant, WidgetVisitor

pytestmark = pytest.mark.integration
TWILIO_TOKEN = "test-twilio-token"  # what RunningAssistant gives the server
LIMITS = {
    "RATE_LIMIT_CONVERSATION": "3/60",  # 3 messages, then one every 20 s
    "RATE_LIMIT_CLIENT_ADDRESS": "5/60",
    "RATE_LIMIT_SMS_SENDER": "2/10",  # 2 texts, then one every 5 s; told once per 10 s
    "RATE_LIMIT_SMS_SENDER_DAILY": "off",
}


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    with RunningAssistant(tmp_path_factory.mktemp("limited"), extra_env=LIMITS) as running:
        yield running


def post(assistant, sender, text, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return requests.post(assistant.webhook, json={"sender": sender, "message": text}, headers=headers, timeout=60)


def user_texts(assistant, sender):
    return [e["text"] for e in assistant.events(sender) if e["event"] == "user"]


def new_id(name):
    return f"{name}-{uuid.uuid4().hex[:8]}"


# --- REST ------------------------------------------------------------------------------------------------


def test_rest_refuses_a_conversation_over_its_limit_with_429_and_retry_after(limited):
    sender = new_id("rest")
    for text in ("what are the side effects", "how long is a session", "tell me more"):
        assert post(limited, sender, text).status_code == 200
    refused = post(limited, sender, "is it safe with my opioids")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/json")
    wait = int(refused.headers["Retry-After"])
    assert 15 <= wait <= 20  # one message comes back every 20 s
    body = refused.json()
    assert body["retry_after"] == wait and "Too many messages" in body["error"] and "send your message again" in body["error"]
    # Not processed, not stored; other conversations are served.
    assert user_texts(limited, sender) == ["what are the side effects", "how long is a session", "tell me more"]
    assert post(limited, new_id("other"), "what are the side effects").status_code == 200


def test_rest_limits_a_client_address_across_conversations(limited):
    address = "203.0.113.10"  # as nginx on this machine (a trusted proxy) reports it
    statuses = [post(limited, new_id("addr"), "how long is a session", address).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    assert post(limited, new_id("addr"), "how long is a session", "203.0.113.11").status_code == 200


def test_the_machine_itself_has_no_address_limit(limited):
    assert all(post(limited, new_id("local"), "how long is a session").status_code == 200 for _ in range(8))


def _post_from(source, assistant, sender, forwarded):
    """A request from another address of this machine (127.0.0.2: not a trusted proxy), with a made-up
    X-Forwarded-For, as a client elsewhere would try."""
    connection = http.client.HTTPConnection("127.0.0.1", assistant.rasa_port, timeout=60, source_address=(source, 0))
    try:
        connection.request("POST", "/webhooks/rest/webhook", json.dumps({"sender": sender, "message": "hello"}),
                           {"Content-Type": "application/json", "X-Forwarded-For": forwarded})
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_client_cannot_choose_its_address_with_x_forwarded_for(limited):
    statuses = [_post_from("127.0.0.2", limited, new_id("spoof"), f"198.51.100.{n}") for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # all counted against 127.0.0.2, whatever the header says


# --- the website (socket.io, polling) ----------------------------------------------------------------------


def test_the_website_gets_one_polite_message_then_silence(limited):
    visitor = WidgetVisitor(limited, "203.0.113.20")
    try:
        for text in ("what are the side effects", "how long is a session", "tell me more"):
            visitor.send(text)
            [answer] = visitor.replies(1)
            assert answer["route"] == "answer"
            visitor.rest(1.5)
        for n in range(6):  # a burst over the limit
            visitor.send(f"hello again {n}")
        [notice] = visitor.replies(1)
        assert visitor.rest() == []  # told once: the other five get no answer
    finally:
        visitor.close()
    assert notice["route"] == "error" and notice["stored"] is False
    assert notice["text"].startswith("You are sending messages faster than I can answer. Please wait about")
    assert "911" in notice["text"] and 15 <= notice["retry_after"] <= 20
    assert len(user_texts(limited, visitor.session)) == 3  # nothing refused was stored


def test_a_spanish_conversation_is_told_in_spanish(limited):
    visitor = WidgetVisitor(limited, "203.0.113.21")
    try:
        for text in ("cuales son los efectos secundarios de la ketamina", "cuanto dura una sesion", "cuénteme más"):
            visitor.send(text)
            visitor.replies(1)
            visitor.rest(1.5)
        visitor.send("hola")
        visitor.send("hola otra vez")
        [notice] = visitor.replies(1)
        assert visitor.rest() == []
    finally:
        visitor.close()
    assert notice["text"].startswith("Está enviando mensajes más rápido de lo que puedo responder.")
    assert "llame al 911" in notice["text"]


def test_the_website_shares_the_address_limit_with_rest(limited):
    address = "203.0.113.22"
    assert [post(limited, new_id("mixed"), "how long is a session", address).status_code for _ in range(4)] == [200] * 4
    visitor = WidgetVisitor(limited, address)
    try:
        visitor.send("how long is a session")
        assert visitor.replies(1)[0]["route"] == "answer"  # the address's fifth message
        visitor.rest(1.5)
        visitor.send("what are the side effects")
        [notice] = visitor.replies(1)
        assert notice["route"] == "error" and "Please wait" in notice["text"]
    finally:
        visitor.close()


# --- SMS -------------------------------------------------------------------------------------------------


class Phone:
    def __init__(self, assistant):
        self.url = f"{assistant.url}/webhooks/phone_tree/webhook"
        self.number = f"+1555{uuid.uuid4().int % 10**7:07d}"
        self.sender = "sms-" + hmac.new(TWILIO_TOKEN.encode(), self.number.encode(), hashlib.sha256).hexdigest()[:24]

    def text(self, body):
        form = {"From": self.number, "To": "+15550100100", "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(self.url, form)
        reply = requests.post(self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)
        assert reply.status_code == 200, reply.text
        return [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]


def test_sms_one_notice_then_silence_until_the_window_passes(limited):
    phone = Phone(limited)
    assert phone.text("what are the side effects")
    assert phone.text("how long is a session")
    [notice] = phone.text("is it safe with my opioids")
    assert notice.startswith("You are sending messages faster than I can answer.") and "911" in notice
    assert len(notice) <= 320
    for n in range(5):  # an auto-responder answering our notice: no reply at all, so no loop
        assert phone.text(f"auto-reply {n}") == []
    assert user_texts(limited, phone.sender) == ["what are the side effects", "how long is a session"]
    time.sleep(10.2)  # the window has passed: answered again
    assert any("hours" in m for m in phone.text("how long is a session"))


def test_sms_stop_is_honoured_even_while_limited(limited):
    phone = Phone(limited)
    phone.text("what are the side effects")
    phone.text("how long is a session")
    assert phone.text("tell me more")  # the notice
    assert phone.text("STOP") == []  # over the limit: no confirmation, but the opt-out is kept
    time.sleep(10.2)
    assert phone.text("what are the side effects") == []  # opted out: nothing, even within the limits
    clinic = load_clinic_config()
    assert phone.text("START") == [clinic.sms_reply("start_reply")]


def test_sms_notice_in_spanish(limited):
    phone = Phone(limited)
    phone.text("cuales son los efectos secundarios de la ketamina")
    phone.text("cuanto dura una sesion")
    [notice] = phone.text("hola")
    assert notice.startswith("Está enviando mensajes más rápido") and "llame al 911" in notice
