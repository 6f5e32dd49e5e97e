"""The load generator: simulated people holding REST conversations with the assistant, closed loop.

One engine (`drive`): `concurrency` simulated people at once; each takes the next conversation of a fixed
plan and sends its messages one after another, the next as soon as the previous is answered, then takes the
next conversation. Every request is timed and classified as a reply (200 and a non-empty list), a clear
error (a 4xx/5xx JSON body with "error") or unclear (anything else: an empty reply, a body that is not
JSON, a timeout, a dropped connection). Optionally a message that did not get a reply is sent again (at
most `retries` times, after a short wait) with the same `message_id`, as the widget tells a person to do,
so a message whose first attempt was stored is not stored twice.

Two modes, each run in its own process by its caller:

- `bench` (`make bench`: dev/clinic_faq_dev/bench/compare.py and tuning.py), loopback only, no retries: a
  warm-up of W messages, then exactly N measured messages from the development set, in a fixed order, over
  C people, a new conversation every T messages; a hard time limit ends the run. Writes (and prints) JSON:
  per-message latencies in ms, errors, the measured wall time and the rate.

      python -m clinic_faq_dev.load bench --url http://127.0.0.1:5005/webhooks/rest/webhook --concurrency 10 \\
          --messages 500 --warmup 50 --out result.json

- `production` (`make load-test`: dev/clinic_faq_dev/load_run.py, tests/production/): conversations of
  distinct questions with retries; writes every attempt and a summary, and the caller, which knows the
  database, checks the stored conversations against what the people were told (`check_stored`):
  - lost: a message that was answered (200) but is not stored;
  - duplicated: a message stored more than once;
  - reordered: stored messages not in the order they were sent;
  - broken turns: a stored turn that does not end by listening, or one interleaved with another.

      python -m clinic_faq_dev.load production --url http://127.0.0.1:8000 --conversations 1000 --messages 3 \\
          --out load.json

- `flood` (tests/integration/test_flood.py), loopback only: one client sending messages open loop at a fixed
  rate (default 200/s) for a fixed time from one local address (`--source`, e.g. 127.0.0.2, which is not the
  machine's exempt address), each to a new conversation unless `--senders` is given, to check the abuse
  limits (docs/deployment.md); prints the responses by status and the rate achieved.

      python -m clinic_faq_dev.load flood --url http://127.0.0.1:5005 --rate 200 --seconds 10 --source 127.0.0.2

`--url` is the REST webhook or the server's base URL (the webhook path is then added).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import aiohttp
import yaml

from clinic_faq.paths import project_dir
from clinic_faq_dev.bench.stats import latency_summary, rate
from clinic_faq_dev.cluster import turn_problems, user_texts

PROJECT = project_dir()
WEBHOOK_PATH = "/webhooks/rest/webhook"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEV_SET = PROJECT / "evaluation" / "sets" / "dev_set.yml"

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


@dataclass(frozen=True)
class Conversation:
    sender: str
    texts: Tuple[str, ...]
    address: Optional[str] = None  # the client's address, as nginx on this machine would report it (X-Forwarded-For)


# --- the engine --------------------------------------------------------------------------------------


def webhook_url(url: str) -> str:
    """The REST webhook: `url` itself when it has a path, else the server's base URL plus the webhook path."""
    return url if urlsplit(url).path.strip("/") else url.rstrip("/") + WEBHOOK_PATH


def classify(status: int, raw: bytes) -> Tuple[str, str]:
    """(outcome, kind) of one response: outcome "reply", "error" or "unclear: ..."; kind names a failure
    as the benchmark counts it ("http 503", "empty reply"), "" for a reply."""
    try:
        body = json.loads(raw)
    except ValueError:
        return f"unclear: {status} {raw[:60]!r}", f"http {status}"
    if status == 200 and isinstance(body, list) and body:
        return "reply", ""
    if status >= 400 and isinstance(body, dict) and body.get("error"):
        return "error", f"http {status}"
    kind = "empty reply" if status == 200 and body == [] else f"http {status}"
    return f"unclear: {status} {str(body)[:60]}", kind


