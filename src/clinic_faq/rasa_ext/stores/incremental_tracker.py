"""The tracker the project's tracker store gives Rasa: a DialogueStateTracker whose two walks over the
whole conversation, done several times per turn, cost what the turn added instead.

Rasa builds each turn's tracker through the tracker store (`retrieve`, `init_tracker`), so the store can
build this subclass; Rasa's own code then calls its public methods as on any tracker. Two are
overridden, each falling back to Rasa's own code whenever its shortcut does not hold:

- `applied_events()` (the events not undone), walked over every event several times per turn: when
  only events that Rasa's walk appends as they are were added since the previous call, the previous
  result plus those events;
- `copy()`, which Rasa calls before every action of a turn and which replays every event of the session
  into a new tracker: when every event since the session started (or the conversation restarted) sets
  only "the latest one wins" state (user and bot messages, actions, slots) and no loop is active, the
  new tracker gets all the events and is given, by a replay, only the latest event of each kind; the
  state Rasa's replay reaches is the same, since each of those events replaces what the one before it
  set, and the session start or restart before them reset everything older. Which event is the latest
  of each kind is continued from the previous copy's scan when events were only appended since.

Measured gain (make bench, docs/benchmarks/tuning.md: `tracker_incremental`). Proof that both return
what Rasa's own return: tests/rasa_ext/test_history_bounds.py compares them with
`DialogueStateTracker.applied_events` and `.copy` at every step of long simulated conversations, with
reverts, slot resets and new sessions.
"""

from __future__ import annotations

import collections
import itertools
from typing import Any, Dict, List, Optional, Tuple

from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Events that `applied_events` keeps as they are, one after another, whatever came before them (exact
# classes: no session start or restart, no reverted turn, no loop).
APPENDED_AS_IS = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization,
                            FollowupAction, ConversationPaused, ConversationResumed, AllSlotsReset,
                            ReminderScheduled, ReminderCancelled, EntitiesAdded})
# Events whose effect on the tracker's state is "the latest one wins" (exact classes). A
# DefinePrevUserUtteredFeaturization changes the user message event it follows, an object the copy shares.
LATEST_WINS = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization})
RESETS = (SessionStarted, Restarted)


class IncrementalTracker(DialogueStateTracker):  # type: ignore[misc]  # rasa has no type information
    """A DialogueStateTracker whose `applied_events()` and `copy()` do not walk the whole conversation."""

    # The previous `applied_events()`: (the events deque, how many it held, its last event, the result).
    _applied_then: Optional[Tuple[Any, int, Event, List[Event]]] = None
    # The previous `copy()`'s scan: (the events deque, how many it held, its last event, whether every event
    # after the latest session start or restart is of `LATEST_WINS`, the index of that start or restart, the
    # index of the latest event of each kind after it).
    _latest_then: Optional[Tuple[Any, int, Event, bool, Optional[int], Dict[Any, int]]] = None

    def applied_events(self) -> List[Event]:
        """`DialogueStateTracker.applied_events`, continued from its previous result on this tracker.

        When the events are the ones of the previous call plus new ones that are all of `APPENDED_AS_IS`
        (Rasa's walk would just append them), and the tracker holds no loop (whose action events Rasa's
        walk can drop later), the result is the previous one plus the new events. Anything else is walked
        in full by Rasa's own code. The caller gets a list of its own, as from Rasa."""
        events = self.events
        count = len(events)
        previous = self._applied_then
        if previous is not None:
            deque_then, count_then, last_then, applied_then = previous
            if deque_then is events and 0 < count_then <= count and events[count_then - 1] is last_then:
                new = list(itertools.islice(events, count_then, count))
                if all(type(event) in APPENDED_AS_IS for event in new):
                    continued: List[Event] = applied_then + new
                    self._applied_then = (events, count, events[count - 1], continued)
                    return list(continued)
        applied: List[Event] = super().applied_events()
        if count and events.maxlen is None and not any(isinstance(e, ActiveLoop) for e in events):
            self._applied_then = (events, count, events[count - 1], applied)
            return list(applied)
        self._applied_then = None
        return applied

    def copy(self) -> DialogueStateTracker:
        """`DialogueStateTracker.copy`, replaying only the latest event of each kind since the session started.

        The copy holds every event (the same objects, as Rasa's replay shares them) in a deque of its
        own, and the state Rasa's replay of all of them ends in. Otherwise (a loop, a revert, paused,
        a slot reset, added entities, a bounded history, ...) Rasa's copy."""
        events = self.events
        if events.maxlen is not None or self.active_loop is not None:
            return super().copy()
        scanned = self._latest_events()
        if scanned is None:
            return super().copy()
        reset_at, latest = scanned
        tracker: DialogueStateTracker = self.init_copy()
        if reset_at is not None:
            events[reset_at].apply_to(tracker)
        for index in sorted(latest.values()):
            events[index].apply_to(tracker)
        tracker.events = collections.deque(events)
        return tracker

    def _latest_events(self) -> Optional[Tuple[Optional[int], Dict[Any, int]]]:
        """The index of the latest session start or restart, and of the latest event of each kind after it
        (user and bot message, action, each slot's SlotSet); None when an event after it is not of
        `LATEST_WINS`. Continued from the previous scan when events were only appended since."""
        events = self.events
        count = len(events)
        start, plain, reset_at, latest = 0, True, None, {}
        previous = self._latest_then
        if previous is not None:
            deque_then, count_then, last_then, plain_then, reset_then, latest_then = previous
            if deque_then is events and 0 < count_then <= count and events[count_then - 1] is last_then:
                start, plain, reset_at, latest = count_then, plain_then, reset_then, dict(latest_then)
        for index in range(start, count):
            event = events[index]
            event_type = type(event)
            if event_type in RESETS:
                plain, reset_at, latest = True, index, {}
            elif event_type not in LATEST_WINS:
                plain = False
            elif event_type is not DefinePrevUserUtteredFeaturization:
                latest[("slot", event.key) if event_type is SlotSet else event_type] = index
        self._latest_then = (events, count, events[count - 1], plain, reset_at, latest) if count else None
        return (reset_at, latest) if plain else None
