import logging

import pytest
from rasa.shared.core.domain import Domain

from clinic_faq.rasa_ext.nlg import ClinicNLG

pytestmark = pytest.mark.usefixtures("rasa_patched")

RESPONSES = {
    "utter_answer_contact_clinic": [{"text": "Call {clinic_name} at {clinic_phone}.", "metadata": {"route": "answer"}}],
    "utter_bad": [{"text": "Take 50 mg twice a day.", "metadata": {"route": "answer"}}],
    "utter_refer_to_care_team": [{"text": "Your care team can help: {clinic_phone}.", "metadata": {"route": "referral"}}],
}


@pytest.fixture
def nlg():
    return ClinicNLG(domain=Domain.from_dict({"responses": RESPONSES}))


def test_clinic_details_are_filled_from_the_clinic_config(nlg):
    from clinic_faq.core.clinic_config import load_clinic_config

    clinic = load_clinic_config()
    rendered = nlg.generate_from_slots("utter_answer_contact_clinic", {}, "rest")
    assert rendered["text"] == f"Call {clinic.name} at {clinic.phone}."


def test_a_response_with_a_dose_is_replaced_by_the_referral_and_logged(nlg, caplog):
    with caplog.at_level(logging.ERROR, logger="clinic_faq.rasa_ext.nlg"):
        rendered = nlg.generate_from_slots("utter_bad", {}, "rest")
    assert "50 mg" not in rendered["text"]
    assert "care team" in rendered["text"]
    assert rendered["metadata"]["dose_guard"] == {"blocked": "utter_bad", "kind": "amount"}
    assert any("utter_bad" in r.getMessage() for r in caplog.records)


def test_a_slot_value_that_would_render_a_dose_is_blocked_too(nlg):
    domain = Domain.from_dict({"responses": {**RESPONSES, "utter_echo": [{"text": "You said {note}."}]}})
    rendered = ClinicNLG(domain=domain).generate_from_slots("utter_echo", {"note": "double your dose"}, "rest")
    assert "double your dose" not in rendered["text"]


def test_unknown_response_gives_none(nlg):
    assert nlg.generate_from_slots("utter_missing", {}, "rest") is None


def test_every_domain_response_renders_without_a_dose_or_a_placeholder_left(domain):
    nlg = ClinicNLG(domain=Domain.from_dict(domain))
    for name in domain["responses"]:
        # The callback form's replies get their values from the action that sends them.
        rendered = nlg.generate_from_slots(name, {}, "rest", last_digits="0142", request_id="7")
        assert "dose_guard" not in (rendered.get("metadata") or {}), name
        assert "{" not in rendered["text"], f"{name} has an unfilled placeholder"


def test_the_language_hint_chooses_spanish_only_while_the_conversation_has_no_language(domain):
    nlg = ClinicNLG(domain=Domain.from_dict(domain))
    english = nlg.generate_from_slots("utter_greet", {}, "rest")["text"]
    spanish = nlg.generate_from_slots("utter_greet", {"language": "es"}, "rest")["text"]
    assert english != spanish
    assert nlg.generate_from_slots("utter_greet", {"language_hint": "es"}, "rest")["text"] == spanish
    assert nlg.generate_from_slots("utter_greet", {"language": "en", "language_hint": "es"}, "rest")["text"] == english
    assert nlg.generate_from_slots("utter_greet", {"language_hint": "en"}, "rest")["text"] == english


def _tracker_after(reason, slots, language=None):
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    parse = {"intent": {"name": "nlu_fallback", "confidence": 1.0},
             "safety": {"override": {"intent": "nlu_fallback", "reason": reason}}}
    events = [UserUttered("a long post", parse_data=parse)] + ([SlotSet("language", language)] if language else [])
    return DialogueStateTracker.from_events("someone", events, slots=slots)


def test_a_long_story_that_asks_nothing_is_thanked_not_asked_to_rephrase():
    """The rephrase prompt, for a message the screen read as a long story that asks nothing (decision.LONG_STORY),
    becomes the long story's reply, in the conversation's language; any other rephrase prompt stays itself."""
    import asyncio

    from clinic_faq.core.decision import LONG_STORY, UNASKED
    from clinic_faq.paths import project_file
    from clinic_faq.rasa_ext.nlg import LONG_STORY_RESPONSE

    domain = Domain.load(str(project_file("domain.yml")))
    nlg = ClinicNLG(domain=domain)
    story = asyncio.run(nlg.generate("utter_ask_rephrase", _tracker_after(LONG_STORY, domain.slots), "rest"))
    rephrase = asyncio.run(nlg.generate("utter_ask_rephrase", _tracker_after(UNASKED, domain.slots), "rest"))
    spanish = asyncio.run(nlg.generate("utter_ask_rephrase", _tracker_after(LONG_STORY, domain.slots, "es"), "rest"))
    assert spanish["text"].startswith("Gracias por contarnos esto")
    assert story["text"].startswith("Thank you for sharing this") and "{clinic_phone}" not in story["text"]
    assert story["metadata"]["route"] == "fallback"
    assert rephrase["text"] == nlg.generate_from_slots("utter_ask_rephrase", {}, "rest")["text"]
    assert rephrase["text"] != story["text"]
    assert LONG_STORY_RESPONSE in domain.responses
