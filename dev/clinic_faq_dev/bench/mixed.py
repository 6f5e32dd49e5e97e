"""The benchmark's load with conversations of several lengths (part of `make bench`).

`make bench` measures throughput with short and long conversations together, as people use the
assistant: some ask one question, some a few, some keep going. Each simulated person holds
conversations of `--lengths` messages in turn (by default 1, 5 and 50, each person starting at a
different point of that cycle, so that at any moment some conversations are long); otherwise it is
clinic_faq_dev.load's bench mode (the same engine, closed loop, the development set's messages in a fixed
order, a warm-up, exactly N measured messages, a hard time limit, the same JSON).

    python -m clinic_faq_dev.bench.mixed --url http://127.0.0.1:5005/webhooks/rest/webhook --concurrency 50 \\
        --messages 2800 --lengths 1,5,50 --out result.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import urlsplit

from clinic_faq_dev import load
from clinic_faq_dev.load import DEV_SET, LOOPBACK, load_messages

LENGTHS = (1, 5, 50)


def parse_lengths(value: str) -> List[int]:
    lengths = [int(part) for part in value.split(",") if part.strip()]
    if not lengths or min(lengths) < 1:
        raise ValueError(f"conversation lengths must be positive whole numbers: {value!r}")
    return lengths


async def bench(url: str, messages: Sequence[str], concurrency: int, total: int, lengths: Sequence[int],
                warmup: int = 0, tag: str = "", request_timeout: float = 60.0) -> Dict[str, Any]:
    """clinic_faq_dev.load's bench mode with conversations of `lengths`: the benchmark's JSON."""
    out = await load.bench(url, messages, concurrency, total, warmup, lengths, tag or f"mixed-c{concurrency}",
                           request_timeout)
    out["lengths"] = list(lengths)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the REST webhook (loopback only)")
    parser.add_argument("--concurrency", type=int, default=1, help="conversations at once")
    parser.add_argument("--messages", type=int, default=200, help="measured messages in all")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up messages before measuring")
    parser.add_argument("--lengths", default=",".join(map(str, LENGTHS)), help="conversation lengths, in turn")
    parser.add_argument("--cases", type=Path, default=DEV_SET, help="where the messages come from")
    parser.add_argument("--tag", default="", help="prefix of the conversation ids")
    parser.add_argument("--timeout", type=float, default=900.0, help="hard limit for the whole run (s)")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="seconds one request may take")
    parser.add_argument("--out", help="write the result (with every latency) here as JSON")
    args = parser.parse_args(argv)
    if urlsplit(args.url).hostname not in LOOPBACK:
        parser.error(f"{args.url} is not a loopback address: the benchmark only loads local servers")
    try:
        lengths = parse_lengths(args.lengths)
    except ValueError as e:
        parser.error(str(e))
    if args.concurrency < 1 or args.messages < args.concurrency:
        parser.error("need at least one message per conversation")
    try:
        result = asyncio.run(asyncio.wait_for(
            bench(args.url, load_messages(args.cases), args.concurrency, args.messages, lengths, args.warmup,
                  args.tag, args.request_timeout), timeout=args.timeout))
    except asyncio.TimeoutError:
        print(f"mixed load: stopped after the hard limit of {args.timeout:.0f} s", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(json.dumps(result))
    print(json.dumps({k: v for k, v in result.items() if k != "latencies_ms"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
