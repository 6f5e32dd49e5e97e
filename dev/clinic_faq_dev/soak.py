"""Soak: hours of load change nothing (`make soak`).

    make soak                                  30 minutes on the embedded default, then 30 on 3 replicas
    make soak MINUTES=10 SETUPS=embedded
    python -m clinic_faq_dev.soak --minutes 30 --setups embedded,replicas --out docs/benchmarks/soak.json

A bounded mixed load, run for a set time against real servers started for it: the embedded default (one
Rasa server and the action server, SQLite, as `make run` starts them) and three replicas behind nginx on
PostgreSQL and Redis (`clinic_faq_dev.cluster`, as in production). Simulated people talk to the assistant
over the three channels at once: the REST webhook, the website's socket.io channel (polling transport, with
the page's origin) and the phone tree's SMS webhook (signed as Twilio signs). Each holds conversations of
several lengths in turn (REST and website 1, 5 and 50 messages; SMS 1, 5 and 15, a new number each, so no
limit is reached: a person pauses `--think` seconds, 0.5 to 1.5 times, between messages, well under every
abuse limit), with messages from the development and Spanish sets, and about one message in twenty is bad
input (empty, huge, malformed JSON, binary, form data, markup, a missing SMS body).

Every `--interval` seconds (a minute) it records, for the servers it started: memory (RSS of each process
and its children, by role), open files, the size of the stores (SQLite files, or the PostgreSQL database)
and of Redis' memory, and the minute's messages, errors and latency (p50, p95) per channel.

A message counts as an error when it did not get what it should: a normal message any reply but an answer
(200 with replies; on the website, replies that are not an error notice; by SMS, TwiML with messages), bad
input anything but a clear refusal (a 4xx with a JSON error) or a polite reply; a timeout, a dropped
connection or a 5xx is always an error. The run's verdict, per setup (`summarize`):

- errors: none;
- memory growth after the warm-up (`--warmup` minutes, default 10: long enough for the tracker store's
  cache, bounded at CLINIC_TRACKER_CACHE_EVENTS events, to fill at this load): the servers' total RSS over
  the last three samples against the first sample after the warm-up, at most 5%;
- p95 steady: the median of the per-minute p95 in the last third of the run at most 1.3 times the median in
  the first third (after the warm-up);
- open files: at most 20 more at the end than after the warm-up.

Writes the figures (every sample) as JSON and a table per setup as Markdown next to it (`soak.md`), and
exits 1 when a setup misses a target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import aiohttp
import psutil
import socketio
from twilio.request_validator import RequestValidator

from clinic_faq_dev.bench.stats import percentile
from clinic_faq_dev.harness import PROJECT, RunningAssistant
from clinic_faq_dev.load import classify, load_messages

OUT = PROJECT / "docs" / "benchmarks" / "soak.json"
SETS = [PROJECT / "evaluation" / "sets" / "dev_set.yml", PROJECT / "evaluation" / "sets" / "wild_es.yml"]
TWILIO_TOKEN = "test-twilio-token"  # what RunningAssistant gives the servers as TWILIO_AUTH_TOKEN
LENGTHS = {"rest": (1, 5, 50), "website": (1, 5, 50), "sms": (1, 5, 15)}
MEMORY_GROWTH_MAX = 5.0  # percent, after the warm-up
P95_DRIFT_MAX = 1.3  # last third's median p95 / first third's
OPEN_FILES_GROWTH_MAX = 20
REQUEST_TIMEOUT = 60.0

# Bad input, per channel: (name, what is sent). REST: (body bytes, content type); website: the message
# field; SMS: the Body field (None: no Body at all).
REST_BAD: List[Tuple[str, Callable[[str], Tuple[bytes, str]]]] = [
    ("empty", lambda s: (json.dumps({"sender": s, "message": ""}).encode(), "application/json")),
    ("huge", lambda s: (json.dumps({"sender": s, "message": "pain " * 40000}).encode(), "application/json")),
    ("malformed json", lambda s: (b'{"sender": "' + s.encode() + b'", "message": "hi', "application/json")),
    ("binary", lambda s: (bytes(range(256)) * 8, "application/octet-stream")),
    ("form data", lambda s: (f"sender={s}&message=hello".encode(), "application/x-www-form-urlencoded")),
    ("markup", lambda s: (json.dumps({"sender": s, "message": "<img src=x onerror=alert(1)> is it safe"}).encode(),
                          "application/json")),
]
WEBSITE_BAD: List[Tuple[str, Any]] = [
    ("empty", ""), ("huge", "pain " * 40000), ("not text", 12345), ("markup", "<script>alert(1)</script> hola"),
]
SMS_BAD: List[Tuple[str, Optional[str]]] = [
    ("no body", None), ("huge", "pain " * 2000), ("markup", "<b>side effects</b>"), ("control characters", "\x00\x01\x02"),
]


@dataclass
class Record:
    """One message: when it was answered (seconds since the start), how, and how long it took."""

    t: float
    channel: str
    kind: str  # "normal" or "bad: <name>"
    ms: float
    outcome: str  # "answer", "refused" (a clear error or a polite notice), "error: ..."

    @property
    def error(self) -> bool:
        return self.outcome.startswith("error")


@dataclass
class Load:
    """What every simulated person shares: the servers' address, the messages, the clock and the records."""

    url: str
    origin: str
    messages: Sequence[str]
    stop_at: float
    started: float
    think: float
    bad_share: float
    records: List[Record] = field(default_factory=list)

    def record(self, channel: str, kind: str, started: float, outcome: str) -> None:
        now = time.monotonic()
        self.records.append(Record(round(now - self.started, 3), channel, kind, round((now - started) * 1000, 2),
                                   outcome))

    def running(self) -> bool:
        return time.monotonic() < self.stop_at


