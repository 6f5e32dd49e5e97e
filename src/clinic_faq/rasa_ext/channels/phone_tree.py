"""Text (SMS) channel for the clinic's phone tree, compatible with Twilio's Messaging webhook.

POST /webhooks/phone_tree/webhook with Twilio's form fields (`From`, `Body`, `MessageSid`); the reply is
TwiML. It fixes what Rasa's built-in Twilio channel gets wrong:

- every request must carry a valid `X-Twilio-Signature` for the account's auth token (checked with the
  `twilio` package's own RequestValidator, over `PUBLIC_BASE_URL` + the path, as Twilio signs the public
  URL even behind a proxy); forged or unsigned requests get 403, and with no token configured every
  request is refused rather than the check being skipped;
- a missing or empty `Body` gets a polite reply, not a crash; there is no debug mode;
- Twilio retries a webhook that timed out: a `MessageSid` already handled gets the same reply again
  and is not processed twice.

For a phone: plain text only (markdown and HTML removed), buttons become a numbered menu ("Reply 1 for
Tell me more") and a digit reply picks that button, long answers are split at sentence boundaries into
messages of at most 320 characters, emergency guidance always comes first. STOP (and UNSUBSCRIBE, CANCEL,
END, QUIT, STOPALL, and the Spanish PARAR, ALTO, CANCELAR, BAJA, ...) ends replies to that number until
START (or UNSTOP, COMENZAR); HELP or AYUDA gives the clinic's line, in the conversation's language
(remembered per number from the assistant's replies; ESPAÑOL and ENGLISH choose it).

The phone number is never stored: the conversation id is a keyed hash of it, and opt-outs, menus and
handled message ids are kept under that hash in a small SQLite file (`var/phone_tree.db`), or, with
several replicas, in the database named by PHONE_TREE_STORE_URL (PostgreSQL), so a retried MessageSid is
recognised whichever replica it reaches.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union
from urllib.parse import parse_qs

import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.sanitize import sanitize
from clinic_faq.paths import var_dir
from clinic_faq.rasa_ext.patches import require_applied

logger = logging.getLogger(__name__)

MAX_SMS_CHARS = 320
MAX_BODY_CHARS = 1600  # Twilio's own limit for one inbound message
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
# Spanish: opt-out words honoured as well as the carriers' English ones, and help.
STOP_WORDS_ES = {"PARAR", "PARA", "ALTO", "CANCELAR", "BAJA", "DETENER", "SALIR", "NO MAS", "NO MÁS"}
START_WORDS_ES = {"COMENZAR", "INICIAR", "REANUDAR", "EMPEZAR"}
HELP_WORDS_ES = {"AYUDA"}
# The person choosing a language; passed to the assistant as a request it understands.
LANGUAGE_WORDS = {"ESPAÑOL": ("es", "en español por favor"), "ESPANOL": ("es", "en español por favor"),
                  "SPANISH": ("es", "en español por favor"), "ENGLISH": ("en", "English please"),
                  "INGLES": ("en", "English please"), "INGLÉS": ("en", "English please")}
RETRY_WAIT_SECONDS = 15.0


# --- text for a phone -------------------------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_TAGS = re.compile(r"<[^>]+>")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`|~~|^#+\s*|^>\s*)", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain_text(text: str) -> str:
    """Markdown and HTML reduced to plain text: links keep their address."""
    text = _MD_LINK.sub(r"\1 (\2)", text or "")
    text = html.unescape(_TAGS.sub("", text))
    text = _MD_MARKS.sub("", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def split_sms(text: str, limit: int = MAX_SMS_CHARS) -> List[str]:
    """Split at sentence boundaries into parts of at most `limit` characters (words if one is longer)."""
    parts: List[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text.strip()):
        pieces = [sentence]
        if len(sentence) > limit:  # a sentence longer than a message: split between words
            pieces, line = [], ""
            for word in sentence.split():
                if line and len(line) + 1 + len(word) > limit:
                    pieces.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            pieces.append(line)
        for piece in pieces:
            if current and len(current) + 1 + len(piece) > limit:
                parts.append(current)
                current = piece
            else:
                current = f"{current} {piece}".strip()
    if current:
        parts.append(current)
    return [p[:limit] for p in parts if p]


def menu_line(buttons: List[Dict[str, Any]], language: str = "en") -> str:
    if language == "es":
        options = [f"{n} para {b.get('title', '').strip()}" for n, b in enumerate(buttons, start=1)]
        return "Responda " + ", ".join(options) + "."
    options = [f"{n} for {b.get('title', '').strip()}" for n, b in enumerate(buttons, start=1)]
    return "Reply " + ", ".join(options) + "."


class RoutedCollector(CollectingOutputChannel):
    """Collects the bot's messages with their route, so emergency guidance can be put first."""

    @classmethod
    def name(cls) -> str:
        return "phone_tree"

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.messages.append({
            "text": message.get("text") or "",
            "buttons": message.get("buttons") or message.get("quick_replies") or [],
            "route": (message.get("metadata") or {}).get("route"),
            "lang": (message.get("metadata") or {}).get("lang") or "en",
        })


