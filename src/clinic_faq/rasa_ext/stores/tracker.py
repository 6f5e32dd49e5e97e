"""A SQL tracker store that never lets a lost turn pass in silence.

Rasa wraps every tracker store in its FailSafeTrackerStore: when saving fails, the conversation goes to an
in-memory store that is lost on restart, and when reading fails, the conversation starts over without
its history. Either way the client still gets a normal reply, as if the message had been kept.

`LoudSQLTrackerStore` is Rasa's SQLTrackerStore (SQLite or PostgreSQL) that logs each failure as an error
and marks the request it happened in (`storage_failed()`), so the channel answers 503 "not stored,
please retry" instead of acknowledging the message. Configure it in endpoints.yml with
`type: clinic_faq.rasa_ext.stores.tracker.LoudSQLTrackerStore` and the usual SQL settings.

It also refuses to save a turn over one it has not seen. Rasa's SQLTrackerStore counts the stored events
and appends whatever the tracker holds beyond that count, so two turns of one conversation saved at once
(two replicas, when the lock store has failed or restarted) would interleave, duplicate or drop events.
Here each tracker remembers how many events were stored when it was read, and the save, serialized per
conversation on PostgreSQL by a transaction-scoped advisory lock, checks that nothing was stored since.
If something was, the turn is refused like any other storage failure (503, "send it again"): the
database itself guarantees that stored events are never interleaved, whatever the lock store did.

And a message resent by its client with the same `message_id` (src/clinic_faq/rasa_ext/channels/rest.py) after the first attempt
was stored but not answered (a replica died in between) is answered again but not stored twice.

Parsed conversations are kept (the `tracker_cache` speed-up, clinic_faq.rasa_ext.tuning): Rasa reads every
event of the session back from the database and replays it at the start of every turn, so a turn costs
more the longer its conversation. Here the tracker a turn has just saved is kept in memory (the latest
conversations, up to CLINIC_TRACKER_CACHE_EVENTS events in all, default 40,000: about 90 MB at the 2.3 kB
a parsed event takes; 0 keeps none) with a mark of what the database then held for the conversation:
its number of events and its lowest and highest event ids (one query on the sender's index). The next
turn is given that same tracker only when the database still has that mark, so a turn stored meanwhile
by another replica (or a purge) is always read back from the database. The tracker is handed over, not
shared: it leaves the cache when it is read and comes back only when its turn is saved whole, so a turn
that fails half-way or is refused leaves nothing behind, and the next one reads the database. The same
mark spares the save its count of the session's events: when the mark is the one taken when the
conversation was read (taken before its events were read, so a turn stored in between changes it),
nothing was stored since, and the conflict check above holds without counting.

The trackers it builds are `IncrementalTracker`s (stores/incremental_tracker.py; the
`tracker_incremental` speed-up), whose per-turn walks over the conversation cost what the turn added.
What the store remembers about a tracker it handed out (how many events were stored, the mark) is kept
in the store, by tracker, not on the tracker. Building the store also installs the log redaction
(clinic_faq.core.log_redaction) on every log handler Rasa has set up by then, with or without the
project's launcher.
"""

from __future__ import annotations

import contextvars
import itertools
import json
import logging
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Dict, List, Optional, Tuple, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from clinic_faq import settings
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.rasa_ext import tuning
from clinic_faq.rasa_ext.stores.incremental_tracker import IncrementalTracker

logger = logging.getLogger(__name__)

T = TypeVar("T")
_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("tracker_store_failed", default=False)
# What the database holds for one conversation: number of events, lowest and highest event id.
Mark = Tuple[int, Optional[int], Optional[int]]


def cache_size() -> int:
    """How many parsed events (of whole conversations) a server keeps: 0 without the `tracker_cache` speed-up."""
    if not tuning.enabled("tracker_cache"):
        return 0
    return settings.current().tracker_cache_events


class ConversationConflict(RuntimeError):
    """The conversation was saved by another turn after this turn read it."""


def reset_storage_failure() -> None:
    """Called by a channel before it hands a message to Rasa."""
    _failed.set(False)


def storage_failed() -> bool:
    """Whether reading or saving the conversation failed while this request was handled."""
    return _failed.get()


@dataclass
class Note:
    """What the store knows of a tracker it handed out or saved."""

    stored: Optional[int]  # events of its latest session in the database when it was read (0: new); None: unknown
    mark: Optional[Mark] = None  # the database's mark for its conversation then (with the `tracker_cache` speed-up)


