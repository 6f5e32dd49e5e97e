"""Every change this project makes to Rasa's internals, applied in one place, once, at server start-up.

`apply()` is called by the server launchers (`clinic-rasa`, `python -m clinic_faq.rasa_ext.servers.rasa_server`)
before Rasa starts; nothing else switches these on. It first checks the installed Rasa: the patches
replace private functions and module constants of Rasa 3.6.21 and are refused on any other version,
so an upgrade cannot silently run with patches written for other code.

What it changes:

- `log_redaction` (privacy): the process-wide log record factory redacts PHI from every log record
  (`clinic_faq.core.log_redaction`). The action server, which runs rasa-sdk and not Rasa, installs the
  same redaction when it starts (`servers/action_server.py`, and the top-level `actions` package).
- `action_timeout` (safety): `rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT`, from
  ACTION_TIMEOUT_SECONDS, always below the conversation lock's lifetime (`action_timeout`).
- the speed-ups (`speedups`): `RemoteAction._validate_action_result`, `Event.resolve_by_type`,
  `RulePolicy._prediction_states`, `DialogueStateTracker.applied_events` and `.copy`,
  `RemoteAction._action_call_format` (and the tracker store's kept conversations): same behaviour, less
  work per turn, and none that grows with the length of the conversation; CLINIC_TUNING selects them
  for `make bench`.

The project's Rasa classes that depend on them (the tracker store, the NLG, the input channels) call
`require_applied()` when Rasa builds them: a server started with plain `rasa run` stops at start-up
with a message that says how to start it, instead of running without its safety settings.

`undo()` restores everything (tests apply and undo around each use).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import List, Optional

import rasa.version

from clinic_faq.core.log_redaction import install_log_redaction, uninstall_log_redaction
from clinic_faq.rasa_ext import action_timeout, speedups

logger = logging.getLogger(__name__)

# The Rasa release whose private functions and constants the patches replace.
SUPPORTED_RASA = ("3.6.21",)


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one the patches were written for."""


class PatchesNotApplied(RuntimeError):
    """A project class was built in a server started without `patches.apply()`."""


@dataclass
class Applied:
    rasa_version: str = ""
    log_redaction: bool = False
    action_timeout: Optional[float] = None
    speedups: List[str] = field(default_factory=list)

    @property
    def server(self) -> bool:
        return self.action_timeout is not None


_state = Applied()


def installed_rasa_version() -> str:
    return str(rasa.version.__version__)


def check_rasa_version(version: Optional[str] = None) -> str:
    version = version or installed_rasa_version()
    if version not in SUPPORTED_RASA:
        raise UnsupportedRasaVersion(
            f"This assistant patches Rasa's internals as of Rasa {', '.join(SUPPORTED_RASA)}, but Rasa {version} "
            f"is installed. Install the pinned version (make install, requirements.txt) or review "
            f"src/clinic_faq/rasa_ext/patches.py for the new version and add it to SUPPORTED_RASA."
        )
    return version


def apply() -> Applied:
    """Check the Rasa version and apply every patch for the Rasa server (once; later calls change nothing)."""
    if _state.server:
        return _state
    _state.rasa_version = check_rasa_version()
    _state.log_redaction = install_log_redaction() or _state.log_redaction
    names = speedups.selected()
    speedups.apply(names)
    _state.speedups = names
    _state.action_timeout = action_timeout.apply_action_timeout()
    logger.info("Rasa %s patched: PHI redaction in logs, action timeout %.0f s, speed-ups: %s.",
                _state.rasa_version, _state.action_timeout, ", ".join(names) or "none")
    return _state


def applied() -> Applied:
    return _state


def require_applied(who: str) -> None:
    """Called when Rasa builds one of the project's server classes: refuse to run without the patches."""
    if not _state.server:
        raise PatchesNotApplied(
            f"{who} needs the project's Rasa server settings (PHI redaction in logs, action timeout), which "
            "are applied at start-up by the project's launcher. Start the server with `clinic-rasa run ...` "
            "(or `python -m clinic_faq.rasa_ext.servers.rasa_server ...`), not with plain `rasa run`."
        )


def undo() -> None:
    """Restore everything `apply()` changed."""
    speedups.undo(_state.speedups)
    action_timeout.undo_action_timeout()
    if _state.log_redaction:
        uninstall_log_redaction()
    _state.rasa_version, _state.log_redaction, _state.action_timeout, _state.speedups = "", False, None, []
