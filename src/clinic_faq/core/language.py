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
MARKERS_OVERRULE = 0.92  # below this probability, one-sided marker words (see `_marked`) decide instead

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
    marked = _marked(plain)
    if marked is not None and marked != language and probability < MARKERS_OVERRULE:
        # "el parking se paga o es gratis": an English noun or two in a Spanish sentence can tip the
        # detector; two or more function words of one language, three times as many as of the other, outweigh it.
        language, probability = marked, MARKERS_OVERRULE
    spanish = probability if language == SPANISH else 1.0 - probability
    if len(plain.split()) < MIN_WORDS or probability < CONFIDENT:
        return LanguageGuess(None, float(probability), best=str(language), spanish=float(spanish))
    return LanguageGuess(str(language), float(probability), best=str(language), spanish=float(spanish))


# Words that mark a short or mixed message as one language: function words, common verbs and texting
# shorthand. Used only for a hint when the detector cannot decide (see `hint`).
_MARKERS = {
    SPANISH: frozenset(
        "el la los las un una unos unas del al de que q xq pq porque por para con sin pero mi mis tu tus su sus "
        "usted ustedes nosotros ella ellos es eres soy son estoy esta estas estan tengo tiene tienes hay "
        "puedo puede puedes quiero necesito sirve funciona duele dolor como cuando donde cual cuanto cuantas "
        "cuantos quien muy mas tambien tmb tb bien bueno buena hoy ahora manana ayer aqui eso esto esa ese "
        "grax grcs grasias gracia cuidate sip simon sale okey oki obvio nop nel mande pues oye hermano mija "
        "mijo senora senor doctora doctor medico medicina pastillas cita cuesta vale seguro "
        # what a clinic's front desk is asked: short questions the detector cannot place ("aceptan medicare?")
        "aceptan acepta atienden abren abierto abiertos abrieron cierran cerrado cerrados hablan habla "
        "citas horario horarios direccion estacionamiento estacionar parqueo aseguranza cobran pagar pago se y paga "
        "gratis".split()
    ),
    ENGLISH: frozenset(
        "the an is are was were you your my i im i'm it its this that these those what whats how who "
        "when where which why do does did can could would should will have has had and or but with for of "
        "to from about on in at be been am thanks thank pls plz please u ur r yeah yep nope cool sure okay "
        "bot real human person doctor medicine pills appointment cost".split()
    ),
}


def _marked(plain: str) -> Optional[str]:
    """The language whose marker words a message holds two or more of, and at least three times as many as
    of the other's; else None."""
    words = plain.split()
    spanish = sum(w in _MARKERS[SPANISH] for w in words)
    english = sum(w in _MARKERS[ENGLISH] for w in words)
    if spanish >= 2 and spanish >= 3 * english:
        return SPANISH
    if english >= 2 and english >= 3 * spanish:
        return ENGLISH
    return None


def hint(text: str) -> Optional[str]:
    """The likelier language of a message the detector cannot decide ("eres un bot?", "bone pain por
    cancer xq pasa"), or None when nothing points either way. Used only while a conversation has no
    language yet, so that an unsure first message in Spanish is not answered in English."""
    plain = _plain(text or "")
    if not plain:
        return None
    words = plain.split()
    spanish = sum(w in _MARKERS[SPANISH] for w in words)
    english = sum(w in _MARKERS[ENGLISH] for w in words)
    if spanish > english:
        return SPANISH
    if english > spanish:
        return ENGLISH
    guess = detect(text)
    if guess.language is not None:
        return guess.language
    if guess.best == SPANISH and guess.spanish >= 0.65:
        return SPANISH
    return None


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
