"""Stored conversation events, read back as turns: what the assistant did with each user message.

Each user event in the tracker store carries the safety screen's verdict (`parse_data.safety`) and the
classifier's ranking; the bot events that follow carry each response's metadata (`route`, `topic`,
`lang`). A `Turn` gathers one user message with everything that followed it until the next one.

This is plain Python over the events' JSON form (`{"event": "user", ...}`, as Rasa's SQL tracker store
keeps them), so the audit export, the staff insights report and the evaluation read turns the same way,
with or without Rasa installed. `TurnReader` does it one event at a time, for a reader that streams a
whole store instead of holding a conversation in memory.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional

from clinic_faq.core.contract import ROUTES, SAFETY_KEY, SafetyVerdict

# One stored event in its JSON form, as the tracker store keeps it (`{"event": "user", ...}`).
EventDict = Dict[str, Any]

# The intents the website widget's "Was this helpful?" buttons send as payloads (never typed).
FEEDBACK_HELPFUL = "feedback_helpful"
FEEDBACK_NOT_HELPFUL = "feedback_not_helpful"
FEEDBACK_INTENTS = (FEEDBACK_HELPFUL, FEEDBACK_NOT_HELPFUL)


@dataclass
class Turn:
    """What the assistant did with one user message."""

    timestamp: Optional[float] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    classifier_intent: Optional[str] = None
    classifier_confidence: Optional[float] = None
    override: Optional[str] = None
    crisis: Optional[str] = None
    crisis_rules: List[str] = field(default_factory=list)
    referral_reasons: List[str] = field(default_factory=list)
    phi: List[str] = field(default_factory=list)
    scores: Dict[str, float] = field(default_factory=dict)  # the learned detectors' probabilities
    actions: List[str] = field(default_factory=list)
    responses: List[Optional[str]] = field(default_factory=list)  # None for a bot message not from a response
    routes: List[str] = field(default_factory=list)
    texts: List[str] = field(default_factory=list)  # the bot's messages
    languages: List[str] = field(default_factory=list)  # each bot message's language ("en" unless marked)
    topics: List[str] = field(default_factory=list)  # the topics of the replies (metadata.topic), in order
    # The curated answers served, each "response:lang text_hash sign-off" (clinic_faq.rasa_ext.nlg), and those
    # held back because no clinician had signed their text: what a person was told, and under which sign-off.
    answers: List[str] = field(default_factory=list)
    unsigned_withheld: List[str] = field(default_factory=list)
    channel: Optional[str] = None  # the input channel (rest, socketio, phone_tree, ...)
    text: Optional[str] = None  # the user's message as stored: already redacted by the channel
    ranking: List[str] = field(default_factory=list)  # the classifier's intent ranking, best first
    session: int = 0  # how many sessions had started in the events read before this turn

    @property
    def route(self) -> Optional[str]:
        """The route of the turn's first reply: what the rules chose (an emergency always comes first)."""
        return self.routes[0] if self.routes else None

    @property
    def is_payload(self) -> bool:
        """A button click (`/intent`) rather than typed text: the channels let only exact payloads through."""
        return (self.text or "").startswith("/")

    @property
    def feedback(self) -> Optional[bool]:
        """True or False for a click on the widget's "Was this helpful?" buttons, None for any other turn."""
        if not self.is_payload or self.intent not in FEEDBACK_INTENTS:
            return None
        return self.intent == FEEDBACK_HELPFUL


