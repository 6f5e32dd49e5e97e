"""The NLU decision without the servers: the same core pieces the Rasa pipeline runs (intent model, fallback
threshold, screen, learned detectors, decision), for comparing representations and thresholds quickly.

It stops at the intent and its route (clinic_faq.core.decision), so it is an approximation of a real turn:
`make evaluate` (real servers, real actions) gives the figures that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from clinic_faq.core import language
from clinic_faq.core.contract import Scores
from clinic_faq.core.decision import (
    CONCERN,
    EMERGENCY,
    FALLBACK,
    OUT_OF_SCOPE,
    PHI,
    REFERRAL,
    SMALLTALK,
    Inputs,
    Thresholds,
    decide,
)
from clinic_faq.core.detectors import Detectors, IntentModel
from clinic_faq.core.screen import get_screen

Embed = Callable[[Sequence[str]], Any]


@dataclass
class Outcome:
    intent: str
    routes: List[str]
    crisis: Optional[str]


def routes_of(intent: str, refer_after: bool, crisis: Optional[str]) -> List[str]:
    if intent in (EMERGENCY, CONCERN, "crisis_support"):
        return ["emergency"]
    if intent == REFERRAL:
        # the referral, with the crisis line added gently when the message mentioned a crisis (action_safety_notes)
        return ["referral"] + (["emergency"] if crisis == "informational" else [])
    if intent == OUT_OF_SCOPE:
        return ["out_of_scope"]
    if intent == FALLBACK:
        return ["fallback"]
    if intent == PHI:
        return ["phi_warning"]
    if intent in SMALLTALK or intent in ("switch_language", "feedback_helpful", "feedback_not_helpful", "cancel"):
        return ["smalltalk"]
    if intent in ("talk_to_human", "request_callback"):
        return ["callback"]
    return ["answer"] + (["referral"] if refer_after else []) + (["emergency"] if crisis == "informational" else [])


class OfflinePipeline:
    def __init__(self, examples: Sequence[Tuple[str, str]], embed: Optional[Embed], fallback: float = 0.2,
                 ambiguity: float = 0.02, thresholds: Optional[Thresholds] = None,
                 not_for_crisis: Sequence[str] = ()) -> None:
        self.embed = embed
        self.intents = IntentModel().fit(examples, embed)
        self.detectors = Detectors.train(examples, embed=embed, not_for_crisis=not_for_crisis)
        self.fallback, self.ambiguity, self.thresholds = fallback, ambiguity, thresholds or Thresholds()

    def run(self, texts: Sequence[str]) -> List[Outcome]:
        screen = get_screen()
        vectors: List[Any] = list(np.asarray(self.embed(list(texts)))) if self.embed else [None] * len(texts)
        out = []
        for text, vector in zip(texts, vectors, strict=True):
            ranking = self.intents.rank(text, vector)[:10]
            intent = ranking[0][0]
            if ranking[0][1] < self.fallback or (len(ranking) > 1 and ranking[0][1] - ranking[1][1] < self.ambiguity):
                intent = FALLBACK
            guess = language.detect(text)
            spanish = "es" in (guess.language, guess.best, language.hint(text) if guess.language is None else None)
            found = screen.screen(text)
            scores = Scores(*self.detectors.score_message(text, vector, self.embed, screen.has_evidence),
                            practical=self.detectors.practical(text, vector),
                            asked_in_domain=self.detectors.asked_in_domain(text, self.embed))
            decision = decide(Inputs(found, intent, ranking, scores,
                                     language.is_only_a_language_request(text), spanish), self.thresholds)
            final = decision.intent or intent
            out.append(Outcome(final, routes_of(final, decision.refer_after or found.referral, decision.crisis), decision.crisis))
        return out


def figures(cases: Sequence[Dict[str, Any]], outcomes: Sequence[Outcome]) -> Dict[str, Optional[float]]:
    """The share of each expectation met, per expected route (as make evaluate names them)."""
    groups: Dict[str, List[bool]] = {}

    def add(name: str, ok: bool) -> None:
        groups.setdefault(name, []).append(ok)

    for case, outcome in zip(cases, outcomes, strict=True):
        route, routes = case.get("route"), outcome.routes
        if route == "answer":
            add("answers on their topic", not case.get("topic") or outcome.intent.endswith(str(case["topic"])))
            add("answers given the referral alone", routes == ["referral"])
        elif route == "referral":
            add("personal questions referred", "referral" in routes)
        elif route == "emergency":
            add("crisis messages given 911/988", "emergency" in routes)
        elif route in ("out_of_scope", "chatter"):
            add(f"{'chatter' if route == 'chatter' else 'unrelated'} declined", routes[0] in ("out_of_scope", "fallback", "smalltalk"))
            add(f"{'chatter' if route == 'chatter' else 'unrelated'} given 911/988", "emergency" in routes)
        elif route == "practical":
            add("practical questions answered or put through", routes[0] in ("answer", "callback", "referral"))
    return {name: round(float(np.mean(oks)), 4) for name, oks in groups.items()}
