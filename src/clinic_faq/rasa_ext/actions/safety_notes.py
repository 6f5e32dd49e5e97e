"""`action_safety_notes`: what follows a reply, decided from the reply's metadata and the safety screen.

Rules (data/rules/) utter the reply itself, so every answer is visible in the dialogue data and in
test stories. This action runs right after it and adds, in this order:

1. the care-team referral, when the safety screen found a personal medical question and the reply was
   a general answer (the general answer is still shown) or emergency guidance (which stays first);
2. the disclaimer, when the reply's metadata says its content is medical;
3. crisis resources, gently, when the message mentioned a crisis in an informational way;
4. the privacy warning, when the message carried personal details (already redacted by the channel).

It also remembers the topic answered, for "tell me more" (and forgets it after any other reply). Emergency guidance is never added here: a
message in danger is routed to `utter_emergency` by the rules, as the first message of the turn.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic_faq.core.contract import Route
from clinic_faq.rasa_ext.actions.base import DomainDict, replies_this_turn, safety_of

logger = logging.getLogger(__name__)

TOPIC_SLOT = "topic"


class ActionSafetyNotes(Action):  # type: ignore[misc]  # rasa_sdk ships no type information: Action is Any
    def name(self) -> str:
        return "action_safety_notes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        replies = list(replies_this_turn(tracker))
        said = [name for name, _ in replies]
        meta = replies[0][1] if replies else {}
        safety = safety_of(tracker)
        route = meta.get("route")
        notes = []
        if safety.referral and route in (Route.ANSWER, Route.EMERGENCY) and "utter_refer_to_care_team" not in said:
            notes.append("utter_refer_to_care_team")
        if meta.get("medical"):
            notes.append("utter_disclaimer")
        if safety.crisis == "informational" and route != Route.EMERGENCY:
            notes.append("utter_crisis_resources_gentle")
        if safety.phi and "utter_phi_warning" not in said:
            notes.append("utter_phi_warning")
        for response in notes:
            dispatcher.utter_message(response=response)
        return self._topic_events(tracker, meta)

    @staticmethod
    def _topic_events(tracker: Tracker, meta: Dict[str, Any]) -> List[EventType]:
        """Remember an answered topic for "tell me more"; forget it after its "more" part (there is no
        third) and after any reply that is not a topic's answer."""
        if meta.get("route") == Route.ANSWER and meta.get("topic") and meta.get("part") != "more":
            return [SlotSet(TOPIC_SLOT, meta["topic"])]
        return [SlotSet(TOPIC_SLOT, None)]
