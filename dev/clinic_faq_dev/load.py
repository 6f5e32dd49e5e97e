"""A bounded load of REST conversations, checked against what was stored (production mode).

Each simulated visitor sends a few messages, one after another with no pause (the next as soon as the
previous is answered); up to `concurrency` visitors at once. A visitor whose message gets an error does
what the widget tells a person to do: sends the same message again (at most `retries` times, after a
short wait), with the same `message_id`, so a message whose first attempt was stored is not stored twice. Every response is classified as a reply, a clear error (JSON with "error"), or unclear.

Then the stored conversations are checked against what the visitors were told:
- lost: a message that was answered (200) but is not stored;
- duplicated: a message stored more than once;
- reordered: stored messages not in the order they were sent;
- broken turns: a stored turn that does not end by listening, or one interleaved with another.

    python -m clinic_faq_dev.load --url http://127.0.0.1:8000 --conversations 1000 --messages 3 --out load.json
(the stored-event check is done by the caller, which knows the database: see tests/production/.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp

from clinic_faq_dev.cluster import turn_problems, user_texts

# Distinct questions, so a conversation's stored messages can be matched to what was sent, in order.
QUESTIONS = [
    "what are the side effects",
    "how long is a session",
    "can ketamine help nerve pain",
    "is it safe with my opioids",
    "how is the infusion given",
    "does ketamine help with depression",
    "what are the alternatives to ketamine",
    "who is a good candidate",
    "how many sessions will I need",
]


def plan(conversations: int, messages: int, seed: int = 7, prefix: Optional[str] = None) -> Dict[str, List[str]]:
    rng = random.Random(seed)
    prefix = prefix or f"load-{uuid.uuid4().hex[:6]}"
    return {f"{prefix}-{n:05d}": rng.sample(QUESTIONS, messages) for n in range(conversations)}


async def _visitor(session: aiohttp.ClientSession, url: str, sender: str, texts: List[str], retries: int,
                   timeout: float) -> List[dict]:
    records = []
    for position, text in enumerate(texts):
        attempts = []
        for attempt in range(retries + 1):
            started = time.monotonic()
            try:
                body = {"sender": sender, "message": text, "message_id": f"{sender}-{position}"}
                async with session.post(url, json=body,
                                        timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                    status = response.status
                    raw = await response.read()
                outcome = classify(status, raw)
                reason = error_text(raw) if outcome == "error" else ""
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                status, outcome, reason = 0, f"unclear: {type(e).__name__}", ""
            attempts.append({"status": status, "outcome": outcome, "error": reason,
                             "seconds": round(time.monotonic() - started, 4)})
            if outcome == "reply":
                break
            await asyncio.sleep(0.5 * (attempt + 1))
        records.append({"sender": sender, "position": position, "text": text, "attempts": attempts,
                        "answered": attempts[-1]["outcome"] == "reply"})
    return records


def error_text(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error", ""))[:70]
    except (ValueError, AttributeError):
        return ""


def classify(status: int, raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return f"unclear: {status} {raw[:60]!r}"
    if status == 200 and isinstance(body, list) and body:
        return "reply"
    if status >= 400 and isinstance(body, dict) and body.get("error"):
        return "error"
    return f"unclear: {status} {str(body)[:60]}"


async def run(url: str, conversations: Dict[str, List[str]], concurrency: int, retries: int = 5,
              timeout: float = 180.0) -> dict:
    webhook = url.rstrip("/") + "/webhooks/rest/webhook"
    queue: asyncio.Queue = asyncio.Queue()
    for item in conversations.items():
        queue.put_nowait(item)
    records: List[dict] = []

    async def worker(session: aiohttp.ClientSession) -> None:
        while True:
            try:
                sender, texts = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            records.extend(await _visitor(session, webhook, sender, texts, retries, timeout))

    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return {"seconds": round(time.monotonic() - started, 2), "records": records}


def summary(result: dict) -> dict:
    attempts = [a for r in result["records"] for a in r["attempts"]]
    latencies = sorted(a["seconds"] for a in attempts if a["outcome"] == "reply")

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * (len(latencies) - 1)))] if latencies else 0.0

    return {
        "messages": len(result["records"]),
        "answered": sum(r["answered"] for r in result["records"]),
        "requests": len(attempts),
        "replies": sum(a["outcome"] == "reply" for a in attempts),
        "clear_errors": sum(a["outcome"] == "error" for a in attempts),
        "unclear": sum(a["outcome"].startswith("unclear") for a in attempts),
        "error_statuses": sorted({a["status"] for a in attempts if a["outcome"] != "reply"}),
        "errors": dict(Counter(f"{a['status']} {a.get('error', '')}" for a in attempts if a["outcome"] == "error")),
        "seconds": result["seconds"],
        "answered_per_second": round(sum(r["answered"] for r in result["records"]) / max(result["seconds"], 1e-9), 1),
        "reply_p50_ms": round(pct(0.5) * 1000, 1),
        "reply_p95_ms": round(pct(0.95) * 1000, 1),
    }


def check_stored(records: List[dict], stored: Dict[str, List[dict]]) -> dict:
    """Compare what visitors were told with the stored events (sender -> events, storage order)."""
    by_sender: Dict[str, List[dict]] = {}
    for record in records:
        by_sender.setdefault(record["sender"], []).append(record)
    lost, duplicated, reordered, broken = [], [], [], []
    for sender, sent in by_sender.items():
        sent.sort(key=lambda r: r["position"])
        texts = user_texts(stored.get(sender, []))
        for record in sent:
            count = texts.count(record["text"])
            if record["answered"] and count == 0:
                lost.append(f"{sender}: {record['text']!r}")
            if count > 1:
                duplicated.append(f"{sender}: {record['text']!r} x{count}")
        order = [r["text"] for r in sent]
        seen = [t for t in dict.fromkeys(texts) if t in order]
        if seen != [t for t in order if t in seen]:
            reordered.append(f"{sender}: sent {order}, stored {texts}")
        broken += [f"{sender}: {p}" for p in turn_problems(stored.get(sender, []))]
    return {"conversations": len(by_sender), "lost": lost, "duplicated": duplicated, "reordered": reordered,
            "broken_turns": broken}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--prefix")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    conversations = plan(args.conversations, args.messages, prefix=args.prefix)
    result = asyncio.run(run(args.url, conversations, args.concurrency, args.retries))
    result["summary"] = summary(result)
    Path(args.out).write_text(json.dumps(result))
    print(json.dumps(result["summary"]))


if __name__ == "__main__":
    main()
