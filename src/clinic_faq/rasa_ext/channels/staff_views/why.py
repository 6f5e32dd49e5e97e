"""The staff page's "Why did it say that?": each turn of a conversation, what the assistant replied and what
decided it, in the words staff use; and the conversation downloaded as a staff test story.

    GET  /webhooks/staff/why/                           the form to try messages, and the recent conversations
    POST /webhooks/staff/why/try                        try messages (form field `messages`, one per line)
    POST /webhooks/staff/why/try/story                  the same messages as a staff test story (YAML download)
    GET  /webhooks/staff/why/conversation?id=<key>        one recent conversation (hashed id), turn by turn
    GET  /webhooks/staff/why/conversation/story?id=<key>  it as a staff test story (YAML download)

**Typed messages** are played as a throwaway conversation inside this server: the same NLU, safety screen,
rules, NLG and action server as any conversation, with the channels' redaction of personal details first,
but kept in a tracker store of its own in memory, so nothing is stored (the insights report and the audit
never see it). Rasa's `POST /model/parse` would give the NLU verdict alone, not the reply, the route or what
`action_safety_notes` added, and it needs the HTTP API switched on. What a channel does before Rasa beyond the
redaction is not replayed: a phone number typed here is redacted, never kept as a callback request's number.

**Recent conversations** are read from the tracker store this server writes to, as stored: the person's
text was redacted by the channel before it was stored, and is redacted again here. Conversation ids are
shown hashed (`clinic_faq.core.turns.conversation_key`, keyed with `CONVERSATION_HASH_KEY` when it is set).

**The staff words** live here, the one place the product and the story runner
(dev/clinic_faq_dev/stories.py) take them from: what a turn did (`Outcome`: "answer about side effects",
"care team", "emergency", ...), topics by their plain titles (docs/topics.md), button titles. The downloaded
story's expectations are what the assistant does *today* with the conversation's messages (they are played
again), so the story passes unchanged until the assistant changes.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar

import yaml
from sanic import response
from sanic.response import HTTPResponse

from clinic_faq.core.contract import SAFETY_KEY, SafetyVerdict
from clinic_faq.core.phi import redact
from clinic_faq.core.sanitize import BadInput, sanitize
from clinic_faq.core.turns import EventDict, Turn, conversation_key, turns
from clinic_faq.paths import project_file
from clinic_faq.rasa_ext.channels.staff_views import Handler, Page, Result, StaffContext, StaffView

T = TypeVar("T")

if TYPE_CHECKING:  # the decision module loads spaCy: imported where the numbers are needed
    from clinic_faq.core.decision import Thresholds

logger = logging.getLogger(__name__)

MAX_MESSAGES = 20  # typed messages per try
RECENT_CONVERSATIONS = 30  # listed on the page
RECENT_USER_EVENTS = 5000  # how far back (in user messages) a conversation counts as recent


# --- the catalogue: topics by their plain titles, buttons by their titles ---------------------------------

FEEDBACK_CLICKS = {"helpful": "/feedback_helpful", "not helpful": "/feedback_not_helpful"}


@dataclass
class Catalogue:
    """What staff call things: topics by title (docs/topics.md), buttons by the title shown on them."""

    titles: Dict[str, str] = field(default_factory=dict)  # topic -> plain title
    intents: Dict[str, str] = field(default_factory=dict)  # intent -> topic
    topics: List[str] = field(default_factory=list)  # every topic with an answer (the catalogue's, then the domain's)
    buttons: Dict[str, str] = field(default_factory=dict)  # button title (lowercase) -> payload
    button_titles: Dict[str, str] = field(default_factory=dict)  # payload -> the first (English) title

    def title(self, topic: str) -> str:
        return self.titles.get(topic) or topic.replace("_", " ")

    def topic_named(self, words: str) -> Optional[str]:
        """The topic whose title (or name with spaces) is `words`, case and spacing aside."""
        wanted = _squash(words)
        for topic in self.topics:
            if _squash(self.title(topic)) == wanted or _squash(topic.replace("_", " ")) == wanted:
                return topic
        return None

    def click_payload(self, title: str) -> Optional[str]:
        key = _squash(title)
        return FEEDBACK_CLICKS.get(key) or self.buttons.get(key)

    def click_title(self, payload: str) -> Optional[str]:
        for title, known in FEEDBACK_CLICKS.items():
            if known == payload:
                return title
        return self.button_titles.get(payload)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def catalogue_rows(text: str) -> List[Dict[str, str]]:
    """The rows of the first Markdown table with `title`, `intent` and `topic` columns, by column name."""
    header: Optional[List[str]] = None
    rows: List[Dict[str, str]] = []
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            if rows:
                break
            header = None
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells if {"title", "intent", "topic"} <= set(cells) else None
        elif not set("".join(cells)) <= set("-: "):
            rows.append(dict(zip(header, cells, strict=False)))
    return rows


_CACHE: Dict[str, Tuple[Tuple[float, ...], Catalogue]] = {}


def load_catalogue(project: Optional[Path] = None) -> Catalogue:
    """The catalogue from docs/topics.md and domain.yml (read again when either changes)."""
    topics_md = (project or project_file()) / "docs" / "topics.md"
    domain_yml = (project or project_file()) / "domain.yml"
    stamp = tuple(p.stat().st_mtime if p.exists() else 0.0 for p in (topics_md, domain_yml))
    cached = _CACHE.get(str(topics_md))
    if cached and cached[0] == stamp:
        return cached[1]
    catalogue = Catalogue()
    if topics_md.exists():
        for row in catalogue_rows(topics_md.read_text(encoding="utf-8")):
            topic = row.get("topic", "")
            if topic:
                catalogue.titles[topic] = row.get("title") or topic.replace("_", " ")
                catalogue.intents[row.get("intent") or f"ask_{topic}"] = topic
                catalogue.topics.append(topic)
    if domain_yml.exists():
        with open(domain_yml, encoding="utf-8") as f:
            domain = yaml.safe_load(f) or {}
        for name, variants in (domain.get("responses") or {}).items():
            for variant in variants or []:
                meta = variant.get("metadata") or {}
                answered = meta.get("topic")
                if name.startswith("utter_answer_") and isinstance(answered, str) and answered not in catalogue.topics:
                    catalogue.topics.append(answered)
                for button in variant.get("buttons") or []:
                    title, payload = button.get("title"), button.get("payload")
                    if isinstance(title, str) and isinstance(payload, str) and payload.startswith("/"):
                        catalogue.buttons.setdefault(_squash(title), payload)
                        catalogue.button_titles.setdefault(payload, title)
    _CACHE[str(topics_md)] = (stamp, catalogue)
    return catalogue


# --- outcomes: what a turn did, in the words of a staff story -----------------------------------------------

ANSWER = "answer about"
MORE = "more about"
CARE_TEAM = "care team"
EMERGENCY = "emergency"
CONCERN = "emergency (concern)"
CRISIS_LINE = "crisis line"
DECLINED = "declined"
REPHRASE = "rephrase"
SMALL_TALK = "small talk"
PRIVACY = "privacy warning"
CALLBACK = "callback"
DISCLAIMER = "disclaimer"
NOTHING_MORE = "nothing more"
WHICH_TOPIC = "which topic"
NO_REPLY = "no reply"

# Every word a story may expect, with what it means (the guide's table, and "did you mean").
WORDS: Dict[str, str] = {
    f"{ANSWER} <topic>": "the topic's answer",
    f"{MORE} <topic>": "the topic's \"tell me more\" part",
    CARE_TEAM: "referred to the care team (also passes when the referral follows an answer)",
    EMERGENCY: "emergency guidance first: 911, the 988 crisis line, the clinic",
    CONCERN: "the warm reply with the 988 crisis line, for distress without a stated plan",
    CRISIS_LINE: "the crisis line, gently (someone asks for it)",
    DECLINED: "politely declined: not what the clinic assistant is for",
    REPHRASE: "not understood: asked to say it another way (the second time: the care team's details)",
    SMALL_TALK: "hello, thanks, goodbye, \"are you a bot?\", yes, no",
    PRIVACY: "asked not to share personal details here",
    CALLBACK: "how to reach a person: the clinic's number, or a call back",
    DISCLAIMER: "\"this is general information, not medical advice\" on its own",
    NOTHING_MORE: "\"tell me more\" on a topic that has no more",
    WHICH_TOPIC: "\"tell me more\" before any topic: asks which one",
}
PLAIN_WORDS = (CARE_TEAM, EMERGENCY, CONCERN, CRISIS_LINE, DECLINED, REPHRASE, SMALL_TALK, PRIVACY, CALLBACK,
               DISCLAIMER, NOTHING_MORE, WHICH_TOPIC)
ROUTE_WORDS = {"referral": CARE_TEAM, "emergency": EMERGENCY, "out_of_scope": DECLINED, "fallback": REPHRASE,
               "smalltalk": SMALL_TALK, "phi_warning": PRIVACY, "callback": CALLBACK, "disclaimer": DISCLAIMER}
# The routes in plain words, for the page.
ROUTE_NAMES = {"answer": "curated answer", "disclaimer": "disclaimer", "referral": "care team referral",
               "emergency": "emergency guidance", "out_of_scope": "declined", "smalltalk": "small talk",
               "fallback": "rephrase prompt", "phi_warning": "privacy warning", "callback": "callback"}


@dataclass(frozen=True)
class Outcome:
    """One thing a turn did: a kind (one of WORDS) and, for an answer, its topic."""

    kind: str
    topic: Optional[str] = None
    other: Optional[str] = None  # a reply no word describes: its response name

    def words(self, catalogue: Catalogue) -> str:
        if self.kind in (ANSWER, MORE):
            return f"{self.kind} {catalogue.title(self.topic or '')}"
        if self.other:
            return f"another reply ({self.other})"
        return self.kind


def reply_outcome(name: Optional[str], meta: Mapping[str, Any]) -> Outcome:
    """What one reply was, from its response name and metadata (`route`, `topic`, `part`, `level`)."""
    route, topic = meta.get("route"), meta.get("topic")
    name = name or ""
    if name == "utter_disclaimer" or route == "disclaimer":
        return Outcome(DISCLAIMER)
    if route == "answer":
        if isinstance(topic, str) and topic:
            return Outcome(MORE if meta.get("part") == "more" or name.startswith("utter_more_") else ANSWER, topic)
        if name == "utter_no_more":
            return Outcome(NOTHING_MORE)
        if name == "utter_ask_which_topic":
            return Outcome(WHICH_TOPIC)
    if route == "emergency":
        if meta.get("level") == "concern" or name == "utter_crisis_concern":
            return Outcome(CONCERN)
        if name == "utter_crisis_resources_gentle":
            return Outcome(CRISIS_LINE)
        return Outcome(EMERGENCY)
    if route in ROUTE_WORDS:
        return Outcome(ROUTE_WORDS[route])
    return Outcome("other", other=name or "a message without a route")


def outcomes(replies: Sequence[Tuple[Optional[str], Mapping[str, Any]]]) -> List[Outcome]:
    """What a turn did, in order: each reply's outcome, without the disclaimer that follows a reply (a
    story checks it with `says: [not medical advice]`) and without repeats."""
    found: List[Outcome] = []
    for name, meta in replies:
        outcome = reply_outcome(name, meta)
        if outcome.kind == DISCLAIMER and found:
            continue
        if outcome not in found:
            found.append(outcome)
    return found or [Outcome(NO_REPLY)]


def words(found: Sequence[Outcome], catalogue: Catalogue) -> str:
    return ", then ".join(o.words(catalogue) for o in found)


class ExpectationError(ValueError):
    """An `expect:` a story cannot mean; the message says what was meant, when it can tell."""


_THEN = re.compile(r"\s*(?:,\s*then\b|,|\bthen\b)\s*", re.IGNORECASE)


def parse_expectation(text: str, catalogue: Catalogue) -> List[Outcome]:
    """`answer about side effects, then care team` -> its outcomes; an unknown word or topic raises
    ExpectationError with the nearest known ones."""
    parts = [p for p in _THEN.split(str(text).strip()) if p.strip()]
    if not parts:
        raise ExpectationError("`expect:` is empty: say what must happen (for example: answer about side effects)")
    found = []
    for part in parts:
        said = _squash(part)
        if said in PLAIN_WORDS:
            found.append(Outcome(said))
            continue
        kind = next((k for k in (ANSWER, MORE) if said == k or said.startswith(k + " ")), None)
        if kind is None:
            for k in (ANSWER, MORE):
                head, rest = " ".join(said.split()[:2]), " ".join(said.split()[2:])
                if rest and difflib.SequenceMatcher(None, head, k).ratio() >= 0.7:
                    topic = catalogue.topic_named(rest)
                    near_titles = [catalogue.title(topic)] if topic else difflib.get_close_matches(
                        rest, [catalogue.title(t) for t in catalogue.topics], n=1, cutoff=0.5) or [rest]
                    raise ExpectationError(f"unknown expectation {part.strip()!r}: did you mean "
                                           f"'{k} {near_titles[0]}'?")
                first, _, rest = said.partition(" ")
                if first == k.split()[0] and rest:  # "answer side effects"
                    raise ExpectationError(f"unknown expectation {part.strip()!r}: did you mean '{k} {rest}'?")
            near = difflib.get_close_matches(said, list(PLAIN_WORDS) + [ANSWER + " ...", MORE + " ..."], n=1,
                                             cutoff=0.5)
            hint = f"did you mean {' or '.join(repr(n) for n in near)}?" if near else \
                f"use one of: {', '.join(WORDS)}"
            raise ExpectationError(f"unknown expectation {part.strip()!r}: {hint}")
        topic_words = said[len(kind):].strip()
        topic = catalogue.topic_named(topic_words)
        if topic is None:
            titles = [catalogue.title(t) for t in catalogue.topics]
            near = difflib.get_close_matches(topic_words, titles, n=1, cutoff=0.5)
            if not near:  # a word of a title ("nausea" is no title, "side effect" is near "side effects")
                near = [t for t in titles if set(topic_words.split()) & set(t.split())][:3]
            hint = (f"did you mean {' or '.join(repr(n) for n in near)}?" if near
                    else "the topics and their titles are in docs/topics.md")
            raise ExpectationError(f"unknown topic {topic_words!r} in {part.strip()!r}: {hint}")
        found.append(Outcome(kind, topic))
    return found


# --- a conversation's turns, with their replies and what decided them ----------------------------------------

@dataclass
class Reply:
    name: Optional[str]
    meta: Dict[str, Any]
    text: str


@dataclass
class TurnView:
    """One user message and what followed it: the turn as the audit reads it, plus each reply and the
    message's parse data (the safety verdict, the language detected)."""

    number: int
    turn: Turn
    replies: List[Reply]
    parse: Dict[str, Any]

    @property
    def outcomes(self) -> List[Outcome]:
        return outcomes([(r.name, r.meta) for r in self.replies])

    @property
    def verdict(self) -> SafetyVerdict:
        return SafetyVerdict.from_dict(self.parse.get(SAFETY_KEY))


