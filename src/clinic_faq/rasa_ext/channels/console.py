"""Chat with the running assistant in a terminal, through its REST channel (used by `make shell`)."""

from __future__ import annotations

import asyncio
import sys
import uuid

from rasa.core.channels.console import record_messages


def main() -> None:
    server = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5005"
    sender = f"shell-{uuid.uuid4().hex[:12]}"
    print(f"Chatting as {sender}. Type /stop to quit.\n")
    asyncio.run(record_messages(sender_id=sender, server_url=server))


if __name__ == "__main__":
    main()
