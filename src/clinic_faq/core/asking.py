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
_SYMPTOM = (r"(?:pain|painful|hurts?|hurting|aches?|aching|achy|sore|worse|sharper|nause\w*|queasy|dizz\w*|woozy|"
            r"lightheaded|light-headed|vertigo|spins|spinning|tingl\w*|pins\s+(?:and|n|&)\s+needles|numb|numbness|itch\w*|rash|"
            r"hives|swell\w*|swollen|puffy|vomit\w*|throwing up|threw up|constipat\w*|diarrh\w*|fever\w*|chills|"
            r"hallucinat\w*|confus\w*|foggy|fog|groggy|drows\w*|hungover|insomnia|nightmares|vivid dreams|weird dreams|"
            r"bleed\w*|bruis\w*|burn|burns|burning|cramp\w*|twitch\w*|tremors?|shaky|headaches?|migraines?|blurry|"
            r"blurred|ringing|weepy|teary|detached|spacey|spaced out|restless legs|metal(?:lic)? taste|heartburn|"
            r"can'?t focus|can'?t sleep|cannot sleep|no appetite|"
            r"dolor\w*|duele\w*|doliendo|mareo\w*|mare[ao]\w*|n[aá]usea\w*|hormigue\w*|entumid\w*|adormecid\w*|"
            r"dormid[oa]s|durmieron|comez[oó]n|ronchas|sarpullido|hinchad\w*|hinchan|hinchaz[oó]n|v[oó]mit\w*|estreñ\w*|"
            r"diarrea|fiebre|calentura|escalofr[ií]os?|confundid\w*|atontad\w*|olvidadiz\w*|sangr\w*|arde|ardor|quemaz[oó]n|"
            r"agruras|calambres?|jaqueca|migra[nñ]a|borroso|zumban|zumbido|pesadillas|llor[oó]n\w*|tiemblan|temblor\w*|"
            r"cruda|sin hambre|no tengo hambre|no puedo dormir)")

# A question as such: a question mark, a question word, an auxiliary that opens the message or comes before its
# subject; "q es la ketamina", "k pasa si la mezclo": a Spanish question word as texted, opening the message
# (inside one, "q" is mostly "que": "hoy hace un año q se fue").
_QUESTION = (
    r"\?|¿"
    rf"|\b{_WH}\b"
    rf"|^\s*{_AUX}\b"
    rf"|\b{_AUX} {_SUBJECT}\b"
    r"|^\s*(?:q|k|ke|qe|x\s?q)\b"
)
# ... and, for telling a symptom from a question about one, "does any of it help with pain" (not in ASKING: "i
# can't do anything" is not a question, and a symptom reported already asks)
QUESTION = re.compile(rf"{_QUESTION}|\b{_AUX} (?:any|anything|anyone|anybody|something|someone)\b", re.IGNORECASE)
# Asking: a question, or a request or complaint to an office, or a symptom reported.
ASKING = re.compile(rf"{_QUESTION}|\b{_SPANISH_ASKING}\b|\b{_REQUEST}\b|\b{_SYMPTOM}\b", re.IGNORECASE)
_SYMPTOM_WORD = re.compile(rf"\b{_SYMPTOM}\b", re.IGNORECASE)


def asks(text: str) -> bool:
    """True when the message asks a question or makes a request (see the module's docstring)."""
    return bool(ASKING.search(text or ""))


# When a symptom began or how often it comes: a report about the person, even with the subject left out
# ("ringing in both ears since the last session", "bit lightheaded today").
_WHEN = re.compile(r"\b(?:since|started|starting|after (?:the|my|his|her|each|every)|this week|today|tonight|lately|"
                   r"every (?:night|day|morning|time)|desde|empez[oó]|despu[eé]s de|esta semana|hoy|[uú]ltimamente|"
                   r"cada (?:noche|d[ií]a|vez|ma[nñ]ana)|en las (?:noches|tardes|ma[nñ]anas))\b", re.IGNORECASE)


def reports_symptom(text: str, first_person: bool = True) -> bool:
    """A symptom told, not asked about ("my pain has been way worse since yesterday", "mi mamá tiene más dolor
    desde ayer"): the care team's to answer (clinic_faq.core.decision), whatever topic it resembles. The writer
    or a relative is its subject, or the message says when it began or how often it comes."""
    text = text or ""
    if not _SYMPTOM_WORD.search(text) or QUESTION.search(text):
        return False
    return first_person or bool(_WHEN.search(text))