def read_conversation(events: Iterable[EventDict]) -> List[TurnView]:
    events = list(events)
    replies: List[List[Reply]] = []
    parses: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            replies.append([])
            parses.append(dict(event.get("parse_data") or {}))
        elif kind == "bot" and replies:
            meta = event.get("metadata") or {}
            replies[-1].append(Reply(meta.get("utter_action"), dict(meta.get("metadata") or {}), event.get("text") or ""))
    return [TurnView(n, turn, replies[n - 1], parses[n - 1])
            for n, turn in enumerate(turns(events), start=1)]


LANGUAGES = {"en": "English", "es": "Spanish"}
CRISIS_KINDS = {"suicidal": "suicidal thoughts", "self_harm": "self-harm", "overdose": "overdose",
                "medical_urgent": "urgent symptoms", "lethal": "a lethal amount", "idioms": "a figure of speech"}
SMALL_TALK_INTENTS = {"greet": "a greeting", "goodbye": "a goodbye", "thank": "thanks", "affirm": "yes",
                      "deny": "no", "bot_challenge": "\"are you a bot?\""}
OTHER_INTENTS = {
    "ask_personal_medical": "a question about the person's own care",
    "emergency": "an emergency", "crisis_concern": "distress (concern)", "crisis_support": "asking for the crisis line",
    "out_of_scope": "something the clinic assistant is not for", "nlu_fallback": "not understood",
    "more_info": "\"tell me more\"", "share_personal_info": "sharing personal details",
    "is_medical_advice": "asking whether this is medical advice", "switch_language": "asking for a language",
    "feedback_helpful": "a click on \"helpful\"", "feedback_not_helpful": "a click on \"not helpful\"",
    "request_callback": "asking for a call back",
}
REASONS = {
    "crisis rules": "the crisis rules found danger",
    "crisis detector: danger": "the crisis detector found danger",
    "crisis detector: distress": "the crisis detector found distress without a stated plan",
    "distress stated": "the writer stated distress about their own life plainly (the stated distress rules)",
    "crisis detector: unsure, on a personal medical question": "the crisis detector was unsure, on a question about "
    "the person's own care: the care team, with the crisis line added gently",
    "crisis detector alone, on a change after a treatment or medicine": "the crisis detector found distress, but no "
    "word of it, in a change the person tells after a treatment or a medicine: the care team, with the crisis line "
    "added gently",
    "a change after a treatment or medicine, for the care team": "the person tells of a change after a treatment or "
    "a medicine: the care team looks at possible side effects",
    "asks for a language": "the message only asks for a language",
    "mostly unknown words": "most of its words are unknown",
    "personal details in an unrelated message": "it holds personal details and is otherwise unrelated to the clinic",
    "domain gate": "the domain gate found it unrelated to the clinic",
    "a long story that asks nothing": "it is a long story that asks nothing (a post about the writer's life): its "
    "illness and medicine words are part of the story, so it gets the rephrase prompt, which gives the clinic's number",
    "domain gate: what a long story asks is unrelated": "it is a long story, and what it asks, read without the story "
    "around it, the domain gate found unrelated to the clinic (the illness in the story is the writer's life)",
    "personal details in a long story asking something unrelated": "it is a long story that holds personal details, "
    "and what it asks is unrelated to the clinic",
    "domain gate: surely unrelated, a medicine word aside": "the domain gate was sure it is unrelated to the clinic "
    "and the classifier agreed, so a medicine word in it did not make it the care team's",
    "a question about a medicine": "it asks about a medicine: a person answers those",
    "dose question": "it asks about a dose: the assistant never gives one",
    "dose question on needing less opioid: the answer, then refer": "it asks about a dose, on whether ketamine "
    "lowers the opioid one needs: that answer (it names no amount and leaves every change to the care team), then "
    "the care team",
    "personal question on a topic": "it is a question on a topic that also touches the person's own care: "
    "the answer, then the care team",
    "personal question: answer, then refer": "it is a personal question on a topic: the answer, then the care team",
    "personal medical question": "the referral rules found a question about the person's own care",
    "crisis mentioned in a general question": "a crisis was mentioned in a general question: the crisis line, gently",
    "personal details in the message": "the message holds personal details",
    "personal question: answer": "it is a personal question on a topic, the classifier unsure of the topic: the "
    "answer alone",
    "asks to be called back": "it asks to be called back: the callback form",
    "a complaint about the clinic": "it complains about the clinic's people or its phone: the way to a person",
    "a pet's, a garden's or a pool's question": "it asks about a pet, a garden or a pool, not a person",
    "the clinic's field: its likeliest topic, then refer": "it names the clinic's field or a medicine though the "
    "domain gate found it unrelated: its likeliest topic's answer, then the care team",
    "a question about a medicine or the clinic's field": "it names the clinic's field or a medicine though the "
    "domain gate found it unrelated, and no topic was likely: the care team",
    "a symptom reported": "the person tells of a symptom of their own or a relative's (not a question): the care "
    "team looks at symptoms",
    "a symptom reported: the topic, then refer": "the person tells of a symptom of their own or a relative's: the "
    "answer of the topic the classifier is sure of, then the care team",
    "only a greeting, thanks, a goodbye, an acknowledgement or asking whether it is a bot": "the whole message is "
    "social (a greeting, thanks, a goodbye, an 'ok' or a laugh, or asking whether it is a bot): the small-talk reply",
    "a statement, not a question, and the classifier unsure": "the message is a statement, not a question, and the "
    "classifier was not sure enough to answer or refer it: the assistant asked the person to rephrase",
}


