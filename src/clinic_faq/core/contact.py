"""What a person gives on purpose to be called back: a phone number, a first name.

Plain functions used by the channels before a message reaches Rasa (clinic_faq.channel_stores.contact):
whether a message asks for a call, the phone number in it, and a first name given in answer to "what name
should we ask for?". The number and the name are kept apart from the conversation
(clinic_faq.stores.callbacks); Rasa sees `[PHONE]` and `[NAME]`.
"""

from __future__ import annotations

import re
from typing import Optional

import phonenumbers

REGION = "US"
_CALL_ME = re.compile(
    r"\b(?:call(?:ing)?\s+(?:me|us|him|her|my\s+\w+)(?:\s+back)?|call\s*-?\s*backs?|ring\s+me|phone\s+me|"
    r"give\s+me\s+a\s+call|have\s+(?:someone|somebody|a\s+nurse|the\s+nurse|the\s+team)\s+call|"
    r"ll[aá]m(?:e|en|a)(?:me|nos|le)|me\s+(?:pueden|puede|podr[ií]an|podr[ií]a)\s+llamar|"
    r"me\s+(?:llaman|llame)|devolver\s+(?:la|mi)\s+llamada|que\s+me\s+llamen)\b",
    re.IGNORECASE,
)
# Calling off a call ("cancel the callback", "don't call me", "no me llamen"): not a request for one.
_NO_CALL = re.compile(
    r"\b(?:cancel(?:led|ling)?|stop|don'?t|do\s+not|no\s+need\s+to|no\s+longer\s+need)\s+"
    r"(?:the\s+|my\s+|a\s+|that\s+|this\s+)?(?:call|callback|call-back|phone\s+call)"
    r"|\b(?:cancela\w*|no|ya\s+no)\s+(?:me\s+)?(?:llamen|llame|llames|quiero\s+que\s+me\s+llamen|la\s+llamada)",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[^\W\d_][^\W\d_'\-. ]*(?:[ '\-.][^\W\d_]+){0,3}$")
NAME_MAX_CHARS = 40
# Answers to "what name should we ask for?" that are not a name.
_NOT_A_NAME = re.compile(r"^(?:skip|saltar|sk[ie]p it|no|none|nope|no thanks|no gracias|ninguno|nada|pass|prefer not|"
                         r"prefiero no|cancel|cancelar|never mind|olv[ií]dalo|yes|s[ií]|ok|okay)$", re.IGNORECASE)


# A complaint about the clinic's own people or its phone ("the front desk was rude to my father", "i've left 3 messages
# and no one calls back", "la recepcionista fue grosera con mi mamá"): for a person, like any complaint to an office.
# The clinic's side must be named (its staff, its phone), so "my bank was rude" is not one.
_CLINIC_SIDE = (r"(?:front\s+desk|receptionist|reception|nurse|nurses|doctor|dr|staff|clinic|scheduler|scheduling|"
                r"your\s+(?:people|team|lady|guy|office)|you\s+guys|recepci[oó]n|recepcionista|enfermer[oa]s?|doctora?|"
                r"cl[ií]nica|consultorio|secretaria)")
_ABOUT_STAFF = re.compile(
    rf"\b{_CLINIC_SIDE}\b[^.?!]{{0,60}}?\b(?:rude|mean|disrespectful|yelled|hung\s+up|ignored|groser[oa]s?|mal\s+educad[oa]|"
    r"me\s+colg[oó]|nos\s+colg[oó]|le\s+colg[oó]|me\s+grit[oó]|nos\s+grit[oó]|le\s+grit[oó])\b",
    re.IGNORECASE,
)
_NAMES_CLINIC_SIDE = re.compile(rf"\b{_CLINIC_SIDE}\b", re.IGNORECASE)
# Complaints that do not name the clinic's side: a complaint only when the message is the clinic's (the domain gate).
_GENERAL_COMPLAINT = re.compile(
    r"\b(?:file|make|lodge|submit)\s+(?:a\s+)?(?:formal\s+)?complaint\b|\bponer\s+una\s+queja\b|\bquiero\s+(?:poner\s+)?una\s+queja\b"
    r"|\b(?:no\s+one|nobody|noone)\s+(?:has\s+|have\s+|had\s+)?(?:ever\s+)?(?:calls?|called|calling|gets?|got|gotten)\s+"
    r"(?:me\s+|us\s+)?back\b"
    r"|\b(?:left|sent)\s+(?:\w+\s+)?(?:messages|voicemails)\b[^.?!]{0,40}?\b(?:no\s+(?:one|answer|reply|response)|nobody|never)\b"
    r"|\bnadie\s+(?:me\s+|nos\s+)?(?:regresa|devuelve|contesta|responde)\b",
    re.IGNORECASE,
)


def complaint(text: str) -> Optional[str]:
    """"staff": a complaint about the clinic's people ("the front desk was rude to my father"); "general": one that
    does not name them ("i've left 3 messages and no one calls back"); None: no complaint."""
    if _ABOUT_STAFF.search(text or ""):
        return "staff"
    if not _GENERAL_COMPLAINT.search(text or ""):
        return None
    # "how do i file a complaint about the front desk": a complaint that names the clinic's people is about them
    return "staff" if _NAMES_CLINIC_SIDE.search(text or "") else "general"


def wants_callback(text: str) -> bool:
    """The message asks to be called ("please call me back", "llámenme")."""
    return bool(_CALL_ME.search(text or "")) and not _NO_CALL.search(text or "")


def first_phone(text: str) -> Optional[str]:
    """The first phone number in the text, in E.164 (+15550100100), if it is a possible number."""
    for match in phonenumbers.PhoneNumberMatcher(text or "", REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        if sum(ch.isdigit() for ch in match.raw_string) >= 10:
            return str(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return None


def valid_phone(value: str) -> bool:
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(value, REGION)))
    except phonenumbers.NumberParseException:
        return False


def last_digits(value: str) -> str:
    """The last four digits, the only part of a number a reply may show."""
    return re.sub(r"\D", "", value)[-4:]


def first_name(text: str) -> Optional[str]:
    """A name typed in answer to "what name should we ask for?": one to three words of letters."""
    cleaned = re.sub(r"^(?:my name is|i am|i'm|it's|it is|me llamo|soy|mi nombre es)\s+", "", (text or "").strip(),
                     flags=re.IGNORECASE).strip(" .!")
    if not cleaned or len(cleaned) > NAME_MAX_CHARS or not _NAME.match(cleaned) or _NOT_A_NAME.match(cleaned):
        return None
    return cleaned