def soak_messages() -> List[str]:
    """What the people say: the development set's messages and the Spanish set's."""
    return [m for path in SETS for m in load_messages(path)]


def judge(bad: bool, status: int, answered: bool, refused: bool, detail: str = "") -> str:
    """The outcome of one message: an answer to a normal message, a refusal or a polite reply to bad input."""
    if bad and refused:
        return "refused"
    if answered and not refused:
        return "answer"
    return f"error: {status} {detail}".strip()


# --- the three channels -----------------------------------------------------------------------------


async def rest_person(load: Load, session: aiohttp.ClientSession, n: int) -> None:
    rng = random.Random(f"rest-{n}")
    webhook = f"{load.url}/webhooks/rest/webhook"
    conversation = 0
    while load.running():
        length = LENGTHS["rest"][(n + conversation) % 3]
        sender = f"soak-rest-{n}-{conversation}-{uuid.uuid4().hex[:6]}"
        for _ in range(length):
            if not load.running():
                return
            if rng.random() < load.bad_share:
                name, make = rng.choice(REST_BAD)
                body, content_type = make(sender)
                kind = f"bad: {name}"
            else:
                body = json.dumps({"sender": sender, "message": rng.choice(load.messages)}).encode()
                content_type, kind = "application/json", "normal"
            started = time.monotonic()
            try:
                async with session.post(webhook, data=body, headers={"Content-Type": content_type},
                                        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as response:
                    status, raw = response.status, await response.read()
                outcome, _ = classify(status, raw)
                result = judge(kind != "normal", status, outcome == "reply",
                               outcome == "error" and 400 <= status < 500, raw[:80].decode(errors="replace"))
            except (asyncio.TimeoutError, aiohttp.ClientError) as e:
                result = f"error: {type(e).__name__}"
            load.record("rest", kind, started, result)
            await asyncio.sleep(load.think * rng.uniform(0.5, 1.5))
        conversation += 1


async def website_person(load: Load, n: int) -> None:
    """One person after another on the website, each leaving when done. A page closed does not wait for the
    goodbye, which on the polling transport waits for the long poll in flight (the server ends it only at its next
    ping, 25 s): the goodbyes run beside the next conversations, and those still waiting when the run ends are
    dropped."""
    leaving: Set[asyncio.Task[None]] = set()
    try:
        await website_conversations(load, n, leaving)
    finally:
        if leaving:
            _, pending = await asyncio.wait(leaving, timeout=1.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def leave(client: socketio.AsyncClient, leaving: Set[asyncio.Task[None]]) -> None:
    """Start the goodbye beside what comes next; `leaving` holds it until it is done."""
    task = asyncio.ensure_future(client.disconnect())
    leaving.add(task)
    task.add_done_callback(leaving.discard)


async def website_conversations(load: Load, n: int, leaving: Set[asyncio.Task[None]]) -> None:
    rng = random.Random(f"website-{n}")
    conversation = 0
    while load.running():
        length = LENGTHS["website"][(n + conversation) % 3]
        conversation += 1
        client = socketio.AsyncClient(reconnection=False)
        replies: asyncio.Queue = asyncio.Queue()
        confirmed: asyncio.Queue = asyncio.Queue()
        client.on("bot_uttered", replies.put)
        client.on("session_confirm", confirmed.put)
        started = time.monotonic()
        try:
            await client.connect(load.url, transports=["polling"], headers={"Origin": load.origin}, wait_timeout=10)
            await client.emit("session_request", {"session_id": None})
            session_id = await asyncio.wait_for(confirmed.get(), 10)
        except (asyncio.TimeoutError, socketio.exceptions.SocketIOError, aiohttp.ClientError) as e:
            load.record("website", "connect", started, f"error: could not start a session: {type(e).__name__}")
            if client.connected:
                leave(client, leaving)
            await asyncio.sleep(load.think)
            continue
        try:
            for _ in range(length):
                if not load.running():
                    return
                if rng.random() < load.bad_share:
                    name, message = rng.choice(WEBSITE_BAD)
                    kind = f"bad: {name}"
                else:
                    message, kind = rng.choice(load.messages), "normal"
                while not replies.empty():  # a turn's further replies, read while thinking
                    replies.get_nowait()
                started = time.monotonic()
                try:
                    await client.emit("user_uttered", {"message": message, "session_id": session_id})
                    first = await asyncio.wait_for(replies.get(), REQUEST_TIMEOUT)
                    refused = first.get("route") == "error"
                    result = judge(kind != "normal", 200, True, refused, str(first.get("text", ""))[:60])
                except asyncio.TimeoutError:
                    result = "error: no reply"
                except socketio.exceptions.SocketIOError as e:
                    result = f"error: {type(e).__name__}"
                load.record("website", kind, started, result)
                await asyncio.sleep(load.think * rng.uniform(0.5, 1.5))
        finally:
            leave(client, leaving)


async def sms_person(load: Load, session: aiohttp.ClientSession, n: int) -> None:
    rng = random.Random(f"sms-{n}")
    webhook = f"{load.url}/webhooks/phone_tree/webhook"
    validator = RequestValidator(TWILIO_TOKEN)
    conversation = 0
    while load.running():
        length = LENGTHS["sms"][(n + conversation) % 3]
        conversation += 1
        number = f"+1555{rng.randrange(10**7):07d}"
        for _ in range(length):
            if not load.running():
                return
            form = {"From": number, "To": "+15550100100", "MessageSid": f"SM{uuid.uuid4().hex}"}
            if rng.random() < load.bad_share:
                name, body = rng.choice(SMS_BAD)
                kind = f"bad: {name}"
            else:
                body, kind = rng.choice(load.messages), "normal"
            if body is not None:
                form["Body"] = body
            headers = {"X-Twilio-Signature": validator.compute_signature(webhook, form)}
            started = time.monotonic()
            try:
                async with session.post(webhook, data=form, headers=headers,
                                        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)) as response:
                    status, raw = response.status, await response.read()
                texts = twiml_messages(raw) if status == 200 else None
                result = judge(kind != "normal", status, bool(texts), 400 <= status < 500,
                               raw[:80].decode(errors="replace"))
            except (asyncio.TimeoutError, aiohttp.ClientError) as e:
                result = f"error: {type(e).__name__}"
            load.record("sms", kind, started, result)
            await asyncio.sleep(load.think * rng.uniform(0.5, 1.5))


def twiml_messages(raw: bytes) -> Optional[List[str]]:
    """The texts of a TwiML reply (None when it is not TwiML)."""
    try:
        return [m.text or "" for m in ET.fromstring(raw).iter("Message")]
    except ET.ParseError:
        return None


async def run_load(load: Load, people: Dict[str, int], sampler: Callable[[], Any], interval: float) -> None:
    """The people of every channel until the stop time, and a sample every `interval` seconds."""
    connector = aiohttp.TCPConnector(limit=people["rest"] + people["sms"] + 1)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def sample_every() -> None:
            next_at = load.started + interval
            while next_at <= load.stop_at + 0.5:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                await asyncio.to_thread(sampler)
                next_at += interval

        tasks = [rest_person(load, session, n) for n in range(people["rest"])]
        tasks += [website_person(load, n) for n in range(people["website"])]
        tasks += [sms_person(load, session, n) for n in range(people["sms"])]
        await asyncio.gather(sample_every(), *tasks)


# --- what the servers use ----------------------------------------------------------------------------


def process_figures(pids: Dict[str, int]) -> Dict[str, Dict[str, float]]:
    """Per role (the server's name without its replica number): RSS in MB and open files, each process
    counted with its children."""
    out: Dict[str, Dict[str, float]] = {}
    for name, pid in pids.items():
        role = name.rstrip("0123456789")
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in processes)
            files = sum(p.num_fds() for p in processes)
        except psutil.Error:
            continue
        figures = out.setdefault(role, {"rss_mb": 0.0, "open_files": 0})
        figures["rss_mb"] = round(figures["rss_mb"] + rss / 2**20, 1)
        figures["open_files"] += files
    return out