def intent_words(intent: Optional[str], catalogue: Catalogue) -> str:
    if not intent:
        return "nothing"
    if intent in catalogue.intents:
        return f"a question about {catalogue.title(catalogue.intents[intent])}"
    if intent in SMALL_TALK_INTENTS:
        return f"small talk ({SMALL_TALK_INTENTS[intent]})"
    if intent in OTHER_INTENTS:
        return OTHER_INTENTS[intent]
    if intent.startswith("ask_"):
        return f"a question about {intent[4:].replace('_', ' ')}"
    return intent.replace("_", " ")


def reason_words(reason: str, catalogue: Catalogue) -> str:
    if reason in REASONS:
        return REASONS[reason]
    if reason.endswith(" without evidence"):
        said = intent_words(reason[: -len(" without evidence")], catalogue)
        return f"the classifier said {said}, but no screen found evidence for it, so its next guess was taken"
    return reason


def _rule(rule: str) -> str:
    kind, _, pattern = rule.partition(":")
    return f"{CRISIS_KINDS.get(kind.strip(), kind.strip().replace('_', ' '))} (\u201c{pattern.strip()}\u201d)" \
        if pattern else rule


def _referral(reason: str) -> str:
    kind, _, pattern = reason.partition(":")
    return f"{kind.strip().replace('_', ' ')} (\u201c{pattern.strip()}\u201d)" if pattern else reason.replace("_", " ")


