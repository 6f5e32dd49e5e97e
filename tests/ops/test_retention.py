"""Retention (clinic_faq.ops.retention): the cutoff and the purge on a small SQLite table."""

import pytest
import sqlalchemy as sa

from clinic_faq.ops.retention import cutoff, main, purge

DAY = 86400.0
NOW = 1_800_000_000.0


def test_the_cutoff_is_that_many_days_before_now():
    assert cutoff(30, now=NOW) == NOW - 30 * DAY
    assert cutoff(0.5, now=NOW) == NOW - DAY / 2
    assert cutoff(1, now=0.0) == -DAY  # an explicit time of 0 is used, not replaced by the clock


@pytest.mark.parametrize("days", [0, -1])
def test_a_period_that_would_delete_everything_is_refused(days):
    with pytest.raises(ValueError):
        cutoff(days, now=NOW)


@pytest.fixture
def engine(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    with engine.begin() as db:
        db.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)"))
        rows = [("silent", NOW - 40 * DAY), ("silent", NOW - 35 * DAY),  # every event old: deleted
                ("recent", NOW - 90 * DAY), ("recent", NOW - 1 * DAY),  # one recent event: kept whole
                ("edge", NOW - 30 * DAY + 60)]  # just inside the period
        db.execute(sa.text("INSERT INTO events (sender_id, timestamp) VALUES (:s, :t)"),
                   [{"s": s, "t": t} for s, t in rows])
    return engine


def senders(engine):
    with engine.connect() as db:
        return sorted(r[0] for r in db.execute(sa.text("SELECT DISTINCT sender_id FROM events")))


def event_count(engine, sender):
    with engine.connect() as db:
        return db.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


def test_only_conversations_silent_for_the_whole_period_are_deleted_and_never_cut(engine):
    assert purge(engine, days=30, now=NOW) == 1
    assert senders(engine) == ["edge", "recent"]
    assert event_count(engine, "recent") == 2  # its 90-day-old event stays with the conversation
    assert purge(engine, days=30, now=NOW) == 0


def test_the_command_refuses_a_period_that_is_not_positive(capsys):
    with pytest.raises(SystemExit):
        main(["--days", "0"])
