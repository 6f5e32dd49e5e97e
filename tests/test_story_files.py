"""The staff story format: mistakes are explained with their file and line and cost only their own test; the
staff words and topic titles read both ways; the tests are written as Rasa test stories and old Rasa test
stories are converted. No server: the runs are in tests/integration/test_stories.py."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from clinic_faq.rasa_ext.channels.staff_views.why import (
    CARE_TEAM,
    DISCLAIMER,
    EMERGENCY,
    WORDS,
    ExpectationError,
    Outcome,
    catalogue_rows,
    load_catalogue,
    outcomes,
    parse_expectation,
    words,
)
from clinic_faq_dev.stories import compare, rasa_steps, rasa_stories
from clinic_faq_dev.story_convert import convert_file
from clinic_faq_dev.story_files import load_stories

GOOD = "- test: still runs\n  conversation:\n  - patient: hello\n    expect: small talk\n"


def load(tmp_path, body):
    path = tmp_path / "mine.yml"
    path.write_text(body, encoding="utf-8")
    return load_stories([path])


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("- test: x\n  conversation:\n  - patient: hi\n    expect: emergancy\n", 4,
         "unknown expectation 'emergancy': did you mean 'emergency'?"),
        ("- test: x\n  conversation:\n  - patient: hi\n    expect: answer about side effect\n", 4,
         "did you mean 'side effects'?"),
        ("- test: x\n  conversation:\n  - patient: hi\n    expect: anwser about side effects\n", 4,
         "did you mean 'answer about side effects'?"),
        ("- test: x\n  conversation:\n  - patient: hi\n    expect: answer about nausea\n", 4,
         "unknown topic 'nausea'"),
        ("- test: x\n  conversation:\n  - patient:\n    expect: small talk\n", 3, "an empty message"),
        ("- test: x\n  conversation:\n  - patient: \"  \"\n    expect: small talk\n", 3, "an empty message"),
        ("- test: x\n  conversation:\n  - patient: hello\n     expect: small talk\n", 4, "the indentation is wrong"),
        ("- test: x\n  conversation:\n  - patient: hello\n  expect: small talk\n", 4, "the indentation is wrong"),
        ("- test: x\n  conversation:\n  - patient: hello\n\texpect: small talk\n", 4, "a tab"),
        ("- test: x\n  conversation:\n  - patient: hello\n    expect: small talk\n    say: [hi]\n", 5,
         "unknown key `say:`: did you mean `says:`?"),
        ("- test: x\n  conversation:\n  - user: hello\n    expect: small talk\n", 3, "did you mean `patient:`?"),
        ("- test: x\n  conversation:\n  - patient: hello\n    expect: small talk\n    expect: declined\n", 5,
         "`expect:` is given twice"),
        ("- test: x\n  conversation:\n  - patient: hello\n", 3, "say what must happen with `expect:`"),
        ("- test: x\n  conversation:\n  - clicks: Tell me mroe\n    expect: more about side effects\n", 3,
         "did you mean 'Tell me more'?"),
        ("- test: x\n  conversation:\n  - patient: hello\n    expect: small talk\n    language: Klingon\n", 5,
         "unknown language"),
        ("- test: x\n  conversation:\n  - patient: hello\n    expect: small talk\n    never_matches: ['(']\n", 5,
         "a pattern that does not work"),
        ("- test:\n  conversation:\n  - patient: hello\n    expect: small talk\n", 1, "the test needs a name"),
        ("- test: x\n  conversation:\n", 2, "at least one step"),
        ("- test: x\n  conversation:\n  - patient: note: a question\n    expect: small talk\n", 3,
         "needs quotes"),
    ],
)
def test_a_mistake_is_reported_with_its_line_and_the_other_tests_still_load(tmp_path, body, line, message):
    tests, mistakes = load(tmp_path, body + "\n" + GOOD)
    assert [t.name for t in tests] == ["still runs"]
    [mistake] = mistakes
    assert mistake.line == line, str(mistake)
    assert message in mistake.message
    assert str(mistake).startswith(f"{tmp_path / 'mine.yml'}, line {line}: ")


def test_a_rasa_test_story_file_is_recognised_and_the_converter_named(tmp_path):
    _, [mistake] = load(tmp_path, 'version: "3.1"\nstories:\n- story: x\n  steps:\n  - user: hi\n    intent: greet\n')
    assert "Rasa test story file" in mistake.message and "clinic_faq_dev.story_convert" in mistake.message


def test_messages_and_words_are_read_as_written_not_as_yaml_values(tmp_path):
    tests, mistakes = load(tmp_path, "- test: yes and numbers\n  language: English\n  conversation:\n"
                                     "  - patient: yes\n    expect: small talk\n    never_says: [911, no]\n"
                                     "  - patient: 1\n    expect: small talk, then care team\n"
                                     "  - clicks: tell me MORE\n    expect: more about side effects\n")
    assert not mistakes
    [test] = tests
    assert [s.text for s in test.steps] == ["yes", "1", "/more_info"]
    assert test.steps[0].checks.never_says == ["911", "no"]
    assert test.steps[1].expect == [Outcome("small talk"), Outcome(CARE_TEAM)]
    assert test.steps[2].click == "tell me MORE" and test.checks.language == "en"


def test_every_topic_title_reads_both_ways_and_titles_come_from_the_catalogue():
    from clinic_faq_dev.content import titles

    catalogue = load_catalogue()
    assert catalogue.titles == titles()  # the staff page's reading of docs/topics.md is the tooling's
    for topic, title in titles().items():
        for kind in ("answer about", "more about"):
            found = parse_expectation(f"{kind} {title.upper()}", catalogue)
            assert found == [Outcome(kind, topic)]
            assert words(found, catalogue) == f"{kind} {title}"


def test_the_catalogue_table_is_read_by_its_column_names():
    text = ("| intent | extra | topic | title |\n|---|---|---|---|\n| ask_parking | x | parking | where to park |\n\n"
            "| title | intent | topic |\n|---|---|---|\n| ignored | a | b |\n")
    assert catalogue_rows(text) == [{"intent": "ask_parking", "extra": "x", "topic": "parking", "title": "where to park"}]


def test_every_word_parses_and_a_near_miss_gets_the_nearest():
    catalogue = load_catalogue()
    for word in WORDS:
        said = word.replace("<topic>", "side effects")
        assert words(parse_expectation(said, catalogue), catalogue) == said
    with pytest.raises(ExpectationError, match="did you mean 'care team'"):
        parse_expectation("care-team", catalogue)
    with pytest.raises(ExpectationError, match="did you mean 'privacy warning'"):
        parse_expectation("privacy warnings", catalogue)


def reply(name, **meta):
    return (name, meta)


def test_what_a_turn_did_in_words():
    catalogue = load_catalogue()
    answer = reply("utter_answer_side_effects", route="answer", topic="side_effects", medical=True)
    disclaimer = reply("utter_disclaimer", route="disclaimer")
    refer = reply("utter_refer_to_care_team", route="referral")
    assert words(outcomes([answer, disclaimer]), catalogue) == "answer about side effects"
    assert words(outcomes([answer, refer, disclaimer]), catalogue) == "answer about side effects, then care team"
    assert words(outcomes([disclaimer]), catalogue) == "disclaimer"
    assert words(outcomes([reply("utter_more_side_effects", route="answer", topic="side_effects", part="more")]),
                 catalogue) == "more about side effects"
    assert words(outcomes([reply("utter_crisis_concern", route="emergency", level="concern")]), catalogue) == \
        "emergency (concern)"
    assert words(outcomes([reply("utter_callback", route="callback")]), catalogue) == "callback"
    assert words(outcomes([reply("utter_greet", route="smalltalk"), reply("utter_x", route="smalltalk")]),
                 catalogue) == "small talk"
    assert words(outcomes([]), catalogue) == "no reply"
    assert DISCLAIMER in WORDS and EMERGENCY in WORDS


def test_what_passes():
    catalogue = load_catalogue()
    answer, more = Outcome("answer about", "side_effects"), Outcome("more about", "side_effects")
    care, emergency = Outcome(CARE_TEAM), Outcome(EMERGENCY)
    assert compare([answer], [answer], catalogue) == (True, "answer about side effects")
    assert not compare([answer], [more], catalogue)[0]
    assert not compare([answer], [answer, care], catalogue)[0]  # an unexpected referral is a difference
    assert compare([care], [answer, care], catalogue) == (True, "care team (after the answer about side effects)")
    assert compare([emergency], [emergency, care], catalogue)[0]  # what follows emergency guidance: unchecked
    assert not compare([care], [emergency], catalogue)[0]


def test_tests_are_written_as_rasa_test_stories_from_what_they_expect(tmp_path):
    tests, _ = load(tmp_path, "- test: a few\n  conversation:\n"
                              "  - patient: what are the side effects\n    expect: answer about side effects\n"
                              "  - clicks: Tell me more\n    expect: more about side effects\n"
                              "  - patient: blorp\n    expect: rephrase\n"
                              "  - patient: zzxq\n    expect: rephrase\n"
                              "  - patient: my number is 555-201-8841\n    expect: privacy warning\n"
                              "- test: not for rasa without a run\n  conversation:\n"
                              "  - patient: call me\n    expect: callback\n")
    written, skipped = rasa_stories(tests, [], tmp_path / "rasa")
    [story] = yaml.safe_load(written[0].read_text())["stories"]
    assert story["story"] == "mine: a few"
    assert story["steps"] == [
        {"user": "what are the side effects", "intent": "ask_side_effects"},
        {"action": "utter_answer_side_effects"}, {"action": "action_safety_notes"},
        {"slot_was_set": [{"topic": "side_effects"}]},
        {"intent": "more_info"}, {"action": "utter_more_side_effects"}, {"action": "action_safety_notes"},
        {"slot_was_set": [{"topic": None}]},
        {"user": "blorp", "intent": "nlu_fallback"}, {"action": "utter_ask_rephrase"}, {"action": "action_safety_notes"},
        {"slot_was_set": [{"topic": None}]},
        {"user": "zzxq", "intent": "nlu_fallback"}, {"action": "utter_fallback_care_team"},
        {"action": "action_safety_notes"}, {"slot_was_set": [{"topic": None}]},
        {"user": "my number is 555-201-8841", "intent": "share_personal_info"}, {"action": "utter_phi_warning"},
    ]
    assert len(skipped) == 1 and "not for rasa" in skipped[0]


def test_rasa_test_stories_convert_to_the_staff_format(tmp_path):
    old = tmp_path / "old.yml"
    old.write_text('version: "3.1"\n# a comment kept\nstories:\n'
                   "- story: more\n  metadata:\n    turns:\n      1: {contains: [\"not medical advice\"]}\n  steps:\n"
                   "  - user: |\n      what are the side effects\n    intent: ask_side_effects\n"
                   "  - action: utter_answer_side_effects\n  - action: action_safety_notes\n"
                   "  - slot_was_set:\n    - topic: side_effects\n  - intent: more_info\n"
                   "  - action: utter_more_side_effects\n  - action: action_safety_notes\n")
    new = tmp_path / "new.yml"
    new.write_text(convert_file(old))
    assert "# a comment kept" in new.read_text()
    [test], mistakes = load_stories([new])
    assert not mistakes
    assert [(s.text, s.expect_words, s.checks.says) for s in test.steps] == [
        ("what are the side effects", "answer about side effects", ["not medical advice"]),
        ("/more_info", "more about side effects", []),
    ]


def test_the_staff_stories_are_all_in_the_staff_format():
    tests, mistakes = load_stories([Path("evaluation/stories")])
    assert not mistakes, "\n".join(map(str, mistakes))
    assert len(tests) >= 70


def test_a_form_left_waiting_or_finished_in_the_turn_is_said_to_rasas_runner(tmp_path):
    tests, _ = load(tmp_path, "- test: call\n  conversation:\n  - patient: call me\n    expect: callback\n")
    step = tests[0].steps[0]

    def run(actions):
        turn = SimpleNamespace(intent="request_callback", actions=actions)
        return SimpleNamespace(view=SimpleNamespace(turn=turn), problems=[], slots={})

    waiting = rasa_steps(step, run(["callback_form"]), load_catalogue(), False)
    assert waiting[1:] == [{"action": "callback_form"}, {"active_loop": "callback_form"}]
    finished = rasa_steps(step, run(["callback_form", "action_submit_callback"]), load_catalogue(), False)
    assert finished[1:] == [{"action": "callback_form"}, {"active_loop": None}, {"action": "action_submit_callback"}]
