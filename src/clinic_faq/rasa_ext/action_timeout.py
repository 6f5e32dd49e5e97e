"""Server settings Rasa 3.6 does not expose: the action server call's timeout.

Rasa waits up to 300 s for a custom action, while a conversation's lock lives 60 s
(TICKET_LOCK_LIFETIME): a slow action server would let the lock expire and a second replica serve the
same conversation. The timeout is set from ACTION_TIMEOUT_SECONDS (default 20 s) and always kept below
the lock's lifetime. Rasa passes its module constant to every action call, so that constant is set.
"""

from __future__ import annotations

import logging
import os
from typing import Optional

import rasa.core.actions.action

logger = logging.getLogger(__name__)

DEFAULT_ACTION_TIMEOUT = 20.0


def action_timeout() -> float:
    lock_lifetime = float(os.environ.get("TICKET_LOCK_LIFETIME", 60))
    timeout = float(os.environ.get("ACTION_TIMEOUT_SECONDS", DEFAULT_ACTION_TIMEOUT))
    if timeout >= lock_lifetime:
        logger.error("ACTION_TIMEOUT_SECONDS (%s) must be below the lock lifetime (%s): using %s.",
                     timeout, lock_lifetime, lock_lifetime / 2)
        timeout = lock_lifetime / 2
    return timeout


_previous: Optional[float] = None


def apply_action_timeout() -> float:
    """Set Rasa's action call timeout from the environment; returns it."""
    global _previous
    timeout = action_timeout()
    if _previous is None:
        _previous = rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout
    return timeout


def undo_action_timeout() -> None:
    global _previous
    if _previous is not None:
        rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = _previous
        _previous = None
