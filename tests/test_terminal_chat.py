"""`make shell`: a number picks the button it was shown with, as the buttons are printed."""

import subprocess
import sys

import pytest

from clinic_faq.terminal_chat import render, reply_for

BUTTONS = [{"title": "Tell me more", "payload": "/more_info"}, {"title": "Book", "payload": "/book_consultation"}]


def test_a_number_sends_the_buttons_payload_and_anything_else_is_sent_as_typed():
    assert reply_for("1", BUTTONS) == "/more_info"
    assert reply_for(" 2 ", BUTTONS) == "/book_consultation"
    assert reply_for("3", BUTTONS) == "3"
    assert reply_for("1", []) == "1"
    assert reply_for("what is 1 session", BUTTONS) == "what is 1 session"


def test_buttons_are_numbered_across_one_turns_replies():
    lines, buttons = render([{"text": "Answer.", "buttons": BUTTONS[:1]}, {"text": "Note.", "buttons": BUTTONS[1:]}])
    assert lines == ["assistant: Answer.", "           1: Tell me more", "assistant: Note.", "           2: Book"]
    assert buttons == BUTTONS


@pytest.mark.integration
def test_typing_the_number_shown_gets_that_buttons_answer(assistant):
    session = subprocess.run(
        [sys.executable, "-m", "clinic_faq.terminal_chat", assistant.url],
        input="what are the side effects\n1\n/stop\n", capture_output=True, text=True, timeout=120,
    )
    out = session.stdout
    assert "1: Tell me more" in out
    after = out.split("1: Tell me more", 1)[1]
    assert "benzodiazepine" in after and "Sorry" not in after, out
