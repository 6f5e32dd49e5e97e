"""Whether a message asks something: a question, a request to the clinic, or a symptom reported to it.

Everyday talk ("it's been a long week", "ya empezo el frio") is not addressed to the clinic, yet the
classifier still ranks some topic or practical intent first, with little confidence. A message that neither
asks nor requests anything, and whose answer the classifier is unsure of, gets the rephrase prompt instead of
an answer to a question nobody asked (clinic_faq.core.decision, `statement_confidence`).

Asking is read from the words, English and Spanish as people type them: a question mark, a question word
anywhere, an auxiliary that opens the message or comes before its subject ("is it", "does she", "will
ketamine"), Spanish question verbs ("se puede", "hay", "tienen"), or the words of a request or a complaint to
an office ("i need", "please", "call", "nobody", "cita", "llamen").
"""

from __future__ import annotations

import re

_WH = (r"(?:how|what|whats|what's|wat|when|where|wheres|where's|why|who|whos|which|whom|qu[eé]|c[oó]mo|"
       r"cu[aá]ndo|d[oó]nde|cu[aá]l|cu[aá]les|cu[aá]nt[oa]s?|qui[eé]n|xq|pq|porque|por qu[eé])")
_AUX = r"(?:is|are|am|was|were|can|could|do|does|did|will|would|should|may|might|have|has|any)"
_SUBJECT = r"(?:it|that|this|there|i|you|u|they|she|he|we|ketamine|someone|anyone)"
_SPANISH_ASKING = (r"(?:es normal|es cierto|es verdad|se puede|puedo|puede|pueden|hay|tienen|aceptan|atienden|abren|"
                   r"cierran|sirve|funciona)")
_REQUEST = (r"(?:i need|i want|i'd like|id like|i would like|i wanna|need to|want to|please|pls|plz|help|looking for|"
            r"wondering|curious|call|calls|called|calling|message|messages|voicemail|rude|waited|nobody|no one|never|"
            r"appointment|appt|slot|quiero|necesito|quisiera|me gustar[ií]a|ocupo|por favor|porfa|porfavor|saber|info|"
            r"informaci[oó]n|llam\w*|mensaje|contestan|cita|servicio|atenci[oó]n)")

# A symptom reported is a question to a clinic even without a question mark ("my hands have been tingling more
# since the last session", "ando con mucho mareo desde la infusión"): the care team answers it.
_SYMPTOM = (r"(?:pain|painful|hurts?|hurting|aches?|aching|achy|sore|worse|nause\w*|queasy|dizz\w*|lightheaded|tingl\w*|"
            r"numb\w*|itch\w*|rash|swell\w*|swollen|vomit\w*|throwing up|threw up|constipat\w*|diarrh\w*|fever\w*|chills|"
            r"hallucinat\w*|confus\w*|drows\w*|groggy|insomnia|bleed\w*|burning|cramp\w*|headaches?|migraines?|"
            r"dolor\w*|duele\w*|mareo\w*|marea\w*|n[aá]usea\w*|hormigue\w*|entumid\w*|adormecid\w*|comez[oó]n|ronchas|"
            r"hinchad\w*|hinchaz[oó]n|v[oó]mit\w*|estreñ\w*|diarrea|fiebre|calentura|escalofr[ií]os?|confundid\w*|sangr\w*|"
            r"ardor|calambres?|jaqueca|migra[nñ]a)")

ASKING = re.compile(
    r"\?|¿"
    rf"|\b{_WH}\b"
    rf"|^\s*{_AUX}\b"
    # "q es la ketamina", "k pasa si la mezclo": a Spanish question word as texted, opening the message (inside
    # one, "q" is mostly "que": "hoy hace un año q se fue")
    r"|^\s*(?:q|k|ke|qe|x\s?q)\b"
    rf"|\b{_AUX} {_SUBJECT}\b"
    rf"|\b{_SPANISH_ASKING}\b"
    rf"|\b{_REQUEST}\b"
    rf"|\b{_SYMPTOM}\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """True when the message asks a question or makes a request (see the module's docstring)."""
    return bool(ASKING.search(text or ""))
