"""What every channel does to a user message before Rasa sees it.

- Bad input is refused with a clear 4xx (wrong types, a missing or oversized sender id, a message over
  the size limit) instead of reaching the processor.
- Control characters are stripped, and a text that only looks like an intent payload ("/greet") is
  accepted only when it is exactly one: "/ i need help" is treated as text and screened.
- PHI is replaced by typed placeholders, at the earliest point, so nothing after it (the processor,
  the tracker store, any log, even Rasa's own error logs) sees the raw text. The placeholders keep the
  signal: the safety screen finds them and the person is warned.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from clinic_faq.core.phi import redact

DEFAULT_MAX_MESSAGE_CHARS = 4000
MAX_SENDER_ID_CHARS = 128
SENDER_ID_RE = re.compile(r"^[A-Za-z0-9_.:@+=-]{1,128}$")
# An intent payload, optionally with the interface's language (the widget's own buttons: `/talk_to_human{"language":"es"}`).
PAYLOAD_RE = re.compile(r'^/[a-z_]{1,64}(?:\{"language": ?"(?:en|es)"\})?$')
MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class BadInput(ValueError):
    """A request the channel refuses, with its HTTP status (400 unless said) and a reason for the client."""

    status_code = 400


class TooLong(BadInput):
    """A message over the size limit: 413."""

    status_code = 413


def clean_text(text: Any, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> str:
    """The message text as the assistant should see it, or a 4xx for what cannot be a message."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise BadInput("'message' must be a string")
    text = _CONTROL.sub("", text).strip()
    if len(text) > max_chars:
        raise TooLong(f"The message is too long: at most {max_chars} characters, please.")
    if text.startswith("/") and not PAYLOAD_RE.match(text):
        text = text.lstrip("/").strip()
    return text


def clean_sender(sender: Any) -> str:
    if not isinstance(sender, str) or not SENDER_ID_RE.match(sender):
        raise BadInput(
            f"'sender' is required: 1 to {MAX_SENDER_ID_CHARS} letters, digits or . _ : @ + = -"
        )
    return sender


def clean_message_id(message_id: Any) -> Optional[str]:
    """The client's id for one message (optional): sent again unchanged with a retried message, it makes
    the retry safe, as the conversation keeps the message once (src/clinic_faq/rasa_ext/stores/tracker.py)."""
    if message_id is None:
        return None
    if not isinstance(message_id, str) or not MESSAGE_ID_RE.match(message_id):
        raise BadInput("'message_id' must be 1 to 64 letters, digits or . _ : -")
    return message_id


def clean_metadata(metadata: Any) -> Optional[Dict[str, Any]]:
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise BadInput("'metadata' must be an object")
    return metadata


def sanitize(text: Any, max_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> str:
    """`clean_text`, then PHI redaction: what every channel hands to Rasa as the message text."""
    return redact(clean_text(text, max_chars)).text