def _pct(p: Optional[float]) -> str:
    return "?" if p is None else f"{100 * p:.0f}%"


@dataclass
class Explanation:
    """One turn explained, each field a plain sentence or phrase."""

    outcome: str  # in the words of a staff story
    routes: str
    topic: str
    classifier: str
    decided: List[str]
    language: str


def explain(view: TurnView, catalogue: Catalogue, th: Optional[Thresholds] = None) -> Explanation:
    if th is None:
        from clinic_faq.core.decision import Thresholds

        th = Thresholds()
    turn, verdict = view.turn, view.verdict
    decided: List[str] = []
    scores = verdict.scores
    if turn.crisis == "urgent":
        if verdict.crisis_rules:
            decided.append("Emergency guidance first: the crisis rules fired: "
                           + "; ".join(_rule(r) for r in verdict.crisis_rules)
                           + (f" (the crisis detector's danger score: {scores.urgent:.2f})." if scores else "."))
        elif scores:
            decided.append(f"Emergency guidance first: the crisis detector found danger (danger score "
                           f"{scores.urgent:.2f}; it acts from {th.crisis_urgent:.2f} with a word of danger in the "
                           f"message, from {th.crisis_urgent_unsupported:.2f} without, and then only when the "
                           f"domain gate's clinic score is {th.domain:.2f} or more).")
    elif turn.crisis == "concern":
        if scores:
            decided.append(f"The warm reply with the 988 crisis line: the crisis detector found distress without a "
                           f"stated plan (distress score {scores.concern:.2f}, danger {scores.urgent:.2f}).")
    elif turn.crisis == "informational":
        rules = "; ".join(_rule(r) for r in verdict.crisis_rules)
        if rules or not scores:
            decided.append("A crisis was mentioned in a general way" + (f" (crisis rules: {rules})" if rules else "")
                           + ": the crisis line is added gently, the answer is not replaced.")
        else:
            decided.append(f"The crisis detector was unsure (danger score {scores.urgent:.2f}, below "
                           f"{th.crisis_override_informational:.2f}, with no word of danger) on a question it could "
                           f"answer or refer: the crisis line is added gently, the answer is not replaced.")
    elif scores:
        decided.append(f"No sign of a crisis: danger score {scores.urgent:.2f}, distress {scores.concern:.2f} "
                       f"(the crisis rules did not fire).")
    found = [kind for kind in verdict.evidence if kind in ("danger", "distress")]
    if found:
        decided.append("Words of " + " and ".join(found) + " were found in the message.")
    if "stated" in verdict.evidence:
        decided.append("The writer states distress about their own life plainly: the concern reply, whatever the "
                       "detector scored.")
    if "figure of speech" in verdict.evidence:
        decided.append("A figure of speech was found (crisis.yml's idioms, such as \"buried alive in boxes\"): the "
                       "crisis rules read the message without it, and the detector alone raises no alarm on it.")
    override = verdict.override
    if scores:
        declined = (override is not None and override.reason == "domain gate") or turn.route == "out_of_scope"
        if scores.in_domain < th.domain and declined:
            decided.append(f"The domain gate declined it: clinic score {scores.in_domain:.2f}, below "
                           f"{th.domain:.2f}.")
        elif scores.in_domain < th.domain:
            decided.append(f"The domain gate found it unrelated to the clinic (clinic score {scores.in_domain:.2f}, "
                           f"below {th.domain:.2f}) but did not decline it: it names the clinic's field or a medicine, "
                           "or it is small talk the classifier is sure of.")
        else:
            decided.append(f"The domain gate let it through: clinic score {scores.in_domain:.2f} "
                           f"(it declines below {th.domain:.2f}, unless the message names the clinic's field).")
    if verdict.referral_reasons:
        decided.append("The referral rules found a question about the person's own care: "
                       + "; ".join(_referral(r) for r in verdict.referral_reasons) + ".")
    if verdict.refer_after:
        decided.append("The topic's answer is given, then the care team's referral.")
    if verdict.phi:
        decided.append("Personal details were found and replaced before anything was stored: "
                       + ", ".join(verdict.phi) + ".")
    if override and override.reason != "domain gate" and override.intent == verdict.classifier.intent:
        # the classifier's own guess kept, with why (a long story that asks nothing: the NLG's own reply for it)
        decided.append(f"The safety screen kept the classifier's guess, {intent_words(override.intent, catalogue)}, and "
                       f"noted why: {reason_words(override.reason, catalogue)}.")
    elif override and override.reason != "domain gate":
        decided.append(f"The safety screen changed the classifier's guess to {intent_words(override.intent, catalogue)}: "
                       f"{reason_words(override.reason, catalogue)}.")
    if override is None and turn.crisis not in ("urgent", "concern") and verdict.classifier.intent:
        decided.append("The reply follows the classifier's guess: no screen changed it.")
    if not verdict.scores and not verdict.classifier.intent:
        decided.append("No safety verdict is stored with this message (a button click, or a message from before "
                       "the safety screen).")
    guess = verdict.classifier.intent or turn.intent
    sure = verdict.classifier.confidence if verdict.classifier.intent else turn.confidence
    classifier = f"{intent_words(guess, catalogue)}, {_pct(sure)} sure"
    if turn.intent and turn.intent != guess:
        classifier += f"; the turn was taken as {intent_words(turn.intent, catalogue)}"
    lang = view.parse.get("language") or {}
    detected = lang.get("detected")
    if detected:
        language = f"{LANGUAGES.get(detected, detected)} (detected, {_pct(lang.get('confidence'))} sure)"
    elif lang:
        language = "not clear from this message: the conversation's language was kept"
        if lang.get("hint"):
            language += f" (it leans {LANGUAGES.get(lang['hint'], lang['hint'])})"
    else:
        language = "not detected (a button click)"
    replied = sorted({LANGUAGES.get(x, x) for x in turn.languages})
    if replied:
        language += f"; replied in {' and '.join(replied)}"
    topics = [catalogue.title(t) for t in turn.topics]
    return Explanation(
        outcome=words(view.outcomes, catalogue),
        routes=", ".join(ROUTE_NAMES.get(r, r) for r in turn.routes) or "none",
        topic=", ".join(topics) or "none",
        classifier=classifier,
        decided=decided,
        language=language,
    )


