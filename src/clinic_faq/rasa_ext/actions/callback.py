"""The callback request: a Rasa form (`callback_form` in domain.yml) with its validation here.

The form says what will be kept and for how long and asks consent, then a phone number (the text line
already has one: it is confirmed), a good time to call, an optional first name and a reason from a short
list, never health details. It can be cancelled at any step, and a message in danger gets the emergency
guidance at once (its intent fills no slot, so the form steps aside for the rules).

The number and the name never reach the conversation: the channel takes them out of the message
(clinic_faq.channel_stores.contact) and the slots hold only tokens; the request is written to its own table
(clinic_faq.stores.callbacks) and the conversation records only "request N was made".
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic_faq.core.contact import last_digits, valid_phone
from clinic_faq.core.turns import conversation_key
from clinic_faq.rasa_ext.actions.base import DomainDict, safety_of
from clinic_faq.stores.callbacks import CallbackStore

logger = logging.getLogger(__name__)

FORM = "callback_form"
SLOTS = ("callback_consent", "callback_phone", "callback_time", "callback_name", "callback_reason")
SKIP = "-"
MAX_TIME_CHARS = 80
YES = re.compile(r"^\s*(?:y|yes|yeah|yep|ok|okay|sure|s[ií]|claro|de acuerdo|est[aá] bien|vale|1)\b[\s.!]*$", re.IGNORECASE)
NO = re.compile(r"^\s*(?:n|no|nope|no gracias|no thanks?|2)\b[\s.!]*$", re.IGNORECASE)
# The reasons a person may choose (never health details), and the words that pick each, in both languages.
REASONS = {
    "treatment": re.compile(r"\b(?:treatment|treat|medical|question|infusion|tratamiento|pregunta|m[eé]dic)", re.IGNORECASE),
    "appointment": re.compile(r"\b(?:appointment|appt|booking|book|schedul|reschedul|cita|turno|consulta)", re.IGNORECASE),
    "billing": re.compile(r"\b(?:bill|billing|payment|pay|insurance|cost|factura|cobro|pago|seguro|costo)", re.IGNORECASE),
    "other": re.compile(r"\b(?:other|something else|else|otra|otro|algo m[aá]s)", re.IGNORECASE),
}
TIMES = {
    "morning": re.compile(r"\b(?:morning|am|ma[nñ]ana|temprano)\b", re.IGNORECASE),
    "afternoon": re.compile(r"\b(?:afternoon|pm|tarde|evening|noche)\b", re.IGNORECASE),
    "any": re.compile(r"\b(?:any ?time|whenever|any|cualquier|cuando sea|da igual)\b", re.IGNORECASE),
}


def latest_contact(tracker: Tracker) -> Dict[str, str]:
    """The tokens the channel put in the latest user message's metadata (clinic_faq.channel_stores.contact)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            contact = (event.get("metadata") or {}).get("contact")
            return {str(k): str(v) for k, v in contact.items()} if isinstance(contact, dict) else {}
    return {}


def conversation_of(tracker: Tracker) -> str:
    return conversation_key(tracker.sender_id)


def language_of(tracker: Tracker) -> str:
    return "es" if tracker.get_slot("language") == "es" else "en"


