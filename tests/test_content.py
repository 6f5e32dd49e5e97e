"""The curated content and the training data keep their contract (docs/topics.md)."""

import glob
import re

import pytest
import yaml

from evaluation.content import catalogue, check_content, check_responses, training_examples


def normalized(text):
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def test_the_project_content_has_no_problems():
    assert check_content() == []


def test_the_catalogue_lists_34_topics():
    assert len(catalogue()) == 34


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Take 50 mg at night.", "contains a dose"),
        ("Double your dose if it hurts.", "contains a dose"),
        ("Ketamine has no long-term side effects.", "forbidden claim"),
        ("It is completely safe.", "forbidden claim"),
        ("x" * 501, "chat bubble"),
    ],
)
def test_the_content_check_catches_what_must_never_be_said(text, problem):
    responses = {"utter_greet": [{"text": text, "metadata": {"route": "smalltalk"}}]}
    assert any(problem in p for p in check_responses(responses, catalogue()))


def test_the_content_check_catches_missing_metadata():
    responses = {"utter_answer_side_effects": [{"text": "Dizziness can happen."}]}
    problems = check_responses(responses, catalogue())
    assert any("route" in p for p in problems) and any("sources" in p for p in problems)


def test_no_answer_copies_a_sentence_from_the_seeds(domain):
    seeds = " ".join(normalized(open(p, encoding="utf-8").read()) for p in glob.glob("../shared/seeds/*.txt"))
    if not seeds:
        pytest.skip("shared/seeds is not beside this checkout")
    for name, variations in domain["responses"].items():
        words = normalized(variations[0]["text"]).split()
        for i in range(len(words) - 7):
            assert " ".join(words[i : i + 8]) not in seeds, f"{name} repeats seed text"


@pytest.mark.parametrize("cases", ["tests/evaluation/dev_set.yml", "tests/evaluation/red_team.yml"])
def test_evaluation_messages_are_not_training_examples(cases):
    trained = {normalized(text) for _, text in training_examples()}
    with open(cases, encoding="utf-8") as f:
        overlap = [c["text"] for c in yaml.safe_load(f)["cases"] if normalized(c["text"]) in trained]
    assert overlap == []


def test_evaluation_sets_are_big_enough():
    for path, minimum in (("tests/evaluation/dev_set.yml", 150), ("tests/evaluation/red_team.yml", 150)):
        with open(path, encoding="utf-8") as f:
            assert len(yaml.safe_load(f)["cases"]) >= minimum
