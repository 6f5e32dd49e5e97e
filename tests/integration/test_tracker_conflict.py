"""Two turns of one conversation saved at once (two replicas, when the lock store has failed): Rasa's SQL
store silently loses one of them; ours refuses the second save, so the client is told to send it again."""

import asyncio
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from evaluation.postgres import PG, scratch_database
from evaluation.servers import PROJECT
from stores.tracker import ConversationConflict, LoudSQLTrackerStore, reset_storage_failure, storage_failed

pytestmark = pytest.mark.integration


def turn(tracker, text):
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_answer"))
    tracker.update(BotUttered(f"answer to {text}"))
    tracker.update(ActionExecuted("action_listen"))


async def race(store):
    """Both turns read the conversation, then both save: what a lost lock lets happen."""
    sender = f"race-{uuid.uuid4().hex[:8]}"
    first = await store.get_or_create_tracker(sender)
    turn(first, "hello")
    await store.save(first)
    a, b = await store.retrieve(sender), await store.retrieve(sender)
    turn(a, "from replica a")
    turn(b, "from replica b")
    await store.save(a)
    outcome = "saved"
    reset_storage_failure()  # as the channel does before each message
    try:
        await store.save(b)
    except ConversationConflict:
        outcome = "refused"
    # What the channel sees: a storage failure means 503 "send it again", never an acknowledgement.
    if storage_failed():
        outcome += ", client told to send again"
    stored = await store.retrieve(sender)
    return outcome, [e.text for e in stored.events if isinstance(e, UserUttered)]


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path):
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "race.db")}
    else:
        with scratch_database("clinic_race") as name:
            yield {"dialect": "postgresql", "host": PG["host"], "port": PG["port"], "db": name,
                   "username": PG["user"]}


def test_stock_rasa_acknowledges_a_turn_it_never_stores(settings):
    domain = Domain.load(str(PROJECT / "domain.yml"))
    outcome, texts = asyncio.run(race(SQLTrackerStore(domain, **settings)))
    assert outcome == "saved"  # no error: the client of replica b is told its message was handled...
    assert "from replica b" not in texts  # ...but it is not in the store


def test_our_store_refuses_the_second_save_and_keeps_the_first_whole(settings):
    domain = Domain.load(str(PROJECT / "domain.yml"))
    outcome, texts = asyncio.run(race(LoudSQLTrackerStore(domain=domain, **settings)))
    assert outcome == "refused, client told to send again"
    assert texts == ["hello", "from replica a"]
