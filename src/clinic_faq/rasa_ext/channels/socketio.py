"""Socket.io channel for the website chat widget.

Based on Rasa's own socket.io channel, with what a clinic's website needs on top:

- **Origins**: only the pages in `clinic.yml` (`website_origins`), or `WEBSITE_ORIGINS` (comma-separated)
  in the environment, may connect. Rasa's channel passes an empty list, which switches the check off.
- **Session ids are issued by the server and signed** (HMAC). Rasa's channel lets a client join any room
  it names, so whoever knows or guesses a visitor's session id receives that visitor's replies. Here a
  client can only resume a session with a token the server gave it; anything else gets a new session.
  The key comes from `SOCKET_SESSION_SECRET` (set it, the same on every replica), or is generated once
  and kept in `var/socket_session.key`.
- **Input** is checked and PHI-redacted as in every channel (`clinic_faq.core.sanitize`); a message over the size
  limit gets a polite reply instead of an error.
- **Output** carries each response's `route` (answer, disclaimer, referral, emergency, ...) so the widget
  can show emergency guidance and disclaimers distinctly.
- **No reply to a message that was not kept.** A turn's replies are collected while Rasa handles the
  message and sent, in the order they were produced, only once the turn has been stored. When the
  conversation could not be stored (the database was unreachable: `clinic_faq.rasa_ext.stores.tracker`)
  or handling the message failed, the session gets one message instead, route `error` and
  `"stored": false`: "Your message could not be saved. Nothing was kept: please send it again." (in
  Spanish when the turn's replies were Spanish).
- **Abuse limits** (clinic.yml `limits:`, docs/channels.md): a message over its conversation's or its
  client address's limit is not processed; the session is told once, politely (route `error`, with
  `retry_after`; in Spanish in a Spanish conversation), and further refused messages get no answer until
  the window passes.
- **Which message a reply is for.** The widget may number its messages (`{"message": ..., "id": 7}`, a
  whole number); every event sent for that message (its replies, the "not stored" message, the refusal)
  then carries `"reply_to": 7`, so the widget knows exactly which of its messages were not kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from clinic_faq import settings
from clinic_faq.channel_stores.contact import take_contact
from clinic_faq.channel_stores.rate_limit import shared_limiter
from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.core.rate_limit import Decision, RateLimiter, notice_text
from clinic_faq.core.sanitize import DEFAULT_MAX_MESSAGE_CHARS, BadInput, sanitize
from clinic_faq.paths import var_dir
from clinic_faq.rasa_ext.channels.limits import environ_address
from clinic_faq.rasa_ext.stores.tracker import reset_storage_failure, storage_failed
from clinic_faq.settings import Settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
DEFAULT_ORIGIN = "http://localhost:8080"
# Sent instead of the replies when the message was not stored: nothing was kept, send it again.
NOT_STORED_TEXT = {
    "en": "Your message could not be saved. Nothing was kept: please send it again.",
    "es": "Su mensaje no se pudo guardar. No se conservó nada: envíelo de nuevo.",
}


class SessionSigner:
    """Issues session ids of the form `<random>.<hmac>` and recognises only its own."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def from_environment(cls, key_file: Optional[Path] = None) -> SessionSigner:
        secret = Settings.secret(settings.current().socket_session_secret)
        if secret:
            return cls(secret.encode())
        key_file = key_file or var_dir() / "socket_session.key"
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_bytes(secrets.token_bytes(32))
            key_file.chmod(0o600)
        return cls(key_file.read_bytes())

    def _mac(self, nonce: str) -> str:
        return hmac.new(self.key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._mac(nonce)}"

    def verify(self, token: Any) -> bool:
        """Whether `token` is a session id this key issued (anything else, of any type, is False)."""
        if not isinstance(token, str) or not token.isascii() or token.count(".") != 1 or len(token) > 100:
            return False  # (hmac.compare_digest raises on non-ASCII strings)
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac, self._mac(nonce))


MAX_MESSAGE_ID = 2**53 - 1  # the largest whole number a browser's JavaScript holds exactly


