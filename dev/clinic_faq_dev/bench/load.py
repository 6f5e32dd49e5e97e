"""Load generator for `make bench`: C concurrent conversations over the REST channel, loopback only.

Runs in its own process and stops by itself: a warm-up of W messages, then exactly N measured messages
spread over C simulated people, each sending its next message as soon as it has the reply to the last
(closed loop), and starting a new conversation every T messages. A hard time limit ends the run.
Messages are the development set's, in a fixed order, so every assistant gets the same load.

    python -m clinic_faq_dev.bench.load --url http://127.0.0.1:5005/webhooks/rest/webhook --concurrency 10 \
        --messages 500 --warmup 50 --out result.json

Writes (and prints) JSON: per-message latencies in ms, errors, the measured wall time and the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit

import aiohttp
import yaml

from clinic_faq.paths import project_dir
from clinic_faq_dev.bench.stats import latency_summary, rate

PROJECT = project_dir()
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def load_messages(path: Path) -> List[str]:
    with open(path, encoding="utf-8") as f:
        return [case["text"] for case in yaml.safe_load(f)["cases"]]


def plan(messages: List[str], concurrency: int, total: int, offset: int = 0) -> List[List[str]]:
    """The messages each of `concurrency` people sends, `total` in all (as even as possible), taken
    in order from `messages` (cycling), person by person."""
    per_person = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
    out, position = [], offset
    for count in per_person:
        out.append([messages[(position + k) % len(messages)] for k in range(count)])
        position += count
    return out


class Result:
    def __init__(self) -> None:
        self.latencies_ms: List[float] = []
        self.errors: Dict[str, int] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def person(session: aiohttp.ClientSession, url: str, name: str, texts: List[str], turns: int,
                 result: Result, request_timeout: float) -> None:
    for k, text in enumerate(texts):
        sender = f"{name}-{k // turns}"
        start = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=request_timeout)) as response:
                body = await response.read()
                elapsed = (time.perf_counter() - start) * 1000
                if response.status != 200:
                    result.error(f"http {response.status}")
                    continue
                if not json.loads(body):
                    result.error("empty reply")
                    continue
                result.latencies_ms.append(elapsed)
        except asyncio.TimeoutError:
            result.error("timeout")
        except aiohttp.ClientError as e:
            result.error(type(e).__name__)


async def run_phase(url: str, texts: List[List[str]], tag: str, turns: int, request_timeout: float) -> tuple:
    result = Result()
    connector = aiohttp.TCPConnector(limit=len(texts) + 1)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(person(session, url, f"{tag}-p{i}", t, turns, result, request_timeout)
                               for i, t in enumerate(texts)))
        seconds = time.perf_counter() - start
    return result, seconds


async def main_async(args: argparse.Namespace) -> Dict[str, object]:
    messages = load_messages(Path(args.cases))
    tag = args.tag or f"load-c{args.concurrency}"
    if args.warmup:
        warm = plan(messages, args.concurrency, max(args.warmup, args.concurrency), offset=len(messages) // 2)
        await run_phase(args.url, warm, f"{tag}-warm", args.turns, args.request_timeout)
    result, seconds = await run_phase(args.url, plan(messages, args.concurrency, args.messages), tag, args.turns,
                                      args.request_timeout)
    answered = len(result.latencies_ms)
    return {
        "concurrency": args.concurrency,
        "messages": args.messages,
        "answered": answered,
        "errors": result.errors,
        "seconds": round(seconds, 3),
        "messages_per_s": rate(answered, seconds),
        "latency_ms": latency_summary(result.latencies_ms) if answered else None,
        "latencies_ms": [round(v, 3) for v in result.latencies_ms],
    }


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the REST webhook, on loopback")
    parser.add_argument("--concurrency", type=int, default=1, help="conversations at once")
    parser.add_argument("--messages", type=int, default=200, help="measured messages in all")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up messages before measuring")
    parser.add_argument("--turns", type=int, default=5, help="messages per conversation")
    parser.add_argument("--cases", default=str(PROJECT / "tests" / "evaluation" / "dev_set.yml"))
    parser.add_argument("--tag", default="", help="prefix of the conversation ids")
    parser.add_argument("--timeout", type=float, default=600.0, help="hard limit for the whole run (s)")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--out", help="write the result here as JSON")
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error(f"{args.url} is not a loopback address: the benchmark only loads local servers")
    if args.concurrency < 1 or args.messages < args.concurrency:
        parser.error("need at least one message per conversation")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        result = asyncio.run(asyncio.wait_for(main_async(args), timeout=args.timeout))
    except asyncio.TimeoutError:
        print(f"load: stopped after the hard limit of {args.timeout:.0f} s", file=sys.stderr)
        return 2
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text)
    summary = {k: v for k, v in result.items() if k != "latencies_ms"}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
