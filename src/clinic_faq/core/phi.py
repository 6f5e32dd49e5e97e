"""Personal health information (PHI) detection and redaction.

User text is redacted where it enters the Rasa server (see `channels.redaction`), so the tracker store,
the logs and any event broker only ever see typed placeholders such as `[PHONE]` or `[DOB]`. The
placeholders keep enough meaning for the classifier and let the safety screen warn the person.

Phone numbers are found with `phonenumbers` (Google's libphonenumber port). The other kinds are
regular expressions tuned to how people type them into a chat or a text message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Set, Tuple

import phonenumbers

from clinic_faq.core.dose import DOSE_AMOUNT_RE

PLACEHOLDER_RE = re.compile(r"\[(SSN|EMAIL|DOB|DATE|MRN|INSURANCE_ID|ADDRESS|PHONE|NAME|HEALTH_DETAIL)\]")
IDENTIFIERS = {"SSN", "EMAIL", "DOB", "MRN", "INSURANCE_ID", "ADDRESS", "PHONE", "NAME"}

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?:19|20)\d{{2}})"
)
_ID_LABEL_END = r"\s*(?:is|was|:|#|no\.?|number)?\s*[:#]?\s*"

_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|ter|circle|cir|parkway|pkwy|highway|hwy|trail|trl|square|sq)\b\.?"
)

# Words that end a name typed after "my name is" (people type lowercase in SMS).
_NOT_NAME = (
    "and|but|so|i|im|i'm|my|me|the|a|an|is|was|have|had|has|with|from|at|in|on|for|to|of|not|"
    "just|really|very|calling|writing|texting|asking|here|wondering|looking|trying|currently|also|"
    "patient|pt|please|pls|thanks|thank|hi|hello|hey|ok|okay|sorry|about|because|cause|bc|"
    # words that follow "this is" in ordinary sentences ("this is goodbye", "this is too much"): never
    # redact them, or a farewell or a cry for help would be hidden from the safety screen
    "goodbye|bye|farewell|it|too|so|hard|awful|terrible|horrible|unbearable|enough|over|done|the|end|"
    "killing|killing|hell|torture|scary|serious|urgent|an|all|what|how|why|getting|going|taking|our|your|"
    "his|her|their|not|no|ridiculous|crazy|insane|bad|worse|worst|real|normal|ok|fine|great|good|new|"
    "my|last|final|it's|its|that|about"
)
_NAME_WORD = rf"(?!(?:{_NOT_NAME})\b)[a-z][a-z'’-]+"


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# (placeholder, compiled pattern); applied in this order, most specific first.
_PATTERNS: List[Tuple[str, re.Pattern[str]]] = [
    ("EMAIL", _rx(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("SSN", _rx(r"\b\d{3}[- .]\d{2}[- .]\d{4}\b")),
    ("SSN", _rx(r"\b(?:ssn|social security(?: number| no\.?| #)?|social)" + _ID_LABEL_END + r"\d{9}\b")),
    ("SSN", _rx(r"\blast (?:4|four)(?: digits)? of (?:my |his |her )?(?:ssn|social(?: security)?(?: number)?)"
                r"\s*(?:is|are|:)?\s*\d{4}\b")),
    (
        "MRN",
        _rx(
            r"\b(?:mrn|medical record(?: number| no\.?| #| num)?|record (?:number|no\.?|#)|"
            r"chart (?:number|no\.?|#)|patient (?:id|number|no\.?|#)|hospital (?:id|number))"
            + _ID_LABEL_END
            + r"(?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{3,}"
        ),
    ),
    (
        "INSURANCE_ID",
        _rx(
            r"\b(?:member|policy|subscriber|insurance|group|medicare|medicaid|insurance member)"
            r"\s*(?:id|number|no\.?|#|num)" + _ID_LABEL_END + r"(?=[a-z0-9-]*\d)[a-z0-9][a-z0-9-]{4,}"
        ),
    ),
    ("INSURANCE_ID", _rx(r"\bgroup\s*(?:id|number|no\.?|#)?\s*[:#]?\s*(?=[a-z0-9-]*\d)[a-z0-9-]{4,}")),
    ("DOB", _rx(r"\b(?P<keep>(?:dob|d\.o\.b\.?|date of birth|born(?: on)?|birth ?day(?: is)?|bday)\s*(?:is|:|-)?\s*)" + _DATE)),
    # Spanish: "nací el 3/4/1960", "fecha de nacimiento: ..."
    ("DOB", _rx(r"\b(?P<keep>(?:nac[ií](?: el)?|fecha de nacimiento(?: es)?|mi cumplea[ñn]os(?: es)?)\s*(?::|-)?\s*)" + _DATE)),
    ("DATE", _rx(r"\b" + _DATE + r"\b")),
    (
        "ADDRESS",
        _rx(
            r"\b\d{1,6}\s+(?:[nsew]\.?\s+)?(?:[a-z0-9'’-]+\s+){1,3}" + _STREET_SUFFIX
            + r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#)\.?\s*[a-z0-9-]+)?"
            + r"(?:,?\s+[a-z]+(?:\s[a-z]+)?(?:,?\s+[a-z]{2})?(?:\s+\d{5}(?:-\d{4})?)?)?"
        ),
    ),
    ("ADDRESS", _rx(r"\bp\.?\s?o\.?\s+box\s+\d+")),
    (
        "NAME",
        _rx(
            r"(?P<keep>\b(?:my name is|my name's|my names|name is|name:|i am called|patient name:?|"
            r"patient is|this is|sign(?:ed)?,?|regards,?|"
            # Spanish
            r"me llamo|mi nombre es|mi nombre:|nombre del paciente:?|el paciente es|la paciente es)\s+)"
            + rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
        ),
    ),
]

# A capitalised name word, double-barrelled ones included ("Abernathy-Moore", "O'Neil").
_CAP = r"[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)*"

_RELATIVE_NAME = re.compile(
    r"(?P<keep>\b(?:my|his|her|our) (?:wife|husband|mom|mother|dad|father|son|daughter|brother|sister|partner|"
    r"grandma|grandmother|grandpa|grandfather|aunt|uncle|friend|caregiver|spouse),?\s+)"
    rf"{_CAP}(?:\s+{_CAP}){{0,2}}\b"
)
_FIELD_NAME = re.compile(
    r"(?P<keep>[\"']?\b(?:patient|name|patient_name|full_name|fullname)[\"']?\s*[:=]\s*[\"']?)"
    r"[A-Za-z][A-Za-z'’-]+(?:\s+[A-Za-z][A-Za-z'’-]+){0,2}",
    re.IGNORECASE,
)
# A capitalised full name standing right before an identifier: "Dana Whitfield, DOB ..."
_NAME_BEFORE_ID = re.compile(
    rf"\b{_CAP}(?:\s+{_CAP}){{1,2}}(?=,?\s+(?:DOB|dob|born|MRN|mrn|date of birth|phone|SSN|ssn))"
)
# Health details that become PHI once the same message carries an identifier.
_LINKED_HEALTH = [
    _rx(r"(?P<keep>\b(?:dx|diagnosis|diagnosed with|meds|medications|rx|allergies)\s*[:=-]\s*)[^|\n;{}\"]+"),
    _rx(r"\bstage\s+(?:[0-4]|i{1,3}v?|iv)[abc]?\b"),
]

# "I'm Dana Whitfield": only capitalised words, so "I'm worried" is left alone.
_CAPITALISED_NAME = re.compile(
    r"(?P<keep>\b(?:(?i:i'm|i’m|im|i am|soy|habla)|It's|It is|Hi,? this is|Hello,? this is)\s+)"
    r"(?!(?:The|A|An|In|On|At|So|Not|Just|Very|Really|Here|Calling|Writing|Texting|Asking|Wondering|"
    r"Looking|Trying|Sorry|Ok|Okay|Scared|Worried|Afraid|Tired|Sick|Fine|Good|Glad|Still|Also|Having|"
    r"Getting|Going|Currently|Pregnant|Taking|On|Ketamine|Interested|Curious)\b)"
    rf"{_CAP}(?:\s+{_CAP}){{1,2}}\b"
)

_SEVEN_DIGIT_PHONE = re.compile(r"\b\d{3}[-. ]\d{4}\b")

# A cheap first look: nearly every message has none of these and skips the full scan.
_MIGHT_HAVE_PHI = re.compile(
    r"\d|@|\bname|\bpatient|\bmy (?:wife|husband|mom|mother|dad|father|son|daughter|brother|sister|partner|grand\w+|aunt|uncle|friend|caregiver|spouse)\b|\bi'?m\s+[A-Z]|\bi am\s+[A-Z]|\bsoy\s|\bhabla\s|\bllamo\b|\bnombre\b|\bthis is\b|\bsign|\bregards|\bbox\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Redaction:
    text: str
    found: Tuple[str, ...]  # placeholder kinds found, sorted, without duplicates

    @property
    def changed(self) -> bool:
        return bool(self.found)


# A pet's name ("got a new puppy!! his name is waffles", "mi gato se llama Michi") is no one's identifier.
_PET_NAME = re.compile(
    r"\b(?:puppy|puppies|pup|dog|doggo|kitten|kitty|cat|bird|parrot|hamster|bunny|rabbit|horse|pony|fish|turtle|"
    r"perr[oa]|perrit[oa]|cachorr[oa]|gat[oa]|gatit[oa]|mascota|loro|perico|conejo|tortuga)s?\b"
    r"[^.?\n]{0,50}?\b(?P<name>(?:his|her|its|their|the) name(?:'s| is)|names? (?:is|are)|se llama|su nombre es)\s+",
    re.IGNORECASE,
)


def _sub(pattern: re.Pattern[str], kind: str, text: str, found: Set[str],
         spared: Tuple[Tuple[int, int], ...] = ()) -> str:
    def repl(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in spared):
            return match.group(0)
        found.add(kind)
        keep = match.group("keep") if "keep" in pattern.groupindex else ""
        return f"{keep}[{kind}]"

    return pattern.sub(repl, text)


def _redact_phones(text: str, found: Set[str]) -> str:
    pieces, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = sum(ch.isdigit() for ch in match.raw_string)
        if digits < 7:
            continue
        pieces.append(text[last : match.start])
        pieces.append("[PHONE]")
        last = match.end
        found.add("PHONE")
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str) -> Redaction:
    """Replace every PHI string in `text` with a typed placeholder."""
    if not text or not _MIGHT_HAVE_PHI.search(text):
        return Redaction(text or "", ())
    found: Set[str] = set()
    for kind, pattern in _PATTERNS:
        spared = tuple((m.start("name"), m.end()) for m in _PET_NAME.finditer(text)) if kind == "NAME" else ()
        text = _sub(pattern, kind, text, found, spared)
    for pattern in (_CAPITALISED_NAME, _RELATIVE_NAME, _FIELD_NAME, _NAME_BEFORE_ID):
        text = _sub(pattern, "NAME", text, found)
    if any(ch.isdigit() for ch in text):
        text = _redact_phones(text, found)
        text = _sub(_SEVEN_DIGIT_PHONE, "PHONE", text, found)
    if found & IDENTIFIERS:
        for pattern in _LINKED_HEALTH:
            text = _sub(pattern, "HEALTH_DETAIL", text, found)
        text = _sub(DOSE_AMOUNT_RE, "HEALTH_DETAIL", text, found)
    # Long digit runs that survived (account numbers and the like) are identifiers too.
    text = _sub(re.compile(r"\b\d{7,}\b"), "MRN", text, found)
    return Redaction(text, tuple(sorted(found)))


def placeholders_in(text: str) -> Tuple[str, ...]:
    """Placeholder kinds present in already-redacted text."""
    return tuple(sorted(set(PLACEHOLDER_RE.findall(text or ""))))