def message_id(data: Any) -> Optional[int]:
    """The widget's number for a message (`id`), if it sent a whole number; anything else is ignored."""
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_MESSAGE_ID:
        return value
    return None


def bot_event(message: Dict[str, Any], reply_to: Optional[int] = None) -> Dict[str, Any]:
    """One bot message as the widget receives it: {text, buttons?, route?, expect?, stored?, retry_after?, reply_to?}.
    `expect` ("phone", "name") says what the callback form's question asks for, so the text box can help."""
    out: Dict[str, Any] = {"text": message.get("text") or ""}
    buttons = message.get("buttons") or message.get("quick_replies")
    if buttons:
        out["buttons"] = [{"title": b.get("title"), "payload": b.get("payload")} for b in buttons]
    metadata = message.get("metadata") or {}
    if metadata.get("route"):
        out["route"] = metadata["route"]
    if metadata.get("expect") in ("phone", "name"):
        out["expect"] = metadata["expect"]
    if metadata.get("stored") is False:
        out["stored"] = False
    if metadata.get("retry_after"):
        out["retry_after"] = metadata["retry_after"]
    if reply_to is not None:
        out["reply_to"] = reply_to
    return out


def not_stored_message(language: str) -> Dict[str, Any]:
    """What the session gets instead of the replies to a message that was not stored."""
    text = NOT_STORED_TEXT.get(language, NOT_STORED_TEXT["en"])
    return {"text": text, "metadata": {"route": "error", "stored": False, "lang": language}}


def limited_message(decision: Decision, language: str) -> Dict[str, Any]:
    """The one polite message a session gets when its messages are refused by the abuse limits."""
    text = notice_text(decision, language, load_clinic_config().emergency_number)
    return {"text": text, "metadata": {"route": "error", "stored": False, "lang": language,
                                       "retry_after": decision.retry_after_seconds}}


def turn_language(messages: Iterable[Dict[str, Any]]) -> str:
    """The language of a turn's replies ("es" only when every reply is Spanish; "en" otherwise)."""
    languages = {(m.get("metadata") or {}).get("lang") or "en" for m in messages}
    return "es" if languages == {"es"} else "en"


