"""Callback requests, kept apart from the conversation: the number, a first name, the best time, the reason.

Three tables in the clinic store (SQLite `var/clinic.db` by default, PostgreSQL in production):

- `contact_vault`: what a person typed on purpose for a callback (a phone number, a first name), taken out of
  the message by the channel before Rasa sees it (Rasa gets `[PHONE]` or `[NAME]` and a token in the
  message's metadata). An entry lives VAULT_SECONDS unless a request claims it. The channel keeps a number
  only when the conversation is asking for one (`awaiting`) or the message asks for a call.
- `callback_requests`: one row per request, with its status (open, called, no_answer, closed), for the staff
  inbox; deleted `keep_days` after it is closed (`make purge`).
- `callback_events`: who marked a request, how and when (the inbox's history; the time to first call).

The conversation records only "request N was made": no number, no name.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa

from clinic_faq.stores.database import METADATA, engine

VAULT_SECONDS = 15 * 60.0
AWAIT_SECONDS = 15 * 60.0
STATUSES = ("open", "called", "no_answer", "closed")

VAULT = sa.Table(
    "contact_vault", METADATA,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # phone | name
    sa.Column("value", sa.String(200), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("claimed", sa.Boolean, nullable=False, default=False),
)
AWAITING = sa.Table(
    "contact_awaiting", METADATA,
    sa.Column("conversation", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("until", sa.Float, nullable=False),
)
REQUESTS = sa.Table(
    "callback_requests", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200)),
    sa.Column("best_time", sa.String(100)),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="open"),
    sa.Column("closed_at", sa.Float),
    sa.Column("notified", sa.String(200)),  # "email sent; sms failed: ..." for the staff page
)
EVENTS = sa.Table(
    "callback_events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("by", sa.String(200), nullable=False),
)


@dataclass(frozen=True)
class Request:
    id: int
    created_at: float
    channel: str
    language: str
    phone: str
    name: Optional[str]
    best_time: Optional[str]
    reason: str
    status: str
    closed_at: Optional[float]
    notified: Optional[str]
    history: Tuple[Any, ...] = ()


class CallbackStore:
    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url

    @property
    def db(self) -> sa.engine.Engine:
        return engine(self.url)

    # --- the vault: what the channel took out of a message -------------------------------------------

    def keep(self, conversation: str, kind: str, value: str, now: Optional[float] = None) -> str:
        token = secrets.token_urlsafe(18)
        with self.db.begin() as db:
            db.execute(VAULT.insert().values(token=token, conversation=conversation, kind=kind, value=value[:200],
                                             created_at=now or time.time(), claimed=False))
        return token

    def kept(self, token: str, conversation: str, now: Optional[float] = None) -> Optional[Dict[str, str]]:
        """The vault entry under `token`, if it belongs to this conversation and has not expired."""
        with self.db.connect() as db:
            row = db.execute(sa.select(VAULT).where(VAULT.c.token == token, VAULT.c.conversation == conversation)).mappings().first()
        if row is None or (not row["claimed"] and (now or time.time()) - row["created_at"] > VAULT_SECONDS):
            return None
        return {"kind": str(row["kind"]), "value": str(row["value"])}

    def latest_kept(self, conversation: str, kind: str, now: Optional[float] = None) -> Optional[str]:
        """The token of the conversation's latest unexpired entry of this kind (a number given a moment ago)."""
        since = (now or time.time()) - VAULT_SECONDS
        with self.db.connect() as db:
            row = db.execute(sa.select(VAULT.c.token).where(VAULT.c.conversation == conversation, VAULT.c.kind == kind,
                                                            VAULT.c.created_at >= since)
                             .order_by(VAULT.c.created_at.desc())).first()
        return str(row[0]) if row else None

    def claim(self, token: str) -> None:
        with self.db.begin() as db:
            db.execute(VAULT.update().where(VAULT.c.token == token).values(claimed=True))

    def drop(self, token: str) -> None:
        """Drop one kept value (the person said it is not the number to call)."""
        with self.db.begin() as db:
            db.execute(VAULT.delete().where(VAULT.c.token == token))

    def forget(self, conversation: str) -> None:
        """Drop everything kept for a conversation (a cancelled or finished request)."""
        with self.db.begin() as db:
            db.execute(VAULT.delete().where(VAULT.c.conversation == conversation))
            db.execute(AWAITING.delete().where(AWAITING.c.conversation == conversation))

    def await_(self, conversation: str, kind: Optional[str], now: Optional[float] = None) -> None:
        """The conversation's next message answers a question for `kind` (None: it no longer does)."""
        with self.db.begin() as db:
            db.execute(AWAITING.delete().where(AWAITING.c.conversation == conversation))
            if kind:
                db.execute(AWAITING.insert().values(conversation=conversation, kind=kind,
                                                    until=(now or time.time()) + AWAIT_SECONDS))

    def awaiting(self, conversation: str, now: Optional[float] = None) -> Optional[str]:
        with self.db.connect() as db:
            row = db.execute(sa.select(AWAITING.c.kind, AWAITING.c.until).where(AWAITING.c.conversation == conversation)).first()
        return str(row[0]) if row and row[1] >= (now or time.time()) else None

    # --- requests ------------------------------------------------------------------------------------

    def create(self, channel: str, language: str, phone: str, name: Optional[str], best_time: Optional[str],
               reason: str, now: Optional[float] = None) -> int:
        with self.db.begin() as db:
            result = db.execute(REQUESTS.insert().values(
                created_at=now or time.time(), channel=channel, language=language, phone=phone, name=name,
                best_time=best_time, reason=reason, status="open"))
            return int(result.inserted_primary_key[0])

    def set_notified(self, request_id: int, note: str) -> None:
        with self.db.begin() as db:
            db.execute(REQUESTS.update().where(REQUESTS.c.id == request_id).values(notified=note[:200]))

    def mark(self, request_id: int, status: str, by: str, now: Optional[float] = None) -> bool:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        at = now or time.time()
        with self.db.begin() as db:
            found = db.execute(REQUESTS.update().where(REQUESTS.c.id == request_id)
                               .values(status=status, closed_at=at if status == "closed" else None)).rowcount
            if found:
                db.execute(EVENTS.insert().values(request_id=request_id, at=at, status=status, by=by[:200]))
        return bool(found)

    def requests(self, include_closed: bool = False) -> List[Request]:
        query = sa.select(REQUESTS).order_by(REQUESTS.c.created_at)
        if not include_closed:
            query = query.where(REQUESTS.c.status != "closed")
        with self.db.connect() as db:
            rows = db.execute(query).mappings().all()
            history: Dict[int, List[Any]] = {}
            if rows:
                for event in db.execute(sa.select(EVENTS).where(EVENTS.c.request_id.in_([r["id"] for r in rows]))
                                        .order_by(EVENTS.c.at)).mappings():
                    history.setdefault(int(event["request_id"]), []).append((event["at"], event["status"], event["by"]))
        return [Request(**{k: r[k] for k in REQUESTS.c.keys()}, history=tuple(history.get(int(r["id"]), ()))) for r in rows]

    def stats(self, since: float = 0.0) -> Dict[str, Any]:
        """How many requests, and the median time from a request to its first call attempt (seconds)."""
        with self.db.connect() as db:
            rows = db.execute(sa.select(REQUESTS.c.id, REQUESTS.c.created_at).where(REQUESTS.c.created_at >= since)).all()
            firsts = dict(db.execute(sa.select(EVENTS.c.request_id, sa.func.min(EVENTS.c.at))
                                     .where(EVENTS.c.status.in_(("called", "no_answer"))).group_by(EVENTS.c.request_id)).all())
        waits = sorted(firsts[i] - created for i, created in rows if i in firsts)
        median = None
        if waits:
            mid = len(waits) // 2
            median = waits[mid] if len(waits) % 2 else (waits[mid - 1] + waits[mid]) / 2
        return {"requests": len(rows), "called": len(waits), "median_seconds_to_first_call": median}

    def purge(self, keep_days: int, now: Optional[float] = None) -> Dict[str, int]:
        """Delete requests closed more than `keep_days` ago (with their history) and expired vault entries."""
        at = now or time.time()
        with self.db.begin() as db:
            old = [r[0] for r in db.execute(sa.select(REQUESTS.c.id).where(REQUESTS.c.status == "closed",
                                                                           REQUESTS.c.closed_at < at - keep_days * 86400))]
            if old:
                db.execute(EVENTS.delete().where(EVENTS.c.request_id.in_(old)))
                db.execute(REQUESTS.delete().where(REQUESTS.c.id.in_(old)))
            vault = db.execute(VAULT.delete().where(VAULT.c.created_at < at - VAULT_SECONDS, VAULT.c.claimed.is_(False))).rowcount
            claimed = db.execute(VAULT.delete().where(VAULT.c.created_at < at - 24 * 3600)).rowcount
            db.execute(AWAITING.delete().where(AWAITING.c.until < at))
        return {"requests": len(old), "vault": int(vault or 0) + int(claimed or 0)}


def main(argv: Optional[List[str]] = None) -> int:
    """`make purge`: delete callback requests closed more than clinic.yml's `callbacks.keep_days` ago, and
    what the channels kept for a callback that never came."""
    import argparse

    from clinic_faq.core.clinic_config import load_clinic_config

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0] if main.__doc__ else None)
    parser.add_argument("--keep-days", type=int, default=None, help="instead of clinic.yml's callbacks.keep_days")
    args = parser.parse_args(argv)
    keep = args.keep_days or int(load_clinic_config().callbacks.get("keep_days", 30))
    done = CallbackStore().purge(keep)
    print(f"Callback requests: {done['requests']} closed more than {keep} days ago deleted; "
          f"{done['vault']} kept contact detail(s) deleted.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
