"""A SQL tracker store that never lets a lost turn pass in silence.

Rasa wraps every tracker store in its FailSafeTrackerStore: when saving fails, the conversation goes to an
in-memory store that is lost on restart, and when reading fails, the conversation starts over without
its history. Either way the client still gets a normal reply, as if the message had been kept.

`LoudSQLTrackerStore` is Rasa's SQLTrackerStore (SQLite or PostgreSQL) that logs each failure as an error
and marks the request it happened in (`storage_failed()`), so the channel answers 503 "not stored,
please retry" instead of acknowledging the message. Configure it in endpoints.yml with
`type: stores.tracker.LoudSQLTrackerStore` and the usual SQL settings.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any, Awaitable, Optional, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

from stores.runtime import apply_action_timeout

logger = logging.getLogger(__name__)

T = TypeVar("T")
_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_store_failed", default=False)


def reset_storage_failure() -> None:
    """Called by a channel before it hands a message to Rasa."""
    _failed.set(False)


def storage_failed() -> bool:
    """Whether reading or saving the conversation failed while this request was handled."""
    return _failed.get()


class LoudSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        apply_action_timeout()  # the store is built once at server start-up: the place for server settings
        # Check a pooled connection before using it, so a database restart costs no turn.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _loudly(self, what: str, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except Exception:
            _failed.set(True)
            logger.exception("Tracker store: a conversation could NOT be %s; the client is told to retry.", what)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._loudly("saved", super().save(tracker))

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._loudly("read", super().retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._loudly("read", super().retrieve_full_tracker(conversation_id))
