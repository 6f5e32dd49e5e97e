"""Changes to the Rasa server's per-turn work that keep its behaviour identical.

- `action_result_validator`: the action server's reply is checked against Rasa's response schema
  with `jsonschema.validate`, which first checks the *schema itself* against the JSON Schema
  meta-schema, on every call. That check of a constant schema was about half of the Rasa server's CPU
  time per turn. Here the schema is checked once and its validator kept; each reply is still validated
  in full, with the same errors.
- `event_class_table`: every stored event read back (each turn reads the conversation from the tracker
  store) and every event the action server returns is turned into its class by
  `Event.resolve_by_type`, which walks the whole tree of Event subclasses each time. Here the type
  names are looked up in a table built from that same tree (first match wins, as in the walk); a name
  not in the table still goes through Rasa's own walk (and its error for an unknown event).

The others bound what a turn does with the conversation so far, which Rasa redoes from the first event
at every turn (so the 150th message of a conversation cost 5.6 times the first; docs/benchmarks/growth.md):

- `rule_policy_recent_states`: the RulePolicy turns the whole session into dialogue states (a replay of
  every event) at each of its predictions, three per answer, while its rules look at the last few
  states only. Here the states are computed for the last states its longest rule can see (plus one),
  from a short replay that starts with the latest event of each kind those states show; predictions are
  the same.
- `applied_events_incremental`: `DialogueStateTracker.applied_events` (the events not undone), walked
  over the whole tracker several times per turn, continues its previous result when only events it
  would keep as they are were added since.
- `tracker_copy_state`: before each action, the Rasa server copies the tracker by replaying all its
  events; here the tracker's state is copied when those events only set the tracker's own fields.
- `tracker_cache`: nothing of Rasa's changes: the project's tracker store (stores/tracker.py) keeps the
  tracker a turn saved for the conversation's next turn, while the database holds nothing newer.
- `action_recent_events`: the request to the action server carries the events of the latest two user
  messages (and what followed each), with everything else Rasa sends (all slots, the latest message,
  the active loop, ...), instead of every event of the session. `action_safety_notes` reads only the
  current turn's events (actions/base.py); a custom action that needs older events must not be added
  without changing `ACTION_TURNS`.

All are applied unless `CLINIC_TUNING` names some (comma-separated) or is `none`: that is how
`make bench` measures what each one gains (dev/clinic_faq_dev/bench/tuning.py). tests/rasa_ext/ compares
each with Rasa's own code.
"""

from __future__ import annotations

import copy
import itertools
import logging
import os
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import rasa
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
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
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.common import all_subclasses

logger = logging.getLogger(__name__)

ENV = "CLINIC_TUNING"

_validator: Optional[Any] = None
_original_validate_action_result = RemoteAction._validate_action_result
_original_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Type[Event]] = {}


# --- action_result_validator ---------------------------------------------------------------------------


