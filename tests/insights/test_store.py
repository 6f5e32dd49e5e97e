"""Finding and reading the tracker store without Rasa."""

import json

import pytest
import sqlalchemy as sa

from clinic_faq.insights.store import StoreError, engine_for, store_url_from_endpoints, stream_events
from clinic_faq.ops.audit import AUDIT_COLUMNS
from clinic_faq.paths import project_dir

PRODUCTION = {"DB_HOST": "db.internal", "DB_PORT": "6543", "DB_NAME": "clinic", "DB_USER": "rasa", "DB_PASSWORD": "s3cret"}


def test_the_production_endpoints_give_the_store_database_with_the_environment_values(monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    url = store_url_from_endpoints(project_dir() / "endpoints.production.yml")
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "db.internal", 6543, "clinic")
    assert (url.username, url.password) == ("rasa", "s3cret")  # the store's db, not its login_db (postgres)


def test_a_missing_environment_variable_is_named(monkeypatch):
    for name in PRODUCTION:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(StoreError, match="DB_HOST"):
        store_url_from_endpoints(project_dir() / "endpoints.production.yml")


def test_the_default_store_is_the_sqlite_file_under_the_project():
    url = store_url_from_endpoints(project_dir() / "endpoints.yml")
    assert url.drivername == "sqlite" and url.database == str(project_dir() / "var" / "tracker.db")


def test_a_store_that_is_not_sql_is_refused(tmp_path):
    path = tmp_path / "endpoints.yml"
    path.write_text("tracker_store:\n  type: redis\n")
    with pytest.raises(StoreError, match="SQL store"):
        store_url_from_endpoints(path)


def test_a_url_in_the_environment_comes_first(monkeypatch, tmp_path):
    monkeypatch.setenv("INSIGHTS_STORE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert engine_for(endpoints=project_dir() / "endpoints.yml").url.database == str(tmp_path / "other.db")


def test_events_stream_in_stored_order_with_only_the_kinds_asked(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.begin() as db:
        db.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
                           "intent_name TEXT, action_name TEXT, data TEXT)"))
        for n, (sender, kind) in enumerate([("b", "user"), ("a", "slot"), ("a", "user"), ("b", "bot")], start=1):
            db.execute(sa.text("INSERT INTO events VALUES (:id, :s, :k, :t, NULL, NULL, :d)"),
                       {"id": n, "s": sender, "k": kind, "t": float(n), "d": json.dumps({"event": kind, "n": n})})
    assert [(s, e["n"]) for s, e in stream_events(engine)] == [("b", 1), ("a", 3), ("b", 4)]
    assert [e["n"] for _, e in stream_events(engine, since=2.0, until=4.0)] == [3]


def test_an_empty_database_is_explained(tmp_path):
    with pytest.raises(StoreError, match="no conversations"):
        list(stream_events(sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")))


def test_the_audit_export_still_holds_no_text():
    assert not {"text", "texts", "ranking"} & set(AUDIT_COLUMNS)
    assert {"routes", "crisis", "topics", "channel"} <= set(AUDIT_COLUMNS)
