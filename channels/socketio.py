"""Socket.io channel for the website chat widget, with an origin allowlist and PHI redaction.

Rasa's own socket.io channel accepts connections from any origin; this one accepts only the pages
listed in `clinic.yml` (`website_origins`), or in `cors_allowed_origins` in `credentials.yml`.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.exceptions import SanicException

from channels.sanitize import DEFAULT_MAX_MESSAGE_CHARS, sanitize
from guardrails.clinic_config import load_clinic_config

logger = logging.getLogger(__name__)


class ClinicSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("cors_allowed_origins", None)
        if origins is None:
            origins = list(load_clinic_config().website_origins)
        max_chars = int(credentials.pop("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS))
        channel = super().from_credentials(credentials)
        channel.cors_allowed_origins = list(origins)
        channel.max_message_chars = max_chars
        return channel

    cors_allowed_origins: List[str] = []
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS

    def _sanitizing(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
        async def handler(message: UserMessage) -> Any:
            try:
                message.text = sanitize(message.text, self.max_message_chars)
            except SanicException as e:
                await message.output_channel.send_text_message(message.sender_id, str(e))
                return None
            return await on_new_message(message)

        return handler

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = super().blueprint(self._sanitizing(on_new_message))
        # An empty list would switch python-engineio's origin check off altogether.
        self.sio.eio.cors_allowed_origins = self.cors_allowed_origins or ["http://localhost:8080"]
        return bp
