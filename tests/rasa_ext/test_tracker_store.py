"""The tracker store that fails loudly (clinic_faq.rasa_ext.stores.tracker), on in-memory SQLite: no server."""

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_faq.rasa_ext.stores.tracker import (
    ConversationConflict,
    LoudSQLTrackerStore,
    reset_storage_failure,
    storage_failed,
)


@pytest.fixture
def store():
    return LoudSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db="")  # in memory


def turn(tracker, text, message_id=None):
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 1.0}, message_id=message_id))
    tracker.update(ActionExecuted("utter_answer"))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))


def user_texts(tracker):
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def tracker_with(*events):
    tracker = DialogueStateTracker("someone", slots=[])
    for event in events:
        tracker.update(event)
    return tracker


def test_a_resent_message_id_is_recognised_as_already_stored():
    stored = [UserUttered("hello", message_id="m1"), BotUttered("hi")]
    tracker = tracker_with(*stored, UserUttered("hello", message_id="m1"))
    assert LoudSQLTrackerStore._already_stored(tracker, len(stored), list(tracker.events)[len(stored):])


@pytest.mark.parametrize("new_id", ["m2", None])
def test_a_new_message_or_one_without_id_is_not_already_stored(new_id):
    stored = [UserUttered("hello", message_id="m1")]
    tracker = tracker_with(*stored, UserUttered("hello again", message_id=new_id))
    assert not LoudSQLTrackerStore._already_stored(tracker, 1, list(tracker.events)[1:])


def test_an_id_only_among_the_new_events_does_not_count_as_stored():
    tracker = tracker_with(UserUttered("a", message_id="m0"), UserUttered("b", message_id="m1"))
    assert not LoudSQLTrackerStore._already_stored(tracker, 1, list(tracker.events)[1:])


async def test_the_in_memory_store_keeps_what_it_saves(store):
    tracker = await store.get_or_create_tracker("alice")
    turn(tracker, "hello")
    await store.save(tracker)
    assert user_texts(await store.retrieve("alice")) == ["hello"]


async def test_a_turn_saved_over_one_it_has_not_seen_is_refused_and_flagged(store):
    first = await store.get_or_create_tracker("bob")
    turn(first, "hello")
    await store.save(first)
    a, b = await store.retrieve("bob"), await store.retrieve("bob")
    turn(a, "from replica a")
    turn(b, "from replica b")
    await store.save(a)
    reset_storage_failure()
    with pytest.raises(ConversationConflict):
        await store.save(b)
    assert storage_failed()
    assert user_texts(await store.retrieve("bob")) == ["hello", "from replica a"]


async def test_the_same_tracker_saved_twice_in_a_row_is_not_a_conflict(store):
    tracker = await store.get_or_create_tracker("carol")
    turn(tracker, "one")
    await store.save(tracker)
    turn(tracker, "two")
    reset_storage_failure()
    await store.save(tracker)
    assert not storage_failed()
    assert store.stored_count(tracker) == len(tracker.events)
    assert user_texts(await store.retrieve("carol")) == ["one", "two"]


async def test_a_new_session_stops_the_count_of_that_tracker(store):
    tracker = await store.get_or_create_tracker("dave")
    tracker.update(SessionStarted())
    turn(tracker, "one")
    await store.save(tracker)
    assert store.stored_count(tracker) is None


async def test_a_resent_message_is_answered_but_stored_once(store):
    tracker = await store.get_or_create_tracker("erin")
    turn(tracker, "hello", message_id="m1")
    await store.save(tracker)
    again = await store.retrieve("erin")
    turn(again, "hello", message_id="m1")
    await store.save(again)
    assert user_texts(await store.retrieve("erin")) == ["hello"]


async def test_a_failed_save_is_flagged_even_when_rasa_falls_back_to_memory(store):
    """Rasa's FailSafeTrackerStore swallows the error; the flag is what tells the channel."""
    tracker = await store.get_or_create_tracker("frank")
    with store.engine.begin() as db:
        db.execute(sa.text("DROP TABLE events"))
    turn(tracker, "lost")
    reset_storage_failure()
    with pytest.raises(sa.exc.OperationalError):
        await store.save(tracker)
    assert storage_failed()
    reset_storage_failure()
    assert not storage_failed()
    await FailSafeTrackerStore(store).save(tracker)  # no error reaches Rasa...
    assert storage_failed()  # ...but the channel knows


async def test_a_failed_read_is_flagged(store):
    with store.engine.begin() as db:
        db.execute(sa.text("DROP TABLE events"))
    reset_storage_failure()
    assert await FailSafeTrackerStore(store).retrieve("gina") is None  # Rasa would start over...
    assert storage_failed()  # ...and the channel knows


async def test_a_tracker_the_store_never_read_is_not_appended_to_a_stored_conversation(store):
    """While the database is away Rasa falls back to memory and starts the conversation afresh; when the
    database is back, that tracker's events past the stored count are not the conversation's next ones."""
    tracker = await store.get_or_create_tracker("hana")
    turn(tracker, "one")
    await store.save(tracker)
    afresh = DialogueStateTracker("hana", slots=[])  # as Rasa's in-memory fallback makes it
    afresh.update(SessionStarted())
    turn(afresh, "two")
    turn(afresh, "three")
    reset_storage_failure()
    with pytest.raises(ConversationConflict):
        await store.save(afresh)
    assert storage_failed()
    assert user_texts(await store.retrieve("hana")) == ["one"]


async def test_a_tracker_saved_again_after_a_new_session_still_continues(store):
    tracker = await store.get_or_create_tracker("ivan")
    tracker.update(SessionStarted())
    turn(tracker, "one")
    await store.save(tracker)  # its count is no longer checked...
    turn(tracker, "two")
    reset_storage_failure()
    await store.save(tracker)  # ...but it continues what is stored, from its last stored event
    assert not storage_failed()
    assert user_texts(await store.retrieve("ivan")) == ["one", "two"]
    with store.session_scope() as session:
        stored = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == "ivan").count()
    assert stored == len(tracker.events)  # not one event written twice
