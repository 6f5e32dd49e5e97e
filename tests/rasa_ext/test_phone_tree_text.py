import pytest

from clinic_faq.core.sms import menu_line, plain_text, render, split_sms
from clinic_faq.rasa_ext.channels.phone_tree import PhoneTreeInput


def test_markdown_and_html_become_plain_text():
    assert plain_text("**Call** [us](https://clinic.example/book) <b>now</b> &amp; `today`") == \
        "Call us (https://clinic.example/book) now & today"


def test_long_text_is_split_at_sentence_boundaries():
    sentence = "This sentence is about forty characters. "
    parts = split_sms(sentence * 20)
    assert all(len(p) <= 320 for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == (sentence * 20).strip()


def test_a_sentence_longer_than_a_message_is_split_between_words():
    parts = split_sms("word " * 200)
    assert all(len(p) <= 320 for p in parts) and len(parts) == 4


def test_buttons_become_a_numbered_menu_and_emergency_comes_first():
    messages = [
        {"text": "An **answer**.", "buttons": [{"title": "Tell me more", "payload": "/more_info"}], "route": "answer"},
        {"text": "Call 911 now.", "buttons": [], "route": "emergency"},
    ]
    parts, payloads = render(messages)
    assert parts[0] == "Call 911 now."
    assert parts[1] == "An answer. Reply 1 for Tell me more."
    assert payloads == ["/more_info"]
    assert menu_line([{"title": "A"}, {"title": "B"}]) == "Reply 1 for A, 2 for B."


def test_without_a_token_every_request_is_refused(tmp_path):
    channel = PhoneTreeInput(None, "http://localhost:5005", tmp_path / "s.db")
    assert not channel.authorized("/webhooks/phone_tree/webhook", "", {"Body": "hi"}, "anything")


def test_the_signature_is_checked_against_the_public_url(tmp_path):
    from twilio.request_validator import RequestValidator

    channel = PhoneTreeInput("secret", "https://clinic.example", tmp_path / "s.db")
    params = {"From": "+15552018841", "Body": "hi", "MessageSid": "SM1"}
    good = RequestValidator("secret").compute_signature("https://clinic.example/webhooks/phone_tree/webhook", params)
    assert channel.authorized("/webhooks/phone_tree/webhook", "", params, good)
    assert not channel.authorized("/webhooks/phone_tree/webhook", "", {**params, "Body": "changed"}, good)
    bad = RequestValidator("other").compute_signature("https://clinic.example/webhooks/phone_tree/webhook", params)
    assert not channel.authorized("/webhooks/phone_tree/webhook", "", params, bad)


@pytest.mark.parametrize("number", ["+15552018841", "5552018841"])
def test_the_conversation_id_does_not_contain_the_number(tmp_path, number):
    sender = PhoneTreeInput("secret", "http://x", tmp_path / "s.db").sender_id(number)
    assert sender.startswith("sms-") and "555" not in sender
