from clinic_faq.core.contract import SafetyVerdict
from clinic_faq.rasa_ext.actions.safety_notes import ActionSafetyNotes

FORGET_TOPIC = {"event": "slot", "timestamp": None, "name": "topic", "value": None}


async def run(tracker, dispatcher, domain):
    events = await ActionSafetyNotes().run(dispatcher, tracker, domain)
    return [m["response"] for m in dispatcher.messages], events


async def test_medical_answer_gets_the_disclaimer_and_remembers_the_topic(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_side_effects", said=["utter_answer_side_effects"], safety=SafetyVerdict())
    said, events = await run(tracker, dispatcher, domain)
    assert said == ["utter_disclaimer"]
    assert events == [{"event": "slot", "timestamp": None, "name": "topic", "value": "side_effects"}]


async def test_non_medical_answer_gets_no_disclaimer(make_tracker, dispatcher, domain):
    tracker = make_tracker("book_consultation", said=["utter_answer_book_consultation"], safety=SafetyVerdict())
    said, _ = await run(tracker, dispatcher, domain)
    assert said == []


async def test_personal_question_on_a_topic_gets_the_referral_before_the_disclaimer(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_opioid_reduction", said=["utter_answer_opioid_reduction"], safety=SafetyVerdict(referral_reasons=["medicine:own"]))
    said, _ = await run(tracker, dispatcher, domain)
    assert said == ["utter_refer_to_care_team", "utter_disclaimer"]


async def test_referral_is_not_repeated_after_the_referral_itself(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_personal_medical", said=["utter_refer_to_care_team"], safety=SafetyVerdict(referral_reasons=["medicine:own"]))
    said, events = await run(tracker, dispatcher, domain)
    assert said == []
    assert events == [FORGET_TOPIC]


async def test_informational_crisis_mention_gets_resources_gently(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_mood", said=["utter_answer_mood"], safety=SafetyVerdict(crisis="informational"))
    said, _ = await run(tracker, dispatcher, domain)
    assert said == ["utter_disclaimer", "utter_crisis_resources_gentle"]


async def test_emergency_gets_no_gentle_duplicate_but_the_privacy_warning(make_tracker, dispatcher, domain):
    tracker = make_tracker("emergency", said=["utter_emergency"], safety=SafetyVerdict(crisis="urgent", phi=["PHONE"]))
    said, events = await run(tracker, dispatcher, domain)
    assert said == ["utter_phi_warning"]
    assert events == [FORGET_TOPIC]


async def test_redacted_personal_details_get_the_privacy_warning(make_tracker, dispatcher, domain):
    tracker = make_tracker("ask_cost_insurance", said=["utter_answer_cost_insurance"], safety=SafetyVerdict(phi=["DOB"]))
    said, _ = await run(tracker, dispatcher, domain)
    assert said == ["utter_phi_warning"]


async def test_more_part_forgets_the_topic(make_tracker, dispatcher, domain):
    tracker = make_tracker("more_info", said=["utter_more_side_effects"], safety=SafetyVerdict(), slots={"topic": "side_effects"})
    said, events = await run(tracker, dispatcher, domain)
    assert said == ["utter_disclaimer"]
    assert events == [FORGET_TOPIC]


async def test_no_reply_yet_adds_nothing(make_tracker, dispatcher, domain):
    said, events = await run(make_tracker("greet", said=[], safety=SafetyVerdict()), dispatcher, domain)
    assert said == [] and events == [FORGET_TOPIC]


async def test_a_personal_medicine_question_after_emergency_guidance_also_gets_the_referral(make_tracker, dispatcher, domain):
    tracker = make_tracker("emergency", said=["utter_emergency"], safety=SafetyVerdict(referral_reasons=["medicine:own"]))
    said, _ = await run(tracker, dispatcher, domain)
    assert said == ["utter_refer_to_care_team"]
