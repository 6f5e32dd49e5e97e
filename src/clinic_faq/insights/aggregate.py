"""From turns to the report's numbers, one turn at a time (a store of any size is read once, in order).

Definitions (docs/insights.md explains them to staff):

- a *person* is one conversation id of the channel (a widget session, a phone number), counted once;
- a *conversation* is one session of it (Rasa starts a new session after an hour of silence);
- a *message* is one user message; a click on the widget's "Was this helpful?" buttons is counted as
  feedback, not as a message;
- a message's *route* is the route of its first reply (what the rules chose: an emergency always comes
  first); emergencies and referrals over time count every message that got one, wherever it came;
- a click on "helpful" or "not helpful" belongs to the answer just before it in the same conversation
  (its topic); a second click on the same answer replaces the first;
- an *unanswered* message is one that got the fallback ("please rephrase") or the out-of-scope reply, or
  an answer with a classifier confidence below `low_confidence` (unless marked helpful), or an answer
  marked not helpful. A message with any crisis or referral signal is never one: those are counted, never
  quoted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import DefaultDict, Dict, Iterable, List, Optional, Set, Tuple

from clinic_faq.core.contract import Route
from clinic_faq.core.turns import Turn, conversation_key

BUCKETS = ("day", "week")
UNKNOWN = "unknown"
# Why a message is listed as unanswered.
FALLBACK, OUT_OF_SCOPE, LOW_CONFIDENCE, NOT_HELPFUL = "fallback", "out_of_scope", "low_confidence", "not_helpful"
REASONS = (FALLBACK, OUT_OF_SCOPE, LOW_CONFIDENCE, NOT_HELPFUL)
# The routes whose share the report shows, in this order (feedback clicks are not messages).
ROUTE_ORDER = ("answer", "referral", "emergency", "out_of_scope", "fallback", "smalltalk", "phi_warning",
               "disclaimer", "none")


@dataclass(frozen=True)
class Settings:
    """How the report counts and what it may show."""

    bucket: str = "week"  # "day" or "week" (weeks start on Monday)
    tz: dt.tzinfo = dt.timezone.utc  # the clinic's time zone, for the day boundaries
    low_confidence: float = 0.4  # an answer below this classifier confidence is listed as unanswered
    min_conversations: int = 2  # an example message is shown only when this many people wrote it
    show_single_conversation_messages: bool = False  # the clinic's choice; off: the rule above holds
    hash_key: Optional[bytes] = None  # CONVERSATION_HASH_KEY: keyed hashes of the conversation ids
    # The answer topics and the intent asking for each (domain.yml); empty: any ask_<topic> intent is one.
    topic_intents: Tuple[Tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {BUCKETS}")
        if self.min_conversations < 1:
            raise ValueError("min_conversations must be at least 1")

    def bucket_of(self, timestamp: float) -> str:
        day = dt.datetime.fromtimestamp(timestamp, self.tz).date()
        if self.bucket == "week":
            day -= dt.timedelta(days=day.weekday())
        return day.isoformat()

    def intent_of_topic(self, topic: Optional[str]) -> Optional[str]:
        """The intent whose questions a topic answers (side_effects -> ask_side_effects)."""
        if not topic:
            return None
        return dict(self.topic_intents).get(topic) if self.topic_intents else f"ask_{topic}"


@dataclass
class Unanswered:
    """One message the assistant did not answer well: its (already redacted) text and what is known of it."""

    text: str
    conversation: str  # the hashed conversation id
    reason: str  # one of REASONS
    closest_topic: Optional[str]
    language: str
    channel: str
    timestamp: float


@dataclass
class Counts:
    conversations: int = 0
    messages: int = 0
    people: int = 0


@dataclass
class Insights:
    """Everything the report shows, counted."""

    settings: Settings
    first: Optional[float] = None  # the first and last message counted
    last: Optional[float] = None
    totals: Counts = field(default_factory=Counts)
    by_bucket: Dict[str, Counts] = field(default_factory=dict)
    by_channel: Dict[str, Counts] = field(default_factory=dict)
    by_language: Dict[str, Counts] = field(default_factory=dict)
    activity: Dict[Tuple[str, str, str], Counts] = field(default_factory=dict)  # (bucket, channel, language)
    routes: Counter[str] = field(default_factory=Counter)  # messages by the route of their first reply
    answers: Counter[str] = field(default_factory=Counter)  # answered messages by topic
    helpful: Counter[str] = field(default_factory=Counter)  # by topic
    not_helpful: Counter[str] = field(default_factory=Counter)
    feedback_unattributed: int = 0  # clicks with no answer before them
    emergencies: Counter[str] = field(default_factory=Counter)  # by bucket
    referrals: Counter[str] = field(default_factory=Counter)
    unanswered: List[Unanswered] = field(default_factory=list)

    @property
    def buckets(self) -> List[str]:
        return sorted(self.by_bucket)

    @property
    def feedback_total(self) -> int:
        return sum(self.helpful.values()) + sum(self.not_helpful.values()) + self.feedback_unattributed


@dataclass(slots=True)
class _Message:
    """What is kept of a message that may be listed as unanswered (a turn holds much more)."""

    text: str
    timestamp: float
    confidence: Optional[float]
    sensitive: bool  # a crisis or referral signal: never quoted
    closest: Optional[str]  # the topic the classifier leaned to
    language: str
    channel: str


@dataclass(slots=True)
class _Answer:
    """An answered message, held until the next message shows whether it got feedback."""

    message: _Message
    topic: str
    feedback: Optional[bool] = None


@dataclass(slots=True)
class _Conversation:
    bucket: str
    channel: str
    languages: Dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Sender:
    key: str
    session: Optional[int] = None
    answer: Optional[_Answer] = None  # the answer a feedback click would refer to
    conversation: Optional[_Conversation] = None


class Aggregator:
    """Feed it every turn of every conversation (each conversation's turns in order), then `finish()`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.result = Insights(settings)
        self._senders: Dict[str, _Sender] = {}
        self._conversations: List[Tuple[str, _Conversation]] = []  # (sender key, conversation)
        self._people: DefaultDict[Tuple[str, str, str], Set[str]] = defaultdict(set)
        self._buckets: Dict[int, str] = {}
        self._topic_of = dict((intent, topic) for topic, intent in settings.topic_intents)
        self._finished = False

    def add_conversation(self, sender_id: str, turns: Iterable[Turn]) -> None:
        for turn in turns:
            self.add(sender_id, turn)

    def add(self, sender_id: str, turn: Turn) -> None:
        if self._finished:
            raise RuntimeError("the aggregator has finished")
        sender = self._senders.get(sender_id)
        if sender is None:
            sender = self._senders[sender_id] = _Sender(conversation_key(sender_id, self.settings.hash_key))
        if sender.session != turn.session:  # a new conversation (session) of this person
            self._settle(sender)
            sender.session, sender.conversation = turn.session, None
        feedback = turn.feedback
        if feedback is not None:
            if sender.answer is not None:
                sender.answer.feedback = feedback  # a second click replaces the first
            else:
                self.result.feedback_unattributed += 1
            return
        self._settle(sender)
        self._message(sender, turn)

    def _bucket(self, timestamp: float) -> str:
        # Every time zone's offset is a multiple of 15 minutes: within a 15-minute slot the date is one.
        slot = int(timestamp // 900)
        bucket = self._buckets.get(slot)
        if bucket is None:
            bucket = self._buckets[slot] = self.settings.bucket_of(slot * 900)
        return bucket

    def _message(self, sender: _Sender, turn: Turn) -> None:
        r = self.result
        timestamp = turn.timestamp or 0.0
        bucket = self._bucket(timestamp)
        channel = turn.channel or UNKNOWN
        language = turn.languages[0] if turn.languages else UNKNOWN
        if sender.conversation is None:
            sender.conversation = _Conversation(bucket, channel)
            self._conversations.append((sender.key, sender.conversation))
        languages = sender.conversation.languages
        languages[language] = languages.get(language, 0) + 1
        r.first = timestamp if r.first is None else min(r.first, timestamp)
        r.last = timestamp if r.last is None else max(r.last, timestamp)
        r.totals.messages += 1
        r.by_bucket.setdefault(bucket, Counts()).messages += 1
        r.by_channel.setdefault(channel, Counts()).messages += 1
        r.by_language.setdefault(language, Counts()).messages += 1
        r.activity.setdefault((bucket, channel, language), Counts()).messages += 1
        self._people[(bucket, channel, language)].add(sender.key)

        route = turn.route or "none"
        r.routes[route] += 1
        if Route.EMERGENCY.value in turn.routes:
            r.emergencies[bucket] += 1
        if Route.REFERRAL.value in turn.routes:
            r.referrals[bucket] += 1
        if route == Route.ANSWER.value:
            topic = turn.topics[0] if turn.topics else UNKNOWN
            r.answers[topic] += 1
            sender.answer = _Answer(self._kept(turn, language, channel), topic)
        elif route in (Route.FALLBACK.value, Route.OUT_OF_SCOPE.value):
            self._unanswered(sender, self._kept(turn, language, channel), route, None)

    def _kept(self, turn: Turn, language: str, channel: str) -> _Message:
        sensitive = bool(turn.crisis or turn.referral_reasons or Route.EMERGENCY.value in turn.routes
                         or Route.REFERRAL.value in turn.routes)
        text = "" if sensitive or turn.is_payload else (turn.text or "").strip()
        return _Message(text, turn.timestamp or 0.0, turn.confidence, sensitive, self._closest_topic(turn),
                        language, channel)

    def _settle(self, sender: _Sender) -> None:
        """The person's last answer gets no more feedback: count it, and list it if it fell short."""
        answer, sender.answer = sender.answer, None
        if answer is None:
            return
        message, reason = answer.message, None
        if answer.feedback is True:
            self.result.helpful[answer.topic] += 1
        elif answer.feedback is False:
            self.result.not_helpful[answer.topic] += 1
            reason = NOT_HELPFUL
        elif message.confidence is not None and message.confidence < self.settings.low_confidence:
            reason = LOW_CONFIDENCE
        if reason:
            self._unanswered(sender, message, reason, answer.topic if answer.topic != UNKNOWN else None)

    def _unanswered(self, sender: _Sender, message: _Message, reason: str, topic: Optional[str]) -> None:
        if message.sensitive or not message.text:
            return  # a crisis or referral is counted above, never quoted; a payload or empty text is no question
        self.result.unanswered.append(Unanswered(message.text, sender.key, reason, topic or message.closest,
                                                 message.language, message.channel, message.timestamp))

    def _closest_topic(self, turn: Turn) -> Optional[str]:
        """The topic the classifier leaned to: its own first guess, else the best-ranked topic intent."""
        if not self._topic_of:  # no domain: any ask_<topic> intent
            return next((i[4:] for i in (turn.classifier_intent, *turn.ranking) if i and i.startswith("ask_")), None)
        for intent in (turn.classifier_intent, *turn.ranking):
            topic = self._topic_of.get(intent) if intent else None
            if topic:
                return topic
        return None

    def finish(self) -> Insights:
        """Settle the last answers and count conversations and people."""
        if self._finished:
            return self.result
        self._finished = True
        for sender in self._senders.values():
            self._settle(sender)
        r = self.result
        for _, conversation in self._conversations:
            language = max(conversation.languages, key=lambda k: conversation.languages[k]) \
                if conversation.languages else UNKNOWN
            r.totals.conversations += 1
            r.by_bucket[conversation.bucket].conversations += 1
            r.by_channel[conversation.channel].conversations += 1
            r.by_language.setdefault(language, Counts()).conversations += 1
            r.activity.setdefault((conversation.bucket, conversation.channel, language), Counts()).conversations += 1
        people: DefaultDict[str, Set[str]] = defaultdict(set)
        for (bucket, channel, language), keys in self._people.items():
            r.activity[(bucket, channel, language)].people = len(keys)
            people["b:" + bucket] |= keys
            people["c:" + channel] |= keys
            people["l:" + language] |= keys
            people["all"] |= keys
        r.totals.people = len(people["all"])
        for bucket, counts in r.by_bucket.items():
            counts.people = len(people["b:" + bucket])
        for channel, counts in r.by_channel.items():
            counts.people = len(people["c:" + channel])
        for language, counts in r.by_language.items():
            counts.people = len(people["l:" + language])
        r.unanswered.sort(key=lambda u: u.timestamp)
        self._people.clear()
        self._senders.clear()
        return r
