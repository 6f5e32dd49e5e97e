"""Helpers the custom actions share: the safety screen's verdict and the metadata of this turn's replies.

The replies' metadata (route, topic, medical, lang) is read from the bot events in the tracker, where
Rasa keeps each response's metadata, not from the domain: so the Rasa server does not send the whole
domain (every response, in two languages) with each call (`enable_selective_domain` in endpoints.yml).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Tuple

from rasa_sdk import Tracker

from clinic_faq.core.contract import SAFETY_KEY, SafetyVerdict

DomainDict = Dict[str, Any]


def safety_of(tracker: Tracker) -> SafetyVerdict:
    """The safety screen's verdict on the latest user message (see clinic_faq.rasa_ext.nlu.safety_screen)."""
    return SafetyVerdict.from_dict((tracker.latest_message or {}).get(SAFETY_KEY))


def replies_this_turn(tracker: Tracker) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """(response name, response metadata) of the bot's messages since the latest user message, newest first."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return
        if event.get("event") == "bot":
            meta = event.get("metadata") or {}
            name = meta.get("utter_action")
            if name:
                yield name, dict(meta.get("metadata") or {})
