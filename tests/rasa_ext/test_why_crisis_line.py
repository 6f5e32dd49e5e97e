"""The staff page's "why" view says why the crisis line was added gently to an answer: the rules' general mention
of a crisis, or the crisis detector unsure with no word of danger."""

from clinic_faq.core.contract import SAFETY_KEY, ClassifierGuess, SafetyVerdict, Scores
from clinic_faq.rasa_ext.channels.staff_views.why import explain, load_catalogue, read_conversation


def _decided(rules):
    verdict = SafetyVerdict(crisis="informational", crisis_rules_level="informational" if rules else None,
                            crisis_rules=rules, scores=Scores(in_domain=0.99, urgent=0.83, concern=0.05),
                            classifier=ClassifierGuess("ask_day_of_infusion", 0.87))
    events = [
        {"event": "user", "text": "[redacted]", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "ask_day_of_infusion", "confidence": 0.87}, SAFETY_KEY: verdict.to_dict()}},
        {"event": "bot", "text": "On the day, the team checks how you are.", "timestamp": 1.1,
         "metadata": {"utter_action": "utter_answer_day_of_infusion", "metadata": {"route": "answer"}}},
    ]
    return " ".join(explain(read_conversation(events)[0], load_catalogue()).decided)


def test_the_detector_unsure_on_a_question_it_answers_is_named():
    decided = _decided([])
    assert "The crisis detector was unsure (danger score 0.83, below 0.85" in decided
    assert "mentioned in a general way" not in decided


def test_the_rules_general_mention_is_named_with_its_rule():
    decided = _decided(["suicidal: suicidal thoughts"])
    assert "A crisis was mentioned in a general way (crisis rules: suicidal thoughts" in decided
    assert "was unsure" not in decided
