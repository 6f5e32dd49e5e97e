"""REST channel (`/webhooks/rest/webhook`) with input checks and PHI redaction."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic.request import Request

from channels.sanitize import (
    DEFAULT_MAX_MESSAGE_CHARS,
    BadInput,
    clean_metadata,
    clean_sender,
    sanitize,
)


class ClinicRestInput(RestInput):
    """Rasa's REST channel, refusing bad input with 4xx and redacting PHI as the message is read."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(max_message_chars=int((credentials or {}).get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS)))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = max_message_chars

    @staticmethod
    def _body(req: Request) -> Dict[str, Any]:
        body = req.json  # Sanic answers 400 itself when the body is not JSON
        if not isinstance(body, dict):
            raise BadInput("the request body must be a JSON object with 'sender' and 'message'")
        return body

    async def _extract_sender(self, req: Request) -> Optional[str]:
        return clean_sender(self._body(req).get("sender"))

    def _extract_message(self, req: Request) -> Optional[str]:
        return sanitize(self._body(req).get("message"), self.max_message_chars)

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        return clean_metadata(self._body(request).get("metadata"))