def render(messages: List[Dict[str, Any]]) -> tuple:
    """(SMS parts, menu payloads): emergency first, plain text, numbered menus, split to size."""
    ordered = sorted(messages, key=lambda m: m.get("route") != "emergency")  # stable: keeps the rest in order
    parts: List[str] = []
    payloads: List[str] = []
    for message in ordered:
        text = plain_text(message.get("text", ""))
        buttons = message.get("buttons") or []
        if buttons:
            payloads = [b.get("payload", "") for b in buttons]
            text = f"{text}\n{menu_line(buttons, message.get('lang') or 'en')}".strip()
        parts.extend(split_sms(text))
    return parts, payloads


def twiml(parts: List[str]) -> str:
    reply = MessagingResponse()
    for part in parts:
        reply.message(part)
    return str(reply)


# --- what the channel remembers, under the number's hash -------------------------------------------


class PhoneTreeStore:
    """Opt-outs, menus and handled message ids: a SQLite file by default, or any SQLAlchemy database URL
    (PostgreSQL in production, shared by every replica: PHONE_TREE_STORE_URL)."""

    def __init__(self, location: Union[str, Path]) -> None:
        location = str(location)
        if "://" not in location:
            Path(location).parent.mkdir(parents=True, exist_ok=True)
            location = f"sqlite:///{location}"
        self.engine = sa.create_engine(location, pool_pre_ping=True, future=True)
        meta = sa.MetaData()
        self.opt_out = sa.Table("phone_opt_out", meta, sa.Column("sender", sa.String(128), primary_key=True),
                                sa.Column("at", sa.Float))
        self.menus = sa.Table("phone_menu", meta, sa.Column("sender", sa.String(128), primary_key=True),
                              sa.Column("payloads", sa.Text), sa.Column("at", sa.Float))
        self.handled = sa.Table("phone_handled", meta, sa.Column("sid", sa.String(128), primary_key=True),
                                sa.Column("reply", sa.Text), sa.Column("at", sa.Float))
        self.languages = sa.Table("phone_language", meta, sa.Column("sender", sa.String(128), primary_key=True),
                                  sa.Column("language", sa.String(8)), sa.Column("at", sa.Float))
        self._meta = meta
        self._ready = False

    @property
    def db(self) -> sa.engine.Engine:
        """The engine, with the tables created on first use (the server may create the database later
        than this channel is built: Rasa builds channels before the tracker store)."""
        if not self._ready:
            self._meta.create_all(self.engine)
            self._ready = True
        return self.engine

    def _put(self, table: sa.Table, key: str, **values: Any) -> None:
        """Insert or replace the row with this primary key, in one transaction."""
        column = next(iter(table.primary_key.columns))
        with self.db.begin() as db:
            db.execute(table.delete().where(column == key))
            db.execute(table.insert().values({column.name: key, **values}))

    def opted_out(self, sender: str) -> bool:
        with self.db.connect() as db:
            return db.execute(sa.select(self.opt_out.c.sender).where(self.opt_out.c.sender == sender)).first() is not None

    def set_opt_out(self, sender: str, out: bool) -> None:
        if out:
            self._put(self.opt_out, sender, at=time.time())
        else:
            with self.db.begin() as db:
                db.execute(self.opt_out.delete().where(self.opt_out.c.sender == sender))

    def language(self, sender: str) -> str:
        """The conversation's language on this number ("en" until it is known to be Spanish)."""
        with self.db.connect() as db:
            row = db.execute(sa.select(self.languages.c.language).where(self.languages.c.sender == sender)).first()
        return str(row[0]) if row else "en"

    def set_language(self, sender: str, language: str) -> None:
        self._put(self.languages, sender, language=language, at=time.time())

    def menu(self, sender: str) -> List[str]:
        with self.db.connect() as db:
            row = db.execute(sa.select(self.menus.c.payloads).where(self.menus.c.sender == sender)).first()
        return json.loads(row[0]) if row else []

    def set_menu(self, sender: str, payloads: List[str]) -> None:
        self._put(self.menus, sender, payloads=json.dumps(payloads), at=time.time())

    def claim(self, sid: str) -> bool:
        """True if this message id is new (and now claimed), False if it was seen before (on any replica)."""
        with self.db.begin() as db:
            db.execute(self.handled.delete().where(self.handled.c.at < time.time() - 86400))
        try:
            with self.db.begin() as db:
                db.execute(self.handled.insert().values(sid=sid, reply=None, at=time.time()))
            return True
        except sa.exc.IntegrityError:
            return False

    def finish(self, sid: str, reply: str) -> None:
        with self.db.begin() as db:
            db.execute(self.handled.update().where(self.handled.c.sid == sid).values(reply=reply))

    def reply_for(self, sid: str) -> Optional[str]:
        with self.db.connect() as db:
            row = db.execute(sa.select(self.handled.c.reply).where(self.handled.c.sid == sid)).first()
        return row[0] if row else None


# --- the channel -------------------------------------------------------------------------------------


class PhoneTreeInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "phone_tree"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        require_applied(cls.__name__)  # Rasa builds channels at start-up: refuse to run unpatched
        credentials = credentials or {}
        token = os.environ.get(credentials.get("auth_token_env", "TWILIO_AUTH_TOKEN")) or None
        base_url = os.environ.get("PUBLIC_BASE_URL") or credentials.get("public_base_url") or "http://localhost:5005"
        if token is None:
            logger.error("TWILIO_AUTH_TOKEN is not set: the phone tree channel refuses every request.")
        store = os.environ.get("PHONE_TREE_STORE_URL") or credentials.get("store") or var_dir() / "phone_tree.db"
        return cls(token, base_url, store)

    def __init__(self, auth_token: Optional[str], public_base_url: str,
                 store_path: Union[str, Path]) -> None:
        self.auth_token = auth_token
        self.public_base_url = public_base_url.rstrip("/")
        self.store = PhoneTreeStore(store_path)
        self.clinic = load_clinic_config()

    def authorized(self, path: str, query: str, params: Dict[str, str], signature: Optional[str]) -> bool:
        """Whether Twilio signed this request with our auth token (never true without a token)."""
        if not self.auth_token or not signature:
            return False
        url = f"{self.public_base_url}{path}" + (f"?{query}" if query else "")
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def sender_id(self, number: str) -> str:
        key = (self.auth_token or "").encode()
        return "sms-" + hmac.new(key, number.strip().encode(), hashlib.sha256).hexdigest()[:24]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("phone_tree_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.auth_token else "not configured"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form = form_fields(request)
            if form is None:
                logger.info("Phone tree: a request whose body is not form data was refused.")
                return response.text("Bad request: expected application/x-www-form-urlencoded", status=400)
            if not self.authorized(request.path, request.query_string, form,
                                   request.headers.get("X-Twilio-Signature")):
                return response.text("Forbidden", status=403)
            sid = (form.get("MessageSid") or "").strip()
            number = (form.get("From") or "").strip()
            if not sid or not number:
                return response.text("Bad request: MessageSid and From are required", status=400)
            if not self.store.claim(sid):
                return xml(await self._previous_reply(sid))
            try:
                reply = await self._handle(self.sender_id(number), form.get("Body"), on_new_message)
            except Exception:
                logger.exception("Phone tree: the message could not be processed.")
                reply = twiml([self.clinic.sms_reply("help_reply")])
            self.store.finish(sid, reply)
            return xml(reply)

        return bp

    async def _previous_reply(self, sid: str) -> str:
        """The reply to a message id already being handled (waiting for it if it is still running)."""
        deadline = time.monotonic() + RETRY_WAIT_SECONDS
        while time.monotonic() < deadline:
            reply = self.store.reply_for(sid)
            if reply is not None:
                return reply
            await asyncio.sleep(0.2)
        return twiml([])

    def _reply(self, key: str, language: str) -> str:
        return self.clinic.sms_reply(f"{key}_es" if language == "es" else key)

    async def _handle(self, sender: str, body: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str:
        raw = body.strip() if isinstance(body, str) else ""
        keyword = " ".join(raw.upper().strip(" .!¡").split())
        if keyword in STOP_WORDS | STOP_WORDS_ES:
            self.store.set_opt_out(sender, True)
            language = "es" if keyword in STOP_WORDS_ES else self.store.language(sender)
            return twiml([self._reply("stop_reply", language)])
        if keyword in START_WORDS | START_WORDS_ES:
            self.store.set_opt_out(sender, False)
            language = "es" if keyword in START_WORDS_ES else self.store.language(sender)
            return twiml([self._reply("start_reply", language)])
        if self.store.opted_out(sender):
            return twiml([])  # honoured until START
        if keyword in HELP_WORDS | HELP_WORDS_ES:
            language = "es" if keyword in HELP_WORDS_ES else self.store.language(sender)
            return twiml(split_sms(self._reply("help_reply", language)))
        text = sanitize(raw[:MAX_BODY_CHARS], MAX_BODY_CHARS) if raw else ""
        if not text:
            return twiml([self._reply("empty_reply", self.store.language(sender))])
        if keyword in LANGUAGE_WORDS:
            language, text = LANGUAGE_WORDS[keyword]
            self.store.set_language(sender, language)
        menu = self.store.menu(sender)
        if text.isdigit() and 1 <= int(text) <= len(menu):
            text = menu[int(text) - 1]
        collector = RoutedCollector()
        await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
        parts, payloads = render(collector.messages)
        self.store.set_menu(sender, payloads)
        languages = {m.get("lang") for m in collector.messages}
        if len(languages) == 1:
            self.store.set_language(sender, languages.pop() or "en")
        return twiml(parts)


def form_fields(request: Request) -> Optional[Dict[str, str]]:
    """The form's fields, blank ones included (Twilio signs them too; Sanic's parser drops them)."""
    if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    return {key: values[0] for key, values in parsed.items()}


def xml(body: str) -> HTTPResponse:
    return response.text(body, content_type="application/xml")
