from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from clinic_faq.rasa_ext.nlu.safety_screen import SafetyScreenComponent


@pytest.fixture(scope="module")
def component():
    return SafetyScreenComponent(SafetyScreenComponent.get_default_config())


def classified(text, intent, confidence=0.8):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    return message


def process(component, message):
    component.process([message])
    return message.as_dict(only_output_properties=True)


def test_crisis_overrides_any_intent_and_records_why(component):
    out = process(component, classified("everyone would be better off without me", "ask_mood", 0.9))
    assert out["intent"] == {"name": "emergency", "confidence": 1.0}
    assert out["intent_ranking"][0]["name"] == "emergency"
    assert out["safety"]["override"] == {"intent": "emergency", "reason": "crisis rules"}
    assert out["safety"]["classifier"] == {"intent": "ask_mood", "confidence": 0.9}
    assert out["safety"]["crisis_rules"] == ["suicidal: better off without me"]


def test_crisis_overrides_the_fallback_intent(component):
    out = process(component, classified("cant breath", "nlu_fallback", 0.3))
    assert out["intent"]["name"] == "emergency"


def test_personal_question_on_a_topic_keeps_the_topic_and_flags_referral(component):
    out = process(component, classified("will ketamine let me stop my oxycodone", "ask_opioid_reduction"))
    assert out["intent"]["name"] == "ask_opioid_reduction"
    assert out["safety"]["referral"] is True


def test_personal_question_off_topic_becomes_a_referral(component):
    out = process(component, classified("should i double my morphine tonight", "nlu_fallback", 0.3))
    assert out["intent"]["name"] == "ask_personal_medical"


def test_phi_in_small_talk_becomes_share_personal_info(component):
    out = process(component, classified("hi my number is [PHONE]", "greet"))
    assert out["intent"]["name"] == "share_personal_info"
    assert out["safety"]["phi"] == ["PHONE"]


def test_informational_crisis_mention_does_not_override(component):
    out = process(component, classified("does ketamine help with suicidal thoughts?", "ask_mood"))
    assert out["intent"]["name"] == "ask_mood"
    assert out["safety"]["crisis"] == "informational"


def test_plain_question_is_untouched_but_audited(component):
    out = process(component, classified("how long is a session", "ask_session_length", 0.95))
    assert out["intent"] == {"name": "ask_session_length", "confidence": 0.95}
    assert out["safety"]["crisis"] is None and out["safety"]["referral"] is False
    assert "override" not in out["safety"]


def test_empty_text_is_skipped(component):
    message = Message(data={"text": ""})
    component.process([message])
    assert message.get("safety") is None


def test_a_dose_question_is_referred_even_on_a_topic(component):
    out = process(component, classified("what dose of ketamine do you give people", "ask_effectiveness"))
    assert out["intent"]["name"] == "ask_personal_medical"
    assert out["safety"]["override"]["reason"] == "dose question"


def test_a_general_crisis_question_the_classifier_could_not_place_gets_crisis_support(component):
    out = process(component, classified("does ketamine help with suicidal thoughts?", "nlu_fallback", 0.3))
    assert out["intent"]["name"] == "crisis_support"


@pytest.mark.parametrize("text", ["blorp zizzle quonk", "flurb wazzle grik"])
def test_gibberish_becomes_the_fallback_whatever_the_classifier_guessed(component, text):
    out = process(component, classified(text, "ask_nerve_blocks", 0.7))
    assert out["intent"]["name"] == "nlu_fallback"
    assert out["safety"]["unclear"] is True


@pytest.mark.parametrize("text", ["wat r the side efects of ketamin", "hw long is a sesion"])
def test_misspelled_questions_are_not_gibberish(component, text):
    out = process(component, classified(text, "ask_side_effects", 0.7))
    assert out["intent"]["name"] == "ask_side_effects"


