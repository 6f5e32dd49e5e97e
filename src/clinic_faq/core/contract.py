"""The contract between the processes: the safety verdict on a user message, and the routes of the replies.

The safety screen (an NLU component in the Rasa server) writes a `SafetyVerdict` into the message's parse
data under `SAFETY_KEY`; Rasa stores it with the user event. The custom actions (action server), the audit
export and the evaluation read it back with `SafetyVerdict.from_dict`. Every reply in `domain.yml`
carries a `route` in its metadata, one of `Route`. Nothing else defines these names.

The verdict holds rule ids, kinds and scores: never the user's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, cast

SAFETY_KEY = "safety"

CrisisLevel = Literal["urgent", "concern", "informational"]
CRISIS_LEVELS: Tuple[str, ...] = ("urgent", "concern", "informational")


class Route(str, Enum):
    """What kind of reply a response is (`metadata.route` in domain.yml)."""

    ANSWER = "answer"  # a curated answer to a question about the therapy
    DISCLAIMER = "disclaimer"  # "general information, not medical advice"
    REFERRAL = "referral"  # "ask your care team": a question about one's own medicines, doses, eligibility
    EMERGENCY = "emergency"  # danger: call 911 / 988 first
    OUT_OF_SCOPE = "out_of_scope"  # politely declined: another domain
    SMALLTALK = "smalltalk"  # greetings, thanks, "are you a bot"
    FALLBACK = "fallback"  # not understood: please rephrase
    PHI_WARNING = "phi_warning"  # "please do not share personal details here"
    CALLBACK = "callback"  # reaching a person: the clinic's number, open now or not, and the callback request


ROUTES: Tuple[str, ...] = tuple(route.value for route in Route)


# The clinic's practical questions and reaching a person (clinic.yml's details, the callback request): the intents
# whose answers any office gives, in words any office is asked in.
PRACTICAL_INTENTS = frozenset({
    "ask_hours", "ask_location", "ask_parking", "ask_transport", "ask_email", "ask_portal", "ask_languages",
    "ask_telehealth", "ask_what_to_bring", "ask_what_to_wear", "ask_companion", "ask_reschedule", "ask_cancel",
    "ask_running_late", "ask_records", "ask_billing", "talk_to_human", "request_callback", "contact_clinic",
    "book_consultation", "ask_cost_insurance",
})


@dataclass(frozen=True)
class Scores:
    """The learned detectors' probabilities for one message."""

    in_domain: float
    urgent: float
    concern: float
    # P(a practical question is the clinic's rather than another office's or a general assistant's): the detectors'
    # `clinic_practical` model; None from a model trained without it.
    practical: Optional[float] = None
    # P(in domain) of what a long message asks, read apart from the story around it (asking.request_of_long): None
    # for a message that is not long, asks nothing, or a model trained without the gate.
    asked_in_domain: Optional[float] = None


@dataclass(frozen=True)
class ClassifierGuess:
    """What the intent classifier said before the screen looked."""

    intent: Optional[str] = None
    confidence: float = 0.0


@dataclass(frozen=True)
class Override:
    """The intent the screen put in place of the classifier's, and why."""

    intent: str
    reason: str


@dataclass
class SafetyVerdict:
    """The safety screen's verdict on one user message."""

    crisis: Optional[CrisisLevel] = None  # rules OR-ed with the crisis detector: what the turn does
    crisis_rules_level: Optional[CrisisLevel] = None  # what the phrase rules alone found
    crisis_rules: List[str] = field(default_factory=list)
    referral_reasons: List[str] = field(default_factory=list)
    phi: List[str] = field(default_factory=list)  # kinds of personal details found (already redacted)
    unclear: bool = False
    scores: Optional[Scores] = None
    classifier: ClassifierGuess = field(default_factory=ClassifierGuess)
    override: Optional[Override] = None
    # The topic's answer is given and the care team's referral follows it (a personal question on a topic).
    refer_after: bool = False
    # What backed a learned alarm: "danger" and/or "distress" words, or distress "stated" plainly
    # (src/clinic_faq/core/patterns/evidence.yml).
    evidence: List[str] = field(default_factory=list)

    @property
    def referral(self) -> bool:
        """A question about the person's own medicines, doses, condition or eligibility."""
        return bool(self.referral_reasons) or self.refer_after

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form stored in the parse data."""
        return {
            "crisis": self.crisis,
            "crisis_rules_level": self.crisis_rules_level,
            "crisis_rules": list(self.crisis_rules),
            "referral": self.referral,
            "referral_reasons": list(self.referral_reasons),
            "phi": list(self.phi),
            "unclear": self.unclear,
            "scores": None if self.scores is None else {
                "in_domain": self.scores.in_domain, "urgent": self.scores.urgent, "concern": self.scores.concern,
                **({} if self.scores.practical is None else {"practical": self.scores.practical}),
                **({} if self.scores.asked_in_domain is None else {"asked_in_domain": self.scores.asked_in_domain}),
            },
            "classifier": {"intent": self.classifier.intent, "confidence": self.classifier.confidence},
            **({"override": {"intent": self.override.intent, "reason": self.override.reason}} if self.override else {}),
            "refer_after": self.refer_after,
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> SafetyVerdict:
        """Read a stored verdict; a message the screen did not see (or an older event) gives an empty one."""
        data = data or {}
        scores = data.get("scores") or None
        classifier = data.get("classifier") or {}
        override = data.get("override") or None
        return cls(
            crisis=crisis_level(data.get("crisis")),
            crisis_rules_level=crisis_level(data.get("crisis_rules_level")),
            crisis_rules=[str(r) for r in data.get("crisis_rules") or []],
            referral_reasons=[str(r) for r in data.get("referral_reasons") or []],
            phi=[str(p) for p in data.get("phi") or []],
            unclear=bool(data.get("unclear")),
            scores=None if not scores else Scores(
                float(scores.get("in_domain", 0.0)), float(scores.get("urgent", 0.0)), float(scores.get("concern", 0.0)),
                None if scores.get("practical") is None else float(scores["practical"]),
                None if scores.get("asked_in_domain") is None else float(scores["asked_in_domain"]),
            ),
            classifier=ClassifierGuess(classifier.get("intent"), float(classifier.get("confidence") or 0.0)),
            override=None if not override else Override(str(override.get("intent")), str(override.get("reason"))),
            refer_after=bool(data.get("refer_after")),
            evidence=[str(e) for e in data.get("evidence") or []],
        )


def crisis_level(value: Any) -> Optional[CrisisLevel]:
    return cast(CrisisLevel, value) if value in CRISIS_LEVELS else None
