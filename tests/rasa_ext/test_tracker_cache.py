"""The tracker store's kept conversations (`tracker_cache`): the next turn gets exactly what the database
holds, on SQLite files shared by two stores as two replicas share a database."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from clinic_faq.rasa_ext.stores.incremental_tracker import IncrementalTracker
from clinic_faq.rasa_ext.stores.tracker import ConversationConflict, LoudSQLTrackerStore

DOMAIN = Domain.from_dict({"slots": {"topic": {"type": "text", "mappings": [{"type": "custom"}]}}})


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "tracker.db")


def store_on(db: str) -> LoudSQLTrackerStore:
    return LoudSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)


def turn(tracker: DialogueStateTracker, text: str, topic: str = "side_effects", message_id: str = "") -> None:
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 1.0}, message_id=message_id or None))
    tracker.update(ActionExecuted("utter_answer"))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(SlotSet("topic", topic))
    tracker.update(ActionExecuted("action_listen"))


async def started(store: LoudSQLTrackerStore, sender: str) -> DialogueStateTracker:
    """A conversation whose first session is stored, as the Rasa server leaves it after a first turn."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "first")
    await store.save(tracker)
    return tracker


def state(tracker: DialogueStateTracker) -> dict:
    out = tracker.current_state(EventVerbosity.ALL)
    for event in out["events"]:
        event.pop("timestamp", None)
    return out


async def test_the_saved_tracker_is_handed_to_the_next_turn_and_equals_the_database(db):
    store = store_on(db)
    await started(store, "alice")
    tracker = await store.retrieve("alice")  # read from the database: the new session was just stored
    turn(tracker, "second", topic="onset")
    await store.save(tracker)
    again = await store.retrieve("alice")
    assert again is tracker and isinstance(again, IncrementalTracker)
    from_database = await store_on(db).retrieve("alice")
    assert state(again) == state(from_database)
    assert again.get_slot("topic") == "onset"
    turn(again, "third")
    await store.save(again)  # the kept tracker's count is right: no conflict, nothing stored twice
    texts = [e.text for e in (await store_on(db).retrieve("alice")).events if isinstance(e, UserUttered)]
    assert texts == ["first", "second", "third"]


async def test_a_turn_stored_by_another_replica_is_read_from_the_database(db):
    ours, theirs = store_on(db), store_on(db)
    await started(ours, "bob")
    tracker = await ours.retrieve("bob")
    turn(tracker, "to replica a")
    await ours.save(tracker)  # kept by replica a
    other = await theirs.retrieve("bob")
    turn(other, "to replica b", topic="onset")
    await theirs.save(other)
    latest = await ours.retrieve("bob")
    assert latest is not tracker
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["first", "to replica a", "to replica b"]
    assert latest.get_slot("topic") == "onset"
    turn(latest, "back to a")
    await ours.save(latest)  # counted from what it read: no conflict


async def test_a_turn_that_was_not_saved_leaves_nothing_behind(db):
    store = store_on(db)
    await started(store, "carol")
    tracker = await store.retrieve("carol")
    turn(tracker, "kept")
    await store.save(tracker)
    failed = await store.retrieve("carol")
    turn(failed, "never saved")  # e.g. the action server failed half-way
    again = await store.retrieve("carol")
    assert again is not failed
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["first", "kept"]


async def test_a_refused_turn_is_not_kept(db):
    ours, theirs = store_on(db), store_on(db)
    await started(ours, "dave")
    a, b = await ours.retrieve("dave"), await theirs.retrieve("dave")
    turn(a, "a")
    turn(b, "b")
    await theirs.save(b)
    with pytest.raises(ConversationConflict):
        await ours.save(a)
    latest = await ours.retrieve("dave")
    assert latest is not a
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["first", "b"]


async def test_a_new_session_is_read_back_from_the_database(db):
    store = store_on(db)
    tracker = await started(store, "erin")
    assert (await store.retrieve("erin")) is not tracker  # the save held a new session
    assert "erin" not in store._cache


async def test_a_resent_message_that_is_not_stored_again_is_not_kept(db):
    store = store_on(db)
    await started(store, "frank")
    tracker = await store.retrieve("frank")
    turn(tracker, "once", message_id="m1")
    await store.save(tracker)
    resent = await store.retrieve("frank")
    turn(resent, "once", message_id="m1")
    await store.save(resent)  # not stored twice
    again = await store.retrieve("frank")
    assert again is not resent
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["first", "once"]


async def test_only_the_latest_conversations_are_kept_up_to_a_number_of_events(db, monkeypatch):
    store = store_on(db)
    await started(store, "g0")
    one = await store.retrieve("g0")
    size = len(one.events) + 5  # a conversation after its second turn
    monkeypatch.setenv("CLINIC_TRACKER_CACHE_EVENTS", str(2 * size))
    store = store_on(db)
    for sender in ("g1", "g2", "g3"):
        await started(store, sender)
        tracker = await store.retrieve(sender)
        turn(tracker, "again")
        await store.save(tracker)
        assert len(tracker.events) == size
    assert list(store._cache) == ["g2", "g3"] and store._cached_events == 2 * size
    await store.retrieve("g2")
    assert list(store._cache) == ["g3"] and store._cached_events == size
    monkeypatch.setenv("CLINIC_TRACKER_CACHE_EVENTS", str(size - 1))  # longer than all that may be kept
    small = store_on(db)
    tracker = await small.retrieve("g3")
    turn(tracker, "once more")
    await small.save(tracker)
    assert not small._cache and small._cached_events == 0


async def test_without_the_speed_ups_nothing_is_kept_and_trackers_are_rasas(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINIC_TUNING", "action_result_validator")
    store = store_on(str(tmp_path / "off.db"))
    await started(store, "gina")
    tracker = await store.retrieve("gina")
    assert type(tracker) is DialogueStateTracker
    turn(tracker, "again")
    await store.save(tracker)
    assert not store._cache and (await store.retrieve("gina")) is not tracker


async def test_what_the_store_knows_of_a_tracker_is_forgotten_with_the_tracker(db):
    import gc

    store = store_on(db)
    await started(store, "ivy")
    tracker = await store.retrieve("ivy")
    assert store.stored_count(tracker) == len(tracker.events)
    known = len(store._notes)
    del tracker
    gc.collect()
    assert len(store._notes) < known


async def test_a_kept_turn_is_saved_without_counting_the_conversation_again(db, monkeypatch):
    store = store_on(db)
    await started(store, "hank")
    tracker = await store.retrieve("hank")
    turn(tracker, "second")
    await store.save(tracker)
    kept = await store.retrieve("hank")
    assert kept is tracker

    def no_count(*args, **kwargs):
        raise AssertionError("counted")

    monkeypatch.setattr(store, "_latest_session", no_count)
    turn(kept, "third")
    await store.save(kept)  # the mark is unchanged since the read: nothing to count
    monkeypatch.undo()
    texts = [e.text for e in (await store_on(db).retrieve("hank")).events if isinstance(e, UserUttered)]
    assert texts == ["first", "second", "third"]
