"""Redacts PHI from every log record of the process, at any level, whichever handler writes it.

User text is already redacted when it enters the server; this is the second line of defence for
anything that could still carry it (a library logging a request, an exception message).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from clinic_faq.core.phi import redact

_previous: Optional[Callable[..., logging.LogRecord]] = None


def install_log_redaction() -> bool:
    """Wrap the log record factory so each record's message is redacted once it is formatted.
    Returns whether it was installed now (False when it already was)."""
    global _previous
    if _previous is not None:
        return False
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to the handler to report
            return record
        redacted = redact(message)
        if redacted.changed:
            record.msg, record.args = redacted.text, ()
        return record

    logging.setLogRecordFactory(factory)
    _previous = previous
    return True


def log_redaction_installed() -> bool:
    return _previous is not None


def uninstall_log_redaction() -> None:
    """Put back the log record factory that was there before `install_log_redaction()`."""
    global _previous
    if _previous is not None:
        logging.setLogRecordFactory(_previous)
        _previous = None
