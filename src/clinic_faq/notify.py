"""Telling staff that a callback request is waiting (off unless clinic.yml's `callbacks.notify` turns it on).

- email through SMTP (`callbacks.notify.email`: host, port, from, to, starttls; SMTP_USER / SMTP_PASSWORD
  from the environment);
- a text to an on-call phone through Twilio's Messages API (`callbacks.notify.sms`: to, from;
  TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN from the environment; TWILIO_API_BASE to point elsewhere).

Neither carries the person's number or name: only that request N is waiting, its reason and channel, and
where to see it. A failed notification keeps the request, and the staff page shows the failure.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from typing import Any, Dict, List

import requests

from clinic_faq import settings
from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq.settings import Settings
from clinic_faq.stores.callbacks import CallbackStore

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0


def _summary(store: CallbackStore, request_id: int) -> str:
    request = next((r for r in store.requests() if r.id == request_id), None)
    what = f"{request.reason}, {request.channel}, {'Spanish' if request.language == 'es' else 'English'}" if request else ""
    return (f"{load_clinic_config().name}: callback request {request_id} ({what}) is waiting. "
            "See the staff page's inbox for the number.")


def send_email(spec: Dict[str, Any], body: str, request_id: int) -> None:
    message = EmailMessage()
    message["Subject"] = f"Callback request {request_id}"
    message["From"], message["To"] = str(spec["from"]), str(spec["to"])
    message.set_content(body)
    with smtplib.SMTP(str(spec.get("host", "localhost")), int(spec.get("port", 25)), timeout=TIMEOUT_SECONDS) as smtp:
        if spec.get("starttls"):
            smtp.starttls()
        user, password = settings.current().smtp_user, Settings.secret(settings.current().smtp_password)
        if user and password:
            smtp.login(user, password)
        smtp.send_message(message)


def send_sms(spec: Dict[str, Any], body: str) -> None:
    config = settings.current()
    sid, token = config.twilio_account_sid, Settings.secret(config.twilio_auth_token)
    if not sid or not token:
        raise RuntimeError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set")
    base = config.twilio_api_base
    reply = requests.post(f"{base}/2010-04-01/Accounts/{sid}/Messages.json", auth=(sid, token),
                          data={"To": str(spec["to"]), "From": str(spec["from"]), "Body": body}, timeout=TIMEOUT_SECONDS)
    if reply.status_code >= 300:
        raise RuntimeError(f"Twilio answered {reply.status_code}")


async def notify_staff(store: CallbackStore, request_id: int) -> str:
    """Send what is turned on; record on the request what went out and what failed. Never raises."""
    notes: List[str] = []
    try:
        notify = load_clinic_config().callbacks.get("notify") or {}
        body = _summary(store, request_id)
        for kind, send in (("email", lambda spec: send_email(spec, body, request_id)), ("sms", lambda spec: send_sms(spec, body))):
            spec = notify.get(kind) or {}
            if not spec.get("enabled"):
                continue
            try:
                await asyncio.wait_for(asyncio.to_thread(send, spec), TIMEOUT_SECONDS + 5)
                notes.append(f"{kind} sent")
            except Exception as error:
                logger.error("Callback %s: the %s notification failed (%s).", request_id, kind, type(error).__name__)
                notes.append(f"{kind} failed: {type(error).__name__}")
        if notes:
            store.set_notified(request_id, "; ".join(notes))
    except Exception:
        logger.exception("Callback %s: staff could not be notified.", request_id)
        notes.append("notification failed")
    return "; ".join(notes)
