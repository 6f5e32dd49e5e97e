"""Synthetic turns and stored events for the insights tests (no server, no model)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Dict, List, Optional

from clinic_faq.core.turns import Turn

# Monday 3 March 2025, 10:00 UTC.
MONDAY = dt.datetime(2025, 3, 3, 10, tzinfo=dt.timezone.utc).timestamp()
_clock = itertools.count()


def turn(text: str, route: Optional[str] = "answer", topic: Optional[str] = None, *, session: int = 1,
         at: Optional[float] = None, confidence: float = 0.9, intent: Optional[str] = None,
         channel: str = "socketio", lang: str = "en", classifier_intent: Optional[str] = None,
         ranking: Optional[List[str]] = None, crisis: Optional[str] = None, referral: bool = False) -> Turn:
    """One turn as TurnReader builds it from stored events."""
    routes = [route] if route else []
    if referral and "referral" not in routes:
        routes.append("referral")
    if route == "answer" and topic is None:
        topic = "side_effects"
    return Turn(
        timestamp=MONDAY + next(_clock) if at is None else at,
        intent=intent or (f"ask_{topic}" if topic else "nlu_fallback"), confidence=confidence,
        classifier_intent=classifier_intent, routes=routes, topics=[topic] if topic else [],
        languages=[lang] if route else [], channel=channel, text=text, ranking=ranking or [], session=session,
        crisis=crisis, referral_reasons=["medicine:own"] if referral else [],
    )


def click(helpful: bool, session: int = 1, at: Optional[float] = None) -> Turn:
    """A click on the widget's feedback buttons: the payload, and the thank-you reply."""
    intent = "feedback_helpful" if helpful else "feedback_not_helpful"
    return Turn(timestamp=MONDAY + next(_clock) if at is None else at, intent=intent, confidence=1.0,
                routes=["smalltalk"], languages=["en"], channel="socketio", text=f"/{intent}", session=session)


def user_event(text: str, intent: str, confidence: float, at: float, channel: str = "socketio",
               safety: Optional[Dict[str, Any]] = None, ranking: Optional[List[str]] = None) -> Dict[str, Any]:
    names = [intent, *(ranking or [])]
    parse = {"intent": {"name": intent, "confidence": confidence}, "text": text,
             "intent_ranking": [{"name": name, "confidence": confidence / (n + 1)} for n, name in enumerate(names)],
             "safety": safety or {"classifier": {"intent": intent, "confidence": confidence}}}
    return {"event": "user", "timestamp": at, "text": text, "parse_data": parse, "input_channel": channel}


def bot_event(route: str, at: float, topic: Optional[str] = None, lang: str = "en") -> Dict[str, Any]:
    meta: Dict[str, Any] = {"route": route}
    if topic:
        meta["topic"] = topic
    if lang != "en":
        meta["lang"] = lang
    return {"event": "bot", "timestamp": at, "text": "...", "metadata": {"utter_action": f"utter_{route}", "metadata": meta}}
