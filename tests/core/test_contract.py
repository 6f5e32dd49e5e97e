"""The safety verdict stored in the parse data (clinic_faq.core.contract): what the staff pages and the actions read
back from a turn."""

from clinic_faq.core.contract import SafetyVerdict, Scores


def test_the_gate_on_a_long_storys_request_is_kept_with_the_verdict():
    verdict = SafetyVerdict(scores=Scores(0.97, 0.01, 0.02, practical=0.4, asked_in_domain=0.05))
    stored = verdict.to_dict()
    assert stored["scores"]["asked_in_domain"] == 0.05
    assert SafetyVerdict.from_dict(stored).scores == Scores(0.97, 0.01, 0.02, 0.4, 0.05)


def test_a_verdict_stored_before_the_request_was_read_apart_reads_as_without_it():
    stored = {"scores": {"in_domain": 0.9, "urgent": 0.1, "concern": 0.0}}
    scores = SafetyVerdict.from_dict(stored).scores
    assert scores is not None and scores.asked_in_domain is None and scores.practical is None
    assert "asked_in_domain" not in SafetyVerdict(scores=Scores(0.9, 0.1, 0.0)).to_dict()["scores"]
