"""Clinician sign-off of the curated answers: who checked which text, against what, and until when.

Every curated answer (`utter_answer_<topic>`, `utter_more_<topic>` in domain.yml) is signed per language:
a sign-off names the clinician (name and role), the day, the exact text it covers (a hash of the text), and
the day it must be reviewed again. An answer is **signed** while its text is the one that was signed and the
review day has not passed; otherwise it is **unsigned**, for one of three reasons: never signed, its text
changed since, or its review is overdue.

What happens to an unsigned medical answer is the clinic's choice (`content.unsigned_answers` in clinic.yml):
`serve` it with a warning, or `refer` the person to the care team instead. Sign-offs are kept in
`content/signoffs.yml` (with the content, in version control) and in the clinic's store (signed on the staff
page); the latest one for an answer and language counts.

Plain Python: no Rasa, no database (clinic_faq.stores.signoffs keeps them).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

LANGUAGES = ("en", "es")
DUE_SOON_DAYS = 30
SERVE, REFER = "serve", "refer"

SIGNED, NEVER_SIGNED, CHANGED, OVERDUE = "signed", "never signed", "changed since sign-off", "review overdue"


def text_hash(text: str) -> str:
    """The hash a sign-off covers: the answer's text as written in domain.yml (placeholders included),
    with Unicode normalized and runs of spaces and line breaks read as one space."""
    plain = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Answer:
    """One curated answer in one language, as the person reads it (before the clinic's details are filled in)."""

    name: str  # the response, e.g. utter_answer_side_effects
    lang: str
    text: str
    topic: str
    medical: bool
    sources: Tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.name}:{self.lang}"

    @property
    def hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class SignOff:
    answer: str  # the response name
    lang: str
    text_hash: str
    signer: str  # the clinician's name
    role: str  # e.g. "Pain medicine physician"
    signed_on: date
    review_by: date

    @property
    def key(self) -> str:
        return f"{self.answer}:{self.lang}"

    def to_dict(self) -> Dict[str, Any]:
        data = asdict(self)
        data["signed_on"], data["review_by"] = self.signed_on.isoformat(), self.review_by.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignOff:
        missing = [k for k in ("answer", "lang", "text_hash", "signer", "role", "signed_on", "review_by") if not data.get(k)]
        if missing:
            raise ValueError(f"a sign-off needs {', '.join(missing)}")
        lang = str(data["lang"])
        if lang not in LANGUAGES:
            raise ValueError(f"a sign-off's lang must be one of {LANGUAGES}, not {lang!r}")
        signed_on, review_by = _date(data["signed_on"]), _date(data["review_by"])
        if review_by < signed_on:
            raise ValueError("a sign-off's review_by cannot come before signed_on")
        return cls(str(data["answer"]), lang, str(data["text_hash"]), str(data["signer"]).strip(),
                   str(data["role"]).strip(), signed_on, review_by)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class State:
    answer: Answer
    status: str  # SIGNED, NEVER_SIGNED, CHANGED or OVERDUE
    signoff: Optional[SignOff] = None  # the sign-off that covers this text (also when it is overdue)
    today: Optional[date] = None

    @property
    def signed(self) -> bool:
        return self.status == SIGNED

    @property
    def due_soon(self) -> bool:
        """Signed, and due for review within DUE_SOON_DAYS."""
        return bool(self.signed and self.signoff and self.today
                    and self.signoff.review_by <= self.today + timedelta(days=DUE_SOON_DAYS))


class Register:
    """The sign-offs in force: the latest one per answer, language and text."""

    def __init__(self, signoffs: Iterable[SignOff] = ()) -> None:
        self._by_text: Dict[Tuple[str, str], SignOff] = {}
        self._signed_keys: Dict[str, SignOff] = {}
        for signoff in signoffs:
            self.add(signoff)

    def add(self, signoff: SignOff) -> None:
        key = (signoff.key, signoff.text_hash)
        current = self._by_text.get(key)
        if current is None or (signoff.signed_on, signoff.review_by) >= (current.signed_on, current.review_by):
            self._by_text[key] = signoff
        latest = self._signed_keys.get(signoff.key)
        if latest is None or signoff.signed_on >= latest.signed_on:
            self._signed_keys[signoff.key] = signoff

    def __iter__(self) -> Any:
        return iter(sorted(self._by_text.values(), key=lambda s: (s.answer, s.lang, s.signed_on)))

    def __len__(self) -> int:
        return len(self._by_text)

    def state(self, answer: Answer, today: date) -> State:
        signoff = self._by_text.get((answer.key, answer.hash))
        if signoff is None:
            status = CHANGED if answer.key in self._signed_keys else NEVER_SIGNED
            return State(answer, status, None, today)
        return State(answer, SIGNED if signoff.review_by >= today else OVERDUE, signoff, today)


def curated_answers(responses: Mapping[str, Sequence[Mapping[str, Any]]]) -> List[Answer]:
    """Every curated answer of the domain's responses (route answer, with a topic), per language."""
    answers = []
    for name, variations in responses.items():
        if not name.startswith(("utter_answer_", "utter_more_")):
            continue
        for variation in variations:
            meta = variation.get("metadata") or {}
            if meta.get("route") != "answer" or not meta.get("topic"):
                continue
            lang = "es" if meta.get("lang") == "es" else "en"
            answers.append(Answer(name, lang, str(variation.get("text") or ""), str(meta["topic"]),
                                  bool(meta.get("medical")), tuple(str(s) for s in meta.get("sources") or [])))
    return answers


def load_domain_answers(domain_path: Path) -> List[Answer]:
    with open(domain_path, encoding="utf-8") as f:
        return curated_answers((yaml.safe_load(f) or {}).get("responses") or {})


def read_signoffs_file(path: Path) -> List[SignOff]:
    """The sign-offs kept with the content (`content/signoffs.yml`); a missing file holds none."""
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except FileNotFoundError:
        return []
    records = data.get("signoffs") or [] if isinstance(data, dict) else []
    signoffs = []
    for i, record in enumerate(records, start=1):
        try:
            signoffs.append(SignOff.from_dict(record))
        except (ValueError, TypeError) as e:
            raise ValueError(f"{path}: sign-off {i}: {e}") from None
    return signoffs


def export_yaml(signoffs: Iterable[SignOff]) -> str:
    """The sign-offs as content/signoffs.yml holds them, to keep with the content."""
    records = [s.to_dict() for s in sorted(signoffs, key=lambda s: (s.answer, s.lang, s.signed_on))]
    header = ("# Clinician sign-offs of the curated answers (clinic_faq.core.signoff): who checked which text\n"
              "# (text_hash), when, and when it must be reviewed again. Exported from the staff page.\n")
    return header + yaml.safe_dump({"version": 1, "signoffs": records}, allow_unicode=True, sort_keys=False)


def policy(configured: Optional[str], example_values: bool) -> str:
    """What an unsigned medical answer gets: the clinic's setting, else `serve` while clinic.yml holds example
    values (a demo) and `refer` once it holds the clinic's own."""
    if configured in (SERVE, REFER):
        return configured
    return SERVE if example_values else REFER