def error_text(raw: bytes) -> str:
    try:
        return str(json.loads(raw).get("error", ""))[:70]
    except (ValueError, AttributeError):
        return ""


async def _send(session: aiohttp.ClientSession, url: str, body: Dict[str, str], timeout: float,
                headers: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """One request, timed: {"status", "outcome", "kind", "error", "ms"}."""
    started = time.perf_counter()
    try:
        async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=timeout),
                                headers=headers) as response:
            status = response.status
            raw = await response.read()
        outcome, kind = classify(status, raw)
        reason = error_text(raw) if outcome == "error" else ""
    except asyncio.TimeoutError:
        status, outcome, kind, reason = 0, "unclear: TimeoutError", "timeout", ""
    except aiohttp.ClientError as e:
        status, outcome, kind, reason = 0, f"unclear: {type(e).__name__}", type(e).__name__, ""
    return {"status": status, "outcome": outcome, "kind": kind, "error": reason,
            "ms": round((time.perf_counter() - started) * 1000, 3)}


async def _converse(session: aiohttp.ClientSession, url: str, conversation: Conversation, retries: int,
                    message_ids: bool, request_timeout: float, retry_pause: float,
                    think: float = 0.0) -> List[Dict[str, Any]]:
    records = []
    headers = {"X-Forwarded-For": conversation.address} if conversation.address else None
    pauses = random.Random(conversation.sender)
    for position, text in enumerate(conversation.texts):
        if think and position:  # a person reads the answer and types the next message
            await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
        body = {"sender": conversation.sender, "message": text}
        if message_ids:
            body["message_id"] = f"{conversation.sender}-{position}"
        attempts = []
        for attempt in range(retries + 1):
            attempts.append(await _send(session, url, body, request_timeout, headers))
            if attempts[-1]["outcome"] == "reply" or attempt == retries:
                break
            await asyncio.sleep(retry_pause * (attempt + 1))
        records.append({"sender": conversation.sender, "position": position, "text": text, "attempts": attempts,
                        "answered": attempts[-1]["outcome"] == "reply"})
    return records


async def drive(url: str, conversations: Sequence[Conversation], concurrency: int, retries: int = 0,
                message_ids: bool = False, request_timeout: float = 60.0, retry_pause: float = 0.5,
                think: float = 0.0, stagger: float = 0.0) -> Dict[str, Any]:
    """Hold `conversations` with the assistant at `url`, `concurrency` at a time (closed loop: a person takes
    the next conversation when its last one ends), pausing about `think` seconds (0.5 to 1.5 times, seeded)
    between a conversation's messages; person n starts n x `stagger` seconds after the first. Returns
    {"seconds": wall time, "records": one per message, in order of completion, each with its attempts}."""
    webhook = webhook_url(url)
    queue: asyncio.Queue = asyncio.Queue()
    for conversation in conversations:
        queue.put_nowait(conversation)
    records: List[Dict[str, Any]] = []

    async def person(session: aiohttp.ClientSession, n: int) -> None:
        await asyncio.sleep(n * stagger)
        while True:
            try:
                conversation = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            records.extend(await _converse(session, webhook, conversation, retries, message_ids, request_timeout,
                                           retry_pause, think))

    connector = aiohttp.TCPConnector(limit=concurrency + 1)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(person(session, n) for n in range(concurrency)))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "records": records}