@pytest.mark.parametrize("text", ["ok", "lol", "perfecto"])
def test_a_lone_acknowledgement_is_not_gibberish_and_gets_the_small_talk_reply(component, text):
    out = process(component, classified(text, "ask_side_effects", 0.4))
    assert out["intent"]["name"] == "affirm"
    assert out["safety"]["unclear"] is False


class FixedScores:
    """Stands in for the learned detectors with chosen probabilities (the decision itself is tested as a table
    in tests/core/test_decision.py; these check that the adapter hands it the right inputs)."""

    uses_sentence_vectors = False

    def __init__(self, in_domain, urgent=0.0, concern=0.0, practical=None, asked=None):
        self.values = (in_domain, urgent, concern)
        self.practical_value = practical
        self.asked = asked

    def practical(self, text, dense=None):
        return self.practical_value

    def asked_in_domain(self, text, embed=None):
        return self.asked

    def score(self, text, dense=None):
        return self.values

    def score_message(self, text, dense=None, embed=None, evidence=None):
        self.evidence = evidence
        return self.values


def decided(text, intent, ranking, scores):
    component = SafetyScreenComponent(SafetyScreenComponent.get_default_config(), detectors=scores)
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    message.set("intent_ranking", [{"name": n, "confidence": c} for n, c in ranking], add_to_output=True)
    return process(component, message)


def test_the_classifiers_emergency_alone_gets_no_emergency_guidance():
    out = decided("when is my next paycheck", "emergency", [("emergency", 0.6), ("ask_cost_insurance", 0.3)],
                  FixedScores(0.9))
    assert out["intent"]["name"] == "ask_cost_insurance"
    assert out["safety"]["override"]["reason"] == "emergency without evidence"


def test_the_domain_gate_declines_what_the_classifier_placed_on_a_topic_and_the_scores_are_recorded():
    out = decided("what interest rate does my card charge", "ask_cost_insurance", [("ask_cost_insurance", 0.9)],
                  FixedScores(0.05))
    assert out["intent"]["name"] == "out_of_scope"
    assert out["intent_ranking"][0] == {"name": "out_of_scope", "confidence": 1.0}
    assert out["safety"]["scores"] == {"in_domain": 0.05, "urgent": 0.0, "concern": 0.0}


def test_the_crisis_detector_with_a_word_of_danger_gives_emergency_guidance_and_records_the_evidence():
    scores = FixedScores(0.9, urgent=0.8)
    out = decided("ok so the rope is ready", "nlu_fallback", [("nlu_fallback", 0.3)], scores)
    assert out["intent"]["name"] == "emergency"
    # the adapter hands the detectors the screen's evidence test, for the sentences they read alone
    assert scores.evidence("ok so the rope is ready") and not scores.evidence("what time do you open")
    assert out["safety"]["crisis"] == "urgent" and out["safety"]["crisis_rules_level"] is None
    assert out["safety"]["evidence"] == ["danger"]


def test_the_crisis_detector_on_the_shape_of_a_message_alone_gives_no_alarm():
    out = decided("please order more checks i just used the last one", "out_of_scope", [("out_of_scope", 0.8)],
                  FixedScores(0.2, urgent=0.6))
    assert out["intent"]["name"] == "out_of_scope"
    assert out["safety"]["crisis"] is None and out["safety"]["evidence"] == []


def test_a_personal_question_with_a_likely_topic_gets_the_answer_then_the_referral():
    out = decided("could ketamine mess with my memory", "ask_personal_medical",
                  [("ask_personal_medical", 0.75), ("ask_long_term_effects", 0.2)], FixedScores(0.95))
    assert out["intent"]["name"] == "ask_long_term_effects"
    assert out["safety"]["refer_after"] is True and out["safety"]["referral"] is True


