"""Redacts PHI from log records with a `logging.Filter` on every handler of the process.

User text is already redacted when it enters the server through the project's channels; this is the
second line of defence for anything that could still carry it: a library logging a request, an
exception message, or a message that reached Rasa through a channel that is not the project's (plain
`rasa shell` talks to Rasa's own REST channel).

The filter is Python's own extension point for changing records: `install_log_redaction()` adds it to
each handler attached at that moment (the root logger's, every named logger's, and `logging.lastResort`).
Whatever configures logging first (Rasa's CLI, rasa-sdk, Sanic), the project's components call it again
when they are built, so handlers added in between get it too: the Rasa server's tracker store, NLG and
channels, and the action server's launcher and action package. A handler that already has it is left
as it is. Nothing of Rasa's or of the logging module is replaced.

The filter rewrites the record before the handler formats it: the message (with its arguments merged),
the formatted exception and the stack, so a handler's formatter prints the redacted text.
"""

from __future__ import annotations

import logging
import traceback
from typing import Iterator, Set

from clinic_faq.core.phi import redact


class RedactingFilter(logging.Filter):
    """Replaces PHI in a record's message, exception text and stack with typed placeholders; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: leave it to the handler to report
            return True
        redacted = redact(message)
        if redacted.changed:
            record.msg, record.args = redacted.text, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text).text
        if record.stack_info:
            record.stack_info = redact(record.stack_info).text
        return True


def _handlers() -> Iterator[logging.Handler]:
    seen: Set[int] = set()
    loggers = [logging.getLogger()] + [
        logger for logger in list(logging.Logger.manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in list(logger.handlers):
            if id(handler) not in seen:
                seen.add(id(handler))
                yield handler
    if logging.lastResort is not None and id(logging.lastResort) not in seen:
        yield logging.lastResort


def _has_filter(handler: logging.Handler) -> bool:
    return any(isinstance(f, RedactingFilter) for f in handler.filters)


def install_log_redaction() -> int:
    """Add the redacting filter to every handler attached now that lacks it; returns how many got it."""
    added = 0
    for handler in _handlers():
        if not _has_filter(handler):
            handler.addFilter(RedactingFilter())
            added += 1
    return added


def log_redaction_installed() -> bool:
    """Whether every handler attached now redacts."""
    return all(_has_filter(handler) for handler in _handlers())


def uninstall_log_redaction() -> None:
    """Remove the redacting filter from every handler (tests)."""
    for handler in _handlers():
        for f in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(f)