class TurnReader:
    """Builds turns from one conversation's events, fed one at a time, oldest first."""

    def __init__(self, keep_texts: bool = True) -> None:
        self._turn: Optional[Turn] = None
        self.session = 0
        self.keep_texts = keep_texts  # False: leave the bot's messages out (a reader of many conversations)

    def feed(self, event: EventDict) -> Optional[Turn]:
        """Take the next event; returns the previous turn when this event starts a new one."""
        kind = event.get("event")
        if kind == "session_started":
            self.session += 1
            return None
        if kind == "user":
            done, self._turn = self._turn, user_turn(event, self.session)
            return done
        turn = self._turn
        if turn is None:
            return None
        if kind == "action" and event.get("name") not in ("action_listen", None):
            turn.actions.append(event["name"])
        elif kind == "bot":
            meta = event.get("metadata") or {}
            reply = meta.get("metadata") or {}
            turn.responses.append(meta.get("utter_action"))
            if self.keep_texts:
                turn.texts.append(event.get("text") or "")
            turn.languages.append(reply.get("lang") or "en")
            route = reply.get("route")
            if route in ROUTES and route not in turn.routes:
                turn.routes.append(route)
            topic = reply.get("topic")
            if isinstance(topic, str) and topic not in turn.topics:
                turn.topics.append(topic)
            served, withheld = reply.get("served"), reply.get("unsigned")
            if isinstance(served, dict):
                turn.answers.append(served_line(served))
            if isinstance(withheld, dict):
                turn.unsigned_withheld.append(served_line(withheld))
        return None

    def close(self) -> Optional[Turn]:
        """The last turn, once the conversation's events are all read."""
        done, self._turn = self._turn, None
        return done


def served_line(served: Dict[str, Any]) -> str:
    """One served answer for the audit trail: its id, the first 16 characters of its text hash, its sign-off."""
    signoff = served.get("signoff")
    if served.get("signed_by"):
        signoff = f"{signoff} by {served['signed_by']} on {served.get('signed_on')}, review by {served.get('review_by')}"
    return f"{served.get('answer')} #{str(served.get('text_hash') or '')[:16]} {signoff}"


def turns(events: Iterable[EventDict]) -> Iterator[Turn]:
    """Split a conversation's events into turns, one per user message."""
    reader = TurnReader()
    for event in events:
        done = reader.feed(event)
        if done is not None:
            yield done
    last = reader.close()
    if last is not None:
        yield last


def user_turn(event: EventDict, session: int = 0) -> Turn:
    """A turn with what the user event says: the message, the classifier's guess and the safety verdict."""
    parse = event.get("parse_data") or {}
    safety = SafetyVerdict.from_dict(parse.get(SAFETY_KEY))
    ranking = [r.get("name") for r in parse.get("intent_ranking") or [] if isinstance(r, dict)]
    return Turn(
        timestamp=event.get("timestamp"),
        intent=(parse.get("intent") or {}).get("name"),
        confidence=(parse.get("intent") or {}).get("confidence"),
        classifier_intent=safety.classifier.intent,
        classifier_confidence=safety.classifier.confidence if safety.classifier.intent else None,
        override=safety.override.reason if safety.override else None,
        crisis=safety.crisis,
        crisis_rules=list(safety.crisis_rules),
        referral_reasons=list(safety.referral_reasons),
        phi=list(safety.phi),
        scores={"in_domain": safety.scores.in_domain, "urgent": safety.scores.urgent, "concern": safety.scores.concern}
        if safety.scores else {},
        channel=event.get("input_channel"),
        text=event.get("text"),
        ranking=[name for name in ranking if isinstance(name, str)],
        session=session,
    )


def last_turn(events: Iterable[EventDict]) -> Turn:
    found = list(turns(events))
    return found[-1] if found else Turn()


def conversation_key(sender_id: str, key: Optional[bytes] = None) -> str:
    """A conversation id as it may be shown to staff: a channel may use a phone number as the id.

    Without a key, a truncated SHA-256 (the audit export's ids). With one (`CONVERSATION_HASH_KEY`), an
    HMAC: a plain hash of a phone number can be reversed by hashing every phone number, a keyed one cannot.
    """
    if key:
        return hmac.new(key, sender_id.encode(), hashlib.sha256).hexdigest()[:16]
    return hashlib.sha256(sender_id.encode()).hexdigest()[:16]