def sqlite_bytes(*paths: Path) -> int:
    """The size of SQLite stores, with their journal files."""
    total = 0
    for path in paths:
        for suffix in ("", "-wal", "-shm", "-journal"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                total += candidate.stat().st_size
    return total


def window(records: Sequence[Record], start: float, end: float) -> Dict[str, Any]:
    """The messages answered in [start, end): count, errors and latency, overall and per channel."""
    chosen = [r for r in records if start <= r.t < end]

    def figures(rs: Sequence[Record]) -> Dict[str, Any]:
        ms = [r.ms for r in rs if not r.error and r.kind == "normal"]
        return {"messages": len(rs), "errors": sum(r.error for r in rs),
                "p50_ms": round(percentile(ms, 0.5), 1) if ms else None,
                "p95_ms": round(percentile(ms, 0.95), 1) if ms else None}

    out = figures(chosen)
    out["channels"] = {c: figures([r for r in chosen if r.channel == c]) for c in ("rest", "website", "sms")}
    return out


# --- the verdict -------------------------------------------------------------------------------------


def trend(samples: Sequence[Dict[str, Any]], warmup_s: float) -> Dict[str, Any]:
    """What the samples after the warm-up show: the servers' memory (MB) after the warm-up and at the end
    (the mean of the last three samples) and its growth in percent, the drift of the per-minute p95 (the
    last third's median over the first third's) and the growth in open files."""
    after = [s for s in samples if s["t"] > warmup_s] or list(samples[-1:])

    def server_mb(sample: Dict[str, Any]) -> float:
        return sum(v["rss_mb"] for k, v in sample["processes"].items() if k != "nginx")

    def server_files(sample: Dict[str, Any]) -> int:
        return int(sum(v["open_files"] for v in sample["processes"].values()))

    base_mb = server_mb(after[0])
    end_mb = statistics.mean(server_mb(s) for s in after[-3:])
    p95s = [s["load"]["p95_ms"] for s in after if s["load"]["p95_ms"] is not None]
    third = max(1, len(p95s) // 3)
    return {
        "memory_mb_after_warmup": round(base_mb, 1),
        "memory_mb_at_end": round(end_mb, 1),
        "memory_growth_pct": round((end_mb - base_mb) / base_mb * 100, 2) if base_mb else None,
        "p95_drift": round(statistics.median(p95s[-third:]) / statistics.median(p95s[:third]), 2) if p95s else None,
        "open_files_growth": server_files(after[-1]) - server_files(after[0]),
    }


def trend_targets(figures: Dict[str, Any]) -> Dict[str, bool]:
    """Whether the trend (`trend`) meets the targets: memory, p95 and open files."""
    growth, drift = figures["memory_growth_pct"], figures["p95_drift"]
    return {
        "memory_growth": growth is not None and growth <= MEMORY_GROWTH_MAX,
        "p95_steady": drift is not None and drift <= P95_DRIFT_MAX,
        "open_files": figures["open_files_growth"] <= OPEN_FILES_GROWTH_MAX,
    }


def summarize(samples: Sequence[Dict[str, Any]], records: Sequence[Record], warmup_s: float) -> Dict[str, Any]:
    """The run's figures and whether each target is met (the module's docstring)."""
    errors = [r for r in records if r.error]
    kinds: Dict[str, Dict[str, int]] = {}
    for r in records:
        counts = kinds.setdefault(f"{r.channel} {r.kind}", {})
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    normal_ms = [r.ms for r in records if not r.error and r.kind == "normal"]
    figures: Dict[str, Any] = {
        "messages": len(records),
        "normal_messages": sum(r.kind == "normal" for r in records),
        "bad_input": sum(r.kind.startswith("bad") for r in records),
        "errors": len(errors),
        "error_examples": sorted({f"{r.channel} {r.kind}: {r.outcome}" for r in errors})[:10],
        "messages_per_s": round(len(records) / max(records[-1].t, 1e-9), 2) if records else 0.0,
        "p50_ms": round(percentile(normal_ms, 0.5), 1) if normal_ms else None,
        "p95_ms": round(percentile(normal_ms, 0.95), 1) if normal_ms else None,
        "store_bytes_start": samples[0]["store_bytes"] if samples else None,
        "store_bytes_end": samples[-1]["store_bytes"] if samples else None,
        "outcomes": kinds,
        **trend(samples, warmup_s),
    }
    figures["targets"] = {"no_error": not errors, **trend_targets(figures)}
    figures["met"] = all(figures["targets"].values())
    return figures


# --- one setup ---------------------------------------------------------------------------------------


@dataclass
class Setup:
    name: str
    servers: RunningAssistant
    store_bytes: Callable[[], int]
    redis_bytes: Callable[[], Optional[int]]


def embedded_setup(servers: RunningAssistant, phone_db: Optional[Path] = None) -> Setup:
    """The embedded default: its stores are SQLite files (the tracker store's, and the phone tree's)."""
    files = [servers.db_path] + ([phone_db] if phone_db else [])
    return Setup("embedded", servers, lambda: sqlite_bytes(*files), lambda: None)


def replicas_setup(cluster: Any) -> Setup:
    """Replicas behind nginx (a `clinic_faq_dev.cluster.Cluster`): the PostgreSQL database and Redis."""
    import redis

    from clinic_faq_dev.cluster import REDIS
    from clinic_faq_dev.postgres import connect

    client = redis.Redis(host=REDIS["host"], port=REDIS["port"])

    def pg_bytes() -> int:
        with connect(cluster.database) as db:
            cursor = db.cursor()
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])

    return Setup("replicas", cluster, pg_bytes, lambda: int(client.info("memory")["used_memory"]))


