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

All are applied unless `CLINIC_TUNING` names some (comma-separated) or is `none`: that is how
`make bench` measures what each one gains (dev/clinic_faq_dev/bench/tuning.py).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
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


# name: (apply, undo)
CHANGES: Dict[str, Tuple[Callable[[], None], Callable[[], None]]] = {
    "action_result_validator": (_apply_action_result_validator, _undo_action_result_validator),
    "event_class_table": (_apply_event_class_table, _undo_event_class_table),
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
