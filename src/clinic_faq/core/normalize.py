"""Text normalization for the rule-based screens: lowercase, one kind of apostrophe, contractions
expanded, and the misspellings and SMS spellings people use when they are in a hurry corrected.

The normalized text is only matched against, never stored or shown.
"""

from __future__ import annotations

import re
from typing import Dict

# Whole-word replacements (left side matched case-insensitively as a whole word).
WORD_FIXES: Dict[str, str] = {
    # contractions, with and without the apostrophe
    "can't": "can not", "cant": "can not", "cannot": "can not", "won't": "will not", "wont": "will not",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "arent": "are not", "wasn't": "was not", "wasnt": "was not",
    "couldn't": "could not", "couldnt": "could not", "shouldn't": "should not", "shouldnt": "should not",
    "wouldn't": "would not", "wouldnt": "would not", "haven't": "have not", "havent": "have not",
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'd": "i would", "i'll": "i will",
    "it's": "it is", "that's": "that is", "thats": "that is", "what's": "what is", "whats": "what is",
    "he's": "he is", "she's": "she is", "they're": "they are", "we're": "we are", "you're": "you are",
    "there's": "there is", "who's": "who is", "let's": "let us",
    # SMS spellings
    "u": "you", "ur": "your", "r": "are", "ya": "you", "y": "why", "wat": "what", "wht": "what",
    "pls": "please", "plz": "please", "rn": "right now", "bc": "because", "cuz": "because",
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "tho": "though", "abt": "about",
    "b4": "before", "ima": "i am going to", "imma": "i am going to", "wud": "would", "cud": "could",
    "shud": "should", "fr": "for real", "nobdy": "nobody", "evry1": "everyone", "some1": "someone", "2day": "today", "2nite": "tonight", "tonite": "tonight", "idk": "i do not know",
    "kms": "kill myself", "ctb": "end my life", "unalive": "kill", "unaliving": "killing",
    "od": "overdose", "od'd": "overdosed", "odd'd": "overdosed", "oded": "overdosed", "o.d.": "overdose",
    "mom's": "mom", "dad's": "dad",
    # misspellings of words the screens look for
    "sucidal": "suicidal", "suicidial": "suicidal", "suicdal": "suicidal", "sucidle": "suicidal",
    "suisidal": "suicidal", "suicidle": "suicidal", "sucide": "suicide", "suicde": "suicide",
    "suiside": "suicide", "sucicide": "suicide", "suicied": "suicide",
    "kil": "kill", "kll": "kill", "myslef": "myself", "myselfe": "myself", "mysef": "myself",
    "myslf": "myself", "mself": "myself",
    "breath": "breathe", "breth": "breathe", "breathin": "breathing", "breating": "breathing",
    "brething": "breathing", "breahte": "breathe",
    "unconcious": "unconscious", "unconscience": "unconscious", "unconsious": "unconscious",
    "unresponsve": "unresponsive", "unresposive": "unresponsive",
    "siezure": "seizure", "seizer": "seizure", "seisure": "seizure", "ceasure": "seizure",
    "seazure": "seizure", "siezing": "seizing",
    "overdoes": "overdose", "overdoesed": "overdosed", "overdosd": "overdosed", "overdossed": "overdosed",
    "ovrdose": "overdose", "overdos": "overdose",
    "fanted": "fainted", "faintd": "fainted", "passd": "passed",
    "chestpain": "chest pain", "hart": "heart",
    "ketamin": "ketamine", "ketamene": "ketamine", "ketamen": "ketamine", "ketmine": "ketamine",
    "oxicodone": "oxycodone", "oxycodon": "oxycodone", "fentanil": "fentanyl", "fentynal": "fentanyl",
    "morfine": "morphine", "morphene": "morphine", "doseage": "dosage",
    "pregnet": "pregnant", "preggo": "pregnant", "pregant": "pregnant",
}

_WORD_RE = re.compile(
    r"(?<![\w'])(" + "|".join(sorted(map(re.escape, WORD_FIXES), key=len, reverse=True)) + r")(?![\w'])"
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})
_NT = re.compile(r"(\w)n't\b")
_SPACES = re.compile(r"\s+")


# "k-e-t-a-m-i-n-e" -> "ketamine"; "d0se" -> "dose" (digits standing in for letters inside a word)
_SPELLED_OUT = re.compile(r"\b(?:[a-z][-.]){2,}[a-z]\b")
_LEET = re.compile(r"(?<=[a-z])[013](?=[a-z])")
_LEET_MAP = {"0": "o", "1": "i", "3": "e"}


def normalize(text: str) -> str:
    """Lowercase `text` and undo the spellings the screens should not have to know about."""
    text = (text or "").translate(_APOSTROPHES).lower()
    text = _SPELLED_OUT.sub(lambda m: re.sub(r"[-.]", "", m.group(0)), text)
    text = _LEET.sub(lambda m: _LEET_MAP[m.group(0)], text)
    text = _WORD_RE.sub(lambda m: WORD_FIXES[m.group(1)], text)
    text = _NT.sub(r"\1 not", text)
    return _SPACES.sub(" ", text).strip()
