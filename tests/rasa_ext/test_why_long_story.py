"""The staff page's "why" view on a long story that asks nothing: the classifier's fallback was kept, and why."""

from clinic_faq.core.contract import SAFETY_KEY, ClassifierGuess, Override, SafetyVerdict, Scores
from clinic_faq.core.decision import LONG_STORY
from clinic_faq.rasa_ext.channels.staff_views.why import explain, load_catalogue, read_conversation


def _turn(classifier, override):
    verdict = SafetyVerdict(scores=Scores(in_domain=0.84, urgent=0.03, concern=0.0),
                            classifier=ClassifierGuess(classifier, 0.3), override=override)
    events = [
        {"event": "user", "text": "[redacted]", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3}, SAFETY_KEY: verdict.to_dict()}},
        {"event": "bot", "text": "Thank you for sharing this with us.", "timestamp": 1.1,
         "metadata": {"utter_action": "utter_ask_rephrase", "metadata": {"route": "fallback"}}},
    ]
    return read_conversation(events)[0]


def test_a_kept_guess_is_not_reported_as_changed():
    decided = " ".join(explain(_turn("nlu_fallback", Override("nlu_fallback", LONG_STORY)), load_catalogue()).decided)
    assert "kept the classifier's guess" in decided and "long story that asks nothing" in decided
    assert "changed the classifier's guess" not in decided


def test_a_changed_guess_still_is():
    decided = " ".join(explain(_turn("ask_personal_medical", Override("nlu_fallback", LONG_STORY)),
                               load_catalogue()).decided)
    assert "changed the classifier's guess" in decided