def attempts_of(result: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [a for r in result["records"] for a in r["attempts"]]


def reply_latencies_ms(result: Dict[str, Any]) -> List[float]:
    return [a["ms"] for a in attempts_of(result) if a["outcome"] == "reply"]


# --- bench mode --------------------------------------------------------------------------------------


def load_messages(path: Path) -> List[str]:
    with open(path, encoding="utf-8") as f:
        return [case["text"] for case in yaml.safe_load(f)["cases"]]


def split_evenly(messages: Sequence[str], people: int, total: int, offset: int = 0) -> List[List[str]]:
    """The messages each of `people` sends, `total` in all (as even as possible), taken in order from
    `messages` (cycling), person by person."""
    per_person = [total // people + (1 if i < total % people else 0) for i in range(people)]
    out, position = [], offset
    for count in per_person:
        out.append([messages[(position + k) % len(messages)] for k in range(count)])
        position += count
    return out


def bench_plan(messages: Sequence[str], concurrency: int, total: int, lengths: Sequence[int], tag: str,
               offset: int = 0) -> List[Conversation]:
    """`total` messages as conversations (`tag`-p<person>-<n>), the same for every run: each person's share
    (`split_evenly`) cut into conversations whose lengths cycle through `lengths`, person `i` starting at
    `lengths[i % len(lengths)]` (so that at any moment some conversations are long); a person's last one
    is cut at the end of their share. Queued round by round, so the first `concurrency` conversations
    start together, one per person."""
    shares: List[List[Conversation]] = []
    for person, texts in enumerate(split_evenly(messages, concurrency, total, offset)):
        conversations, position, n = [], 0, 0
        while position < len(texts):
            length = lengths[(person + n) % len(lengths)]
            conversations.append(Conversation(f"{tag}-p{person}-{n}", tuple(texts[position:position + length])))
            position += length
            n += 1
        shares.append(conversations)
    rounds = max((len(s) for s in shares), default=0)
    return [share[n] for n in range(rounds) for share in shares if n < len(share)]


async def bench(url: str, messages: Sequence[str], concurrency: int, total: int, warmup: int = 0,
                lengths: Sequence[int] = (5,), tag: str = "", request_timeout: float = 60.0) -> Dict[str, Any]:
    """A warm-up (not measured), then exactly `total` measured messages in conversations of `lengths`
    (`bench_plan`): the benchmark's JSON."""
    tag = tag or f"load-c{concurrency}"
    if warmup:
        warm = bench_plan(messages, concurrency, max(warmup, concurrency), lengths, f"{tag}-warm",
                          offset=len(messages) // 2)
        await drive(url, warm, concurrency, request_timeout=request_timeout)
    result = await drive(url, bench_plan(messages, concurrency, total, lengths, tag), concurrency,
                         request_timeout=request_timeout)
    return bench_result(result, concurrency, total)


def bench_result(result: Dict[str, Any], concurrency: int, total: int) -> Dict[str, Any]:
    latencies = reply_latencies_ms(result)
    answered = len(latencies)
    return {
        "concurrency": concurrency,
        "messages": total,
        "answered": answered,
        "errors": dict(Counter(a["kind"] for a in attempts_of(result) if a["outcome"] != "reply")),
        "seconds": round(result["seconds"], 3),
        "messages_per_s": rate(answered, result["seconds"]),
        "latency_ms": latency_summary(latencies) if answered else None,
        "latencies_ms": latencies,
    }


# --- production mode ---------------------------------------------------------------------------------


def production_plan(conversations: int, messages: int, seed: int = 7,
                    prefix: Optional[str] = None) -> List[Conversation]:
    """`conversations` conversations (`prefix`-<n>) of `messages` distinct questions each, in a fixed order."""
    rng = random.Random(seed)
    prefix = prefix or f"load-{uuid.uuid4().hex[:6]}"
    return [Conversation(f"{prefix}-{n:05d}", tuple(rng.sample(QUESTIONS, messages))) for n in range(conversations)]


def summary(result: Dict[str, Any]) -> Dict[str, Any]:
    """The production run's figures: messages answered (after retries), requests by outcome, rate, latency."""
    attempts = attempts_of(result)
    latencies = reply_latencies_ms(result)
    answered = sum(r["answered"] for r in result["records"])
    figures = latency_summary(latencies) if latencies else {"p50": 0.0, "p95": 0.0}
    return {
        "messages": len(result["records"]),
        "answered": answered,
        "requests": len(attempts),
        "replies": len(latencies),
        "clear_errors": sum(a["outcome"] == "error" for a in attempts),
        "unclear": sum(a["outcome"].startswith("unclear") for a in attempts),
        "error_statuses": sorted({a["status"] for a in attempts if a["outcome"] != "reply"}),
        "errors": dict(Counter(f"{a['status']} {a['error']}" for a in attempts if a["outcome"] == "error")),
        "seconds": round(result["seconds"], 2),
        "answered_per_second": round(answered / max(result["seconds"], 1e-9), 1),
        "reply_p50_ms": round(figures["p50"], 1),
        "reply_p95_ms": round(figures["p95"], 1),
    }


def check_stored(records: List[Dict[str, Any]], stored: Dict[str, List[dict]]) -> Dict[str, Any]:
    """Compare what people were told with the stored events (sender -> events, storage order)."""
    by_sender: Dict[str, List[Dict[str, Any]]] = {}
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


# --- flood mode --------------------------------------------------------------------------------------


async def flood(url: str, rate: float, seconds: float, source: Optional[str] = None, senders: int = 0,
                concurrency: int = 100, prefix: str = "flood", started: Optional[asyncio.Event] = None,
                request_timeout: float = 30.0) -> Dict[str, Any]:
    """One client sending `rate` messages a second, open loop (whether or not earlier ones were answered,
    at most `concurrency` in flight: beyond that a message is counted as not sent), for `seconds`, from
    the local address `source`; to `senders` conversations in turn, or each to a new one (0). Returns the
    responses by status, the messages sent and the rate achieved."""
    webhook = webhook_url(url)
    statuses: Counter = Counter()
    in_flight: set = set()
    not_sent = 0
    connector = aiohttp.TCPConnector(limit=concurrency, local_addr=(source, 0) if source else None)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(n: int) -> None:
            sender = f"{prefix}-{n % senders if senders else n}"
            try:
                async with session.post(webhook, json={"sender": sender, "message": QUESTIONS[n % len(QUESTIONS)]},
                                        timeout=aiohttp.ClientTimeout(total=request_timeout)) as response:
                    await response.read()
                    statuses[str(response.status)] += 1
            except (asyncio.TimeoutError, aiohttp.ClientError) as e:
                statuses[type(e).__name__] += 1

        if started is not None:
            started.set()
        begin = time.perf_counter()
        n = 0
        while True:
            due = begin + n / rate
            now = time.perf_counter()
            if due - begin >= seconds:
                break
            if due > now:
                await asyncio.sleep(due - now)
            if len(in_flight) >= concurrency:
                not_sent += 1
            else:
                task = asyncio.ensure_future(one(n))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            n += 1
        sending = time.perf_counter() - begin
        if in_flight:
            await asyncio.wait(set(in_flight))
    sent = n - not_sent
    return {"sent": sent, "not_sent": not_sent, "seconds": round(sending, 2), "rate": round(sent / sending, 1),
            "statuses": dict(statuses)}


# --- the command line --------------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", required=True, help="the REST webhook, or the server's base URL")
    common.add_argument("--request-timeout", type=float, help="seconds one request may take")

    b = modes.add_parser("bench", parents=[common], help="warm-up, then N measured messages (make bench)")
    b.add_argument("--concurrency", type=int, default=1, help="conversations at once")
    b.add_argument("--messages", type=int, default=200, help="measured messages in all")
    b.add_argument("--warmup", type=int, default=20, help="warm-up messages before measuring")
    b.add_argument("--turns", type=int, default=5, help="messages per conversation")
    b.add_argument("--cases", type=Path, default=DEV_SET, help="where the messages come from")
    b.add_argument("--tag", default="", help="prefix of the conversation ids")
    b.add_argument("--timeout", type=float, default=600.0, help="hard limit for the whole run (s)")
    b.add_argument("--out", help="write the result (with every latency) here as JSON")
    b.set_defaults(request_timeout=60.0)

    p = modes.add_parser("production", parents=[common],
                         help="conversations with retries, every attempt recorded (make load-test)")
    p.add_argument("--conversations", type=int, default=100)
    p.add_argument("--messages", type=int, default=3, help="messages per conversation")
    p.add_argument("--concurrency", type=int, default=50, help="conversations at once")
    p.add_argument("--retries", type=int, default=5, help="resends of a message that got no reply")
    p.add_argument("--prefix", help="prefix of the conversation ids")
    p.add_argument("--timeout", type=float, default=None, help="hard limit for the whole run (s); none by default")
    p.add_argument("--out", required=True, help="write every attempt and the summary here as JSON")
    p.set_defaults(request_timeout=180.0)

    f = modes.add_parser("flood", parents=[common], help="one client flooding at a fixed rate (the abuse limits)")
    f.add_argument("--rate", type=float, default=200.0, help="messages per second")
    f.add_argument("--seconds", type=float, default=10.0, help="how long")
    f.add_argument("--source", default="127.0.0.2", help="the local address to send from")
    f.add_argument("--senders", type=int, default=0, help="conversations to send to in turn (0: a new one each time)")
    f.add_argument("--concurrency", type=int, default=100, help="most requests in flight")
    f.add_argument("--prefix", default="flood", help="prefix of the conversation ids")
    f.add_argument("--timeout", type=float, default=120.0, help="hard limit for the whole run (s)")
    f.add_argument("--out", help="write the result here as JSON")
    f.set_defaults(request_timeout=30.0)

    args = parser.parse_args(argv)
    if args.mode == "flood":
        if urlsplit(args.url).hostname not in LOOPBACK or not args.source.startswith("127."):
            parser.error("the flood only loads local servers, from a loopback address")
        if not (0 < args.rate <= 1000 and 0 < args.seconds <= 60):
            parser.error("a rate of at most 1,000 messages/s, for at most 60 s")
    elif args.mode == "bench":
        if urlsplit(args.url).hostname not in LOOPBACK:
            parser.error(f"{args.url} is not a loopback address: the benchmark only loads local servers")
        if args.concurrency < 1 or args.messages < args.concurrency or args.turns < 1:
            parser.error("need at least one message per conversation")
    elif args.concurrency < 1 or not 1 <= args.messages <= len(QUESTIONS):
        parser.error(f"need a concurrency of at least 1 and 1 to {len(QUESTIONS)} messages per conversation")
    return args


async def _run(args: argparse.Namespace) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(what is written to --out, what is printed)."""
    if args.mode == "flood":
        started = asyncio.Event()

        async def announce() -> None:
            await started.wait()
            print("flood: started", flush=True)

        result, _ = await asyncio.gather(
            flood(args.url, args.rate, args.seconds, args.source, args.senders, args.concurrency, args.prefix,
                  started, args.request_timeout), announce())
        return result, result
    if args.mode == "bench":
        result = await bench(args.url, load_messages(args.cases), args.concurrency, args.messages, args.warmup,
                             (args.turns,), args.tag, args.request_timeout)
        return result, {k: v for k, v in result.items() if k != "latencies_ms"}
    plan = production_plan(args.conversations, args.messages, prefix=args.prefix)
    result = await drive(args.url, plan, args.concurrency, retries=args.retries, message_ids=True,
                         request_timeout=args.request_timeout)
    result["summary"] = summary(result)
    return result, result["summary"]


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        written, printed = asyncio.run(asyncio.wait_for(_run(args), timeout=args.timeout))
    except asyncio.TimeoutError:
        print(f"load: stopped after the hard limit of {args.timeout:.0f} s", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(json.dumps(written))
    print(json.dumps(printed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
