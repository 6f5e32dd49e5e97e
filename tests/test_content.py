"""The curated content and the training data keep their contract (docs/topics.md)."""

from pathlib import Path

import pytest
import yaml

from clinic_faq_dev import seed_fingerprints
from clinic_faq_dev.content import catalogue, check_content, check_responses, training_examples
from clinic_faq_dev.overlap import near_duplicates


def test_the_project_content_has_no_problems():
    assert check_content() == []


def test_the_catalogue_lists_every_topic():
    topics = catalogue()
    assert len(topics) == 53
    assert {"day_of_infusion", "getting_home", "eating_before", "clinic_hours", "clinic_parking"} <= set(topics)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("Take 50 mg at night.", "contains a dose"),
        ("Double your dose if it hurts.", "contains a dose"),
        ("Ketamine has no long-term side effects.", "forbidden claim"),
        ("It is completely safe.", "forbidden claim"),
        ("x" * 501, "chat bubble"),
        ("About 80% of patients have their pain cut in half.", "forbidden claim"),
        ("Ketamine works best for nerve pain.", "forbidden claim"),
        ("Notwithstanding considerable interindividual pharmacokinetic heterogeneity, subanesthetic ketamine "
         "administration demonstrates inconsistent analgesic efficacy across heterogeneous oncological populations.",
         "hard to read"),
    ],
)
def test_the_content_check_catches_what_must_never_be_said(text, problem):
    responses = {"utter_greet": [{"text": text, "metadata": {"route": "smalltalk"}}]}
    assert any(problem in p for p in check_responses(responses, catalogue()))


def test_the_content_check_catches_missing_metadata():
    responses = {"utter_answer_side_effects": [{"text": "Dizziness can happen."}]}
    problems = check_responses(responses, catalogue())
    assert any("route" in p for p in problems) and any("sources" in p for p in problems)


def test_a_medical_answer_resting_on_a_clinic_page_alone_is_refused():
    meta = {"route": "answer", "topic": "effectiveness", "medical": True}
    text = "Some people say ketamine eases their pain. The care team checks whether it helps you."
    refused = check_responses({"utter_answer_effectiveness": [{"text": text, "metadata": {**meta, "sources": ["004"]}}]},
                              catalogue())
    assert any("marketing page alone" in p for p in refused)
    cited = check_responses({"utter_answer_effectiveness": [{"text": text, "metadata": {**meta, "sources": ["004", "E2"]}}]},
                            catalogue())
    assert not any("marketing" in p for p in cited)
    unknown = check_responses({"utter_answer_effectiveness": [{"text": text, "metadata": {**meta, "sources": ["Z9"]}}]},
                              catalogue())
    assert any("not in content/references.yml" in p for p in unknown)


def test_spanish_reading_level_is_measured_in_spanish():
    spanish = [{"type": "slot", "name": "language", "value": "es"}]
    hard = ("La administración subanestésica de ketamina manifiesta una eficacia analgésica inconsistente en "
            "poblaciones oncológicas heterogéneas, independientemente de consideraciones farmacocinéticas.")
    easy = "La ketamina es una medicina. Se da por la vena. El equipo la vigila todo el tiempo. Usted puede preguntar."
    for text, hard_to_read in ((hard, True), (easy, False)):
        responses = {"utter_greet": [{"text": "Hello there, how can I help you today with your questions?",
                                      "metadata": {"route": "smalltalk"}},
                                     {"text": text, "condition": spanish, "metadata": {"route": "smalltalk", "lang": "es"}}]}
        assert any("(es): hard to read" in p for p in check_responses(responses, catalogue())) is hard_to_read


def test_no_answer_copies_a_sentence_from_the_seeds(domain):
    """No 8-word run of any response (English or Spanish) is one of the seed texts', by their fingerprints
    (evaluation/seed_shingles.txt, so this runs without the seeds); with the seeds beside the checkout, the
    fingerprints are regenerated and must equal the file."""
    seeds = seed_fingerprints.seed_texts(seed_fingerprints.SEEDS) if seed_fingerprints.SEEDS.is_dir() else []
    if seeds:
        assert seed_fingerprints.FINGERPRINTS.read_text(encoding="utf-8") == seed_fingerprints.render(
            seed_fingerprints.fingerprints(seeds)), "evaluation/seed_shingles.txt is stale: regenerate it (its header)"
    known = seed_fingerprints.read(seed_fingerprints.FINGERPRINTS)
    assert len(known) > 1000
    texts = seed_fingerprints.response_texts(domain)
    assert {name for name, _ in texts} == set(domain["responses"])
    assert len(texts) >= 2 * len(domain["responses"])  # the Spanish variations too
    assert seed_fingerprints.copied(texts, known) == []


EVALUATION_SETS = sorted(p.stem for p in Path("evaluation/sets").glob("*.yml"))


