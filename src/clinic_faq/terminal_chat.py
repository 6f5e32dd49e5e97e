"""Chat with the running assistant in a terminal, through its REST channel (used by `make shell`).

Replies are printed as plain text; buttons as a numbered list ("1: Tell me more"), and typing the
number sends that button, as on the phone tree. Type /stop (or press Ctrl-D) to quit.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any, Dict, List, Optional

import requests

STOP = {"/stop", "/quit", "/exit"}


def reply_for(text: str, buttons: List[Dict[str, Any]]) -> str:
    """What to send for what was typed: a button's payload when the text is its number, else the text."""
    typed = text.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(buttons):
        return str(buttons[int(typed) - 1].get("payload") or buttons[int(typed) - 1].get("title") or typed)
    return typed


def render(messages: List[Dict[str, Any]]) -> tuple[List[str], List[Dict[str, Any]]]:
    """The lines to print for one turn's replies, and the buttons a number can choose."""
    lines: List[str] = []
    buttons: List[Dict[str, Any]] = []
    for message in messages:
        if message.get("text"):
            lines.append(f"assistant: {message['text']}")
        for button in message.get("buttons") or []:
            buttons.append(button)
            lines.append(f"           {len(buttons)}: {button.get('title', '')}")
    return lines, buttons


def send(server: str, sender: str, text: str) -> List[Dict[str, Any]]:
    response = requests.post(f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    if response.status_code != 200:
        try:
            error = str(response.json().get("error"))
        except ValueError:
            error = response.text[:200]
        return [{"text": f"(not sent: {error})"}]
    result: List[Dict[str, Any]] = response.json()
    return result


def main(argv: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    server = (args[0] if args else "http://localhost:5005").rstrip("/")
    sender = f"shell-{uuid.uuid4().hex[:12]}"
    print("Type a message and press Enter; a number picks a button; /stop quits.\n")
    buttons: List[Dict[str, Any]] = []
    while True:
        try:
            text = input("you: ")
        except (EOFError, KeyboardInterrupt):
            print()
            break
        if text.strip().lower() in STOP:
            break
        if not text.strip():
            continue
        lines, buttons = render(send(server, sender, reply_for(text, buttons)))
        print("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
