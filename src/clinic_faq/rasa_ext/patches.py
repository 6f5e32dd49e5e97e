"""The Rasa internals this project still replaces, each for a measured gain that Rasa 3.6 offers no
extension point for; applied once, by the project's launcher (`clinic-rasa`), before Rasa starts.

Everything else the project adds to Rasa goes through Rasa's extension points (docs/architecture.md):
the policy named in config.yml (`clinic_faq.rasa_ext.policies`), the tracker store and the trackers it
builds (`clinic_faq.rasa_ext.stores`), the NLG, the input channels, and a `logging.Filter` on every log
handler (`clinic_faq.core.log_redaction`). A server started with plain `rasa run` or `rasa shell` runs
all of that, redacts its logs, and lacks only what is below: it is slower, and waits longer for a
stuck action server.

| patch | replaces | measured gain (docs/benchmarks/tuning.md) | proof it behaves as Rasa's code |
|---|---|---|---|
| `action_result_validator` | `RemoteAction._validate_action_result` | Rasa CPU per message -30.7% (58.8 -> 40.7 ms), messages/s +73% (2026-12-04, all other speed-ups on) | tests/rasa_ext/test_patches.py::test_the_action_result_is_validated_exactly_as_rasa_does |
| `action_recent_events` | `RemoteAction._action_call_format` | Rasa CPU per message -17.0% (49.1 -> 40.7 ms), messages/s +38%, turns 141-150 / fresh 1.05 -> 0.90 (same run) | tests/rasa_ext/test_history_bounds.py::test_the_action_server_gets_the_latest_turns_and_answers_the_same |
| action timeout | `rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT` | none: not a speed-up (below) | tests/rasa_ext/test_patches.py::test_rasa_cuts_a_slow_action_call_at_the_patched_timeout, tests/integration/test_slow_action.py |

Each patch names the source of the Rasa code it replaces by its SHA-256 (`REPLACED`): it is applied
only when the installed Rasa's code is that same code, whatever the Rasa version says, and skipped
with a warning otherwise (the server then starts without it: slower, not unsafe). A Rasa 3.6.x
release that leaves those methods alone needs no review; one that changes them is not run with
patches written for other code.

The action timeout: Rasa waits up to 300 s for a custom action, while a conversation's lock lives 60 s
(TICKET_LOCK_LIFETIME), so a stuck action server would let the lock expire and a second replica take
the conversation. That would not corrupt it (the tracker store refuses a turn saved over one it has
not seen: stores/tracker.py), but the person would wait minutes for a refusal. Rasa passes its module
constant to every action call, and reads it from nowhere else, so the constant is set from
ACTION_TIMEOUT_SECONDS (default 20 s), always below the lock's lifetime.

`CLINIC_TUNING` (clinic_faq.rasa_ext.tuning) selects the speed-ups for `make bench`. `undo()` restores
everything (tests apply and undo around each use).
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import rasa
import rasa.core.actions.action
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from clinic_faq import settings
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.rasa_ext import tuning

logger = logging.getLogger(__name__)

# The SHA-256 of the source of the Rasa code each patch replaces (Rasa 3.6.21), or reads (the timeout:
# the one function that passes the constant on).
REPLACED: Dict[str, Tuple[Callable[..., Any], str]] = {
    "action_result_validator": (RemoteAction._validate_action_result,
                                "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42"),
    "action_recent_events": (RemoteAction._action_call_format,
                             "428795b944f22edba142d278ec47a30098975b01463ba337ec447dade52a0492"),
    "action_timeout": (RemoteAction.run,
                       "ccabf6f1160d527a157fad5bd285ce69e8221b1bcad23f8a61499b4360a1c17e"),
}


def source_digest(function: Callable[..., Any]) -> Optional[str]:
    """The SHA-256 of a function's source (None when the source cannot be read)."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()


def unchanged(name: str) -> bool:
    """Whether the installed Rasa's code that patch `name` replaces is the code it was written for."""
    function, digest = REPLACED[name]
    return source_digest(function) == digest


# --- action_result_validator ---------------------------------------------------------------------------
# Rasa checks the action server's reply with `jsonschema.validate`, which first checks the *schema itself*
# against the JSON Schema meta-schema, on every call: about half of the Rasa server's CPU per turn. Here
# the schema is checked once and its validator kept; each reply is still validated in full, with the
# same errors.

_original_validate_action_result = RemoteAction._validate_action_result
_validator: Optional[Any] = None


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


# --- action_recent_events ------------------------------------------------------------------------------
# The request to the action server carries the events of the latest two user messages (and what followed
# each), with everything else Rasa sends (all slots, the latest message, the active loop, ...), instead
# of every event of the session. `action_safety_notes` reads only the current turn's events
# (actions/base.py); a custom action that needs older events must not be added without changing
# `ACTION_TURNS`.

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
    result = {"next_action": self.name(), "sender_id": tracker.sender_id, "tracker": tracker_state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def _apply_action_recent_events() -> None:
    RemoteAction._action_call_format = action_call_format


def _undo_action_recent_events() -> None:
    RemoteAction._action_call_format = _original_action_call_format


# --- action timeout ------------------------------------------------------------------------------------

_original_timeout = rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT


def action_timeout() -> float:
    """ACTION_TIMEOUT_SECONDS (clinic_faq.settings keeps it below the conversation lock's lifetime)."""
    return settings.current().action_timeout_seconds


def _apply_action_timeout() -> None:
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout()


def _undo_action_timeout() -> None:
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = _original_timeout


# --- applying them -------------------------------------------------------------------------------------

# name: (apply, undo); the speed-ups only when CLINIC_TUNING selects them, the timeout always.
PATCHES: Dict[str, Tuple[Callable[[], None], Callable[[], None]]] = {
    "action_result_validator": (_apply_action_result_validator, _undo_action_result_validator),
    "action_recent_events": (_apply_action_recent_events, _undo_action_recent_events),
    "action_timeout": (_apply_action_timeout, _undo_action_timeout),
}


@dataclass
class Applied:
    patches: List[str] = field(default_factory=list)  # applied
    skipped: List[str] = field(default_factory=list)  # selected, but the Rasa code they replace has changed
    action_timeout: Optional[float] = None


_state = Applied()


def apply() -> Applied:
    """Apply the selected patches whose Rasa code is unchanged (once; later calls change nothing)."""
    if _state.patches or _state.skipped:
        return _state
    install_log_redaction()
    wanted = [name for name in PATCHES if name == "action_timeout" or tuning.enabled(name)]
    for name in wanted:
        if not unchanged(name):
            _state.skipped.append(name)
            logger.warning("Rasa %s: the code the %r patch replaces has changed since Rasa 3.6.21; it is not "
                           "applied (the server runs without it). Review src/clinic_faq/rasa_ext/patches.py.",
                           rasa.__version__, name)
            continue
        PATCHES[name][0]()
        _state.patches.append(name)
    if "action_timeout" in _state.patches:
        _state.action_timeout = rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT
    logger.info("Rasa %s: patches applied: %s%s.", rasa.__version__, ", ".join(_state.patches) or "none",
                f"; skipped: {', '.join(_state.skipped)}" if _state.skipped else "")
    return _state


def applied() -> Applied:
    return _state


def undo() -> None:
    """Restore everything `apply()` changed."""
    for name in reversed(_state.patches):
        PATCHES[name][1]()
    _state.patches, _state.skipped, _state.action_timeout = [], [], None

