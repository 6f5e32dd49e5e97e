import pytest

from clinic_faq.core.sanitize import (
    BadInput,
    TooLong,
    clean_message_id,
    clean_metadata,
    clean_sender,
    clean_text,
    sanitize,
)


def test_control_characters_are_stripped():
    assert clean_text("how\x00 long\x07 is a\u200b session\x1b") == "how long is a session"


def test_none_becomes_empty_and_whitespace_is_trimmed():
    assert clean_text(None) == ""
    assert clean_text("   \n\t ") == ""


def test_a_message_over_the_limit_is_refused():
    with pytest.raises(TooLong):
        clean_text("a" * 101, max_chars=100)


@pytest.mark.parametrize("value", [123, ["list"], {"a": 1}, 1.5, True])
def test_a_non_string_message_is_refused(value):
    with pytest.raises(BadInput):
        clean_text(value)


def test_only_exact_intent_payloads_pass_as_payloads():
    assert clean_text("/more_info") == "/more_info"
    assert clean_text("/ i need help") == "i need help"
    assert clean_text('/greet{"name": "x"}') == 'greet{"name": "x"}'


@pytest.mark.parametrize("sender", [None, "", "x" * 129, "has space", "<script>", 42])
def test_bad_sender_ids_are_refused(sender):
    with pytest.raises(BadInput):
        clean_sender(sender)


def test_metadata_must_be_an_object():
    assert clean_metadata(None) is None
    assert clean_metadata({"a": 1}) == {"a": 1}
    with pytest.raises(BadInput):
        clean_metadata("not an object")


def test_sanitize_redacts_phi_after_cleaning():
    assert sanitize("call me at 555-201-\x00 8841") == "call me at [PHONE]"


def test_message_ids_are_optional_and_checked():
    assert clean_message_id(None) is None
    assert clean_message_id("web-3f2a.7:1") == "web-3f2a.7:1"
    for bad in ("", "x" * 65, "has space", "<script>", 7, ["a"]):
        with pytest.raises(BadInput):
            clean_message_id(bad)
