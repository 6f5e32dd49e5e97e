"""Personal health information is never stored or logged verbatim, at any log level."""

import uuid

import pytest

from clinic_faq_dev.harness import contains_phi

pytestmark = pytest.mark.integration

MESSAGES = {
    # Details without a request to be called (a request starts the callback form: tests/integration/test_callback.py)
    "my number is (555) 201-8841, I have a question about booking": ["(555) 201-8841", "201-8841"],
    "Dana Whitfield, DOB 03/14/1962, MRN 00482913": ["Dana Whitfield", "03/14/1962", "00482913"],
    "my email is dana.whitfield@example.com": ["dana.whitfield@example.com"],
    "I live at 42 Elm Street, Springfield and my ssn is 123-45-6789": ["42 Elm Street", "123-45-6789"],
    "member id XJH448812 does insurance cover it": ["XJH448812"],
    "hi my name is Jordan Castellano": ["Jordan Castellano"],
}


@pytest.fixture(scope="module")
def phi_conversation(assistant):
    sender = f"phi-{uuid.uuid4().hex[:8]}"
    replies = {text: assistant.send(sender, text) for text in MESSAGES}
    return sender, replies


def test_the_person_is_told_not_to_share_personal_details(phi_conversation):
    _, replies = phi_conversation
    for text, messages in replies.items():
        assert any("do not share personal details" in m.get("text", "") for m in messages), text


def test_no_phi_string_is_in_the_tracker_store(assistant, phi_conversation):
    stored = assistant.stored_text()
    for secrets in MESSAGES.values():
        for secret in secrets:
            assert not contains_phi(stored, secret), secret


def test_no_phi_string_is_in_the_debug_logs(assistant, phi_conversation):
    logs = assistant.log_text()
    assert "DEBUG" in logs  # the servers really ran with debug logging
    for secrets in MESSAGES.values():
        for secret in secrets:
            assert not contains_phi(logs, secret), secret


def test_stored_text_keeps_typed_placeholders(assistant, phi_conversation):
    sender, _ = phi_conversation
    user_texts = [e["text"] for e in assistant.events(sender) if e["event"] == "user"]
    assert "my number is [PHONE], I have a question about booking" in user_texts
    assert any("[DOB]" in t and "[MRN]" in t for t in user_texts)
