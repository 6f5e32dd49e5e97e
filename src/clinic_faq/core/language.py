"""The conversation's language: English or Spanish, decided per message and kept for the conversation.

Detection uses `lingua-language-detector` (its models ship inside the wheel; restricted to English and
Spanish; nothing is downloaded). Measured on the held-out sets (1,630 messages, docs/nlu-pipeline.md): it
switched no English message to Spanish and left 9 of 202 Spanish messages undecided (they keep the
conversation's language), at about 0.1 ms a message. `py3langid` was measured too: its current release
needs numpy 2, which Rasa 3.6 cannot use, and the release that fits (0.2.2) switched 16 English
messages to Spanish ("do doctors use nsaids like naproxen for cancer pain").

Short messages carry too little to tell ("ok", "no", "1"): a message changes the conversation's
language only when the detector is sure, when it is a known greeting or thank-you of one language
("hola", "gracias", "thanks"), or when the person asks for a language ("en español", "English please").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    from lingua import LanguageDetector

ENGLISH, SPANISH = "en", "es"
LANGUAGES = (ENGLISH, SPANISH)
CONFIDENT = 0.7  # the detector's probability from which a message sets the language
MIN_WORDS = 2  # and it needs at least this many words

# Asking for a language, in either language.
_ASK_SPANISH = re.compile(
    r"(?:^espanol$|^spanish$|\ben espanol\b|\bespanol (?:por favor|porfa|pls|please)\b|\banswer in spanish\b|"
    r"^in spanish|\bspanish (?:please|pls)\b|\bhablas? espanol|"
    r"habla espanol|puede(?:s)? hablar(?:me)? en espanol|quiero (?:hablar |que me hables |que me hable )?en espanol|"
    r"can you (?:answer|reply|respond|write|talk) in spanish|\bswitch to spanish\b|\bcambia(?:r)? a espanol\b)"
)
_ASK_ENGLISH = re.compile(
    r"(?:^english$|^ingles$|^in english|\benglish (?:please|pls)\b|\ben ingles (?:por favor|porfa)\b|^en ingles|"
    r"\bdo you speak english\b|\bcan (?:you|we) (?:answer|reply|respond|write|talk|do this) in english\b|"
    r"\bswitch to english\b|\bcambia(?:r)? a ingles\b)"
)
# Single words that belong to one language and are common as whole messages.
_SHORT = {
    SPANISH: {"hola", "holaa", "buenas", "buenos dias", "buenas tardes", "buenas noches", "gracias", "muchas gracias",
              "si", "claro", "adios", "chao", "chau", "nos vemos", "vale", "dale", "perfecto gracias", "ayuda",
              "que es", "por favor"},
    ENGLISH: {"hi", "hello", "hey", "thanks", "thank you", "thx", "ty", "yes", "yeah", "yep", "bye", "goodbye",
              "good morning", "good night", "please", "help"},
}


def _plain(text: str) -> str:
    """Lowercase, accents removed, punctuation to spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


@dataclass(frozen=True)
class LanguageGuess:
    language: Optional[str]  # "en", "es", or None when the message does not tell
    confidence: float
    explicit: bool = False  # the person asked for this language
    best: Optional[str] = None  # the likelier language even when unsure (for checks that need a guess)
    spanish: float = 0.0  # the detector's probability that the message is Spanish


@functools.lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def _classify(plain: str) -> Tuple[str, float]:
    """(language code, probability) of the likelier of English and Spanish."""
    values = _detector().compute_language_confidence_values(plain)
    if not values:
        return ENGLISH, 0.5
    best = values[0]
    return (SPANISH if best.language.name == "SPANISH" else ENGLISH), float(best.value)


def detect(text: str) -> LanguageGuess:
    """The language `text` is written in, or None when it is too short or too mixed to tell."""
    plain = _plain(text or "")
    if not plain:
        return LanguageGuess(None, 0.0)
    if _ASK_SPANISH.search(plain):
        return LanguageGuess(SPANISH, 1.0, explicit=True, best=SPANISH)
    if _ASK_ENGLISH.search(plain):
        return LanguageGuess(ENGLISH, 1.0, explicit=True, best=ENGLISH)
    for language, words in _SHORT.items():
        if plain in words:
            return LanguageGuess(language, 1.0, best=language)
    language, probability = _classify(plain)
    spanish = probability if language == SPANISH else 1.0 - probability
    if len(plain.split()) < MIN_WORDS or probability < CONFIDENT:
        return LanguageGuess(None, float(probability), best=str(language), spanish=float(spanish))
    return LanguageGuess(str(language), float(probability), best=str(language), spanish=float(spanish))


def is_only_a_language_request(text: str) -> bool:
    """True for a message that does nothing but ask for a language ("en español por favor")."""
    plain = _plain(text or "")
    if not (_ASK_SPANISH.search(plain) or _ASK_ENGLISH.search(plain)):
        return False
    rest = _ASK_SPANISH.sub(" ", plain)
    rest = _ASK_ENGLISH.sub(" ", rest)
    rest = re.sub(r"\b(?:por favor|porfa|please|pls|plz|ok|si|yes|puedes|can you|answer|respond|responde|contesta|"
                  r"me|hablar|talk|write|escribe|escribeme)\b", " ", rest)
    return not rest.strip()
