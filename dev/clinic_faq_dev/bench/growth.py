"""How a turn's cost grows with the length of its conversation (part of `make bench`).

One Rasa server (clinic_faq_dev.harness, the embedded default: REST, SQLite tracker store) holds
`--conversations` long conversations, each driven to `--turns` messages: questions from the development
set (evaluation/sets/dev_set.yml) with a "tell me more" after every second question, as people ask. For
the last `--last` turns of each long conversation, every turn is interleaved with the first message of a
fresh conversation (the same question, or the latest question when the long turn is a "tell me more"),
sent right before it by the same client: both kinds of turn see the same machine, so their ratio is fair
even when other work shares the cores.

Reports, as JSON and a short table: the median (and p90) REST round trip of the long conversations' last
turns, of the fresh first turns, their ratio, and the median of every decile of the long conversations
(turns 1-15, 16-30, ...), which shows the shape of the growth. `CLINIC_TUNING` passes through to the
server (src/clinic_faq/rasa_ext/tuning.py), so a change is measured by running this with and without it.

    python -m clinic_faq_dev.bench.growth                       # 3 conversations of 150 messages
    python -m clinic_faq_dev.bench.growth --tuning "none;all" --out growth.json   # two servers, interleaved
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from clinic_faq_dev.bench.compare import group_cpu_s, load_average, machine
from clinic_faq_dev.bench.stats import percentile, ratio
from clinic_faq_dev.harness import RunningAssistant, default_model
from clinic_faq_dev.load import DEV_SET, load_messages

TURNS = 150
LAST = 10
CONVERSATIONS = 3
MORE = "tell me more"
# One simulated person sends 150 messages as fast as they are answered, far beyond the abuse limit of a
# conversation (docs/deployment.md), which is not what is measured here: that limit is off.
SERVER_ENV = {"RATE_LIMIT_CONVERSATION": "off"}
# Goal: the last turns of a long conversation cost at most this much more than a fresh one (median).
TARGET_RATIO = 1.3


def script(questions: List[str], turns: int, offset: int) -> List[str]:
    """`turns` messages: questions in order from `offset` (cycling), "tell me more" after every second one."""
    out: List[str] = []
    position = offset
    while len(out) < turns:
        out.append(questions[position % len(questions)])
        position += 1
        if len(out) % 3 == 2 and len(out) < turns:
            out.append(MORE)
    return out[:turns]


def timed_send(session: requests.Session, url: str, sender: str, text: str) -> float:
    """One REST turn; its round trip in ms. A turn that is not answered stops the measurement."""
    started = time.perf_counter()
    response = session.post(url, json={"sender": sender, "message": text}, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or not response.json():
        raise RuntimeError(f"turn not answered ({response.status_code}): {text!r} -> {response.text[:200]}")
    return elapsed


def drive(urls: Dict[str, str], questions: List[str], conversations: int, turns: int, last: int
          ) -> Dict[str, Dict[str, Any]]:
    """Per server (name -> REST webhook): the latency of every turn of every long conversation, of their
    last `last` turns, and of the fresh first turns interleaved with those. The servers take turns
    message by message, so a change in the machine's load hits all of them alike."""
    session = requests.Session()
    tag = uuid.uuid4().hex[:6]
    out: Dict[str, Dict[str, Any]] = {name: {"timeline": [], "long_last": [], "fresh": []} for name in urls}
    for c in range(conversations):
        sender = f"growth-{tag}-long{c}"
        texts = script(questions, turns, offset=c * 37)
        latencies: Dict[str, List[float]] = {name: [] for name in urls}
        latest_question = texts[0]
        for position, text in enumerate(texts):
            if text != MORE:
                latest_question = text
            names = list(urls) if position % 2 == 0 else list(reversed(urls))
            for name in names:
                if position >= turns - last:
                    out[name]["fresh"].append(
                        timed_send(session, urls[name], f"growth-{tag}-fresh{c}-{position}", latest_question))
                    latencies[name].append(timed_send(session, urls[name], sender, text))
                    out[name]["long_last"].append(latencies[name][-1])
                else:
                    latencies[name].append(timed_send(session, urls[name], sender, text))
        for name in urls:
            out[name]["timeline"].append(latencies[name])
            print(f"{name}: conversation {c + 1}/{conversations}: turns 1-10 median "
                  f"{percentile(latencies[name][:10], 0.5):.1f} ms, last {last} median "
                  f"{percentile(latencies[name][-last:], 0.5):.1f} ms", flush=True)
    return out