def test_the_practical_boundary_reaches_the_decision_and_is_recorded():
    clinic = decided("open on sundays?", "ask_hours", [("ask_hours", 0.95)], FixedScores(0.45, practical=0.85))
    assert clinic["intent"]["name"] == "ask_hours"
    assert clinic["safety"]["scores"] == {"in_domain": 0.45, "urgent": 0.0, "concern": 0.0, "practical": 0.85}
    other = decided("what timezone is lisbon in", "ask_hours", [("ask_hours", 0.95)], FixedScores(0.45, practical=0.1))
    assert other["intent"]["name"] == "out_of_scope"
    # a model trained before the boundary existed: the practical question the classifier is sure of keeps its answer
    older = decided("open on sundays?", "ask_hours", [("ask_hours", 0.95)], FixedScores(0.45))
    assert older["intent"]["name"] == "ask_hours" and "practical" not in older["safety"]["scores"]


LONG_STORY = ("My husband has been on chemo since March and I handle the money at home now. Every month I send some "
              "to my mother in Guatemala, who looks after our two older kids. The shop on the corner charges a big fee. "
              "What is the cheapest way to send money to Guatemala?")


def test_the_gate_on_what_a_long_story_asks_reaches_the_decision_and_is_recorded():
    out = decided(LONG_STORY, "ask_cost_insurance", [("ask_cost_insurance", 0.8)], FixedScores(0.97, asked=0.04))
    assert out["intent"]["name"] == "out_of_scope"
    assert out["safety"]["scores"]["asked_in_domain"] == 0.04
    kept = decided(LONG_STORY, "ask_cost_insurance", [("ask_cost_insurance", 0.8)], FixedScores(0.97, asked=0.7))
    assert kept["intent"]["name"] == "ask_cost_insurance"


LONG_NEWS = ("Update for everyone who asked after my last post. The scan on Tuesday came back clear. My husband cried in "
             "the parking lot and then we went out for pancakes. My pain is mostly gone and I sleep through the night "
             "again. Just wanted to share some good news with people who get it.")


def test_a_long_story_the_classifier_could_not_place_keeps_its_fallback_and_records_why():
    out = decided(LONG_NEWS, "nlu_fallback", [("nlu_fallback", 0.3), ("out_of_scope", 0.29)], FixedScores(0.84))
    assert out["intent"]["name"] == "nlu_fallback"
    assert out["safety"]["override"] == {"intent": "nlu_fallback", "reason": "a long story that asks nothing"}
    short = decided("blorp zizzle quonk", "nlu_fallback", [("nlu_fallback", 0.3)], FixedScores(0.5))
    assert "override" not in short["safety"]


def test_a_medicine_question_is_never_declined():
    out = decided("can i take ibuprofen with my warfarin", "out_of_scope", [("out_of_scope", 0.6)], FixedScores(0.1))
    assert out["intent"]["name"] == "ask_personal_medical"


def test_an_undecided_message_that_leans_spanish_is_not_sent_to_the_rephrase_prompt():
    """The unclear-words check knows English words only: "eres un robot?" is not gibberish."""
    from clinic_faq.rasa_ext.nlu.language import LanguageDetector

    screen = SafetyScreenComponent(SafetyScreenComponent.get_default_config())
    for text, unclear in (("eres un robot?", False), ("bye, cuidate", False), ("asdfgh qwerty zxcv", True)):
        message = Message(data={"text": text, "intent": {"name": "greet", "confidence": 0.3},
                                "intent_ranking": [{"name": "greet", "confidence": 0.3}]})
        LanguageDetector().process([message])
        screen.process([message])
        override = (message.get("safety") or {}).get("override") or {}
        assert (override.get("reason") == "mostly unknown words") is unclear, text


def test_intents_marked_not_trained_are_left_out_of_the_crisis_detector_as_rasa_reads_them():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    from clinic_faq.rasa_ext.nlu.safety_screen import not_for_crisis

    marked = RasaYAMLReader().read(Path("data/nlu/symptoms_told.yml"))
    left_out = not_for_crisis(marked.intent_examples)
    assert len(left_out) == len(marked.intent_examples) > 100
    plain = RasaYAMLReader().read(Path("data/nlu/safety.yml"))
    assert not_for_crisis(plain.intent_examples) == []
