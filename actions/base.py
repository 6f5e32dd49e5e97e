"""Helpers the custom actions share: the safety screen's verdict and the domain's answer metadata."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from rasa_sdk import Tracker

DomainDict = Dict[str, Any]


def safety_of(tracker: Tracker) -> Dict[str, Any]:
    """The safety screen's verdict on the latest user message (see guardrails.rasa_component)."""
    return (tracker.latest_message or {}).get("safety") or {}


def response_metadata(domain: DomainDict, response: Optional[str]) -> Dict[str, Any]:
    """The metadata of a response's first variation in the domain, or {} if it has none."""
    variations = (domain.get("responses") or {}).get(response or "") or []
    return (variations[0].get("metadata") or {}) if variations else {}


def responses_this_turn(tracker: Tracker) -> Iterator[str]:
    """Names of the responses the bot has sent since the latest user message, newest first."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                yield name
