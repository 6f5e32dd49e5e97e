"""Two turns of one conversation saved at once (two replicas, when the lock store has failed): Rasa's SQL
store silently loses one of them; ours refuses the second save, so the client is told to send it again.
And a message resent with the same message_id after its first attempt was stored is kept once."""

import asyncio
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from clinic_faq.rasa_ext.stores.tracker import (
    ConversationConflict,
    LoudSQLTrackerStore,
    reset_storage_failure,
    storage_failed,
)
from clinic_faq_dev.harness import PROJECT
from clinic_faq_dev.postgres import PG, scratch_database

pytestmark = [pytest.mark.integration, pytest.mark.services, pytest.mark.usefixtures("rasa_patched")]


def turn(tracker, text, message_id=None):
    tracker.update(UserUttered(text, {"name": "ask", "confidence": 1.0}, message_id=message_id))
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


async def resend(store):
    """The first attempt was stored but its replica died before answering; the client sends it again."""
    sender = f"resend-{uuid.uuid4().hex[:8]}"
    tracker = await store.get_or_create_tracker(sender)
    turn(tracker, "how long is a session", message_id="m-1")
    await store.save(tracker)
    again = await store.retrieve(sender)
    turn(again, "how long is a session", message_id="m-1")
    await store.save(again)
    other = await store.retrieve(sender)
    turn(other, "how long is a session", message_id="m-2")  # asked again on purpose: a new message
    await store.save(other)
    stored = await store.retrieve(sender)
    return [(e.text, e.message_id) for e in stored.events if isinstance(e, UserUttered)]


def test_a_resent_message_is_stored_once(settings):
    domain = Domain.load(str(PROJECT / "domain.yml"))
    stock = asyncio.run(resend(SQLTrackerStore(domain, **settings)))
    assert stock.count(("how long is a session", "m-1")) == 2  # Rasa's store keeps both copies
    ours = asyncio.run(resend(LoudSQLTrackerStore(domain=domain, **settings)))
    assert ours == [("how long is a session", "m-1"), ("how long is a session", "m-2")]
