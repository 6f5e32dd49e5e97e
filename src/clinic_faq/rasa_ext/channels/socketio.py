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
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.sanitize import DEFAULT_MAX_MESSAGE_CHARS, BadInput, sanitize
from clinic_faq.paths import var_dir
from clinic_faq.rasa_ext.patches import require_applied

logger = logging.getLogger(__name__)


class SessionSigner:
    """Issues session ids of the form `<random>.<hmac>` and recognises only its own."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def from_environment(cls, key_file: Optional[Path] = None) -> SessionSigner:
        secret = os.environ.get("SOCKET_SESSION_SECRET")
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
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 100:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac, self._mac(nonce))


class ClinicSocketIOOutput(OutputChannel):
    """Sends each bot message as one event: {text, buttons?, route?}."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str, room: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt
        self.room = room

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        out: Dict[str, Any] = {"text": message.get("text") or ""}
        buttons = message.get("buttons") or message.get("quick_replies")
        if buttons:
            out["buttons"] = [{"title": b.get("title"), "payload": b.get("payload")} for b in buttons]
        route = (message.get("metadata") or {}).get("route")
        if route:
            out["route"] = route
        await self.sio.emit(self.bot_message_evt, out, room=self.room)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, **kwargs})


def allowed_origins(configured: Optional[Iterable[str]] = None) -> List[str]:
    from_env = os.environ.get("WEBSITE_ORIGINS")
    if from_env:
        return [o.strip() for o in from_env.split(",") if o.strip()]
    if configured is not None:
        return list(configured)
    return list(load_clinic_config().website_origins)


class ClinicSocketIOInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        require_applied(cls.__name__)  # Rasa builds channels at start-up: refuse to run unpatched
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
    ) -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.origins = allowed_origins(origins)
        self.max_message_chars = max_message_chars
        self.signer = signer
        self.sio: Optional[AsyncServer] = None

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None  # replies go to the session's room, from the message handler

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        signer = self.signer or SessionSigner.from_environment()
        # An empty list would switch python-engineio's origin check off altogether: never pass one.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins or ["http://localhost:8080"])
        self.sio = sio
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        sessions: Dict[str, str] = {}  # socket id -> session id issued to it

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace="/")
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True

        @sio.on("disconnect", namespace="/")
        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace="/")
        async def session_request(sid: str, data: Optional[Dict] = None) -> None:
            requested = (data or {}).get("session_id") if isinstance(data, dict) else None
            session_id = requested if signer.verify(requested) else signer.issue()
            sessions[sid] = session_id
            await sio.enter_room(sid, session_id)  # a coroutine in python-socketio 5.x (Rasa 3.6 forgets the await)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace="/")
        async def handle_message(sid: str, data: Any) -> None:
            session_id = sessions.get(sid)
            output = ClinicSocketIOOutput(sio, self.bot_message_evt, session_id or sid)
            if session_id is None:
                await output.send_response(sid, {"text": "Please reload the page to start a conversation.",
                                                 "metadata": {"route": "error"}})
                return
            if not isinstance(data, dict):
                data = {"message": data}
            try:
                text = sanitize(data.get("message"), self.max_message_chars)
            except (SanicException, BadInput) as e:
                await output.send_response(session_id, {"text": str(e), "metadata": {"route": "error"}})
                return
            message = UserMessage(text, output, session_id, input_channel=self.name())
            await on_new_message(message)

        return bp
