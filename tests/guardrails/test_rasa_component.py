import pytest
from rasa.shared.nlu.training_data.message import Message

from guardrails.rasa_component import SafetyScreenComponent


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
    assert out["safety"]["override"] == {"intent": "emergency", "reason": "crisis screen"}
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


@pytest.mark.parametrize("text", ["wat r the side efects of ketamin", "hw long is a sesion", "ok"])
def test_misspelled_questions_are_not_gibberish(component, text):
    out = process(component, classified(text, "ask_side_effects", 0.7))
    assert out["intent"]["name"] == "ask_side_effects"