# --- the conversation as a staff story -------------------------------------------------------------------------

def story_step(view: TurnView, catalogue: Catalogue) -> Dict[str, Any]:
    """One conversation step in the staff story format, with the turn's outcomes as its expectation."""
    text = view.turn.text or ""
    step: Dict[str, Any]
    if view.turn.is_payload and catalogue.click_title(text.split("{")[0]):
        step = {"clicks": catalogue.click_title(text.split("{")[0])}
    else:
        step = {"patient": text}
    step["expect"] = words(view.outcomes, catalogue)
    if view.turn.languages and all(x == "es" for x in view.turn.languages):
        step["language"] = "Spanish"
    return step


def story_yaml(name: str, views: Sequence[TurnView], catalogue: Catalogue, origin: str) -> str:
    story = [{"test": name, "conversation": [story_step(v, catalogue) for v in views]}]
    body = yaml.safe_dump(story, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)
    return (f"# {origin}, downloaded on {date.today().isoformat()} from the staff page (\"Why did it say that?\").\n"
            "# Each `expect:` is what the assistant did with that message today. Change any that is wrong to what it\n"
            "# should do, add `says:` / `never_says:` checks if you like, give the test a better name, and put the\n"
            "# file in evaluation/stories/ (docs/staff-testing.md).\n" + body)