class ClinicSocketIOOutput(OutputChannel):  # type: ignore[misc]  # rasa has no type information
    """Sends each bot message as one event to the session's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str, room: str, reply_to: Optional[int] = None) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt
        self.room = room
        self.reply_to = reply_to

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.sio.emit(self.bot_message_evt, bot_event(message, self.reply_to), room=self.room)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


class TurnCollector(OutputChannel):  # type: ignore[misc]  # rasa has no type information
    """Keeps a turn's bot messages, in order, until the turn is known to be stored."""

    @classmethod
    def name(cls) -> str:
        return "socketio"  # the channel Rasa renders the responses for

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.messages.append(dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


def allowed_origins(configured: Optional[Iterable[str]] = None) -> List[str]:
    """The page origins allowed to connect: WEBSITE_ORIGINS (comma-separated), else `configured`
    (credentials.yml `cors_allowed_origins`), else clinic.yml `website_origins`."""
    from_env = settings.current().website_origins
    if from_env:
        return list(from_env)
    if configured is not None:
        return list(configured)
    return list(load_clinic_config().website_origins)


class OriginCheck:
    """python-engineio's origin check (its `cors_allowed_origins` callable): a connection whose page
    origin is not exactly one of these is refused (python-engineio logs it). Never empty (an empty list
    would switch the check off in python-engineio): with no origin configured only the local example page
    is allowed. A "*" is not a wildcard here: only the pages listed may connect."""

    def __init__(self, origins: Iterable[str]) -> None:
        listed = frozenset(o for o in origins if o and o != "*")
        self.origins: FrozenSet[str] = listed or frozenset({DEFAULT_ORIGIN})

    def __call__(self, origin: Optional[str], environ: Optional[Dict[str, Any]] = None) -> bool:
        return origin is not None and origin in self.origins


class ClinicSocketIOInput(InputChannel):  # type: ignore[misc]  # rasa has no type information
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        install_log_redaction()  # on the log handlers Rasa has set up, however the server was started
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            origins=credentials.get("cors_allowed_origins"),
            max_message_chars=int(credentials.get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS)),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        socketio_path: str = "/socket.io",
        origins: Optional[List[str]] = None,
        max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
        signer: Optional[SessionSigner] = None,
        limiter: Optional[RateLimiter] = None,
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.origins = allowed_origins(origins)
        self.origin_check = OriginCheck(self.origins)
        self.max_message_chars = max_message_chars
        self.signer = signer
        self.limiter = limiter  # None: the server's shared limiter, built with the blueprint
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None  # replies go to the session's room, from the message handler

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        signer = self.signer or SessionSigner.from_environment()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origin_check)
        self.sio = sio
        bp: Blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        sessions: Dict[str, str] = {}  # socket id -> session id issued to it
        addresses: Dict[str, Optional[str]] = {}  # socket id -> the client's address
        languages: Dict[str, str] = {}  # session id -> the language of its latest replies (for the notice)
        limiter = self.limiter or shared_limiter()

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def connect(sid: str, environ: Dict[str, Any], auth: Optional[Dict[str, Any]] = None) -> bool:
            addresses[sid] = environ_address(environ, limiter.limits)
            return True

        async def disconnect(sid: str) -> None:
            session_id = sessions.pop(sid, None)
            addresses.pop(sid, None)
            if session_id is not None and session_id not in sessions.values():
                languages.pop(session_id, None)

        async def session_request(sid: str, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and signer.verify(requested) else signer.issue()
            sessions[sid] = session_id
            await sio.enter_room(sid, session_id)  # a coroutine in python-socketio 5.x (Rasa 3.6 forgets the await)
            await sio.emit("session_confirm", session_id, room=sid)

        async def handle_message(sid: str, data: Any) -> None:
            session_id = sessions.get(sid)
            output = ClinicSocketIOOutput(sio, self.bot_message_evt, session_id or sid, message_id(data))
            if session_id is None:
                await output.send_response(sid, {"text": "Please reload the page to start a conversation.",
                                                 "metadata": {"route": "error"}})
                return
            decision = await limiter.conversation(session_id, addresses.get(sid))
            if not decision.allowed:  # not processed: told once, then silence until the window passes
                if decision.notify:
                    await output.send_response(session_id, limited_message(decision, languages.get(session_id, "en")))
                return
            if not isinstance(data, dict):
                data = {"message": data}
            try:
                text = sanitize(data.get("message"), self.max_message_chars)
            except (SanicException, BadInput) as e:
                await output.send_response(session_id, {"text": str(e), "metadata": {"route": "error"}})
                return
            replacement, contact = take_contact(session_id, data.get("message") if text else "")
            replies = await self.handle_turn(replacement or text, session_id, on_new_message, contact or None)
            if replies:
                languages[session_id] = turn_language(replies)
            for message in replies:
                await output.send_response(session_id, message)

        bp.add_route(health, "/", methods=["GET"])
        sio.on("connect", handler=connect, namespace="/")
        sio.on("disconnect", handler=disconnect, namespace="/")
        sio.on("session_request", handler=session_request, namespace="/")
        sio.on(self.user_message_evt, handler=handle_message, namespace="/")
        return bp

    async def handle_turn(self, text: str, session_id: str, on_new_message: OnNewMessage,
                          metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """What the session is sent for this message: the turn's replies in the order they were produced,
        once the turn was stored; or, when it was not stored or failed, only the "not stored" message."""
        collector = TurnCollector()
        reset_storage_failure()
        try:
            await on_new_message(UserMessage(text, collector, session_id, input_channel=self.name(), metadata=metadata))
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("socket.io: the message could not be processed; it was not stored.")
            return [not_stored_message(turn_language(collector.messages))]
        if storage_failed():
            logger.warning("socket.io: the message was not stored; the visitor is asked to send it again.")
            return [not_stored_message(turn_language(collector.messages))]
        return collector.messages