def start_setup(name: str, workdir: Path, stack: ExitStack, replicas: int) -> Setup:
    """Start the servers of a setup (stopped when `stack` closes)."""
    if name == "embedded":
        phone_db = workdir / "phone_tree.db"
        servers = stack.enter_context(RunningAssistant(workdir, extra_env={"PHONE_TREE_STORE_URL": str(phone_db)}))
        return embedded_setup(servers, phone_db)
    if name == "replicas":
        from clinic_faq_dev.cluster import Cluster
        from clinic_faq_dev.postgres import scratch_database

        database = stack.enter_context(scratch_database("clinic_soak"))
        return replicas_setup(stack.enter_context(Cluster(workdir, database, replicas=replicas)))
    raise ValueError(f"unknown setup {name!r} (embedded or replicas)")


def soak(setup: Setup, minutes: float, interval: float, warmup_minutes: float, people: Dict[str, int],
         think: float, bad_share: float, messages: Sequence[str]) -> Dict[str, Any]:
    servers = setup.servers
    pids = servers.pids()
    started = time.monotonic()
    load = Load(servers.url, f"http://localhost:{servers.web_port}", messages, started + minutes * 60, started,
                think, bad_share)
    samples: List[Dict[str, Any]] = []

    def sample() -> None:
        now = time.monotonic() - started
        previous = samples[-1]["t"] if samples else 0.0
        samples.append({"t": round(now, 1), "minute": len(samples) + 1, "processes": process_figures(pids),
                        "store_bytes": setup.store_bytes(), "redis_bytes": setup.redis_bytes(),
                        "load": window(list(load.records), previous, now)})
        s = samples[-1]
        mb = sum(v["rss_mb"] for v in s["processes"].values())
        print(f"  {setup.name} {s['t']:7.0f} s: {s['load']['messages']:4d} messages, {s['load']['errors']} errors, "
              f"p95 {s['load']['p95_ms']} ms, memory {mb:.0f} MB, store {s['store_bytes'] / 2**20:.1f} MB", flush=True)

    asyncio.run(run_load(load, people, sample, interval))
    records = sorted(load.records, key=lambda r: r.t)
    return {"setup": setup.name, "samples": samples,
            "summary": summarize(samples, records, warmup_minutes * 60)}


