"""What the phone tree's SMS channel remembers, under each number's keyed hash (never the number itself).

Opt-outs (STOP until START), the language of the conversation, the numbered menu last sent, and the
Twilio message ids already handled with the reply they got (so a retried webhook is answered once). A
small SQLite file by default (`var/phone_tree.db`), or any SQLAlchemy database URL: with several replicas,
PostgreSQL named by PHONE_TREE_STORE_URL, so a retried MessageSid is recognised whichever replica it
reaches. Used by `clinic_faq.rasa_ext.channels.phone_tree`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, List, Optional, Union

import sqlalchemy as sa

# A handled message id is remembered this long (Twilio retries within minutes).
HANDLED_SECONDS = 86400.0


class PhoneTreeStore:
    """Opt-outs, menus and handled message ids: a SQLite file by default, or any SQLAlchemy database URL
    (PostgreSQL in production, shared by every replica: PHONE_TREE_STORE_URL)."""

    def __init__(self, location: Union[str, Path]) -> None:
        location = str(location)
        if "://" not in location:
            Path(location).parent.mkdir(parents=True, exist_ok=True)
            location = f"sqlite:///{location}"
        self.engine = sa.create_engine(location, pool_pre_ping=True, future=True)
        meta = sa.MetaData()
        self.opt_out = sa.Table("phone_opt_out", meta, sa.Column("sender", sa.String(128), primary_key=True),
                                sa.Column("at", sa.Float))
        self.menus = sa.Table("phone_menu", meta, sa.Column("sender", sa.String(128), primary_key=True),
                              sa.Column("payloads", sa.Text), sa.Column("at", sa.Float))
        self.handled = sa.Table("phone_handled", meta, sa.Column("sid", sa.String(128), primary_key=True),
                                sa.Column("reply", sa.Text), sa.Column("at", sa.Float))
        self.languages = sa.Table("phone_language", meta, sa.Column("sender", sa.String(128), primary_key=True),
                                  sa.Column("language", sa.String(8)), sa.Column("at", sa.Float))
        self._meta = meta
        self._ready = False

    @property
    def db(self) -> sa.engine.Engine:
        """The engine, with the tables created on first use (the server may create the database later
        than this channel is built: Rasa builds channels before the tracker store)."""
        if not self._ready:
            self._meta.create_all(self.engine)
            self._ready = True
        return self.engine

    def _put(self, table: sa.Table, key: str, **values: Any) -> None:
        """Insert or replace the row with this primary key, in one transaction."""
        column = next(iter(table.primary_key.columns))
        with self.db.begin() as db:
            db.execute(table.delete().where(column == key))
            db.execute(table.insert().values({column.name: key, **values}))

    def opted_out(self, sender: str) -> bool:
        with self.db.connect() as db:
            row = db.execute(sa.select(self.opt_out.c.sender).where(self.opt_out.c.sender == sender)).first()
        return row is not None

    def set_opt_out(self, sender: str, out: bool) -> None:
        if out:
            self._put(self.opt_out, sender, at=time.time())
        else:
            with self.db.begin() as db:
                db.execute(self.opt_out.delete().where(self.opt_out.c.sender == sender))

    def language(self, sender: str) -> str:
        """The conversation's language on this number ("en" until it is known to be Spanish)."""
        with self.db.connect() as db:
            row = db.execute(sa.select(self.languages.c.language).where(self.languages.c.sender == sender)).first()
        return str(row[0]) if row else "en"

    def set_language(self, sender: str, language: str) -> None:
        self._put(self.languages, sender, language=language, at=time.time())

    def menu(self, sender: str) -> List[str]:
        with self.db.connect() as db:
            row = db.execute(sa.select(self.menus.c.payloads).where(self.menus.c.sender == sender)).first()
        return [str(payload) for payload in json.loads(row[0])] if row else []

    def set_menu(self, sender: str, payloads: List[str]) -> None:
        self._put(self.menus, sender, payloads=json.dumps(payloads), at=time.time())

    def claim(self, sid: str, now: Optional[float] = None) -> bool:
        """True if this message id is new (and now claimed), False if it was seen before (on any replica)."""
        now = time.time() if now is None else now
        with self.db.begin() as db:
            db.execute(self.handled.delete().where(self.handled.c.at < now - HANDLED_SECONDS))
        try:
            with self.db.begin() as db:
                db.execute(self.handled.insert().values(sid=sid, reply=None, at=now))
            return True
        except sa.exc.IntegrityError:
            return False

    def finish(self, sid: str, reply: str) -> None:
        """Remember the reply to a claimed message id: a retry of it gets this reply, unprocessed."""
        with self.db.begin() as db:
            db.execute(self.handled.update().where(self.handled.c.sid == sid).values(reply=reply))

    def release(self, sid: str) -> None:
        """Forget a claimed message id that was not handled (its turn was not stored): a retry of it is
        processed again instead of being answered from here."""
        with self.db.begin() as db:
            db.execute(self.handled.delete().where(self.handled.c.sid == sid))

    def claimed(self, sid: str) -> bool:
        """Whether this message id is claimed (being handled, or handled)."""
        with self.db.connect() as db:
            row = db.execute(sa.select(self.handled.c.sid).where(self.handled.c.sid == sid)).first()
        return row is not None

    def reply_for(self, sid: str) -> Optional[str]:
        """The reply given to this message id; None while it is still being handled, or if it is unknown."""
        with self.db.connect() as db:
            row = db.execute(sa.select(self.handled.c.reply).where(self.handled.c.sid == sid)).first()
        return None if row is None or row[0] is None else str(row[0])
