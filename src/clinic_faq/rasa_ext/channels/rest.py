"""REST channel (`/webhooks/rest/webhook`) with input checks and PHI redaction.

Body: {"sender": "<conversation id>", "message": "<text>", "message_id": "<optional id>"}. A client that
sends a `message_id` and, after an error or a timeout, sends the same message again with the same id gets
it handled at most once: the conversation keeps it once (src/clinic_faq/rasa_ext/stores/tracker.py).

Abuse limits (clinic.yml `limits:`, docs/channels.md): a message over its conversation's or its client
address's limit gets 429 with `Retry-After` and a JSON `error`, and is neither processed nor stored.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_faq.channel_stores.contact import take_contact
from clinic_faq.channel_stores.rate_limit import shared_limiter
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.core.rate_limit import RateLimiter
from clinic_faq.core.sanitize import (
    DEFAULT_MAX_MESSAGE_CHARS,
    BadInput,
    clean_message_id,
    clean_metadata,
    clean_sender,
    sanitize,
)
from clinic_faq.rasa_ext.channels.limits import request_address, too_many
from clinic_faq.rasa_ext.stores.tracker import reset_storage_failure, storage_failed

logger = logging.getLogger(__name__)


class ClinicRestInput(RestInput):  # type: ignore[misc]  # rasa has no type information
    """Rasa's REST channel, refusing bad input with 4xx and redacting PHI as the message is read."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        install_log_redaction()  # on the log handlers Rasa has set up, however the server was started
        return cls(max_message_chars=int((credentials or {}).get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS)))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
                 limiter: Optional[RateLimiter] = None) -> None:
        self.max_message_chars = max_message_chars
        self.limiter = limiter  # None: the server's shared limiter, built with the blueprint

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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Rasa's REST routes, except that a turn that was not stored, or failed, is never a 200."""
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        limiter = self.limiter or shared_limiter()

        @bp.exception(SanicException, BadInput)  # type: ignore[misc]  # sanic's Blueprint.exception is unannotated
        async def refused(_: Request, error: Exception) -> HTTPResponse:
            # Every refusal as JSON with its reason, whatever the request's content type (Sanic would
            # answer a form post with an HTML page).
            status = getattr(error, "status_code", 400) or 400
            return response.json({"error": str(error) or "The request could not be read."}, status=status)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            # Before anything costly: a message over its limits is refused (429) and not processed.
            decision = await limiter.conversation(sender_id or "", request_address(request, limiter.limits))
            if not decision.allowed:
                return too_many(decision)
            text = self._extract_message(request)
            metadata = self.get_metadata(request)
            raw = self._body(request).get("message")
            replacement, contact = take_contact(sender_id or "", raw if isinstance(raw, str) else "")
            if contact:
                text, metadata = replacement or text, {**(metadata or {}), **contact}
            message_id = clean_message_id(self._body(request).get("message_id"))
            if bool_arg(request, "stream", default=False):  # used by `rasa shell` (make shell)
                # sanic serves a ResponseStream from a handler, though its RouteHandler type says HTTPResponse
                return response.stream(  # type: ignore[return-value]
                    self.stream_response(on_new_message, text, sender_id, self.name(), metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            reset_storage_failure()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                 metadata=metadata, message_id=message_id))
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("REST: the message could not be processed.")
                return response.json({"error": "The message could not be processed. Please try again."}, status=500)
            if storage_failed():
                return response.json(
                    {"error": "The message could not be stored. Nothing was kept: please send it again."}, status=503
                )
            return response.json(collector.messages)

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        return bp


