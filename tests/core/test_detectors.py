"""The learned domain gate and crisis detector (src/clinic_faq/core/detectors.py), trained on the project's data."""

import numpy as np
import pytest

from clinic_faq.core.detectors import CONCERN, URGENT, CrisisDetector, data_fingerprint, load_crisis, load_out_of_domain


def test_fast_single_message_features_equal_scikit_learns(detectors):
    texts = ["how long is a ketamine session", "got the rope picked the date", "", "ÇA VA?? 😀", "a " * 400]
    for text in texts:
        indices, values = detectors.featurizer.transform_one(text)
        dense = np.zeros(detectors.featurizer.transform([text]).shape[1])
        dense[indices] = values
        assert np.allclose(dense, detectors.featurizer.transform([text]).toarray()[0], atol=1e-6), text
        fast = detectors.score(text)
        slow = (detectors.gate.probability([text])[0], *(p[0] for p in detectors.crisis.probabilities([text])))
        assert np.allclose(fast, slow, atol=1e-5), text


@pytest.mark.parametrize("text", [
    "when is my next paycheck", "where did my suitcase end up", "what interest rate does my card charge",
    "show me my shopping list", "how many minutes are left on my plan", "set an alarm for 6 am",
])
def test_unrelated_requests_are_outside_the_domain(detectors, text):
    p_in, p_urgent, p_concern = detectors.score(text)
    assert p_in < 0.5
    assert p_urgent < 0.5 and p_urgent + p_concern < 0.6


@pytest.mark.parametrize("text", [
    "how long does a ketamine infusion take", "wat r the side effects", "can i book a consult",
    "should i stop my fentanyl patch before the infusion", "hi", "thanks so much",
])
def test_clinic_questions_are_inside_the_domain(detectors, text):
    assert detectors.score(text)[0] >= 0.5


@pytest.mark.parametrize("text", [
    "got the rope picked the date", "i took 30 of my oxy pills like an hour ago",
    "this is my goodbye, tell my kids i love them", "my husband isnt breathing right",
])
def test_danger_is_urgent(detectors, text):
    assert detectors.score(text)[1] >= 0.5


def test_the_level_follows_the_two_thresholds():
    assert CrisisDetector.level(0.6, 0.1, 0.5, 0.6) == URGENT
    assert CrisisDetector.level(0.3, 0.35, 0.5, 0.6) == CONCERN
    assert CrisisDetector.level(0.3, 0.2, 0.5, 0.6) is None


def test_training_data_is_broad_enough():
    domains = load_out_of_domain()
    assert len(domains) >= 20 and sum(map(len, domains.values())) >= 2000
    crisis = load_crisis()
    assert len(crisis["urgent"]) >= 300 and len(crisis["concern"]) >= 150 and len(crisis["not_crisis"]) >= 300


def test_fingerprint_follows_the_files(tmp_path):
    (tmp_path / "crisis.yml").write_text("urgent: [a]\n")
    before = data_fingerprint(tmp_path)
    (tmp_path / "crisis.yml").write_text("urgent: [b]\n")
    assert data_fingerprint(tmp_path) != before
