"""The retention purge, on conversations stored by the real server (SQLite and PostgreSQL)."""

import time
import uuid

import pytest
import sqlalchemy as sa

from evaluation.servers import RunningAssistant
from stores.retention import purge
from tests.integration.test_phi_postgres import PG, connect

pytestmark = pytest.mark.integration


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
    name = f"clinic_purge_{uuid.uuid4().hex[:10]}"
    admin = connect()
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        store = {"type": "stores.tracker.LoudSQLTrackerStore", "dialect": "postgresql", "url": PG["host"],
                 "port": PG["port"], "db": name, "username": PG["user"]}
        with RunningAssistant(tmp_path, tracker_store=store) as assistant:
            engine = sa.create_engine(f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}")
            check_purge(engine, assistant)
            engine.dispose()
            time.sleep(0.1)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
