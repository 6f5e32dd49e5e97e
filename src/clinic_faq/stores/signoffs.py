"""Sign-offs made on the staff page, kept in the clinic store (table `answer_signoffs`), and the register
that joins them with the ones kept with the content (`content/signoffs.yml`).

The register is read again at most every REFRESH_SECONDS, so a sign-off made on one replica is in force on
every replica within that time (at once on the one where it was made).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa

from clinic_faq.core.signoff import Register, SignOff, read_signoffs_file
from clinic_faq.paths import project_file
from clinic_faq.stores.database import METADATA, engine

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 10.0

TABLE = sa.Table(
    "answer_signoffs", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer", sa.String(128), nullable=False, index=True),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("text_hash", sa.String(64), nullable=False),
    sa.Column("signer", sa.String(200), nullable=False),
    sa.Column("role", sa.String(200), nullable=False),
    sa.Column("signed_on", sa.Date, nullable=False),
    sa.Column("review_by", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.Float, nullable=False),
)


def content_file() -> Path:
    return project_file("content", "signoffs.yml")


class SignOffStore:
    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url

    def add(self, signoffs: List[SignOff]) -> None:
        with engine(self.url).begin() as db:
            for s in signoffs:
                db.execute(TABLE.insert().values(answer=s.answer, lang=s.lang, text_hash=s.text_hash, signer=s.signer,
                                                 role=s.role, signed_on=s.signed_on, review_by=s.review_by,
                                                 recorded_at=time.time()))

    def all(self) -> List[SignOff]:
        with engine(self.url).connect() as db:
            rows = db.execute(sa.select(TABLE).order_by(TABLE.c.id)).mappings().all()
        return [SignOff(r["answer"], r["lang"], r["text_hash"], r["signer"], r["role"],
                        _as_date(r["signed_on"]), _as_date(r["review_by"])) for r in rows]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class LiveRegister:
    """The register in force: content/signoffs.yml and the store, read again every REFRESH_SECONDS."""

    def __init__(self, store: Optional[SignOffStore] = None, file: Optional[Path] = None) -> None:
        self.store = store or SignOffStore()
        self.file = file or content_file()
        self._register: Optional[Register] = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._read_at = 0.0

    def get(self) -> Register:
        now = time.monotonic()
        with self._lock:
            if self._register is None or now - self._read_at >= REFRESH_SECONDS:
                signoffs = read_signoffs_file(self.file)
                try:
                    signoffs += self.store.all()
                except sa.exc.SQLAlchemyError:
                    logger.exception("Sign-offs: the clinic store cannot be read; using content/signoffs.yml alone.")
                self._register = Register(signoffs)
                self._read_at = now
            return self._register


_live: Optional[LiveRegister] = None


def live_register() -> LiveRegister:
    """The process's register (the NLG and the staff page share it, so a sign-off counts at once)."""
    global _live
    if _live is None:
        _live = LiveRegister()
    return _live
