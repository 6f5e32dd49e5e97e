"""`LanguageDetector`: the conversation's language as a Rasa NLU graph component.

Placed first in the NLU pipeline. For a message whose language is clear (src/clinic_faq/core/language.py) it adds
a `language` entity ("en" or "es"); the domain maps that entity to the `language` slot, so the slot
keeps the conversation's language across short messages ("ok", "1") and changes when the person
writes in, or asks for, the other language. Every response has a Spanish variation conditioned on the
slot, so a Spanish message gets a Spanish reply from the first turn on.

A message whose language the detector cannot decide ("eres un bot?") adds a `language_hint` entity
instead, when its words point one way; the NLG uses it only while the conversation has no language yet,
so an unsure first message in Spanish is answered in Spanish.

A message that only asks for a language ("en español por favor") becomes the `switch_language` intent.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_faq.core.language import detect, hint, is_only_a_language_request
from clinic_faq.rasa_ext.fingerprint import code_fingerprint

LANGUAGE_ENTITY = "language"
HINT_ENTITY = "language_hint"  # the likelier language of an undecided message (`language_hint` slot)
LANGUAGE_KEY = "language"  # parse data: what was detected, for the audit trail and the safety screen


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):  # type: ignore[misc]  # rasa ships no type information: its base classes are Any
    """Adds a `language` entity when a message's language is clear."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

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
    ) -> LanguageDetector:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            guess = detect(text)
            leaning = hint(text) if guess.language is None else None
            message.set(
                LANGUAGE_KEY,
                {
                    "detected": guess.language,
                    "best": guess.best,
                    "spanish": round(guess.spanish, 4),
                    "confidence": round(guess.confidence, 4),
                    "explicit": guess.explicit,
                    "only_request": is_only_a_language_request(text),
                    "hint": leaning,
                },
                add_to_output=True,
            )
            entity, value = LANGUAGE_ENTITY, guess.language
            if value is None:
                # Undecided: a hint, used for the replies only while the conversation has no language yet.
                entity, value = HINT_ENTITY, leaning
                if value is None:
                    continue
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in (LANGUAGE_ENTITY, HINT_ENTITY)]
            entities.append(
                {
                    "entity": entity,
                    "value": value,
                    "start": 0,
                    "end": len(text),
                    "confidence_entity": round(guess.confidence, 4),
                    "extractor": self.__class__.__name__,
                }
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