class Notes:
    """A note per tracker object, forgotten when the tracker is (trackers cannot be dictionary keys)."""

    def __init__(self) -> None:
        self._notes: Dict[int, Tuple[weakref.ref[DialogueStateTracker], Note]] = {}

    def get(self, tracker: DialogueStateTracker) -> Optional[Note]:
        entry = self._notes.get(id(tracker))
        if entry is None or entry[0]() is not tracker:
            return None
        return entry[1]

    def set(self, tracker: DialogueStateTracker, note: Note) -> None:
        key = id(tracker)
        notes = self._notes

        def forget(ref: weakref.ref[DialogueStateTracker]) -> None:
            entry = notes.get(key)
            if entry is not None and entry[0] is ref:
                del notes[key]

        notes[key] = (weakref.ref(tracker, forget), note)

    def __len__(self) -> int:
        return len(self._notes)


class LoudSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]  # rasa has no type information
    engine: sa.engine.Engine

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        install_log_redaction()  # Rasa has configured its log handlers by now (also under plain `rasa run`)
        # Check a pooled connection before using it, so a database restart costs no turn.
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        if self.engine.dialect.name == "sqlite":
            # A new engine on an in-memory SQLite database is a new, empty database: create the tables
            # there too (for a file, they exist already and nothing happens).
            self.Base.metadata.create_all(self.engine)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._cache: OrderedDict[str, Tuple[DialogueStateTracker, int]] = OrderedDict()  # sender -> (tracker, events)
        self._cache_size = cache_size()
        self._cached_events = 0
        self._tracker_class = IncrementalTracker if tuning.enabled("tracker_incremental") else DialogueStateTracker
        self._notes = Notes()

    async def _loudly(self, what: str, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except Exception:
            _failed.set(True)
            logger.exception("Tracker store: a conversation could NOT be %s; the client is told to retry.", what)
            raise

    def stored_count(self, tracker: DialogueStateTracker) -> Optional[int]:
        """How many events of `tracker`'s latest session the database held when this store last read or saved
        it (None: not known, or the save held a new session)."""
        note = self._notes.get(tracker)
        return note.stored if note else None

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        tracker = self._tracker_class(sender_id, self.domain.slots, max_event_history=self.max_event_history)
        self._notes.set(tracker, Note(stored=0))
        return tracker

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await self._loudly("read", self._retrieve_latest_session(sender_id))

    async def _retrieve_latest_session(self, sender_id: str) -> Optional[DialogueStateTracker]:
        mark: Optional[Mark] = None
        with self.session_scope() as session:
            if self._cache_size:
                mark = self._mark(session, sender_id)  # before the events: see _save_checked
                kept = self._take(sender_id)
                if kept is not None:
                    note = self._notes.get(kept)
                    if note is not None and note.mark == mark and note.stored == len(kept.events):
                        return kept
            rows = self._latest_session(session, sender_id).all()
            events = [json.loads(row.data) for row in rows]
        if not self.domain or not events:
            return None
        tracker: DialogueStateTracker = self._tracker_class.from_dict(sender_id, events, self.domain.slots)
        self._notes.set(tracker, Note(stored=len(tracker.events), mark=mark))
        return tracker

    def _latest_session(self, session: sa.orm.Session, sender_id: str) -> sa.orm.Query:
        """The conversation's events from its latest session start on (all of them when it has none), by id:
        what Rasa's SQLTrackerStore reads for a turn."""
        session_start = (
            session.query(sa.func.max(self.SQLEvent.timestamp).label("session_start"))
            .filter(self.SQLEvent.sender_id == sender_id, self.SQLEvent.type_name == SessionStarted.type_name)
            .subquery()
        )
        return (
            session.query(self.SQLEvent)
            .filter(self.SQLEvent.sender_id == sender_id)
            .filter(sa.or_(self.SQLEvent.timestamp >= session_start.c.session_start,
                           session_start.c.session_start.is_(None)))
            .order_by(self.SQLEvent.id)
        )

    def _mark(self, session: sa.orm.Session, sender_id: str) -> Mark:
        """The conversation's number of events and lowest and highest event ids, over all its sessions."""
        count, lowest, highest = session.query(
            sa.func.count(self.SQLEvent.id), sa.func.min(self.SQLEvent.id), sa.func.max(self.SQLEvent.id)
        ).filter(self.SQLEvent.sender_id == sender_id).one()
        return int(count), lowest, highest

    def _keep(self, tracker: DialogueStateTracker) -> None:
        """Keep a tracker whose events are all stored (and counted from its latest session) for its next turn."""
        note = self._notes.get(tracker)
        if note is None or note.mark is None or note.stored != len(tracker.events):
            return
        size = len(tracker.events)
        if size > self._cache_size:
            return
        self._cache[tracker.sender_id] = (tracker, size)
        self._cached_events += size
        while self._cached_events > self._cache_size:
            _, (_, dropped) = self._cache.popitem(last=False)
            self._cached_events -= dropped

    def _take(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's kept tracker, which leaves the cache (None when none is kept)."""
        kept = self._cache.pop(sender_id, None)
        if kept is None:
            return None
        self._cached_events -= kept[1]
        return kept[0]

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._loudly("saved", self._save_checked(tracker))

    async def _save_checked(self, tracker: DialogueStateTracker) -> None:
        self._take(tracker.sender_id)
        await self.stream_events(tracker)
        note = self._notes.get(tracker)
        expected = note.stored if note else None
        mark_then = note.mark if note else None
        if note is not None:
            note.mark = None  # until this save is done
        mark: Optional[Mark] = None
        with self.session_scope() as session:
            if self.engine.dialect.name == "postgresql":
                # Held until commit: saves of one conversation run one after another.
                session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:sender))"),
                                {"sender": tracker.sender_id})
            if self._cache_size:
                mark = self._mark(session, tracker.sender_id)
            if expected is not None and mark_then is not None and mark == mark_then:
                # Not one event of the conversation was added or deleted since it was read (its mark was
                # taken before its events were): as many are stored in its session as when it was read,
                # without counting them again.
                stored = expected
            else:
                stored = self._latest_session(session, tracker.sender_id).count()
            if expected is not None and stored != expected:
                raise ConversationConflict(
                    f"{stored - expected:+d} events were stored by another turn since this turn read the "
                    "conversation; this turn was not saved"
                )
            start = stored
            if expected is None and stored:
                # Not counted from a read of this store: find where the stored conversation ends in it.
                found = self._continuation(session, tracker, stored)
                if found is None:
                    # A tracker this store did not read (Rasa's fallback to memory while the database was
                    # away): none of its events is the conversation's last stored one.
                    raise ConversationConflict(
                        "this turn's conversation does not continue the stored one (it was not read from the "
                        "store); this turn was not saved"
                    )
                start = found
            added = list(itertools.islice(tracker.events, start, len(tracker.events)))
            if self._already_stored(tracker, start, added):
                return
            rows = []
            for event in added:
                data = event.as_dict()
                rows.append(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            session.add_all(rows)
            if mark is not None and rows:
                session.flush()  # the new rows get their ids: the mark with this turn's events
                ids = [int(row.id) for row in rows]
                lowest = mark[1] if mark[1] is not None else min(ids)
                highest = max(ids) if mark[2] is None else max(mark[2], *ids)
                mark = (mark[0] + len(rows), lowest, highest)
            session.commit()
        if expected is not None and any(isinstance(event, SessionStarted) for event in added):
            # The store now counts from the new session: a second save of this object is not checked.
            self._notes.set(tracker, Note(stored=None, mark=mark))
        elif expected is not None:
            self._notes.set(tracker, Note(stored=expected + len(added), mark=mark))
        else:
            self._notes.set(tracker, Note(stored=None, mark=mark))
        self._keep(tracker)

    def _continuation(self, session: sa.orm.Session, tracker: DialogueStateTracker, stored: int) -> Optional[int]:
        """Where the conversation's stored events end in `tracker`: the index after its event that is the last
        stored one (same kind, same time), looked for at `stored` (Rasa's count of the latest session) first,
        then from the end; None when the tracker holds no such event."""
        last = (session.query(self.SQLEvent.type_name, self.SQLEvent.data)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .order_by(self.SQLEvent.id.desc()).first())
        if last is None:
            return stored
        stamp = json.loads(last.data).get("timestamp")
        events = list(tracker.events)

        def is_last(event: Event) -> bool:
            return bool(event.type_name == last.type_name and event.timestamp == stamp)

        if 0 < stored <= len(events) and is_last(events[stored - 1]):
            return stored
        for index in range(len(events) - 1, -1, -1):
            if is_last(events[index]):
                return index + 1
        return None

    @staticmethod
    def _already_stored(tracker: DialogueStateTracker, stored: int, added: List[Event]) -> bool:
        """Whether this turn answers a message the conversation already holds (same client message_id):
        a client that resent it after an error, when the first attempt had in fact been stored. The
        turn is then not stored again; the client gets its replies as usual."""
        new_ids = {e.message_id for e in added if isinstance(e, UserUttered) and e.message_id}
        if not new_ids:
            return False
        old_ids = {e.message_id for e in itertools.islice(tracker.events, 0, stored) if isinstance(e, UserUttered)}
        if new_ids & old_ids:
            logger.info("Tracker store: message %s was already stored; the resent copy is not stored again.",
                        ", ".join(sorted(new_ids & old_ids)))
            return True
        return False

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await self._loudly("read", super().retrieve_full_tracker(conversation_id))
