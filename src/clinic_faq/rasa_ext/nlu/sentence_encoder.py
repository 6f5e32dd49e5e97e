"""`SentenceEncoderFeaturizer`: the pre-trained multilingual sentence vector of every message, once.

A Rasa dense featurizer (a supported extension point of the NLU pipeline): it adds the message's
Universal Sentence Encoder vector (clinic_faq.core.encoder, 512 numbers) as the message's sentence
features. The components after it, the intent classifier and the safety screen (domain gate and crisis
detector), read those features instead of encoding the text again, so the encoder runs once per message
(about 2 ms on one core).

Training data is encoded in batches, which is several times faster than one message at a time.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
import numpy.typing as npt
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_faq.core.encoder import SentenceEncoder, get_encoder
from clinic_faq.rasa_ext.fingerprint import code_fingerprint

NAME = "sentence_encoder"


def sentence_vector(message: Message) -> Optional[npt.NDArray[np.float32]]:
    """The message's sentence vector, if a `SentenceEncoderFeaturizer` ran before (else None)."""
    _, sentence = message.get_dense_features(TEXT, [NAME])
    if sentence is None:
        return None
    features = np.asarray(sentence.features, dtype=np.float32)
    return features.reshape(-1)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):  # type: ignore[misc]  # rasa ships no type information
    """Adds the multilingual USE vector of each message as its sentence features."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "alias": NAME}

    def __init__(self, config: Dict[str, Any], encoder: Optional[SentenceEncoder] = None) -> None:
        super().__init__(NAME, {**self.get_default_config(), **config})
        self._encoder = encoder

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

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
    ) -> SentenceEncoderFeaturizer:
        return cls(config)

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if isinstance(m.get(TEXT), str) and m.get(TEXT)]
        if not todo:
            return
        vectors = self.encoder.encode([str(m.get(TEXT)) for m in todo])
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
