"""The abuse limits as the channels apply them (`clinic_faq.core.rate_limit`; docs/channels.md).

- REST: 429 with `Retry-After` and a JSON `error`, for every refused message;
- the website (socket.io): one polite message (`route: error`, in Spanish in a Spanish conversation),
  then silence until the window passes;
- SMS: one short text, then empty TwiML (no reply) until the window passes.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_faq.core.rate_limit import Decision, RateLimits, client_address


def request_address(request: Request, limits: RateLimits) -> Optional[str]:
    """The client's address of a Sanic request (X-Forwarded-For only from a trusted proxy)."""
    forwarded = request.headers.getall("x-forwarded-for", [])
    return client_address(request.ip, list(forwarded), limits)


def environ_address(environ: Mapping[str, Any], limits: RateLimits) -> Optional[str]:
    """The client's address of a socket.io connection (python-engineio's environ on Sanic: its
    REMOTE_ADDR is always 127.0.0.1, the Sanic request has the real peer)."""
    request = environ.get("sanic.request")
    peer = getattr(request, "ip", None) if request is not None else environ.get("REMOTE_ADDR")
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    return client_address(peer, [forwarded] if forwarded else [], limits)


def too_many(decision: Decision) -> HTTPResponse:
    """REST's answer to a refused message: 429, Retry-After, and the reason as JSON."""
    seconds = decision.retry_after_seconds
    body: Dict[str, Any] = {
        "error": f"Too many messages. Nothing was kept: please wait {seconds} s, then send your message again.",
        "retry_after": seconds,
    }
    return response.json(body, status=429, headers={"Retry-After": str(seconds)})