class ValidateCallbackForm(FormValidationAction):  # type: ignore[misc]  # rasa_sdk ships no type information
    def __init__(self, store: Optional[CallbackStore] = None) -> None:
        self.store = store or CallbackStore()

    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        if intent == "affirm" or YES.match(text):
            return {"callback_consent": True}
        if intent == "deny" or NO.match(text):
            dispatcher.utter_message(response="utter_callback_not_kept")
            return {"callback_consent": False, "requested_slot": None, **{s: None for s in SLOTS[1:]}}
        return {"callback_consent": None}

    async def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[str, Any]:
        conversation = conversation_of(tracker)
        contact = latest_contact(tracker)
        offered = tracker.get_slot("callback_phone_offered")
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        token = contact.get("phone")
        if token is None and offered and (intent == "affirm" or YES.match(text)):
            token = offered  # "yes" to "shall we call the number ending in 0100?"
        elif token is None and offered and (intent == "deny" or NO.match(text)):
            self.store.drop(offered)  # not that number: ask for one, and never offer it again
            return {"callback_phone": None, "callback_phone_offered": None}
        if token is None:
            dispatcher.utter_message(response="utter_callback_phone_invalid")
            return {"callback_phone": None, "callback_phone_offered": None}
        kept = self.store.kept(token, conversation)
        if kept is None or kept["kind"] not in ("phone", "sender_phone") or not valid_phone(kept["value"]):
            dispatcher.utter_message(response="utter_callback_phone_invalid")
            return {"callback_phone": None, "callback_phone_offered": None}
        self.store.claim(token)
        self.store.await_(conversation, None)
        return {"callback_phone": token, "callback_phone_offered": None}

    async def validate_callback_time(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[str, Any]:
        text = re.sub(r"\s+", " ", str(value or "")).strip()
        for name, words in TIMES.items():
            if words.search(text):
                return {"callback_time": name}
        if 2 <= len(text) <= MAX_TIME_CHARS:
            return {"callback_time": text}
        dispatcher.utter_message(response="utter_callback_time_invalid")
        return {"callback_time": None}

    async def validate_callback_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[str, Any]:
        token = latest_contact(tracker).get("name")
        if token and self.store.kept(token, conversation_of(tracker)):
            self.store.claim(token)
            return {"callback_name": token}
        self.store.await_(conversation_of(tracker), None)
        return {"callback_name": SKIP}  # skipped, or not a name: nothing is kept

    async def validate_callback_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[str, Any]:
        text = str(value or "")
        number = text.strip().rstrip(".")
        if number in ("1", "2", "3", "4"):
            return {"callback_reason": list(REASONS)[int(number) - 1]}
        for name, words in REASONS.items():
            if words.search(text):
                return {"callback_reason": name}
        dispatcher.utter_message(response="utter_callback_reason_invalid")
        return {"callback_reason": None}


class ActionAskCallbackPhone(Action):  # type: ignore[misc]
    """Asks for the number, or offers the one the person just gave or is texting from (asked once)."""

    def __init__(self, store: Optional[CallbackStore] = None) -> None:
        self.store = store or CallbackStore()

    def name(self) -> str:
        return "action_ask_callback_phone"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        conversation = conversation_of(tracker)
        contact = latest_contact(tracker)
        token = (contact.get("phone") or self.store.latest_kept(conversation, "phone") or contact.get("sender_phone")
                 or self.store.latest_kept(conversation, "sender_phone"))
        kept = self.store.kept(token, conversation) if token else None
        if kept is not None and valid_phone(kept["value"]):
            response = ("utter_ask_callback_phone_confirm_sms" if kept["kind"] == "sender_phone"
                        else "utter_ask_callback_phone_confirm")
            dispatcher.utter_message(response=response, last_digits=last_digits(kept["value"]))
            self.store.await_(conversation, "phone")
            return [SlotSet("callback_phone_offered", token)]
        self.store.await_(conversation, "phone")
        dispatcher.utter_message(response="utter_ask_callback_phone")
        return [SlotSet("callback_phone_offered", None)]


class ActionAskCallbackName(Action):  # type: ignore[misc]
    def __init__(self, store: Optional[CallbackStore] = None) -> None:
        self.store = store or CallbackStore()

    def name(self) -> str:
        return "action_ask_callback_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        self.store.await_(conversation_of(tracker), "name")
        dispatcher.utter_message(response="utter_ask_callback_name")
        return []


class ActionSubmitCallback(Action):  # type: ignore[misc]
    """Writes the request to its own table and tells the person; the conversation keeps only its number."""

    def __init__(self, store: Optional[CallbackStore] = None) -> None:
        self.store = store or CallbackStore()

    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        conversation = conversation_of(tracker)
        reset = [SlotSet(s, None) for s in SLOTS] + [SlotSet("callback_phone_offered", None)]
        if not tracker.get_slot("callback_consent"):
            self.store.forget(conversation)
            return reset
        phone = self.store.kept(str(tracker.get_slot("callback_phone") or ""), conversation)
        name_token = tracker.get_slot("callback_name")
        name = self.store.kept(str(name_token), conversation) if name_token and name_token != SKIP else None
        if phone is None:
            dispatcher.utter_message(response="utter_callback_failed")
            self.store.forget(conversation)
            return reset
        try:
            request_id = self.store.create(
                channel=tracker.get_latest_input_channel() or "unknown", language=language_of(tracker),
                phone=phone["value"], name=name["value"] if name else None,
                best_time=tracker.get_slot("callback_time"), reason=str(tracker.get_slot("callback_reason") or "other"))
        except Exception:
            logger.exception("Callback: the request could not be stored.")
            dispatcher.utter_message(response="utter_callback_failed")
            return reset
        finally:
            self.store.forget(conversation)
        from clinic_faq.notify import notify_staff

        await notify_staff(self.store, request_id)
        dispatcher.utter_message(response="utter_callback_done", request_id=str(request_id))
        return reset + [SlotSet("callback_request", str(request_id))]


class ActionCancelCallback(Action):  # type: ignore[misc]
    def __init__(self, store: Optional[CallbackStore] = None) -> None:
        self.store = store or CallbackStore()

    def name(self) -> str:
        return "action_cancel_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        self.store.forget(conversation_of(tracker))
        if safety_of(tracker).crisis is None:
            dispatcher.utter_message(response="utter_callback_cancelled")
        return ([ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in SLOTS]
                + [SlotSet("callback_phone_offered", None)])
