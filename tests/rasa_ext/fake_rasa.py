"""What Rasa does around a channel, for the channels' tests without a server: a real tracker store on an
in-memory SQLite database that can be broken and repaired, and a stand-in for Rasa's message handling."""

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_faq.rasa_ext.stores.tracker import LoudSQLTrackerStore


def sqlite_store():
    """The project's tracker store on an in-memory SQLite database (needs the patches applied)."""
    return LoudSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db="")


def break_store(store):
    """Every save fails from now on, as with a database that is down."""
    with store.engine.begin() as db:
        db.execute(sa.text("DROP TABLE events"))
    return store


def repair_store(store):
    with store.engine.begin() as db:
        store.Base.metadata.create_all(db)
    return store


def fake_rasa(store, replies, error=None, during=None):
    """What Rasa does with a message: sends the replies as it produces them (calling `during` after each),
    then saves the conversation through Rasa's own FailSafeTrackerStore, which swallows a failed save.
    The messages it was given are in `.calls`."""
    calls = []

    async def on_new_message(message):
        calls.append(message.text)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))
            if during:
                during()
        if error:
            raise error
        tracker = DialogueStateTracker(message.sender_id, slots=[])
        tracker.update(UserUttered(message.text))
        await FailSafeTrackerStore(store).save(tracker)

    on_new_message.calls = calls
    return on_new_message