# --- playing messages as a throwaway conversation --------------------------------------------------------------

async def play(agent: Any, messages: Sequence[str]) -> List[EventDict]:
    """The messages as one new conversation through the running assistant (NLU, safety screen, rules, NLG,
    action server), each redacted as the channels redact it; kept in memory only. Returns its events."""
    import copy

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.tracker_store import InMemoryTrackerStore

    processor = copy.copy(agent.processor)
    processor.tracker_store = InMemoryTrackerStore(processor.domain)
    processor.lock_store = InMemoryLockStore()
    sender = f"staff-why-{uuid.uuid4().hex[:12]}"
    for text in messages:
        await processor.handle_message(UserMessage(sanitize(text), CollectingOutputChannel(), sender, input_channel="rest"))
    tracker = await processor.tracker_store.retrieve(sender)
    return [event.as_dict() for event in tracker.events] if tracker else []


def thresholds_of(agent: Any) -> Thresholds:
    """The safety screen's thresholds in the model this server runs (its defaults if they cannot be read)."""
    from clinic_faq.core.decision import Thresholds

    try:
        nodes = agent.processor.model_metadata.predict_schema.nodes
        for node in nodes.values():
            if getattr(node.uses, "__name__", "") == "SafetyScreenComponent":
                names = Thresholds.__dataclass_fields__
                return Thresholds(**{k: float(v) for k, v in node.config.items() if k in names})
    except Exception:  # noqa: BLE001 - an explanation without the model's numbers is still an explanation
        logger.debug("Why view: the thresholds could not be read from the model.", exc_info=True)
    return Thresholds()


# --- the tracker store: recent conversations -------------------------------------------------------------------

@dataclass
class Summary:
    key: str
    sender: str
    last: float
    channel: str
    messages: int
    did: str


class Store:
    """Reads the tracker store this server writes to (one engine per database URL)."""

    def __init__(self) -> None:
        self._engines: Dict[str, Any] = {}

    def engine(self, url: str) -> Any:
        if url not in self._engines:
            import sqlalchemy as sa

            self._engines[url] = sa.create_engine(url)
        return self._engines[url]

    def recent_senders(self, url: str, limit_events: int = RECENT_USER_EVENTS) -> List[str]:
        import sqlalchemy as sa

        query = sa.text("SELECT sender_id FROM events WHERE type_name = 'user' ORDER BY id DESC LIMIT :n")
        with self.engine(url).connect() as connection:
            senders = [row[0] for row in connection.execute(query, {"n": limit_events})]
        return list(dict.fromkeys(senders))

    def events(self, url: str, senders: Sequence[str]) -> Dict[str, List[EventDict]]:
        import sqlalchemy as sa

        if not senders:
            return {}
        query = sa.text("SELECT sender_id, data FROM events WHERE sender_id IN :senders "
                        "AND type_name IN ('user', 'bot', 'session_started') ORDER BY id").bindparams(
            sa.bindparam("senders", expanding=True))
        found: Dict[str, List[EventDict]] = {s: [] for s in senders}
        with self.engine(url).connect() as connection:
            for sender, data in connection.execute(query, {"senders": list(senders)}):
                found[sender].append(json.loads(data))
        return found


def summarize(key: str, sender: str, events: List[EventDict], catalogue: Catalogue) -> Summary:
    views = read_conversation(events)
    did: List[str] = []
    for view in views:
        for outcome in view.outcomes:
            said = outcome.words(catalogue)
            if said not in did:
                did.append(said)
    if len(did) > 4:
        did = did[:4] + ["\u2026"]
    last = max((float(e.get("timestamp") or 0) for e in events), default=0.0)
    channel = next((v.turn.channel for v in views if v.turn.channel), None) or "?"
    return Summary(key, sender, last, channel, len(views), ", ".join(did))


# --- the view ------------------------------------------------------------------------------------------------

def _safe_text(text: Optional[str]) -> str:
    """Stored text, redacted again (the channel redacted it before it was stored)."""
    return redact(text or "").text


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else "?"


