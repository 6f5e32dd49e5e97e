"""The website widget (socket.io) and the phone tree (SMS) keep the promise the REST channel keeps
(tests/integration/test_storage_failure.py): a message that could not be stored is never answered as if
it had been. PostgreSQL is really stopped and restarted."""

import hashlib
import hmac
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from twilio.request_validator import RequestValidator

from clinic_faq.core.sms import not_stored_reply
from clinic_faq_dev.harness import RunningAssistant, WidgetVisitor
from clinic_faq_dev.postgres import (
    PG,
    postgres_stopped,
    scratch_database,
    stored_user_texts,
    tracker_store,
    wait_for_postgres,
)

pytestmark = [pytest.mark.integration, pytest.mark.services]
TWILIO_TOKEN = "test-twilio-token"  # what RunningAssistant gives the server as TWILIO_AUTH_TOKEN
NOT_SAVED = "could not be saved"


@pytest.fixture
def database():
    with scratch_database("clinic_chan_fail") as name:
        yield name
        wait_for_postgres()  # before it is dropped: the test may have left PostgreSQL restarting


def test_the_widget_never_answers_a_message_that_was_not_stored(tmp_path, database):
    with RunningAssistant(tmp_path, tracker_store=tracker_store(database)) as assistant:
        visitor = WidgetVisitor(assistant)
        try:
            answer, _ = visitor.say("what are the side effects", expect=2)
            assert answer["route"] == "answer"
            with postgres_stopped():
                [during] = visitor.say("how long is an infusion session", expect=1)
                [during_es] = visitor.say("cuales son los efectos secundarios de la ketamina", expect=1)
            after = visitor.say("how long does relief last", expect=2)
        finally:
            visitor.close()
        logs = assistant.log_text()
    # One clear message instead of the answer: nothing was kept, send it again.
    assert during["route"] == "error" and during["stored"] is False, during
    assert NOT_SAVED in during["text"] and "send it again" in during["text"]
    assert "hours" not in during["text"] and "buttons" not in during
    assert during_es["route"] == "error" and during_es["stored"] is False
    assert "no se pudo guardar" in during_es["text"] and "mareo" not in during_es["text"].lower()
    # After the restart the next message is answered as usual, and stored.
    assert after[0]["route"] == "answer" and "stored" not in after[0]
    assert "could NOT be" in logs
    assert stored_user_texts(database, visitor.session) == ["what are the side effects", "how long does relief last"]


class Phone:
    def __init__(self, assistant):
        self.url = f"{assistant.url}/webhooks/phone_tree/webhook"
        self.number = f"+1555{uuid.uuid4().int % 10**7:07d}"
        self.sender = "sms-" + hmac.new(TWILIO_TOKEN.encode(), self.number.encode(), hashlib.sha256).hexdigest()[:24]

    def text(self, body, sid=None):
        form = {"From": self.number, "To": "+15550100100", "Body": body, "MessageSid": sid or f"SM{uuid.uuid4().hex}"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(self.url, form)
        reply = requests.post(self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)
        assert reply.status_code == 200, reply.text
        return [m.text or "" for m in ET.fromstring(reply.text).iter("Message")]


def test_the_phone_tree_never_answers_a_message_that_was_not_stored(tmp_path, database):
    with RunningAssistant(tmp_path, tracker_store=tracker_store(database)) as assistant:
        phone = Phone(assistant)
        assert any("Reply 1 for" in m for m in phone.text("what are the side effects"))
        sid = f"SM{uuid.uuid4().hex}"
        with postgres_stopped():
            during = phone.text("how long is a session", sid=sid)
        # The message sent during the outage was not kept, and the person was told so, not answered.
        assert during == [not_stored_reply("en")]
        assert stored_user_texts(database, phone.sender) == ["what are the side effects"]
        # Twilio retries the same MessageSid: processed now, not answered from the cache.
        retried = phone.text("how long is a session", sid=sid)
        assert "hours" in retried[0]
        assert phone.text("how long is a session", sid=sid) == retried  # and from now on answered once
        after = phone.text("how long does relief last")
        assert after and NOT_SAVED not in " ".join(after)
        logs = assistant.log_text()
    assert "could NOT be" in logs
    assert stored_user_texts(database, phone.sender) == [
        "what are the side effects", "how long is a session", "how long does relief last"]


def test_the_phone_tree_asks_for_the_message_again_when_its_own_store_is_down(tmp_path, database):
    """In production the phone tree keeps its message ids, menus and opt-outs in PostgreSQL too: while that is
    down, a text gets the polite "send it again" reply (TwiML, 200), never an error page, and is not stored."""
    store_url = f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{database}"
    with RunningAssistant(tmp_path, tracker_store=tracker_store(database),
                          extra_env={"PHONE_TREE_STORE_URL": store_url}) as assistant:
        phone = Phone(assistant)
        assert any("Reply 1 for" in m for m in phone.text("what are the side effects"))
        sid = f"SM{uuid.uuid4().hex}"
        with postgres_stopped():
            during = phone.text("how long is a session", sid=sid)
            empty = phone.text("", sid=f"SM{uuid.uuid4().hex}")  # no question at all: the same polite reply
        assert during == [not_stored_reply("en")] and empty == [not_stored_reply("en")]
        retried = phone.text("how long is a session", sid=sid)  # Twilio's retry, once the store is back
        assert "hours" in retried[0]
        assert phone.text("1") and phone.text("how long does relief last")  # the menu is remembered again
        logs = assistant.log_text()
    assert "its store could not be reached" in logs
    assert stored_user_texts(database, phone.sender)[:2] == ["what are the side effects", "how long is a session"]