# --- the report --------------------------------------------------------------------------------------


def markdown(report: Dict[str, Any]) -> str:
    lines = [
        "# Soak: hours of load change nothing",
        "",
        f"Written by `make soak` (`dev/clinic_faq_dev/soak.py`) on {report['date']}, "
        f"{report['machine']['cores']} cores; {report['setup']['minutes']} minutes per setup, a sample every "
        f"{report['setup']['interval_s']:.0f} s, warm-up {report['setup']['warmup_minutes']} minutes. People at once: "
        + ", ".join(f"{v} {k}" for k, v in report["setup"]["people"].items())
        + f"; about {report['setup']['think_s']} s between a person's messages; "
        f"{report['setup']['bad_share'] * 100:.0f}% bad input. Every sample is in `soak.json`.",
        "",
        "Targets: no error; the servers' memory at the end at most "
        f"{MEMORY_GROWTH_MAX:.0f}% above the first sample after the warm-up; the median p95 of the last third at "
        f"most {P95_DRIFT_MAX}x the first third's; open files at most {OPEN_FILES_GROWTH_MAX} more.",
        "",
    ]
    for run in report["runs"]:
        s = run["summary"]
        lines += [
            f"## {run['setup']}: {'targets met' if s['met'] else 'TARGETS MISSED'}",
            "",
            f"- {s['messages']} messages ({s['bad_input']} bad input), {s['messages_per_s']} per second, "
            f"{s['errors']} errors" + (f" ({'; '.join(s['error_examples'])})" if s["errors"] else ""),
            f"- normal messages: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms; p95 drift {s['p95_drift']}",
            f"- servers' memory {s['memory_mb_after_warmup']} MB after the warm-up, {s['memory_mb_at_end']} MB at the "
            f"end: {s['memory_growth_pct']:+.2f}%; open files {s['open_files_growth']:+d}",
            f"- stores {s['store_bytes_start'] / 2**20:.1f} MB at the first sample, "
            f"{s['store_bytes_end'] / 2**20:.1f} MB at the last",
            "",
            "| minute | messages | errors | p50 ms | p95 ms | REST p95 | website p95 | SMS p95 | memory MB | open files"
            " | stores MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for sample in run["samples"]:
            load, channels = sample["load"], sample["load"]["channels"]
            mb = sum(v["rss_mb"] for k, v in sample["processes"].items() if k != "nginx")
            files = sum(v["open_files"] for v in sample["processes"].values())
            lines.append(
                f"| {sample['minute']} | {load['messages']} | {load['errors']} | {load['p50_ms']} | {load['p95_ms']} | "
                f"{channels['rest']['p95_ms']} | {channels['website']['p95_ms']} | {channels['sms']['p95_ms']} | "
                f"{mb:.0f} | {files} | {sample['store_bytes'] / 2**20:.1f} |")
        lines.append("")
    lines.append("Memory is the Rasa server(s) and the action server (nginx excluded), each with its children.")
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long each setup is loaded")
    parser.add_argument("--setups", default="embedded,replicas", help="embedded, replicas, or both (comma-separated)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, default=10.0, help="minutes left out of the memory and p95 targets")
    parser.add_argument("--rest", type=int, default=12, help="people on the REST webhook at once")
    parser.add_argument("--website", type=int, default=6, help="people on the website (socket.io) at once")
    parser.add_argument("--sms", type=int, default=6, help="people texting at once")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a person's messages (mean)")
    parser.add_argument("--bad-share", type=float, default=0.05, help="share of messages that are bad input")
    parser.add_argument("--out", type=Path, default=OUT, help="the JSON figures (the Markdown goes next to it)")
    args = parser.parse_args(argv)
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    if not setups or any(s not in ("embedded", "replicas") for s in setups):
        parser.error(f"--setups: embedded, replicas or both, not {args.setups!r}")
    if args.warmup >= args.minutes:
        parser.error("the warm-up must be shorter than the run")
    people = {"rest": args.rest, "website": args.website, "sms": args.sms}
    messages = soak_messages()
    report: Dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "setup": {"minutes": args.minutes, "interval_s": args.interval, "warmup_minutes": args.warmup,
                  "people": people, "think_s": args.think, "bad_share": args.bad_share, "replicas": args.replicas},
        "runs": [],
    }
    for name in setups:
        print(f"soak: {name}, {args.minutes:g} minutes", flush=True)
        with tempfile.TemporaryDirectory(prefix=f"soak-{name}-") as tmp, ExitStack() as stack:
            setup = start_setup(name, Path(tmp), stack, args.replicas)
            report["runs"].append(soak(setup, args.minutes, args.interval, args.warmup, people, args.think,
                                       args.bad_share, messages))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(report))
    for run in report["runs"]:
        s = run["summary"]
        print(f"{run['setup']}: {'met' if s['met'] else 'MISSED'} {s['targets']}; {s['messages']} messages, "
              f"{s['errors']} errors, memory {s['memory_growth_pct']:+.2f}%, p95 drift {s['p95_drift']}")
    print(f"figures: {args.out} and {args.out.with_suffix('.md')}")
    return 0 if all(run["summary"]["met"] for run in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