class WhyView(StaffView):
    slug = "why"
    label = "Why did it say that?"

    def __init__(self) -> None:
        self.store = Store()

    def routes(self) -> List[Tuple[str, List[str], Handler]]:
        return [
            ("/", ["GET"], self.show),
            ("/try", ["POST"], self.try_messages),
            ("/try/story", ["POST"], self.try_story),
            ("/conversation", ["GET"], self.conversation),
            ("/conversation/story", ["GET"], self.conversation_story),
        ]

    # --- pages ---

    def _form(self, ctx: StaffContext, typed: str = "") -> str:
        return (
            f"<form class=\"staff\" method=\"post\" action=\"{escape(ctx.url('why', 'try'))}\">"
            "<label for=\"messages\">What a patient writes (one message per line; the lines are sent in order, as "
            "one conversation)</label>"
            f"<textarea id=\"messages\" name=\"messages\" rows=\"4\" cols=\"60\" required "
            f"aria-describedby=\"messages-help\">{escape(typed)}</textarea>"
            "<p id=\"messages-help\" class=\"meta\">A throwaway conversation: it goes through the assistant as a "
            "patient's would (personal details are replaced first) and nothing is stored. "
            f"Up to {MAX_MESSAGES} messages.</p>"
            "<button type=\"submit\">Explain</button></form>"
        )

    async def _recent_html(self, request: Any, ctx: StaffContext, catalogue: Catalogue) -> str:
        url = self._store_url(request)
        if url is None:
            return ("<p>This server keeps its conversations in a store this page cannot read (not a SQL database), "
                    "so there are no recent conversations to open.</p>")
        try:
            summaries = await self._in_thread(self._recent, url, catalogue)
        except Exception:  # noqa: BLE001 - the page still serves the form
            logger.exception("Why view: the recent conversations could not be read.")
            return "<p role=\"alert\">The recent conversations could not be read from the store (see the server log).</p>"
        if not summaries:
            return "<p>No conversations yet.</p>"
        rows = "".join(
            f"<tr><td><a href=\"{escape(ctx.url('why', 'conversation'))}?id={escape(s.key)}\">Conversation {escape(s.key)}</a></td>"
            f"<td>{escape(_when(s.last))}</td><td>{escape(s.channel)}</td><td class=\"n\">{s.messages}</td>"
            f"<td>{escape(s.did)}</td></tr>" for s in summaries)
        return ("<table><caption>The latest conversations, newest first (ids hashed)</caption><thead><tr>"
                "<th scope=\"col\">Conversation</th><th scope=\"col\">Last message</th><th scope=\"col\">Channel</th>"
                "<th scope=\"col\" class=\"n\">Messages</th><th scope=\"col\">What the assistant did</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def _recent(self, url: str, catalogue: Catalogue) -> List[Summary]:
        key = _hash_key()
        senders = [s for s in self.store.recent_senders(url) if not s.startswith("staff-why-")][:RECENT_CONVERSATIONS]
        events = self.store.events(url, senders)
        found = [summarize(conversation_key(s, key), s, events.get(s, []), catalogue) for s in senders]
        return sorted(found, key=lambda s: s.last, reverse=True)

    def _find(self, url: str, key: str) -> Optional[Tuple[str, List[EventDict]]]:
        hash_key = _hash_key()
        for sender in self.store.recent_senders(url):
            if conversation_key(sender, hash_key) == key:
                return sender, self.store.events(url, [sender])[sender]
        return None

    @staticmethod
    def _store_url(request: Any) -> Optional[str]:
        from clinic_faq.rasa_ext.channels.staff import store_url

        return store_url(request.app)

    @staticmethod
    async def _in_thread(fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def show(self, request: Any, ctx: StaffContext) -> Result:
        catalogue = load_catalogue()
        body = [
            "<h1>Why did it say that?</h1>",
            "<p class=\"meta\">For each message: the reply, what it was in the words of a test story, the route, the "
            "topic, how sure the classifier was, and what decided it (the safety rules and detectors, the domain gate, "
            "the language). Any conversation can be downloaded as a test story for evaluation/stories/.</p>",
            "<h2>Try a message</h2>", self._form(ctx),
            "<h2>Recent conversations</h2>", await self._recent_html(request, ctx, catalogue),
        ]
        return Page("Why did it say that?", "\n".join(body))

    def _typed(self, request: Any) -> Tuple[List[str], str]:
        raw = str((request.form or {}).get("messages") or "")
        lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n") if line.strip()]
        return lines, raw

    async def _play(self, request: Any, lines: List[str]) -> List[TurnView]:
        return read_conversation(await play(request.app.ctx.agent, lines))

    async def try_messages(self, request: Any, ctx: StaffContext) -> Result:
        lines, raw = self._typed(request)
        problem = self._problem(lines)
        if problem:
            return Page("Why did it say that?", f"<h1>Why did it say that?</h1><div role=\"alert\"><p>{escape(problem)}"
                        f"</p></div>{self._form(ctx, raw)}", status=400)
        try:
            views = await self._play(request, lines)
        except BadInput as e:
            return Page("Why did it say that?", f"<h1>Why did it say that?</h1><div role=\"alert\"><p>{escape(str(e))}"
                        f"</p></div>{self._form(ctx, raw)}", status=400)
        except Exception:  # noqa: BLE001 - say so on the page
            logger.exception("Why view: the messages could not be played.")
            return Page("Why did it say that?", "<h1>Why did it say that?</h1><p role=\"alert\">The assistant could not "
                        "answer these messages (see the server log).</p>" + self._form(ctx, raw), status=500)
        catalogue = load_catalogue()
        th = thresholds_of(request.app.ctx.agent)
        download = (f"<form method=\"post\" action=\"{escape(ctx.url('why', 'try', 'story'))}\">"
                    f"<input type=\"hidden\" name=\"messages\" value=\"{escape(chr(10).join(lines))}\">"
                    "<button class=\"staff\" type=\"submit\">Download as a test story</button></form>")
        body = ["<h1>Why did it say that?</h1>", self._form(ctx, "\n".join(lines)),
                "<h2 id=\"result\">What the assistant did</h2>",
                "<p class=\"meta\">A throwaway conversation: nothing was stored.</p>", download]
        body += [self._turn_html(view, catalogue, th) for view in views]
        body.append(download)
        return Page("Why did it say that? (tried messages)", "\n".join(body))

    @staticmethod
    def _problem(lines: List[str]) -> Optional[str]:
        if not lines:
            return "Type at least one message."
        if len(lines) > MAX_MESSAGES:
            return f"At most {MAX_MESSAGES} messages at a time (one per line)."
        return None

    async def try_story(self, request: Any, ctx: StaffContext) -> Result:
        lines, raw = self._typed(request)
        problem = self._problem(lines)
        if problem:
            return Page("Why did it say that?", f"<h1>Why did it say that?</h1><div role=\"alert\"><p>{escape(problem)}"
                        f"</p></div>{self._form(ctx, raw)}", status=400)
        views = await self._play(request, lines)
        name = f"tried on the staff page: {_squash(lines[0])[:60]}"
        return _yaml_download(story_yaml(name, views, load_catalogue(), "Messages tried on the staff page"),
                              "tried-messages.yml")

    async def _stored(self, request: Any, key: str) -> Optional[Tuple[str, List[EventDict]]]:
        url = self._store_url(request)
        if url is None or not re.fullmatch(r"[0-9a-f]{16}", key):
            return None
        return await self._in_thread(self._find, url, key)

    async def conversation(self, request: Any, ctx: StaffContext) -> Result:
        key = str(request.args.get("id") or "")
        found = await self._stored(request, key)
        if found is None:
            return Page("Conversation not found", "<h1>Conversation not found</h1><p>No recent conversation has that "
                        f"id.</p><p><a href=\"{escape(ctx.url('why'))}/\">Back</a></p>", status=404)
        _, events = found
        catalogue = load_catalogue()
        th = thresholds_of(request.app.ctx.agent)
        views = read_conversation(events)
        try:
            today = await self._play(request, [v.turn.text or "" for v in views])
        except Exception:  # noqa: BLE001
            logger.exception("Why view: the conversation could not be played again.")
            today = []
        differ = 0
        parts = []
        for n, view in enumerate(views):
            now = words(today[n].outcomes, catalogue) if n < len(today) else None
            then = words(view.outcomes, catalogue)
            differ += bool(now is not None and now != then)
            parts.append(self._turn_html(view, catalogue, th, today=now))
        story_url = ctx.url("why", "conversation", "story")
        download = (f"<form method=\"get\" action=\"{escape(story_url)}\"><input type=\"hidden\" name=\"id\" "
                    f"value=\"{escape(key)}\"><button class=\"staff\" type=\"submit\">Download as a test story</button></form>")
        first = min((float(e.get("timestamp") or 0) for e in events if e.get("event") == "user"), default=0.0)
        summary = (f"<p class=\"meta\">{len(views)} message{'s' if len(views) != 1 else ''}, from {escape(_when(first))}. The messages are shown as "
                   "stored: personal details were replaced before they were stored.</p>")
        note = ("<p class=\"note\">The downloaded story's expectations are what the assistant does <strong>today</strong> "
                "with these messages" + (f": {differ} of them would now get a different reply (marked below)."
                                          if differ else ", the same as then.") + "</p>")
        body = [f"<h1>Conversation {escape(key)}</h1>", summary, note, download, *parts, download,
                f"<p><a href=\"{escape(ctx.url('why'))}/\">Back to the recent conversations</a></p>"]
        return Page(f"Why did it say that? Conversation {key}", "\n".join(body))

    async def conversation_story(self, request: Any, ctx: StaffContext) -> Result:
        key = str(request.args.get("id") or "")
        found = await self._stored(request, key)
        if found is None:
            return Page("Conversation not found", "<h1>Conversation not found</h1>", status=404)
        _, events = found
        views = await self._play(request, [v.turn.text or "" for v in read_conversation(events)])
        return _yaml_download(story_yaml(f"conversation {key}", views, load_catalogue(), f"Conversation {key}"),
                              f"conversation-{key}.yml")

    # --- one turn ---

    @staticmethod
    def _turn_html(view: TurnView, catalogue: Catalogue, th: Thresholds, today: Optional[str] = None) -> str:
        why = explain(view, catalogue, th)
        n = view.number
        text = _safe_text(view.turn.text)
        if view.turn.is_payload:
            title = catalogue.click_title(text.split("{")[0])
            said = f"clicked the button \u201c{escape(title)}\u201d" if title else f"a button ({escape(text)})"
        else:
            said = f"\u201c{escape(text)}\u201d"
        replies = "".join(f"<p>{escape(r.text)}</p>" for r in view.replies) or "<p>(no reply)</p>"
        rows = [
            ("The reply", replies),
            ("In test-story words", f"<strong>{escape(why.outcome)}</strong>"),
        ]
        if today is not None:
            rows.append(("Today", "the same" if today == why.outcome else
                         f"<span class=\"state-bad\">different today: {escape(today)}</span>"))
        rows += [
            ("Route", escape(why.routes)),
            ("Topic", escape(why.topic)),
            ("The classifier", escape(why.classifier)),
            ("What decided it", "<ul>" + "".join(f"<li>{escape(d)}</li>" for d in why.decided) + "</ul>"),
            ("Language", escape(why.language)),
        ]
        table = "".join(f"<tr><th scope=\"row\">{label}</th><td>{value}</td></tr>" for label, value in rows)
        technical = {
            "intent": view.turn.intent, "confidence": view.turn.confidence,
            "responses": [r.name for r in view.replies], "routes": view.turn.routes,
            "safety": view.verdict.to_dict(),
        }
        return (f"<section class=\"group\" aria-labelledby=\"turn-{n}\"><h3 id=\"turn-{n}\">Message {n}: {said}</h3>"
                f"<table>{table}</table><details><summary>Technical details (message {n})</summary>"
                f"<pre>{escape(json.dumps(technical, indent=2))}</pre></details></section>")


def _hash_key() -> Optional[bytes]:
    from clinic_faq.insights.store import conversation_hash_key

    return conversation_hash_key()


def _yaml_download(body: str, filename: str) -> HTTPResponse:
    return response.text(body, content_type="text/yaml; charset=utf-8",
                         headers={"Content-Disposition": f"attachment; filename=\"{filename}\""})
