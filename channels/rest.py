"""REST channel (`/webhooks/rest/webhook`) with input checks and PHI redaction."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request

from channels.sanitize import (
    DEFAULT_MAX_MESSAGE_CHARS,
    BadInput,
    clean_metadata,
    clean_sender,
    clean_text,
    redacting,
)


class ClinicRestInput(RestInput):
    """Rasa's REST channel, refusing bad input with 4xx and redacting PHI before processing."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(max_message_chars=int((credentials or {}).get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS)))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = max_message_chars

    @staticmethod
    def _body(req: Request) -> Dict[Text, Any]:
        body = req.json  # Sanic answers 400 itself when the body is not JSON
        if not isinstance(body, dict):
            raise BadInput("the request body must be a JSON object with 'sender' and 'message'")
        return body

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return clean_sender(self._body(req).get("sender"))

    def _extract_message(self, req: Request) -> Optional[Text]:
        return clean_text(self._body(req).get("message"), self.max_message_chars)

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return clean_metadata(self._body(request).get("metadata"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        return super().blueprint(redacting(on_new_message))
