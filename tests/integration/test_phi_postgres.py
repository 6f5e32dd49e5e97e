"""PHI is not stored in a PostgreSQL tracker store either: real server, real PostgreSQL (127.0.0.1:5432)."""

import subprocess
import uuid

import psycopg2
import pytest

from evaluation.servers import RunningAssistant, contains_phi

pytestmark = pytest.mark.integration

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
MESSAGES = {
    "call me at (555) 201-8841 about booking": "(555) 201-8841",
    "Dana Whitfield, DOB 03/14/1962, what are the side effects": "Dana Whitfield",
    "my mrn is 00482913 and my email is dana.w@example.com": "dana.w@example.com",
    "ssn 123-45-6789, does insurance cover it": "123-45-6789",
}


def connect(dbname="postgres"):
    try:
        return psycopg2.connect(dbname=dbname, connect_timeout=5, **PG)
    except psycopg2.OperationalError:
        # The machine starts PostgreSQL before each session; start it if it has stopped.
        subprocess.run("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                       shell=True, check=False, capture_output=True)
        return psycopg2.connect(dbname=dbname, connect_timeout=10, **PG)


@pytest.fixture(scope="module")
def database():
    name = f"clinic_phi_{uuid.uuid4().hex[:10]}"
    admin = connect()
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_no_phi_reaches_postgresql(tmp_path, database):
    store = {"type": "stores.tracker.LoudSQLTrackerStore", "dialect": "postgresql", "url": PG["host"], "port": PG["port"],
             "db": database, "username": PG["user"]}
    with RunningAssistant(tmp_path, tracker_store=store, debug_logs=True) as assistant:
        sender = f"pg-{uuid.uuid4().hex[:8]}"
        for text in MESSAGES:
            assert assistant.send(sender, text)
        logs = assistant.log_text()
    with connect(database) as db:
        rows = db.cursor()
        rows.execute("SELECT sender_id, type_name, intent_name, action_name, data FROM events")
        stored = "\x00".join(str(value) for row in rows.fetchall() for value in row)
    assert "[PHONE]" in stored and "[NAME]" in stored  # the conversation really is in PostgreSQL
    for secret in MESSAGES.values():
        assert not contains_phi(stored, secret), secret
        assert not contains_phi(logs, secret), secret