def _action_result_validator() -> Any:
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)  # once, instead of once per action call
        _validator = cls(schema)
    return _validator


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the validator built once (same checks, same errors)."""
    error = exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _apply_action_result_validator() -> None:
    _action_result_validator()
    RemoteAction._validate_action_result = validate_action_result


def _undo_action_result_validator() -> None:
    RemoteAction._validate_action_result = _original_validate_action_result


# --- event_class_table ---------------------------------------------------------------------------------


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """`Event.resolve_by_type` from a table instead of a walk over every Event subclass."""
    cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    resolved: Optional[Type[Event]] = _original_resolve_by_type(type_name, default)
    return resolved


def _apply_event_class_table() -> None:
    for cls in all_subclasses(Event):
        _event_classes.setdefault(cls.type_name, cls)
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _undo_event_class_table() -> None:
    Event.resolve_by_type = _original_resolve_by_type


# --- rule_policy_recent_states -------------------------------------------------------------------------

# The events whose effect on what a state shows (the latest user message, the previous action, the slots)
# is "the latest one wins" (their exact classes). A conversation holding any other applied event where it
# matters (a loop, a slot reset, added entities, ...) goes through Rasa's own computation.
_LAST_WINS = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization})
_original_rule_prediction_states = RulePolicy._prediction_states
# Per trained RulePolicy: how many of the latest states its rules can look at, plus one (see below).
_states_needed: weakref.WeakKeyDictionary[RulePolicy, int] = weakref.WeakKeyDictionary()


def states_needed(policy: RulePolicy) -> int:
    """One more than the longest rule (in states) of a trained RulePolicy.

    `RulePolicy._get_possible_keys` walks the states from the newest, and at the i-th newest state a
    rule shorter than i is applicable whatever the state holds: states older than the longest rule
    change no rule's match. The one more state keeps the key Rasa builds from the states when no rule
    matches (the prediction source, looked up among the rules "not in stories" for `hide_rule_turn`)
    longer than any rule, as it is for the whole conversation."""
    needed = _states_needed.get(policy)
    if needed is None:
        keys = list(policy.lookup.get(RULES, {})) + list(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
        needed = max((len(policy._rule_key_to_state(key)) for key in keys), default=0) + 1
        _states_needed[policy] = needed
    return needed


def recent_tracker(tracker: DialogueStateTracker, states: int) -> Optional[DialogueStateTracker]:
    """A short tracker whose last `states` past states are those of `tracker`; None when `tracker` is not
    longer than that, has an active loop, or holds an applied event outside `_LAST_WINS` where it matters.

    Rasa computes one state before each action (and one at the end) by replaying every event of the
    session. Here the replay starts just before the action of the oldest state needed, from a tracker
    given, in their original order, the latest event before that point of each kind a state shows:
    each slot's latest SlotSet, the latest user message, the latest action, the latest bot message. As
    each of those events replaces what the one before it set, that tracker is the one Rasa's replay
    has at that point; every later state is then computed by Rasa's own replay of the same events. The
    short tracker's first state (before that point) is incomplete and is not used. Both scans go back
    from the end and stop as soon as they have what they need."""
    if states < 2 or tracker.active_loop is not None:
        return None
    applied = tracker.applied_events()
    actions_needed = states - 1
    start = len(applied)
    while actions_needed:  # back to the action of the oldest state needed
        start -= 1
        if start < 1:
            return None  # not longer than `states`: nothing to gain
        event_type = type(applied[start])
        if event_type not in _LAST_WINS:
            return None
        if event_type is ActionExecuted:
            actions_needed -= 1
    wanted_slots = {name for name, slot in tracker.slots.items() if slot.has_been_set}
    latest: Dict[Any, int] = {}  # event class, or ("slot", name) -> index of its latest event
    kinds = 0
    i = start
    while i > 0 and (kinds < 3 or wanted_slots):
        i -= 1
        event = applied[i]
        event_type = type(event)
        if event_type not in _LAST_WINS:
            return None
        if event_type is SlotSet:
            if event.key in wanted_slots:
                wanted_slots.discard(event.key)
                latest[("slot", event.key)] = i
        elif event_type is not DefinePrevUserUtteredFeaturization and event_type not in latest:
            latest[event_type] = i
            kinds += 1
    short = tracker.init_copy()
    for index in sorted(latest.values()):
        short.update(applied[index])
    for event in applied[start:]:
        short.update(event)
    return short


def rule_prediction_states(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """`RulePolicy._prediction_states` over the latest states its rules can see, not the whole session."""
    needed = states_needed(self)
    short = recent_tracker(tracker, needed)
    if short is None:
        states: List[Dict[str, Any]] = _original_rule_prediction_states(
            self, tracker, domain, use_text_for_last_user_input, rule_only_data=rule_only_data)
        return states
    states = _original_rule_prediction_states(self, short, domain, use_text_for_last_user_input,
                                              rule_only_data=rule_only_data)
    return states[-needed:]


def _apply_rule_policy_recent_states() -> None:
    RulePolicy._prediction_states = rule_prediction_states


def _undo_rule_policy_recent_states() -> None:
    RulePolicy._prediction_states = _original_rule_prediction_states


# --- applied_events_incremental ------------------------------------------------------------------------

_original_applied_events = DialogueStateTracker.applied_events
# Events that `applied_events` keeps as they are, one after another, whatever came before them (exact
# classes: no session start or restart, no reverted turn, no loop).
_APPENDED_AS_IS = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization,
                             FollowupAction, ConversationPaused, ConversationResumed, AllSlotsReset,
                             ReminderScheduled, ReminderCancelled, EntitiesAdded})
_APPLIED = "_clinic_applied_events"


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """`DialogueStateTracker.applied_events`, continued from its previous result on the same tracker.

    Rasa walks every event of the tracker each time (several times per turn). When the events are the
    ones of the previous call plus new ones that are all of `_APPENDED_AS_IS` (so that Rasa's walk would
    just append them), and the tracker holds no loop (whose action events Rasa's walk can drop later),
    the result is the previous one plus the new events. Anything else is walked in full by Rasa's own
    code. The caller gets a list of its own, as from Rasa."""
    events = self.events
    count = len(events)
    previous = self.__dict__.get(_APPLIED)
    if previous is not None:
        deque_then, count_then, last_then, applied_then = previous
        if deque_then is events and 0 < count_then <= count and events[count_then - 1] is last_then:
            new = list(itertools.islice(events, count_then, count))
            if all(type(event) in _APPENDED_AS_IS for event in new):
                continued: List[Event] = applied_then + new
                self.__dict__[_APPLIED] = (events, count, events[count - 1], continued)
                return list(continued)
    applied: List[Event] = _original_applied_events(self)
    if count and self._max_event_history is None and not any(isinstance(e, ActiveLoop) for e in events):
        self.__dict__[_APPLIED] = (events, count, events[count - 1], applied)
        return list(applied)
    self.__dict__.pop(_APPLIED, None)
    return applied


def _apply_applied_events_incremental() -> None:
    DialogueStateTracker.applied_events = applied_events


def _undo_applied_events_incremental() -> None:
    DialogueStateTracker.applied_events = _original_applied_events


# --- tracker_copy_state ----------------------------------------------------------------------------------

_original_copy = DialogueStateTracker.copy
# Events whose `apply_to` only sets the tracker's own fields (exact classes).
_SETS_TRACKER_ONLY = frozenset({ActionExecuted, UserUttered, BotUttered, SlotSet, DefinePrevUserUtteredFeaturization,
                                FollowupAction, ConversationPaused, ConversationResumed, AllSlotsReset,
                                SessionStarted, Restarted, UserUtteranceReverted, ActionReverted,
                                ReminderScheduled, ReminderCancelled})


def _last_of(events: Any, event_type: type) -> Optional[Event]:
    for event in reversed(events):
        if type(event) is event_type:
            found: Event = event
            return found
    return None


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """`DialogueStateTracker.copy` without replaying every event.

    Rasa's copy is a new tracker that replays all events (`travel_back_in_time`); the Rasa server makes
    one before each action of a turn. When every event only sets the tracker's own fields
    (`_SETS_TRACKER_ONLY`), no loop is active and the latest user and bot messages are the last ones of
    the events, the replay ends in the state the tracker holds, which is copied instead: the same events
    (the same objects, as the replay uses), the slots (values and whether they were set), the previous
    action, the latest messages, the follow-up action and whether it is paused. Otherwise Rasa's copy."""
    events = self.events
    if (self._max_event_history is not None or type(self.slots) is not dict or self.active_loop is not None
            or not all(type(event) in _SETS_TRACKER_ONLY for event in events)):
        return _original_copy(self)
    latest_user = _last_of(events, UserUttered)
    latest_bot = _last_of(events, BotUttered)
    if latest_user is None or self.latest_message is not latest_user or (
            latest_bot is not None and self.latest_bot_utterance is not latest_bot):
        return _original_copy(self)
    tracker = self.init_copy()
    tracker.events = tracker._create_events(list(events))
    tracker.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    tracker._paused = self._paused
    tracker.followup_action = self.followup_action
    tracker.latest_action = copy.copy(self.latest_action)
    tracker.latest_message = self.latest_message
    if latest_bot is not None:
        tracker.latest_bot_utterance = self.latest_bot_utterance
    return tracker


def _apply_tracker_copy_state() -> None:
    DialogueStateTracker.copy = copy_tracker


def _undo_tracker_copy_state() -> None:
    DialogueStateTracker.copy = _original_copy


# --- action_recent_events ------------------------------------------------------------------------------

# The user messages (with what followed each) whose events the action server gets.
ACTION_TURNS = 2
_original_action_call_format = RemoteAction._action_call_format


def recent_events(tracker: DialogueStateTracker, turns: int = ACTION_TURNS) -> List[Event]:
    """The events from the `turns`-th latest user message on (and the action_listen just before it); all
    events when the tracker holds fewer user messages."""
    events = list(tracker.events)
    seen = 0
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            seen += 1
            if seen == turns:
                start = i - 1 if i > 0 and isinstance(events[i - 1], ActionExecuted) else i
                return events[start:]
    return events


def action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    """`RemoteAction._action_call_format` with the events of the latest turns only; everything else (the
    slots, the latest message, the active loop, the latest action, the domain when it is sent) as Rasa
    sends it."""
    tracker_state = tracker.current_state(EventVerbosity.NONE)
    tracker_state["events"] = [event.as_dict() for event in recent_events(tracker)]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": tracker_state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def _apply_action_recent_events() -> None:
    RemoteAction._action_call_format = action_call_format


def _undo_action_recent_events() -> None:
    RemoteAction._action_call_format = _original_action_call_format


# --- tracker_cache -------------------------------------------------------------------------------------
# Nothing of Rasa's is changed: the project's tracker store (src/clinic_faq/rasa_ext/stores/tracker.py)
# keeps parsed conversations when this change is selected (it reads `patches.applied().speedups`).


def _nothing() -> None:
    pass


# name: (apply, undo)
CHANGES: Dict[str, Tuple[Callable[[], None], Callable[[], None]]] = {
    "action_result_validator": (_apply_action_result_validator, _undo_action_result_validator),
    "event_class_table": (_apply_event_class_table, _undo_event_class_table),
    "rule_policy_recent_states": (_apply_rule_policy_recent_states, _undo_rule_policy_recent_states),
    "applied_events_incremental": (_apply_applied_events_incremental, _undo_applied_events_incremental),
    "tracker_copy_state": (_apply_tracker_copy_state, _undo_tracker_copy_state),
    "tracker_cache": (_nothing, _nothing),
    "action_recent_events": (_apply_action_recent_events, _undo_action_recent_events),
}


def selected(value: Optional[str] = None) -> List[str]:
    """The changes `CLINIC_TUNING` selects: all when unset or `all`, none for `none`, else the names."""
    value = (os.environ.get(ENV, "all") if value is None else value).strip()
    if value in ("", "all"):
        return list(CHANGES)
    if value == "none":
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in CHANGES]
    if unknown:
        raise ValueError(f"{ENV}: unknown change(s) {', '.join(unknown)}; known: {', '.join(CHANGES)}")
    return names


def apply(names: List[str]) -> None:
    """Install the named changes (called by `clinic_faq.rasa_ext.patches.apply()`)."""
    for name in names:
        CHANGES[name][0]()
    logger.debug("Rasa server speed-ups: %s", ", ".join(names) or "none")


def undo(names: List[str]) -> None:
    for name in reversed(names):
        CHANGES[name][1]()
