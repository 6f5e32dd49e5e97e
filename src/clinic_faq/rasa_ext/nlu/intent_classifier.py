"""`LinearIntentClassifier`: the intent classifier as a Rasa NLU graph component.

Logistic regression over the message's pre-trained multilingual sentence vector (set by the pipeline's
`SentenceEncoderFeaturizer`) and TF-IDF character (2-5) and word (1-2) n-grams of the normalized message
(clinic_faq.core.detectors.IntentModel). It replaced DIET after a measurement on held-out sets
(docs/nlu-pipeline.md): better on messages written as strangers write them, training in seconds, and no
TensorFlow in the turn. Rasa's own `LogisticRegressionClassifier` was measured too: it works on raw counts
without TF-IDF weighting or a regularisation setting, and was less accurate on personal medical questions.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import numpy.typing as npt
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_faq.core.detectors import IntentModel
from clinic_faq.core.encoder import get_encoder
from clinic_faq.rasa_ext.fingerprint import code_fingerprint
from clinic_faq.rasa_ext.nlu.sentence_encoder import sentence_vector

logger = logging.getLogger(__name__)
MODEL_FILE = "intent_model.joblib"


def message_vector(message: Message) -> npt.NDArray[np.float32]:
    """The sentence vector the featurizer set, or the encoder's (a message that skipped the featurizer)."""
    vector = sentence_vector(message)
    if vector is None:
        text = message.get(TEXT)
        vector = get_encoder().encode_one(text if isinstance(text, str) else "")
    return vector


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):  # type: ignore[misc]  # rasa ships no type information: its base classes are Any
    """Intent classification with logistic regression over the sentence vector and n-grams."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 20.0,  # inverse regularisation strength (chosen on the held-out sets)
            "ranking_length": 10,  # intents kept in the ranking (the safety screen reads the next guesses)
            "sentence_vectors": True,  # False: n-grams alone (for comparisons)
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[IntentModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The package's code, so that a change to it retrains the component (clinic_faq.rasa_ext.fingerprint)."""
        return code_fingerprint()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import joblib

        with model_storage.read_from(resource) as directory:
            model = joblib.load(directory / MODEL_FILE)
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        import joblib

        messages = [m for m in training_data.intent_examples if m.get(TEXT)]
        examples = [(str(m.get(INTENT)), str(m.get(TEXT))) for m in messages]
        if len({intent for intent, _ in examples}) < 2:
            raise ValueError("LinearIntentClassifier needs examples of at least two intents.")
        vectors = {str(m.get(TEXT)): message_vector(m) for m in messages} if self.config["sentence_vectors"] else {}

        def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
            return np.stack([vectors[t] for t in texts])

        self.model = IntentModel(c=float(self.config["C"])).fit(examples, embed if vectors else None)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.model, directory / MODEL_FILE, compress=3)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            # An empty message is classified too (it then goes to the fallback): every message needs an intent.
            dense = message_vector(message) if self.model.uses_sentence_vectors else None
            ranking = self.model.rank(text if isinstance(text, str) else "", dense)[: int(self.config["ranking_length"])]
            entries = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p} for name, p in ranking]
            message.set(INTENT, entries[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, entries, add_to_output=True)
        return messages
