"""Text for a phone (clinic_faq.core.sms): plain text, menus, splitting, the keywords."""

import pytest

from clinic_faq.core.sms import (
    HELP_WORDS,
    HELP_WORDS_ES,
    LANGUAGE_WORDS,
    MAX_SMS_CHARS,
    START_WORDS,
    START_WORDS_ES,
    STOP_WORDS,
    STOP_WORDS_ES,
    keyword_of,
    menu_line,
    not_stored_reply,
    plain_text,
    render,
    split_sms,
)


def test_links_keep_their_address_and_markup_is_removed():
    assert plain_text("See [the booking page](https://clinic.example/book).") == \
        "See the booking page (https://clinic.example/book)."
    assert plain_text("# Title\n> quoted __bold__ ~~gone~~") == "Title\nquoted bold gone"
    assert plain_text("<p>Fish &amp; chips</p>") == "Fish & chips"
    assert plain_text("") == "" and plain_text(None) == ""  # Rasa may send a message without text


def test_spaces_are_collapsed_but_lines_kept():
    assert plain_text("a  \t b\nc") == "a b\nc"


def test_a_short_text_is_one_message_and_an_empty_one_none():
    assert split_sms("Short answer. Two sentences.") == ["Short answer. Two sentences."]
    assert split_sms("   ") == []


def test_parts_never_exceed_the_limit_and_keep_every_word():
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    parts = split_sms(text, limit=100)
    assert all(len(p) <= 100 for p in parts) and len(parts) > 1
    assert " ".join(parts).split() == text.split()


def test_a_sentence_is_not_cut_when_it_fits_in_the_next_message():
    first = "A" * 200 + "."
    second = "B" * 200 + "."
    assert split_sms(f"{first} {second}") == [first, second]


def test_a_single_word_longer_than_a_message_is_cut_to_the_limit():
    parts = split_sms("x" * (MAX_SMS_CHARS + 50))
    assert parts == ["x" * MAX_SMS_CHARS]


def test_menus_in_english_and_spanish():
    buttons = [{"title": " Tell me more ", "payload": "/more_info"}, {"title": "Book", "payload": "/book"}]
    assert menu_line(buttons) == "Reply 1 for Tell me more, 2 for Book."
    assert menu_line(buttons, "es") == "Responda 1 para Tell me more, 2 para Book."


def test_render_puts_every_emergency_message_first_and_keeps_the_rest_in_order():
    messages = [
        {"text": "first answer", "route": "answer"},
        {"text": "Call 911.", "route": "emergency"},
        {"text": "disclaimer", "route": "disclaimer"},
        {"text": "Call 988.", "route": "emergency"},
    ]
    parts, payloads = render(messages)
    assert parts == ["Call 911.", "Call 988.", "first answer", "disclaimer"]
    assert payloads == []


def test_render_numbers_the_last_buttons_in_the_reply_language():
    messages = [
        {"text": "Una **respuesta**.", "buttons": [{"title": "Cuénteme más", "payload": "/more_info"}], "lang": "es"},
        {"text": "Aviso.", "buttons": [], "lang": "es"},
    ]
    parts, payloads = render(messages)
    assert parts == ["Una respuesta. Responda 1 para Cuénteme más.", "Aviso."]
    assert payloads == ["/more_info"]


@pytest.mark.parametrize("body, expected", [
    ("stop", "STOP"), ("  Stop!! ", "STOP"), ("¡ayuda!", "AYUDA"), ("no   más", "NO MÁS"),
    ("what is STOP", "WHAT IS STOP"), ("", ""),
])
def test_keywords_are_read_case_and_punctuation_blind(body, expected):
    assert keyword_of(body) == expected


def test_the_keyword_sets_never_overlap():
    stops, starts, helps = STOP_WORDS | STOP_WORDS_ES, START_WORDS | START_WORDS_ES, HELP_WORDS | HELP_WORDS_ES
    assert not (stops & starts) and not (stops & helps) and not (starts & helps)
    assert not set(LANGUAGE_WORDS) & (stops | starts | helps)
    assert {"STOP", "UNSUBSCRIBE", "PARAR", "BAJA"} <= stops and {"START", "COMENZAR"} <= starts
    assert {keyword_of(w) for w in stops | starts | helps} == stops | starts | helps  # all reachable


def test_language_words_choose_a_language_and_a_request_the_assistant_understands():
    assert LANGUAGE_WORDS[keyword_of("español")] == ("es", "en español por favor")
    assert LANGUAGE_WORDS[keyword_of("English.")][0] == "en"


def test_the_not_stored_reply_asks_to_send_again_in_the_language_and_fits_one_text():
    assert "send it again" in not_stored_reply("en")
    assert "envíelo de nuevo" in not_stored_reply("es")
    assert not_stored_reply("fr") == not_stored_reply("en")
    assert all(len(split_sms(not_stored_reply(lang))) == 1 for lang in ("en", "es"))