def detector_examples():
    """Every text the learned screens train on besides the NLU data (data/guardrails/)."""
    from clinic_faq.core.detectors import load_crisis, load_in_domain, load_long_crisis, load_out_of_domain

    texts = [t for ts in load_out_of_domain().values() for t in ts]
    gate_only = [t for ts in load_in_domain().values() for t in ts]
    assert gate_only  # the front desk's terse questions teach the gate
    texts += gate_only
    long_messages = [t for ts in load_long_crisis().values() for t in ts]
    assert long_messages  # the long messages' detector trains on them too
    return texts + [t for ts in load_crisis().values() for t in ts] + long_messages


@pytest.fixture(scope="module")
def trained_texts():
    return [text for _, text in training_examples()] + detector_examples()


@pytest.mark.parametrize("name", EVALUATION_SETS)
def test_evaluation_messages_are_not_training_examples_nor_close_to_one(name, trained_texts):
    """No held-out message of four words or more is trained on, not even reworded a little (shared words over
    all words of 0.6 or more, clinic_faq_dev.overlap). Short messages ("ok", "gracias") are what everybody writes."""
    cases = [c["text"] for c in yaml.safe_load(Path(f"evaluation/sets/{name}.yml").read_text(encoding="utf-8"))["cases"]]
    assert near_duplicates(cases, trained_texts) == []


def test_the_outside_validation_set_is_not_trained_on(trained_texts):
    """The public validation set lives outside the project (../shared/devsets): it must stay untrained."""
    outside = Path("../shared/devsets/clinc150_val_en.yml")
    if not outside.exists():
        pytest.skip("the outside validation set is not on this machine")
    cases = [c["text"] for c in yaml.safe_load(outside.read_text(encoding="utf-8"))["cases"]]
    assert near_duplicates(cases, trained_texts) == []


def test_staff_story_messages_are_not_training_examples_nor_close_to_one(trained_texts):
    from clinic_faq_dev.overlap import texts_of

    messages = [t for path in sorted(Path("evaluation/stories").glob("*.yml")) for t in texts_of(path)]
    assert len(messages) > 50
    assert near_duplicates(messages, trained_texts) == []


def test_the_near_duplicate_check_can_fail():
    assert near_duplicates(["how long is one ketamine session please"], ["how long is a ketamine session please"])
    assert not near_duplicates(["how long is one ketamine session"], ["what are the side effects of ketamine"])


def test_evaluation_sets_are_big_enough():
    for name, minimum in (("dev_set", 150), ("red_team", 150), ("wild_dev", 300), ("wild_es", 150)):
        with open(f"evaluation/sets/{name}.yml", encoding="utf-8") as f:
            assert len(yaml.safe_load(f)["cases"]) >= minimum, name


def test_the_wild_sets_cover_every_route_and_many_unrelated_domains():
    with open("evaluation/sets/wild_dev.yml", encoding="utf-8") as f:
        routes = {c["route"] for c in yaml.safe_load(f)["cases"]}
    assert {"answer", "referral", "emergency", "smalltalk"} <= routes
    with open("evaluation/sets/wild_unrelated.yml", encoding="utf-8") as f:
        cases = yaml.safe_load(f)["cases"]
    assert len(cases) >= 300 and len({c["domain"] for c in cases}) >= 20
    assert {c["route"] for c in cases} == {"out_of_scope"}


SPANISH_CONDITION = [{"type": "slot", "name": "language", "value": "es"}]


def test_the_content_check_catches_a_response_without_its_spanish_version():
    responses = {"utter_greet": [{"text": "Hello.", "metadata": {"route": "smalltalk"}}]}
    assert any("no Spanish variation" in p for p in check_responses(responses, catalogue()))


@pytest.mark.parametrize("text, problem", [
    ("La ketamina cura el dolor.", "forbidden claim"),
    ("No tiene efectos a largo plazo, es completamente segura.", "forbidden claim"),
    ("Tome dos pastillas antes de venir.", "dose"),
    ("Aumente la dosis de morfina si le duele.", "dose"),
])
def test_the_content_check_reads_the_spanish_variations_too(text, problem):
    responses = {"utter_greet": [
        {"text": "Hello.", "metadata": {"route": "smalltalk"}},
        {"condition": SPANISH_CONDITION, "text": text, "metadata": {"route": "smalltalk", "lang": "es"}},
    ]}
    assert any(problem in p for p in check_responses(responses, catalogue()))


def test_every_response_has_its_spanish_version_with_the_same_metadata(domain):
    for name, variations in domain["responses"].items():
        spanish = [v for v in variations if v.get("condition") == SPANISH_CONDITION]
        assert len(spanish) == 1, name
        english = [v for v in variations if not v.get("condition")][0]
        assert {**(english.get("metadata") or {}), "lang": "es"} == spanish[0]["metadata"], name
