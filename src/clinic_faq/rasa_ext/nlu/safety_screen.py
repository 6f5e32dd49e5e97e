"""`SafetyScreenComponent`: the safety screen as a Rasa NLU graph component.

Placed last in the NLU pipeline (after the classifiers and the FallbackClassifier), so it sees the
classifier's verdict and every channel's messages. It runs two kinds of screen over the whole message:
the phrase rules of src/clinic_faq/core/screen.py and the learned detectors of src/clinic_faq/core/detectors.py (a domain
gate and a crisis detector, trained with the model from the NLU data and `data/guardrails/`). It records
what it found under `safety` in the parse data (kept with the user event in the tracker store: rule
ids, kinds and scores, never the text), and overrides the intent where the classifier must not have the
last word:

- danger needs evidence: the rules or the crisis detector. An urgent crisis becomes `emergency`,
  whatever was predicted (also over `nlu_fallback`, so no rephrase question comes before emergency
  guidance); distress without a stated plan becomes `crisis_concern` (a warm reply with the crisis line).
  The classifier's own `emergency`, `crisis_concern` or `share_personal_info` without that evidence is
  replaced by its next guess;
- a message the domain gate finds unrelated to the clinic becomes `out_of_scope`, unless it shows
  danger, a personal medical question or personal details;
- a personal medical question that the classifier did not put on a topic becomes `ask_personal_medical`;
- a dose question always becomes `ask_personal_medical`, even on a topic: it gets the referral, not
  a topic's answer;
- a crisis mentioned in a general way, in a message the classifier could not place, becomes
  `crisis_support`, so the crisis line is the reply rather than a request to rephrase;
- personal details typed into a greeting, an out-of-scope message or an unclear one become
  `share_personal_info`, so the person is told not to share them;
- a message of mostly unknown words becomes `nlu_fallback` (the rephrase prompt), whatever the
  classifier guessed.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_faq.core.contract import SAFETY_KEY, ClassifierGuess, Override, SafetyVerdict, Scores, crisis_level
from clinic_faq.core.detectors import CONCERN, URGENT, CrisisDetector, Detectors, data_fingerprint
from clinic_faq.core.screen import SafetyScreen, ScreenResult, get_screen

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
REFERRAL_INTENT = "ask_personal_medical"
PHI_INTENT = "share_personal_info"
CRISIS_SUPPORT_INTENT = "crisis_support"
CONCERN_INTENT = "crisis_concern"
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
SWITCH_LANGUAGE_INTENT = "switch_language"
# Intents the classifier may not decide alone: each needs evidence from a screen.
EVIDENCE_INTENTS = (EMERGENCY_INTENT, CONCERN_INTENT, PHI_INTENT)
DETECTORS_FILE = "detectors.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyScreenComponent(GraphComponent):  # type: ignore[misc]  # rasa ships no type information: its base classes are Any
    """Crisis, personal-medical, PHI and out-of-domain screen that backs up the intent classifier."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Intents that keep the classifier's verdict when a personal medical question is found:
            # the general answer is shown together with the referral.
            "topic_intent_prefixes": ["ask_"],
            # Intents that are replaced by `share_personal_info` when the message holds PHI.
            "phi_override_intents": [
                "greet", "goodbye", "thank", "bot_challenge", "affirm", "deny", "out_of_scope", "nlu_fallback",
            ],
            # Domain gate: below this P(in domain) a message is declined as out of scope ...
            "domain_threshold": 0.5,
            # ... unless the referral rules found a personal medical question and P(in domain) is above this.
            "domain_referral_threshold": 0.2,
            # Crisis detector: P(urgent) from which a message gets emergency guidance, and
            # P(urgent) + P(concern) from which it gets the warm reply with the crisis line.
            "crisis_urgent_threshold": 0.5,
            "crisis_concern_threshold": 0.55,
            # When the rules call a crisis mention informational (a general question), the detector
            # overrides them only with this much certainty.
            "crisis_override_informational": 0.85,
            # Small talk the classifier is this sure of is answered even when the gate doubts it ("thx",
            # "kk"): a greeting or a thank-you carries no clinic content, so nothing unrelated is answered.
            "smalltalk_intents": ["greet", "goodbye", "thank", "affirm", "deny", "bot_challenge"],
            "smalltalk_confidence": 0.5,
            # Words that put a message inside the clinic's domain whatever the gate says: a question that
            # names ketamine, cancer or an opioid is for this assistant (the classifier then places it).
            "domain_terms": (
                r"\b(?:ketamin[ae]?|infusi(?:on|ones|ón)s?|cancer|cáncer|oncolog\w*|chemo\w*|quimio\w*|"
                r"opioid\w*|opioide\w*|morphine|morfina|fentan\w*|oxycod\w*|oxicod\w*|oxycontin|hydromorph\w*|"
                r"dilaudid|methadone|metadona|gabapentin\w*|pregabalin\w*|tramadol|tumou?rs?|metasta\w*|"
                r"hospice|palliative|paliativ\w*|nerve blocks?|bloqueos? nervios\w*|bioavailab\w*)\b"
            ),
        }

    def __init__(
        self,
        config: Dict[str, Any],
        screen: Optional[SafetyScreen] = None,
        detectors: Optional[Detectors] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.screen = screen or get_screen()
        self._domain_terms = re.compile(self.config["domain_terms"], re.IGNORECASE)
        self.detectors = detectors
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The detectors' own training files (data/guardrails/) are not part of Rasa's training data."""
        return data_fingerprint()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreenComponent:
        return cls(config, model_storage=model_storage, resource=resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyScreenComponent:
        import joblib

        detectors = None
        try:
            with model_storage.read_from(resource) as directory:
                detectors = joblib.load(directory / DETECTORS_FILE)
        except (ValueError, FileNotFoundError) as e:
            # A model trained without them: the rules still screen every message, and the log says so.
            logger.error("The learned safety detectors are missing from the model (%s); retrain it.", e)
        return cls(config, detectors=detectors, model_storage=model_storage, resource=resource)

    # Rasa validates the graph by this return annotation: it must say `Resource` (fingerprintable), not
    # Optional[Resource] (tests/rasa_ext/test_graph.py runs that validation).
    def train(self, training_data: TrainingData) -> Resource:
        import joblib

        examples = [
            (str(m.get(INTENT)), str(m.get(TEXT))) for m in training_data.intent_examples if m.get(TEXT)
        ]
        self.detectors = Detectors.train(examples)
        if self._model_storage is not None and self._resource is not None:
            with self._model_storage.write_to(self._resource) as directory:
                joblib.dump(self.detectors, directory / DETECTORS_FILE, compress=3)
        # None only for a screen built without model storage (as in the unit tests).
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _override(self, message: Message, intent: str, reason: str) -> None:
        previous = message.get(INTENT) or {}
        new_intent = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, new_intent, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
        message.set(INTENT_RANKING_KEY, [new_intent] + ranking, add_to_output=True)
        logger.info(
            "Safety screen changed the intent from %s to %s (%s).", previous.get(INTENT_NAME_KEY), intent, reason
        )

    def _crisis_level(self, result: ScreenResult, scores: Optional[Dict[str, float]]) -> Optional[str]:
        """urgent, concern, informational or None: the rules OR-ed with the crisis detector."""
        if result.crisis == "urgent":
            return URGENT
        if not scores:
            return result.crisis
        learned = CrisisDetector.level(
            scores["urgent"], scores["concern"],
            self.config["crisis_urgent_threshold"], self.config["crisis_concern_threshold"],
        )
        if result.crisis == "informational":
            # A general question that mentions a crisis, unless the detector is sure of danger now.
            return URGENT if scores["urgent"] >= self.config["crisis_override_informational"] else "informational"
        if learned == URGENT and result.referral and scores["urgent"] < self.config["crisis_override_informational"]:
            # The detector alone, unsure of danger, on what the rules read as a question about one's own
            # medicines or condition ("estoy dando pecho, puedo hacerme las infusiones"): the care team's
            # referral, with the crisis line added gently. (Concern stays concern: its warm reply with 988
            # gets the referral added by action_safety_notes.)
            return "informational"
        return learned

    def _next_guess(self, ranking: List[Dict[str, Any]], result: ScreenResult) -> str:
        """The classifier's best intent that needs no evidence it lacks."""
        for entry in ranking:
            name = entry.get(INTENT_NAME_KEY)
            if name in EVIDENCE_INTENTS and not (name == PHI_INTENT and result.phi):
                continue
            if name:
                return str(name)
        return FALLBACK_INTENT

    def _decide(
        self, result: ScreenResult, intent: Optional[str], crisis: Optional[str],
        in_domain: Optional[float], ranking: List[Dict[str, Any]], language_request: bool = False,
        domain_term: bool = False,
    ) -> Optional[Tuple[str, str]]:
        """The intent the turn must take instead of the classifier's, and why; None to keep it."""
        if crisis == URGENT:
            why = "crisis rules" if result.crisis == "urgent" else "crisis detector: danger"
            return None if intent == EMERGENCY_INTENT else (EMERGENCY_INTENT, why)
        if crisis == CONCERN:
            return None if intent == CONCERN_INTENT else (CONCERN_INTENT, "crisis detector: distress")
        if intent in EVIDENCE_INTENTS and not (intent == PHI_INTENT and result.phi):
            guess = self._next_guess(ranking, result)
            decided = self._decide(result, guess, crisis, in_domain, ranking, language_request, domain_term)
            return decided or (guess, f"{intent} without evidence")
        if language_request and crisis is None and not result.referral and not result.phi:
            return None if intent == SWITCH_LANGUAGE_INTENT else (SWITCH_LANGUAGE_INTENT, "asks for a language")
        if result.unclear and not result.referral and not result.phi and crisis is None:
            return None if intent == FALLBACK_INTENT else (FALLBACK_INTENT, "mostly unknown words")
        unrelated = in_domain is not None and in_domain < self.config["domain_threshold"] and not domain_term
        if unrelated and intent in self.config["smalltalk_intents"] and not result.phi:
            top = next((e for e in ranking if e.get(INTENT_NAME_KEY) == intent), {})
            if float(top.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= self.config["smalltalk_confidence"]:
                unrelated = False
        if unrelated and crisis is None:
            referral_ok = result.referral and in_domain >= self.config["domain_referral_threshold"]
            if result.phi and not referral_ok:
                return None if intent == PHI_INTENT else (PHI_INTENT, "personal details in an unrelated message")
            if not referral_ok:
                return None if intent == OUT_OF_SCOPE_INTENT else (OUT_OF_SCOPE_INTENT, "domain gate")
        on_topic = any(str(intent or "").startswith(p) for p in self.config["topic_intent_prefixes"])
        unplaced = intent in self.config["phi_override_intents"]
        if result.referral and crisis in (None, "informational") and intent != REFERRAL_INTENT:
            if result.dose_question or not on_topic:
                return REFERRAL_INTENT, "dose question" if result.dose_question else "personal medical question"
        if crisis == "informational" and unplaced:
            return CRISIS_SUPPORT_INTENT, "crisis mentioned in a general question"
        if result.phi and unplaced and crisis is None:
            return PHI_INTENT, "personal details in the message"
        if result.unclear and not result.referral and not result.phi and intent != FALLBACK_INTENT:
            return FALLBACK_INTENT, "mostly unknown words"
        return None

    def _process(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return
        result = self.screen.screen(text)
        classified = message.get(INTENT) or {}
        intent = classified.get(INTENT_NAME_KEY)
        scores = None
        if self.detectors is not None:
            p_in, p_urgent, p_concern = self.detectors.score(text)
            scores = {"in_domain": round(p_in, 4), "urgent": round(p_urgent, 4), "concern": round(p_concern, 4)}
        crisis = self._crisis_level(result, scores)
        verdict = SafetyVerdict(
            crisis=crisis_level(crisis),
            crisis_rules_level=crisis_level(result.crisis),
            crisis_rules=list(result.crisis_rules),
            referral_reasons=list(result.referral_reasons),
            phi=list(result.phi),
            unclear=result.unclear,
            scores=Scores(**scores) if scores else None,
            classifier=ClassifierGuess(intent, round(float(classified.get(PREDICTED_CONFIDENCE_KEY) or 0.0), 4)),
        )
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        language = message.get("language") or {}
        language_request = bool(language.get("only_request"))
        if result.unclear and "es" in (language.get("detected"), language.get("best"), language.get("hint")):
            result.unclear = False  # "unclear" means mostly unknown *English* words
        override = self._decide(
            result, intent, crisis, scores["in_domain"] if scores else None, ranking, language_request,
            bool(self._domain_terms.search(text)),
        )
        if override:
            self._override(message, *override)
            verdict.override = Override(*override)
        message.set(SAFETY_KEY, verdict.to_dict(), add_to_output=True)
