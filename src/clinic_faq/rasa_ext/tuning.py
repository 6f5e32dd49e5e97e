"""Which of the Rasa server's speed-ups are on: all of them, unless `CLINIC_TUNING` names some.

`make bench` (dev/clinic_faq_dev/bench/tuning.py) starts the server once per selection to measure what
each one gains (docs/benchmarks/tuning.md). Each speed-up lives where Rasa lets it live:

| name | where | what Rasa provides for it |
|---|---|---|
| `rule_policy_recent_states` | `clinic_faq.rasa_ext.policies.RecentStatesRulePolicy` | a policy named in config.yml |
| `tracker_incremental` | `clinic_faq.rasa_ext.stores.incremental_tracker` | the tracker store builds the trackers |
| `tracker_cache` | `clinic_faq.rasa_ext.stores.tracker` | the tracker store |
| `action_result_validator` | `clinic_faq.rasa_ext.patches` | nothing: it replaces a Rasa method |
| `action_recent_events` | `clinic_faq.rasa_ext.patches` | nothing: it replaces a Rasa method |

The patches are applied only by the project's launcher (`clinic-rasa`); the others work under plain
`rasa run` too.
"""

from __future__ import annotations

from typing import List, Optional

from clinic_faq import settings
from clinic_faq.settings import SPEEDUPS

ENV = "CLINIC_TUNING"


def selected(value: Optional[str] = None) -> List[str]:
    """The speed-ups `CLINIC_TUNING` (or `value`) selects: all when unset or `all`, none for `none`, else the
    names given (clinic_faq.settings checks them)."""
    if value is None:
        return list(settings.current().tuning)
    try:
        return list(settings.from_environment({ENV: value or "all"}).tuning)
    except settings.SettingsError as error:
        raise ValueError(str(error)) from None


def enabled(name: str) -> bool:
    """Whether the speed-up `name` is selected (read when the component that holds it is built)."""
    if name not in SPEEDUPS:
        raise ValueError(f"unknown speed-up {name!r}")
    return name in selected()
