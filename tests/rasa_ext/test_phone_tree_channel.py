"""The phone tree channel's handling of one message, without a server: answered once per MessageSid, and
never answered when the turn was not stored (clinic_faq.rasa_ext.channels.phone_tree)."""

import xml.etree.ElementTree as ET

import pytest
from rasa.shared.core.events import UserUttered

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.sms import not_stored_reply
from clinic_faq.rasa_ext.channels.phone_tree import PhoneTreeInput
from tests.rasa_ext.fake_rasa import break_store, fake_rasa, repair_store, sqlite_store

NUMBER = "+15552018841"
BUTTONS = [{"title": "Tell me more", "payload": "/more_info"}]


def texts(twiml):
    return [m.text or "" for m in ET.fromstring(twiml).iter("Message")]


@pytest.fixture
def channel(tmp_path):
    return PhoneTreeInput("secret", "https://clinic.example", tmp_path / "phone_tree.db")


@pytest.fixture
def tracker_store(rasa_patched):
    return sqlite_store()


ANSWER = {"text": "About **4 hours**.", "buttons": BUTTONS, "metadata": {"route": "answer"}}
ANSWER_ES = {"text": "Unas 4 horas.", "buttons": [{"title": "Cuénteme más", "payload": "/more_info"}],
             "metadata": {"route": "answer", "lang": "es"}}


async def test_a_stored_turn_is_answered_and_its_reply_kept_for_retries(channel, tracker_store):
    rasa = fake_rasa(tracker_store, [ANSWER])
    reply = await channel.answer("SM1", NUMBER, "how long", rasa)
    assert texts(reply) == ["About 4 hours. Reply 1 for Tell me more."]
    assert await channel.answer("SM1", NUMBER, "how long", rasa) == reply  # Twilio's retry
    assert rasa.calls == ["how long"]
    sender = channel.sender_id(NUMBER)
    assert channel.store.menu(sender) == ["/more_info"]
    assert await channel.answer("SM2", NUMBER, "1", rasa) and rasa.calls[-1] == "/more_info"


async def test_a_turn_that_was_not_stored_is_never_answered(channel, tracker_store):
    break_store(tracker_store)
    rasa = fake_rasa(tracker_store, [ANSWER])
    reply = await channel.answer("SM1", NUMBER, "how long", rasa)
    assert texts(reply) == [not_stored_reply("en")]
    sender = channel.sender_id(NUMBER)
    assert not channel.store.claimed("SM1")  # released: a retry is processed again
    assert channel.store.menu(sender) == []  # the menu of an answer never sent is not offered
    repair_store(tracker_store)
    retried = await channel.answer("SM1", NUMBER, "how long", rasa)
    assert texts(retried) == ["About 4 hours. Reply 1 for Tell me more."]
    assert rasa.calls == ["how long", "how long"]
    stored = await tracker_store.retrieve(sender)
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["how long"]


async def test_the_retry_message_is_in_the_conversation_language(channel, tracker_store):
    break_store(tracker_store)
    reply = await channel.answer("SM1", NUMBER, "cuanto dura", fake_rasa(tracker_store, [ANSWER_ES]))
    assert texts(reply) == [not_stored_reply("es")]
    channel.store.set_language(channel.sender_id(NUMBER), "es")  # known from earlier replies
    reply = await channel.answer("SM2", NUMBER, "hola", fake_rasa(tracker_store, [], error=RuntimeError("boom")))
    assert texts(reply) == [not_stored_reply("es")]


async def test_a_turn_that_failed_is_not_answered_either(channel, tracker_store):
    rasa = fake_rasa(tracker_store, [ANSWER], error=RuntimeError("boom"))
    reply = await channel.answer("SM1", NUMBER, "how long", rasa)
    assert texts(reply) == [not_stored_reply("en")]
    assert not channel.store.claimed("SM1")


async def test_a_retry_arriving_while_the_first_attempt_was_not_stored_is_processed(channel, tracker_store):
    """The first attempt released its id after Twilio had already retried: the retry does not wait for a
    reply that will never come, it handles the message itself."""
    channel.store.claim("SM1")  # the first attempt is running...
    channel.store.release("SM1")  # ...and was not stored
    reply = await channel.answer("SM1", NUMBER, "how long", fake_rasa(tracker_store, [ANSWER]))
    assert "About 4 hours." in texts(reply)[0]


async def test_keywords_are_answered_without_the_assistant(channel, tracker_store):
    clinic = load_clinic_config()
    rasa = fake_rasa(tracker_store, [ANSWER])
    assert texts(await channel.answer("SM1", NUMBER, "stop", rasa)) == [clinic.sms_reply("stop_reply")]
    assert texts(await channel.answer("SM2", NUMBER, "how long", rasa)) == []
    assert texts(await channel.answer("SM3", NUMBER, "Comenzar", rasa)) == [clinic.sms_reply("start_reply_es")]
    assert texts(await channel.answer("SM4", NUMBER, "AYUDA", rasa)) == [clinic.sms_reply("help_reply_es")]
    assert rasa.calls == []
