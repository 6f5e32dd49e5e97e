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

A message is never answered as if it had been kept when it was not: when the conversation could not be
stored (the database was unreachable; `clinic_faq.rasa_ext.stores.tracker`), or processing it failed,
the reply is a short text asking to send it again, and its MessageSid is released, so a retry of the
webhook is processed again instead of being answered from the cache.

Abuse limits (clinic.yml `limits:`, docs/channels.md): each number may send `sms_sender` messages per
window and `sms_sender_daily` per day. Over either, the number gets one short text saying how long to wait
(in its language, with the emergency number), then empty TwiML, no reply at all, until the window passes:
a flood or an auto-responder answering our replies cannot run up a bill. STOP and START still take effect
(only their confirmation is left out while the number is limited).

The text itself (plain text, menus, splitting, the keywords) is `clinic_faq.core.sms`; what the channel
remembers is `clinic_faq.channel_stores.phone_tree`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
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

from clinic_faq import settings
from clinic_faq.channel_stores.contact import take_contact
from clinic_faq.channel_stores.phone_tree import PhoneTreeStore
from clinic_faq.channel_stores.rate_limit import shared_limiter
from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.core.log_redaction import install_log_redaction
from clinic_faq.core.rate_limit import Decision, RateLimiter, notice_text
from clinic_faq.core.sanitize import sanitize
from clinic_faq.core.sms import (
    CALL_ME_WORDS,
    CALL_ME_WORDS_ES,
    HELP_WORDS,
    HELP_WORDS_ES,
    LANGUAGE_WORDS,
    MAX_BODY_CHARS,
    START_WORDS,
    START_WORDS_ES,
    STOP_WORDS,
    STOP_WORDS_ES,
    keyword_of,
    not_stored_reply,
    render,
    split_sms,
)
from clinic_faq.paths import var_dir
from clinic_faq.rasa_ext.stores.tracker import reset_storage_failure, storage_failed
from clinic_faq.settings import Settings

logger = logging.getLogger(__name__)

RETRY_WAIT_SECONDS = 15.0
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class NotStored(Exception):
    """The message's turn was not stored (or failed): the sender must send it again."""

    def __init__(self, language: str) -> None:
        super().__init__(f"the turn was not stored (language {language})")
        self.language = language


class RoutedCollector(CollectingOutputChannel):  # type: ignore[misc]  # rasa has no type information
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


def twiml(parts: List[str]) -> str:
    reply = MessagingResponse()
    for part in parts:
        reply.message(part)
    return str(reply)


