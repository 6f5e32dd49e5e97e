"""The retention purge, on conversations stored by the real server (SQLite and PostgreSQL)."""

import uuid

import pytest
import sqlalchemy as sa

from clinic_faq.ops.retention import purge
from clinic_faq_dev.harness import RunningAssistant
from clinic_faq_dev.postgres import PG, scratch_database, tracker_store

pytestmark = [pytest.mark.integration, pytest.mark.services]


def age(engine, sender, days):
    with engine.begin() as db:
        db.execute(sa.text("UPDATE events SET timestamp = timestamp - :s WHERE sender_id = :id"),
                   {"s": days * 86400, "id": sender})


def senders(engine):
    with engine.connect() as db:
        return {row[0] for row in db.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}


def check_purge(engine, assistant):
    old, recent, mixed = (f"{kind}-{uuid.uuid4().hex[:8]}" for kind in ("old", "recent", "mixed"))
    for sender in (old, recent, mixed):
        assistant.send(sender, "what are the side effects")
    age(engine, old, 40)
    age(engine, mixed, 40)
    assistant.send(mixed, "tell me more")  # a recent turn keeps the whole conversation
    assert purge(engine, days=30) >= 1
    left = senders(engine)
    assert old not in left and recent in left and mixed in left
    with engine.connect() as db:
        count = db.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :id"), {"id": mixed}).scalar()
    assert count > 8  # both turns of the kept conversation are still there


def test_purge_on_sqlite(assistant):
    check_purge(sa.create_engine(f"sqlite:///{assistant.db_path}"), assistant)


def test_purge_on_postgresql(tmp_path):
    with scratch_database("clinic_purge") as name:
        with RunningAssistant(tmp_path, tracker_store=tracker_store(name)) as assistant:
            engine = sa.create_engine(f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}")
            check_purge(engine, assistant)
            engine.dispose()
