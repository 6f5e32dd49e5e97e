"""Taking a callback's phone number and first name out of a message before Rasa sees it (every channel).

The number is kept (clinic_faq.stores.callbacks) only when the conversation is being asked for one (the
callback form's question set `awaiting`) or the message itself asks for a call; a name only when the form
asked for it. What is kept is replaced in the text by `[PHONE]` / `[NAME]` (the number is redacted anyway),
and the message's metadata carries the token (`contact`), which the callback form's validation reads. An SMS
asking for a call keeps the number it comes from, to be confirmed.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from clinic_faq.core.contact import first_name, first_phone, wants_callback
from clinic_faq.core.turns import conversation_key
from clinic_faq.stores.callbacks import CallbackStore

logger = logging.getLogger(__name__)
KEY = "contact"


def take_contact(sender: str, raw_text: str, store: Optional[CallbackStore] = None,
                 sms_from: Optional[str] = None) -> Tuple[Optional[str], Dict[str, Any]]:
    """(the text to hand to Rasa instead, or None to keep it; metadata to add). Never raises: a store that
    cannot be reached keeps nothing, and the form then asks again or offers the phone number."""
    if not raw_text:
        return None, {}
    store = store or CallbackStore()
    conversation = conversation_key(sender)
    try:
        awaiting = store.awaiting(conversation)
        asked_for_call = wants_callback(raw_text)
        if awaiting == "name":
            name = first_name(raw_text)
            if name is None:
                return None, {}
            store.await_(conversation, None)
            return "[NAME]", {KEY: {"name": store.keep(conversation, "name", name)}}
        if awaiting != "phone" and not asked_for_call:
            return None, {}
        found: Dict[str, str] = {}
        phone = first_phone(raw_text)
        if phone:
            found["phone"] = store.keep(conversation, "phone", phone)
        if sms_from and (asked_for_call or awaiting == "phone"):
            found["sender_phone"] = store.keep(conversation, "sender_phone", sms_from)
        return None, ({KEY: found} if found else {})
    except Exception:
        logger.exception("Callback: the contact details could not be kept; nothing was kept.")
        return None, {}
