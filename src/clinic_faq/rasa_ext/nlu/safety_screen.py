"""`SafetyScreenComponent`: the safety screen as a Rasa NLU graph component.

Placed last in the NLU pipeline (after the classifiers and the FallbackClassifier), so it sees the
classifier's verdict and every channel's messages. It gathers what the decision needs and applies it:

- the phrase rules of clinic_faq.core.screen (crisis, referral, personal details, evidence words);
- the learned detectors of clinic_faq.core.detectors (the domain gate and the crisis detector, trained
  with the model from the NLU data and `data/guardrails/`), over the message's sentence vector (set by
  the pipeline's `SentenceEncoderFeaturizer`) and its n-grams;
- the classifier's ranking and the language detector's findings;

then clinic_faq.core.decision.decide, a pure function (the whole policy is there, with a test per route),
says which intent the turn takes. What was found is recorded under `safety` in the parse data (kept with
the user event in the tracker store: rule ids, kinds and scores, never the text).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    METADATA_INTENT,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_faq.core.contract import SAFETY_KEY, ClassifierGuess, Override, SafetyVerdict, Scores
from clinic_faq.core.decision import LONG_STORY, Inputs, Thresholds, decide
from clinic_faq.core.detectors import MIXED_PAIRS, Detectors, data_fingerprint
from clinic_faq.core.encoder import get_encoder
from clinic_faq.core.screen import SafetyScreen, get_screen
from clinic_faq.rasa_ext.fingerprint import code_fingerprint
from clinic_faq.rasa_ext.nlu.intent_classifier import message_vector

logger = logging.getLogger(__name__)

DETECTORS_FILE = "detectors.joblib"
# Intent metadata in the NLU data (`metadata: {crisis_detector: not_trained}`): the intent's examples teach the
# classifier and the domain gate, not the crisis detector.
CRISIS_DETECTOR_KEY = "crisis_detector"
NOT_TRAINED = "not_trained"
THRESHOLD_KEYS = tuple(Thresholds.__dataclass_fields__)


def not_for_crisis(messages: Sequence[Message]) -> List[str]:
    """Texts of the examples whose intent is marked `crisis_detector: not_trained` in the NLU data (intent
    metadata): they teach the classifier and the domain gate, not the crisis detector (clinic_faq.core.detectors)."""
    out = []
    for m in messages:
        meta = m.get(METADATA) or {}
        intent_meta = meta.get(METADATA_INTENT) if isinstance(meta, dict) else None
        if isinstance(intent_meta, dict) and intent_meta.get(CRISIS_DETECTOR_KEY) == NOT_TRAINED:
            out.append(str(m.get(TEXT)))
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SafetyScreenComponent(GraphComponent):  # type: ignore[misc]  # rasa ships no type information: its base classes are Any
    """Crisis, personal-medical, PHI and out-of-domain screen that backs up the intent classifier."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # The decision's thresholds (clinic_faq.core.decision.Thresholds documents each), whether the learned
        # detectors read the sentence vector (False: n-grams alone, for comparisons), and how many pairs of
        # messages of several parts teach the crisis detector's second reading (clinic_faq.core.detectors.mixed_pairs;
        # 0: none).
        return {**Thresholds().__dict__, "sentence_vectors": True, "mixed_pairs": MIXED_PAIRS}

    def __init__(
        self,
        config: Dict[str, Any],
        screen: Optional[SafetyScreen] = None,
        detectors: Optional[Detectors] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.thresholds = Thresholds(**{k: float(self.config[k]) for k in THRESHOLD_KEYS})
        self.screen = screen or get_screen()
        self.detectors = detectors
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The detectors' own training files (data/guardrails/) are not part of Rasa's training data; nor is the code
        that trains them (clinic_faq.rasa_ext.fingerprint)."""
        return data_fingerprint() + code_fingerprint()

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

        messages = [m for m in training_data.intent_examples if m.get(TEXT)]
        examples = [(str(m.get(INTENT)), str(m.get(TEXT))) for m in messages]
        embed = None
        if self.config["sentence_vectors"]:
            known = {str(m.get(TEXT)): message_vector(m) for m in messages}
            encoder = get_encoder()

            def embed(texts: Sequence[str]) -> Any:
                import numpy as np

                missing = [t for t in texts if t not in known]
                known.update(zip(missing, encoder.encode(missing), strict=True))
                return np.stack([known[t] for t in texts])

        self.detectors = Detectors.train(examples, embed=embed, not_for_crisis=not_for_crisis(messages),
                                         mixed=int(self.config["mixed_pairs"]))
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

    def _scores(self, message: Message, text: str) -> Optional[Scores]:
        if self.detectors is None:
            return None
        vectors = self.detectors.uses_sentence_vectors
        dense = message_vector(message) if vectors else None
        # The crisis scores of the message without a greeting or thanks around it, and of each of its sentences that
        # holds a word of danger or distress, too (Detectors.score_message).
        p_in, p_urgent, p_concern = self.detectors.score_message(
            text, dense, get_encoder().encode if vectors else None, self.screen.has_evidence
        )
        # Whether a practical question is the clinic's (Detectors.clinic_practical): read by the decision when the
        # gate doubts one.
        practical = self.detectors.practical(text, dense)
        # The gate on what a long message asks, without the story around it (Detectors.asked_in_domain).
        asked = self.detectors.asked_in_domain(text, get_encoder().encode if vectors else None)
        return Scores(round(p_in, 4), round(p_urgent, 4), round(p_concern, 4),
                      None if practical is None else round(practical, 4), None if asked is None else round(asked, 4))

    def _process(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return
        result = self.screen.screen(text)
        classified = message.get(INTENT) or {}
        intent = classified.get(INTENT_NAME_KEY)
        scores = self._scores(message, text)
        language = message.get("language") or {}
        ranking = [
            (str(r.get(INTENT_NAME_KEY)), float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
            for r in message.get(INTENT_RANKING_KEY) or []
        ]
        decision = decide(
            Inputs(
                screen=result,
                intent=intent,
                ranking=ranking,
                scores=scores,
                language_request=bool(language.get("only_request")),
                spanish="es" in (language.get("detected"), language.get("best"), language.get("hint")),
            ),
            self.thresholds,
        )
        verdict = SafetyVerdict(
            crisis=decision.crisis,
            crisis_rules_level=result.crisis if result.crisis in ("urgent", "informational") else None,  # type: ignore[arg-type]
            crisis_rules=list(result.crisis_rules),
            referral_reasons=list(result.referral_reasons),
            phi=list(result.phi),
            unclear=result.unclear,
            scores=scores,
            classifier=ClassifierGuess(intent, round(float(classified.get(PREDICTED_CONFIDENCE_KEY) or 0.0), 4)),
            refer_after=decision.refer_after,
            evidence=[kind for kind, found in (("danger", result.danger_evidence), ("distress", result.distress_evidence),
                                                ("stated", result.distress_stated), ("planned", result.danger_planned),
                                                ("figure of speech", result.figure_of_speech)) if found],
        )
        if decision.intent and decision.intent != intent:
            self._override(message, decision.intent, decision.reason)
            verdict.override = Override(decision.intent, decision.reason)
        elif decision.intent and decision.reason == LONG_STORY:
            # The classifier's own fallback kept, and why recorded: the NLG gives a long story that asks nothing its
            # own reply in place of the rephrase prompt (clinic_faq.rasa_ext.nlg).
            verdict.override = Override(decision.intent, decision.reason)
        message.set(SAFETY_KEY, verdict.to_dict(), add_to_output=True)