def deciles(timeline: List[List[float]], turns: int) -> List[Dict[str, Any]]:
    step = max(turns // 10, 1)
    out = []
    for start in range(0, turns, step):
        values = [v for conv in timeline for v in conv[start:start + step]]
        if values:
            out.append({"turns": f"{start + 1}-{min(start + step, turns)}",
                        "p50_ms": round(percentile(values, 0.5), 1)})
    return out


def figures(name: str, runs: Dict[str, Any], turns: int, last: int, cpu_s: Optional[float]) -> Dict[str, Any]:
    """The reported figures of one server's `drive` results."""
    long_last, fresh, timeline = runs["long_last"], runs["fresh"], runs["timeline"]
    long_p50, fresh_p50 = percentile(long_last, 0.5), percentile(fresh, 0.5)
    messages = len(timeline) * (turns + last)
    return {
        "name": name, "conversations": len(timeline), "turns": turns, "last": last,
        "long_last_p50_ms": round(long_p50, 1), "long_last_p90_ms": round(percentile(long_last, 0.9), 1),
        "fresh_p50_ms": round(fresh_p50, 1), "fresh_p90_ms": round(percentile(fresh, 0.9), 1),
        "ratio": ratio(long_p50, fresh_p50),
        "first10_p50_ms": round(percentile([v for conv in timeline for v in conv[:10]], 0.5), 1),
        "deciles": deciles(timeline, turns),
        "rasa_cpu_ms_per_message": round(cpu_s * 1000 / messages, 2) if cpu_s is not None else None,
        "long_last_ms": [round(v, 1) for v in long_last], "fresh_ms": [round(v, 1) for v in fresh],
    }


def measure_running(assistants: Dict[str, RunningAssistant], conversations: int = CONVERSATIONS,
                    turns: int = TURNS, last: int = LAST, warmup: int = 20) -> Dict[str, Dict[str, Any]]:
    """The growth of each running assistant (name -> RunningAssistant), measured interleaved."""
    questions = load_messages(DEV_SET)
    session = requests.Session()
    for index, assistant in enumerate(assistants.values()):
        for i in range(warmup):  # the first turns of a server are slower (lazy imports, caches)
            timed_send(session, assistant.webhook, f"growth-warmup-{index}-{i % 5}", questions[i % len(questions)])
    pids = {name: assistant._procs["rasa"].pid for name, assistant in assistants.items()}
    cpu_before = {name: group_cpu_s(pid) for name, pid in pids.items()}
    runs = drive({name: a.webhook for name, a in assistants.items()}, questions, conversations, turns, last)
    return {name: figures(name, runs[name], turns, last, group_cpu_s(pids[name]) - cpu_before[name])
            for name in assistants}


def measure(work: Path, model: Optional[Path], tunings: List[str], conversations: int, turns: int,
            last: int, warmup: int) -> Dict[str, Dict[str, Any]]:
    """Our assistant once per CLINIC_TUNING value, all running at once, measured interleaved."""
    model = model or default_model()
    assistants = {tuning: RunningAssistant(work / f"tuning{i}", model=model, extra_env={**SERVER_ENV, "CLINIC_TUNING": tuning})
                  for i, tuning in enumerate(tunings)}
    started: List[RunningAssistant] = []
    try:
        for assistant in assistants.values():
            assistant.__enter__()
            started.append(assistant)
        return measure_running(assistants, conversations, turns, last, warmup)
    finally:
        for assistant in started:
            assistant.stop()


def summary(result: Dict[str, Any]) -> str:
    lines = [
        f"{result['name']}: {result['conversations']} conversations of {result['turns']} messages",
        f"  turns {result['turns'] - result['last'] + 1}-{result['turns']}: median {result['long_last_p50_ms']} ms "
        f"(p90 {result['long_last_p90_ms']})",
        f"  fresh first turns, interleaved: median {result['fresh_p50_ms']} ms (p90 {result['fresh_p90_ms']})",
        f"  ratio {result['ratio']} (goal <= {TARGET_RATIO}); Rasa server CPU {result['rasa_cpu_ms_per_message']} ms "
        f"per message",
        "  by turn: " + ", ".join(f"{d['turns']}: {d['p50_ms']}" for d in result["deciles"]),
    ]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Turn cost against conversation length")
    parser.add_argument("--conversations", type=int, default=CONVERSATIONS)
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--last", type=int, default=LAST)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--model", type=Path, help="default: models/current.tar.gz")
    parser.add_argument("--tuning", default=os.environ.get("CLINIC_TUNING", "all"),
                        help="CLINIC_TUNING of the server; several separated by ';' start one server each, "
                             "measured interleaved (e.g. 'none;all')")
    parser.add_argument("--out", type=Path, help="write the result here as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.last <= args.turns:
        parser.error("--last must be between 1 and --turns")
    tunings = [t.strip() for t in args.tuning.split(";") if t.strip()]
    info, before = machine(), load_average()
    with tempfile.TemporaryDirectory(prefix="clinic-growth-") as tmp:
        results = measure(Path(tmp), args.model, tunings, args.conversations, args.turns, args.last, args.warmup)
    report = {"machine": info, "load_average_before": before, "load_average_after": load_average(),
              "results": results}
    for result in results.values():
        print(summary(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
    last_ratio = results[tunings[-1]]["ratio"]
    return 0 if last_ratio is not None and last_ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