class PhoneTreeInput(InputChannel):  # type: ignore[misc]  # rasa has no type information
    @classmethod
    def name(cls) -> str:
        return "phone_tree"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        install_log_redaction()  # on the log handlers Rasa has set up, however the server was started
        credentials = credentials or {}
        config = settings.current()
        token = Settings.secret(config.twilio_auth_token)
        base_url = config.public_base_url or credentials.get("public_base_url") or "http://localhost:5005"
        if token is None:
            logger.info("Phone tree (SMS) channel: off until TWILIO_AUTH_TOKEN is set (requests are refused).")
        store = config.phone_tree_store_url or credentials.get("store") or var_dir() / "phone_tree.db"
        return cls(token, base_url, store)

    def __init__(self, auth_token: Optional[str], public_base_url: str,
                 store_path: Union[str, Path], limiter: Optional[RateLimiter] = None) -> None:
        self.auth_token = auth_token
        self.public_base_url = public_base_url.rstrip("/")
        self.store = PhoneTreeStore(store_path)
        self.clinic = load_clinic_config()
        self._limiter = limiter

    @property
    def limiter(self) -> RateLimiter:
        """The server's shared limiter (built on first use), unless one was given."""
        if self._limiter is None:
            self._limiter = shared_limiter()
        return self._limiter

    def authorized(self, path: str, query: str, params: Dict[str, str], signature: Optional[str]) -> bool:
        """Whether Twilio signed this request with our auth token (never true without a token)."""
        if not self.auth_token or not signature:
            return False
        url = f"{self.public_base_url}{path}" + (f"?{query}" if query else "")
        return bool(RequestValidator(self.auth_token).validate(url, params, signature))

    def sender_id(self, number: str) -> str:
        key = (self.auth_token or "").encode()
        return "sms-" + hmac.new(key, number.strip().encode(), hashlib.sha256).hexdigest()[:24]

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("phone_tree_webhook", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.auth_token else "not configured"})

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
            return xml(await self.answer(sid, number, form.get("Body"), on_new_message))

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        return bp

    async def answer(self, sid: str, number: str, body: Any, on_new_message: OnNewMessage) -> str:
        """The TwiML reply to one (signed) message: handled once per MessageSid, and never the answer
        when the turn was not stored (then the id is released, so Twilio's retry is processed again). When
        the phone tree's own store cannot be reached before the message is handled, nothing is processed and
        the sender is asked to send it again (in English: the conversation's language is in that store)."""
        try:
            if not self.store.claim(sid):
                previous = await self._previous_reply(sid)
                if previous is not None:
                    return previous
                if not self.store.claim(sid):  # released meanwhile, and claimed by yet another retry
                    return twiml([])
        except Exception:
            logger.exception("Phone tree: its store could not be reached; the message was not processed.")
            return twiml([not_stored_reply("en")])
        try:
            reply = await self._handle(self.sender_id(number), body, on_new_message, number)
        except NotStored as not_stored:
            self._release(sid)
            return twiml([not_stored_reply(not_stored.language)])
        except sa.exc.SQLAlchemyError:  # the phone tree's store failed before the message was processed
            logger.exception("Phone tree: its store could not be reached; the message was not processed.")
            self._release(sid)
            return twiml([not_stored_reply("en")])
        except Exception:
            logger.exception("Phone tree: the message could not be answered.")
            reply = twiml([self.clinic.sms_reply("help_reply")])
        try:
            self.store.finish(sid, reply)
        except Exception:  # the turn is done (and stored): answer it; a retry of this id is handled again
            logger.exception("Phone tree: the reply to message id %s could not be remembered.", sid)
        return reply

    def _release(self, sid: str) -> None:
        try:
            self.store.release(sid)
        except Exception:
            logger.exception("Phone tree: message id %s could not be released; a retry of it gets no reply.", sid)

    async def _previous_reply(self, sid: str) -> Optional[str]:
        """The reply to a message id already being handled (waiting for it if it is still running); None
        if that attempt was not stored and released the id, so this one must be processed."""
        deadline = time.monotonic() + RETRY_WAIT_SECONDS
        while time.monotonic() < deadline:
            reply = self.store.reply_for(sid)
            if reply is not None:
                return reply
            if not self.store.claimed(sid):
                return None
            await asyncio.sleep(0.2)
        return twiml([])

    def _reply(self, key: str, language: str) -> str:
        return self.clinic.sms_reply(f"{key}_es" if language == "es" else key)

    async def _handle(self, sender: str, body: Any, on_new_message: OnNewMessage, number: Optional[str] = None) -> str:
        raw = body.strip() if isinstance(body, str) else ""
        keyword = keyword_of(raw)
        decision = await self.limiter.sms(sender)
        if keyword in STOP_WORDS | STOP_WORDS_ES:
            self.store.set_opt_out(sender, True)  # always honoured; confirmed only within the limits
            language = "es" if keyword in STOP_WORDS_ES else self.store.language(sender)
            return twiml([self._reply("stop_reply", language)] if decision.allowed else [])
        if keyword in START_WORDS | START_WORDS_ES:
            self.store.set_opt_out(sender, False)
            language = "es" if keyword in START_WORDS_ES else self.store.language(sender)
            if not decision.allowed:
                return self._limited(decision, language)
            return twiml([self._reply("start_reply", language)])
        if self.store.opted_out(sender):
            return twiml([])  # honoured until START
        if not decision.allowed:
            return self._limited(decision, self.store.language(sender))
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
        if keyword in CALL_ME_WORDS | CALL_ME_WORDS_ES:  # "CALL ME": a callback request for this number
            if keyword in CALL_ME_WORDS_ES:
                self.store.set_language(sender, "es")
            raw, text = "please call me back", "/request_callback"
        replacement, contact = take_contact(sender, raw, sms_from=number)
        collector = RoutedCollector()
        reset_storage_failure()
        try:
            await on_new_message(UserMessage(replacement or text, collector, sender, input_channel=self.name(),
                                             metadata=contact or None))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.exception("Phone tree: the message could not be processed; it was not stored.")
            raise NotStored(self._turn_language(sender, collector.messages)) from error
        if storage_failed():
            logger.warning("Phone tree: the message was not stored; the sender is asked to send it again.")
            raise NotStored(self._turn_language(sender, collector.messages))
        parts, payloads = render(collector.messages)
        languages = {m.get("lang") for m in collector.messages}
        try:  # the turn is stored: its answer is sent even if the menu or language cannot be remembered
            self.store.set_menu(sender, payloads)
            if len(languages) == 1:
                self.store.set_language(sender, languages.pop() or "en")
        except sa.exc.SQLAlchemyError:
            logger.exception("Phone tree: the menu or language of a conversation could not be remembered.")
        return twiml(parts)

    def _limited(self, decision: Decision, language: str) -> str:
        """Over the limits: one short notice, then nothing (empty TwiML) until the window passes."""
        if not decision.notify:
            return twiml([])
        return twiml(split_sms(notice_text(decision, language, self.clinic.emergency_number)))

    def _turn_language(self, sender: str, messages: List[Dict[str, Any]]) -> str:
        """The language of this turn's replies when they agree, else the one remembered for the number."""
        languages = {m.get("lang") or "en" for m in messages}
        if len(languages) == 1:
            return str(languages.pop())
        try:
            return self.store.language(sender)
        except Exception:
            return "en"


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
