"""`SafetyScreenComponent`: the safety screen as a Rasa NLU graph component.

Placed last in the NLU pipeline (after the classifiers and the FallbackClassifier), so it sees the
classifier's verdict and every channel's messages. It records what it found under `safety` in the
parse data (kept with the user event in the tracker store: rule ids and kinds, never the text), and
overrides the intent where the classifier must not have the last word:

- an urgent crisis becomes `emergency`, whatever was predicted (also over `nlu_fallback`, so no
  rephrase question comes before emergency guidance);
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
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from guardrails.screen import SafetyScreen, ScreenResult, get_screen

logger = logging.getLogger(__name__)

SAFETY_KEY = "safety"
EMERGENCY_INTENT = "emergency"
REFERRAL_INTENT = "ask_personal_medical"
PHI_INTENT = "share_personal_info"
CRISIS_SUPPORT_INTENT = "crisis_support"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyScreenComponent(GraphComponent):
    """Crisis, personal-medical and PHI screen that backs up the intent classifier."""

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
        }

    def __init__(self, config: Dict[str, Any], screen: Optional[SafetyScreen] = None) -> None:
        self.config = config
        self.screen = screen or get_screen()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreenComponent:
        return cls(config)

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

    def _decide(self, result: ScreenResult, intent: Optional[str]) -> Optional[tuple]:
        """The intent the turn must take instead of the classifier's, and why; None to keep it."""
        on_topic = any(str(intent or "").startswith(p) for p in self.config["topic_intent_prefixes"])
        unplaced = intent in self.config["phi_override_intents"]
        if result.crisis == "urgent":
            return None if intent == EMERGENCY_INTENT else (EMERGENCY_INTENT, "crisis screen")
        if intent == EMERGENCY_INTENT:
            return None
        if result.crisis == "informational" and unplaced:
            return CRISIS_SUPPORT_INTENT, "crisis mentioned in a general question"
        if result.referral and result.crisis is None and intent != REFERRAL_INTENT:
            if result.dose_question or not on_topic:
                return REFERRAL_INTENT, "dose question" if result.dose_question else "personal medical question"
        if result.phi and unplaced and result.crisis is None:
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
        decision = result.as_dict()
        decision["classifier"] = {
            "intent": intent,
            "confidence": round(float(classified.get(PREDICTED_CONFIDENCE_KEY) or 0.0), 4),
        }
        override = self._decide(result, intent)
        if override:
            self._override(message, *override)
            decision["override"] = {"intent": override[0], "reason": override[1]}
        message.set(SAFETY_KEY, decision, add_to_output=True)
