"""Redacts PHI from every log record of the process, at any level, whichever handler writes it.

User text is already redacted when it enters the server; this is the second line of defence for
anything that could still carry it (a library logging a request, an exception message).
"""

from __future__ import annotations

import logging

from guardrails.phi import redact

_installed = False


def install_log_redaction() -> None:
    """Wrap the log record factory so each record's message is redacted once it is formatted."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
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
    _installed = True
