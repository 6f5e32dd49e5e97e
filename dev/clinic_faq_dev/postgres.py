"""The local PostgreSQL (127.0.0.1:5432, trust auth) for the tests and the load run, which need a real one."""

import contextlib
import subprocess
import time
import uuid

import psycopg2

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def postgres(action, check=True):
    """Run `pg_ctlcluster ... main <action>` (start, stop, restart) on the local cluster."""
    subprocess.run(f"pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main {action}",
                   shell=True, check=check, capture_output=True, timeout=120)


def connect(dbname="postgres"):
    try:
        return psycopg2.connect(dbname=dbname, connect_timeout=5, **PG)
    except psycopg2.OperationalError:
        # The machine starts PostgreSQL before each session; start it if it has stopped.
        postgres("start", check=False)
        return psycopg2.connect(dbname=dbname, connect_timeout=10, **PG)


def wait_for_postgres(timeout=60):
    """Until PostgreSQL accepts connections again (after a restart)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect().close()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextlib.contextmanager
def postgres_stopped():
    """PostgreSQL stopped for the body of the `with`, then started again and waited for, whatever happens."""
    postgres("stop")
    try:
        yield
    finally:
        postgres("start")
        wait_for_postgres()


def tracker_store(database):
    """endpoints.yml settings for the project's tracker store on `database`."""
    return {"type": "clinic_faq.rasa_ext.stores.tracker.LoudSQLTrackerStore", "dialect": "postgresql", "url": PG["host"],
            "port": PG["port"], "db": database, "username": PG["user"]}


@contextlib.contextmanager
def scratch_database(prefix, create=True):
    """A database of its own for one test, dropped afterwards (even if the test stopped the server)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    if create:
        admin = connect()
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        admin.close()
    try:
        yield name
    finally:
        admin = connect()
        admin.autocommit = True
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def stored_user_texts(database: str, sender: str) -> list:
    """The texts of a conversation's stored user messages, in the order they were stored."""
    import json

    with connect(database) as db:
        cursor = db.cursor()
        cursor.execute("SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id", (sender,))
        return [json.loads(row[0])["text"] for row in cursor.fetchall()]
