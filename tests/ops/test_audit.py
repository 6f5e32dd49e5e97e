import csv
import io
import json

from clinic_faq.ops.audit import conversation_key, turns, write

EVENTS = [
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "i took all my pills", "timestamp": 1.0,
     "parse_data": {"intent": {"name": "emergency", "confidence": 1.0},
                    "safety": {"crisis": "urgent", "crisis_rules": ["overdose: take ..."], "referral_reasons": [],
                               "phi": [], "classifier": {"intent": "ask_side_effects", "confidence": 0.41},
                               "override": {"intent": "emergency", "reason": "crisis screen"}}}},
    {"event": "action", "name": "utter_emergency"},
    {"event": "bot", "text": "call 911", "metadata": {"utter_action": "utter_emergency", "metadata": {"route": "emergency"}}},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "thanks", "timestamp": 2.0, "parse_data": {"intent": {"name": "thank", "confidence": 0.9}}},
    {"event": "bot", "text": "you're welcome", "metadata": {"utter_action": "utter_thank", "metadata": {"route": "smalltalk"}}},
]


def test_turns_carry_the_safety_decision_and_routes():
    first, second = list(turns(EVENTS))
    assert (first.intent, first.classifier_intent, first.classifier_confidence) == ("emergency", "ask_side_effects", 0.41)
    assert first.override == "crisis screen" and first.crisis_rules == ["overdose: take ..."]
    assert first.actions == ["utter_emergency"] and first.routes == ["emergency"]
    assert (second.intent, second.routes, second.crisis) == ("thank", ["smalltalk"], None)


def test_export_has_no_user_or_bot_text():
    rows = [{"conversation": conversation_key("+15552018841"), "turn": n, **{k: v for k, v in vars(t).items() if k != "texts"}}
            for n, t in enumerate(turns(EVENTS), 1)]
    out = io.StringIO()
    assert write(rows, "csv", out) == 2
    exported = out.getvalue()
    for secret in ("i took all my pills", "call 911", "+15552018841", "5552018841"):
        assert secret not in exported
    parsed = list(csv.DictReader(io.StringIO(exported)))
    assert parsed[0]["routes"] == "emergency" and parsed[0]["override"] == "crisis screen"
    out = io.StringIO()
    write(rows, "json", out)
    assert json.loads(out.getvalue())[1]["intent"] == "thank"
