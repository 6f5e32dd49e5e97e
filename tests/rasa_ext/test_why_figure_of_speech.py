"""The staff page's "why" view says when a figure of speech kept the crisis detector from an alarm."""

from clinic_faq.core.contract import SAFETY_KEY, ClassifierGuess, SafetyVerdict, Scores
from clinic_faq.rasa_ext.channels.staff_views.why import explain, load_catalogue, read_conversation


def _turn(evidence):
    verdict = SafetyVerdict(scores=Scores(in_domain=0.3, urgent=0.95, concern=0.01),
                            classifier=ClassifierGuess("out_of_scope", 0.9), evidence=evidence)
    events = [
        {"event": "user", "text": "[redacted]", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "out_of_scope", "confidence": 0.9}, SAFETY_KEY: verdict.to_dict()}},
        {"event": "bot", "text": "I can only help with the clinic.", "timestamp": 1.1,
         "metadata": {"utter_action": "utter_out_of_scope", "metadata": {"route": "out_of_scope"}}},
    ]
    return read_conversation(events)[0]


def test_a_figure_of_speech_is_named_as_the_reason_for_no_alarm():
    decided = " ".join(explain(_turn(["figure of speech"]), load_catalogue()).decided)
    assert "A figure of speech was found" in decided
    assert "Words of" not in decided  # it is not reported as words of danger or distress


def test_without_one_the_view_does_not_mention_it():
    decided = " ".join(explain(_turn(["danger"]), load_catalogue()).decided)
    assert "figure of speech" not in decided and "Words of danger were found" in decided
