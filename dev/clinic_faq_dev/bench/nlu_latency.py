"""NLU parse latency in process: the model's NLU pipeline alone, no server, no HTTP.

Loads a trained model as `rasa run` does (Agent.load), parses the development set's messages after a
warm-up and prints their latencies as JSON (ms). Run in its own process by `make bench`, once per
assistant, with the same environment as that assistant's server.

    python -m clinic_faq_dev.bench.nlu_latency --model models/current.tar.gz [--repeats 3] [--out result.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path
from typing import List, Optional

import yaml

from clinic_faq.paths import project_dir
from clinic_faq_dev.bench.stats import latency_summary

PROJECT = project_dir()
WARMUP = 20


def messages(path: Path) -> List[str]:
    with open(path, encoding="utf-8") as f:
        return [case["text"] for case in yaml.safe_load(f)["cases"]]


async def measure(model: Path, texts: List[str], repeats: int) -> dict:
    from rasa.core.agent import Agent

    start = time.perf_counter()
    agent = Agent.load(str(model))
    load_seconds = time.perf_counter() - start
    for text in texts[:WARMUP]:
        await agent.parse_message(text)
    latencies = []
    for _ in range(repeats):
        for text in texts:
            begin = time.perf_counter()
            await agent.parse_message(text)
            latencies.append((time.perf_counter() - begin) * 1000)
    return {"model_load_s": round(load_seconds, 2), "latency_ms": latency_summary(latencies)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="NLU parse latency in process")
    parser.add_argument("--model", required=True)
    parser.add_argument("--cases", default=str(PROJECT / "evaluation" / "sets" / "dev_set.yml"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    configure_structlog(logging.WARNING)  # as `rasa run` does: no debug lines (they would hold the messages)

    setup_tf_environment()  # the TF thread settings from the environment, as `rasa run` applies them
    result = asyncio.run(measure(Path(args.model), messages(Path(args.cases)), args.repeats))
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
