"""The curated content and the training data keep their contract (docs/topics.md)."""

import glob
import re

import pytest
import yaml

from evaluation.compare_pipelines import topic_intents
from guardrails.dose import find_dose

FORBIDDEN_CLAIMS = [
    r"no (long[- ]term )?side effects", r"no risks?\b", r"completely safe", r"100% safe", r"risk[- ]free",
    r"non[- ]addictive", r"\bguarantee", r"\bcures?\b", r"will (relieve|eliminate|cure)", r"treats the cause",
]


def training_examples():
    examples = []
    for path in sorted(glob.glob("data/nlu/*.yml")):
        with open(path, encoding="utf-8") as f:
            for block in yaml.safe_load(f)["nlu"]:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        examples.append((block["intent"], line.strip()[2:]))
    return examples


def normalized(text):
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


@pytest.fixture(scope="module")
def rules_text():
    return "\n".join(open(p, encoding="utf-8").read() for p in glob.glob("data/rules/*.yml"))


def test_every_catalogue_topic_has_intent_examples_answer_and_rule(domain, rules_text):
    topics = topic_intents()
    assert len(topics) == 34
    trained = {intent for intent, _ in training_examples()}
    for topic, intent in topics.items():
        assert intent in domain["intents"], intent
        assert intent in trained, f"{intent} has no training examples"
        assert f"utter_answer_{topic}" in domain["responses"], topic
        assert f"- intent: {intent}\n  - action: utter_answer_{topic}" in rules_text, topic


def test_every_answer_has_its_metadata_and_required_term(domain):
    required = {}
    for line in open("docs/topics.md", encoding="utf-8"):
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 6 and cells[3] in ("yes", "no"):
            required[cells[2]] = (cells[3] == "yes", cells[4].strip("`"))
    for name, variations in domain["responses"].items():
        if not name.startswith(("utter_answer_", "utter_more_")):
            continue
        topic = name.split("_", 2)[2]
        meta = variations[0].get("metadata") or {}
        assert meta.get("route") == "answer" and meta.get("topic") == topic, name
        assert isinstance(meta.get("medical"), bool) and isinstance(meta.get("sources"), list), name
        medical, term = required[topic]
        assert meta["medical"] is medical, name
        if name.startswith("utter_answer_"):
            assert re.search(term, variations[0]["text"], re.IGNORECASE), f"{name} lacks {term!r}"


def test_every_response_has_a_route(domain):
    routes = {"answer", "disclaimer", "referral", "emergency", "out_of_scope", "smalltalk", "fallback", "phi_warning"}
    for name, variations in domain["responses"].items():
        for variation in variations:
            assert (variation.get("metadata") or {}).get("route") in routes, name


def test_no_answer_contains_a_dose_or_a_forbidden_claim(domain):
    for name, variations in domain["responses"].items():
        for variation in variations:
            text = variation["text"]
            assert find_dose(text) is None, name
            for claim in FORBIDDEN_CLAIMS:
                assert not re.search(claim, text, re.IGNORECASE), f"{name}: {claim}"


def test_answers_are_short_enough_for_a_chat_bubble(domain):
    for name, variations in domain["responses"].items():
        assert len(variations[0]["text"]) <= 500, name


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
    with open("tests/evaluation/dev_set.yml", encoding="utf-8") as f:
        assert len(yaml.safe_load(f)["cases"]) >= 150
    with open("tests/evaluation/red_team.yml", encoding="utf-8") as f:
        assert len(yaml.safe_load(f)["cases"]) >= 150
