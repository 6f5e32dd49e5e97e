"""Clinician sign-off: a changed word, a passed review date or no sign-off at all make an answer unsigned."""

from datetime import date

import pytest

from clinic_faq.core.signoff import (
    CHANGED,
    NEVER_SIGNED,
    OVERDUE,
    REFER,
    SERVE,
    SIGNED,
    Answer,
    Register,
    SignOff,
    curated_answers,
    export_yaml,
    policy,
    read_signoffs_file,
    text_hash,
)

TEXT = "Some people feel dizzy or dreamy during an infusion. Tell the team if you feel unwell."
ANSWER = Answer("utter_answer_side_effects", "en", TEXT, "side_effects", True)
TODAY = date(2026, 12, 4)


def signed(text=TEXT, on=date(2026, 6, 1), until=date(2027, 6, 1), lang="en"):
    return SignOff("utter_answer_side_effects", lang, text_hash(text), "Dr. A. Rivera", "Pain physician", on, until)


def test_a_signed_text_is_signed_until_its_review_date():
    state = Register([signed()]).state(ANSWER, TODAY)
    assert state.status == SIGNED and state.signoff.signer == "Dr. A. Rivera"


def test_changing_one_word_makes_it_unsigned():
    changed = Answer(ANSWER.name, "en", TEXT.replace("dizzy", "sleepy"), "side_effects", True)
    assert Register([signed()]).state(changed, TODAY).status == CHANGED


def test_spacing_and_line_breaks_do_not_change_the_text():
    reflowed = Answer(ANSWER.name, "en", TEXT.replace(" during ", "\n   during "), "side_effects", True)
    assert Register([signed()]).state(reflowed, TODAY).status == SIGNED


def test_a_passed_review_date_makes_it_unsigned():
    state = Register([signed(until=date(2026, 12, 1))]).state(ANSWER, TODAY)
    assert state.status == OVERDUE and not state.signed


def test_never_signed_and_the_other_language_is_separate():
    assert Register([]).state(ANSWER, TODAY).status == NEVER_SIGNED
    spanish = Answer(ANSWER.name, "es", "Algunas personas sienten mareo.", "side_effects", True)
    assert Register([signed()]).state(spanish, TODAY).status == NEVER_SIGNED


def test_signing_again_covers_the_new_text():
    new_text = TEXT.replace("dizzy", "sleepy")
    register = Register([signed(), signed(text=new_text, on=date(2026, 12, 3))])
    assert register.state(Answer(ANSWER.name, "en", new_text, "side_effects", True), TODAY).signed


def test_due_within_thirty_days():
    assert Register([signed(until=date(2026, 12, 20))]).state(ANSWER, TODAY).due_soon
    assert not Register([signed(until=date(2027, 3, 1))]).state(ANSWER, TODAY).due_soon


def test_the_policy_defaults_follow_example_values():
    assert policy(None, example_values=True) == SERVE
    assert policy(None, example_values=False) == REFER
    assert policy("serve", example_values=False) == SERVE


def test_export_and_read_back(tmp_path):
    path = tmp_path / "signoffs.yml"
    path.write_text(export_yaml([signed(), signed(lang="es")]), encoding="utf-8")
    assert read_signoffs_file(path) == [signed(), signed(lang="es")]


def test_a_malformed_signoff_file_names_the_record(tmp_path):
    path = tmp_path / "signoffs.yml"
    path.write_text("signoffs:\n- {answer: utter_answer_x, lang: fr, text_hash: abc, signer: a, role: b, "
                    "signed_on: 2026-01-01, review_by: 2027-01-01}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sign-off 1: .*lang"):
        read_signoffs_file(path)


def test_curated_answers_are_read_per_language_from_the_responses():
    responses = {
        "utter_answer_side_effects": [
            {"text": TEXT, "metadata": {"route": "answer", "topic": "side_effects", "medical": True, "sources": ["E1"]}},
            {"text": "Algunas...", "condition": [{"type": "slot", "name": "language", "value": "es"}],
             "metadata": {"route": "answer", "topic": "side_effects", "medical": True, "lang": "es"}},
        ],
        "utter_greet": [{"text": "Hi", "metadata": {"route": "smalltalk"}}],
    }
    answers = curated_answers(responses)
    assert [(a.name, a.lang, a.medical) for a in answers] == [
        ("utter_answer_side_effects", "en", True), ("utter_answer_side_effects", "es", True)]
    assert answers[0].sources == ("E1",)
