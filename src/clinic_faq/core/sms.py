"""Text for a phone: what the phone tree's SMS channel sends and which keywords it honours.

Pure functions, no Rasa, web framework or database: the channel (`clinic_faq.rasa_ext.channels.phone_tree`)
turns the assistant's replies into SMS with these and wraps them in TwiML.

- plain text only (markdown and HTML removed, links keep their address);
- buttons become a numbered menu ("Reply 1 for Tell me more"; "Responda 1 para ..." in Spanish);
- long answers are split at sentence boundaries into messages of at most 320 characters;
- emergency guidance always comes first;
- the carriers' keywords (STOP, START, HELP and the Spanish PARAR, COMENZAR, AYUDA, ...) and the
  language words (ESPAÑOL, ENGLISH).
"""

from __future__ import annotations

import html
import re
from typing import Any, Dict, List, Mapping, Sequence, Tuple

MAX_SMS_CHARS = 320
MAX_BODY_CHARS = 1600  # Twilio's own limit for one inbound message
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
# Spanish: opt-out words honoured as well as the carriers' English ones, and help.
STOP_WORDS_ES = {"PARAR", "PARA", "ALTO", "CANCELAR", "BAJA", "DETENER", "SALIR", "NO MAS", "NO MÁS"}
START_WORDS_ES = {"COMENZAR", "INICIAR", "REANUDAR", "EMPEZAR"}
HELP_WORDS_ES = {"AYUDA"}
# Asking to be called back at the number the text comes from (the callback request, confirmed first).
CALL_ME_WORDS = {"CALL ME", "CALL ME BACK", "CALLBACK", "CALL BACK"}
CALL_ME_WORDS_ES = {"LLÁMENME", "LLAMENME", "LLÁMAME", "LLAMAME", "LLAMADA"}
# The person choosing a language; passed to the assistant as a request it understands.
LANGUAGE_WORDS = {"ESPAÑOL": ("es", "en español por favor"), "ESPANOL": ("es", "en español por favor"),
                  "SPANISH": ("es", "en español por favor"), "ENGLISH": ("en", "English please"),
                  "INGLES": ("en", "English please"), "INGLÉS": ("en", "English please")}
# The reply when the message could not be stored (the database was unreachable): nothing was kept, so the
# person is asked to send it again, and is never answered as if it had been.
NOT_STORED_REPLY = {
    "en": "Sorry, your message could not be saved. Nothing was kept: please send it again.",
    "es": "Lo sentimos, su mensaje no se pudo guardar. No se conservó nada: envíelo de nuevo.",
}

_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_TAGS = re.compile(r"<[^>]+>")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`|~~|^#+\s*|^>\s*)", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def keyword_of(body: str) -> str:
    """The message as a keyword: upper case, single spaces, without surrounding punctuation ("stop!" -> "STOP")."""
    return " ".join(body.upper().strip(" .!¡").split())


def not_stored_reply(language: str) -> str:
    return NOT_STORED_REPLY.get(language, NOT_STORED_REPLY["en"])


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


def menu_line(buttons: Sequence[Mapping[str, Any]], language: str = "en") -> str:
    if language == "es":
        options = [f"{n} para {b.get('title', '').strip()}" for n, b in enumerate(buttons, start=1)]
        return "Responda " + ", ".join(options) + "."
    options = [f"{n} for {b.get('title', '').strip()}" for n, b in enumerate(buttons, start=1)]
    return "Reply " + ", ".join(options) + "."


def render(messages: Sequence[Mapping[str, Any]]) -> Tuple[List[str], List[str]]:
    """(SMS parts, menu payloads): emergency first, plain text, numbered menus, split to size.

    Each message is {"text", "buttons", "route", "lang"}, as the channel collects the assistant's replies."""
    ordered = sorted(messages, key=lambda m: m.get("route") != "emergency")  # stable: keeps the rest in order
    parts: List[str] = []
    payloads: List[str] = []
    for message in ordered:
        text = plain_text(message.get("text", ""))
        buttons: List[Dict[str, Any]] = message.get("buttons") or []
        if buttons:
            payloads = [b.get("payload", "") for b in buttons]
            text = f"{text}\n{menu_line(buttons, message.get('lang') or 'en')}".strip()
        parts.extend(split_sms(text))
    return parts, payloads
