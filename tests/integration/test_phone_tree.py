"""The phone tree's text channel, with requests signed by the twilio package's own validator."""

import re
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from twilio.request_validator import RequestValidator

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq_dev.harness import contains_phi

pytestmark = pytest.mark.integration
TOKEN = "test-twilio-token"  # what RunningAssistant gives the server as TWILIO_AUTH_TOKEN


class Phone:
    def __init__(self, assistant, number=None):
        self.url = f"{assistant.url}/webhooks/phone_tree/webhook"
        self.number = number or f"+1555{uuid.uuid4().int % 10**7:07d}"

    def post(self, form, token=TOKEN, sign=True):
        headers = {}
        if sign:
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(self.url, form)
        return requests.post(self.url, data=form, headers=headers, timeout=30)

    def text(self, body, sid=None):
        form = {"From": self.number, "To": "+15550100100", "MessageSid": sid or f"SM{uuid.uuid4().hex}"}
        if body is not None:
            form["Body"] = body
        reply = self.post(form)
        assert reply.status_code == 200, reply.text
        assert reply.headers["content-type"].startswith("application/xml")
        return [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]


def test_forged_and_unsigned_requests_are_refused(assistant):
    phone = Phone(assistant)
    form = {"From": phone.number, "Body": "hi", "MessageSid": "SM-forged"}
    assert phone.post(form, token="not-the-token").status_code == 403
    assert phone.post(form, sign=False).status_code == 403


def test_a_whole_conversation_over_text(assistant):
    phone = Phone(assistant)
    first = phone.text("what are the side effects of ketamine")
    assert all(len(m) <= 320 for m in first)
    assert any("Reply 1 for Tell me more" in m for m in first)
    assert any("not medical advice" in m for m in first)
    assert not any(re.search(r"[*<>_`]", m) for m in first)
    more = phone.text("1")  # picks the "Tell me more" button
    assert more and more[0] not in first
    assert any("not medical advice" in m for m in more)
    follow_up = phone.text("how long is a session?")
    assert "hours" in follow_up[0]


def test_emergency_guidance_is_the_first_text(assistant):
    messages = Phone(assistant).text("i took all my pills and i feel really weird")
    assert "911" in messages[0] and "988" in messages[0]


def test_a_missing_or_empty_body_gets_a_polite_reply(assistant):
    phone = Phone(assistant)
    for body in (None, "", "   "):
        [reply] = phone.text(body)
        assert "Please send your question" in reply


def test_a_retried_message_is_answered_once(assistant):
    phone = Phone(assistant)
    sid = f"SM{uuid.uuid4().hex}"
    first = phone.text("how long does relief last", sid=sid)
    again = phone.text("how long does relief last", sid=sid)
    assert first == again
    user_turns = [e for e in assistant.events(Phone.sender_of(assistant, phone)) if e["event"] == "user"]
    assert len(user_turns) == 1


def test_stop_is_honoured_until_start_and_help_gives_the_clinic_line(assistant):
    phone = Phone(assistant)
    assert "START" in phone.text("STOP")[0]
    assert phone.text("what are the side effects") == []
    assert phone.text("START")
    assert phone.text("what are the side effects")
    help_text = " ".join(phone.text("HELP"))
    assert load_clinic_config().phone in help_text


def test_the_phone_number_is_never_stored(assistant):
    phone = Phone(assistant)
    phone.text("my number is 555-201-8841, how much does it cost")
    stored = assistant.stored_text()
    for secret in (phone.number, phone.number[2:], "555-201-8841"):
        assert not contains_phi(stored, secret), secret


def _sender_of(assistant, phone):
    import hashlib
    import hmac

    return "sms-" + hmac.new(TOKEN.encode(), phone.number.encode(), hashlib.sha256).hexdigest()[:24]


Phone.sender_of = staticmethod(_sender_of)


def test_a_conversation_in_spanish_over_text(assistant):
    clinic = load_clinic_config()
    phone = Phone(assistant)
    first = phone.text("cuales son los efectos secundarios de la ketamina")
    assert any("mareo" in m.lower() for m in first)
    assert any("Responda 1 para" in m for m in first)
    assert any("no es un consejo médico" in m.lower() or "información general" in m.lower() for m in first)
    more = phone.text("1")  # "Cuénteme más"
    assert more and more[0] not in first
    assert phone.text("HELP") == [clinic.sms_reply("help_reply_es")]  # the conversation's language
    assert phone.text("PARAR") == [clinic.sms_reply("stop_reply_es")]
    assert phone.text("hola") == []
    assert phone.text("COMENZAR") == [clinic.sms_reply("start_reply_es")]


def test_spanish_crisis_over_text_puts_988_first(assistant):
    phone = Phone(assistant)
    reply = phone.text("me tome todas las pastillas de morfina")
    assert "911" in reply[0]  # the emergency guidance starts the reply (split into 320-character texts)
    first_message = " ".join(reply[:2])
    assert "988" in first_message and "AYUDA" in first_message


def test_ayuda_and_language_words_choose_the_language(assistant):
    clinic = load_clinic_config()
    phone = Phone(assistant)
    assert phone.text("AYUDA") == [clinic.sms_reply("help_reply_es")]
    switched = phone.text("ESPAÑOL")
    assert "español" in switched[0].lower()
    assert phone.text("help") == [clinic.sms_reply("help_reply_es")]
    back = phone.text("ENGLISH")
    assert "English" in back[0]
    assert phone.text("HELP") == [clinic.sms_reply("help_reply")]
