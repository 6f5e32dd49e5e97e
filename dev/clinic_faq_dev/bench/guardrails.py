"""What the guardrails cost per turn, measured against the real assistant (part of `make bench`).

1. The real action server and Rasa server are started; every development-set message is sent as the
   first message of a new conversation over REST, and each turn's latency is measured (after a warm-up).
2. The guardrail code that runs in the Rasa server for a turn is timed in this process on the same
   messages and the replies they got: channel input cleaning and PHI redaction, the spaCy safety
   screen, and the dose guard on every reply.
3. The rest of the turn after the answer (the policy predicting `action_safety_notes`, the call to the
   action server, and predicting `action_listen`) is read from the stored events' timestamps.

Writes docs/benchmarks/guardrails.json and .md. The target (issue: guardrails) is at most 20% of the
median turn latency.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

from clinic_faq.core.dose import find_dose
from clinic_faq.core.sanitize import sanitize
from clinic_faq.core.screen import get_screen
from clinic_faq.paths import project_dir
from clinic_faq_dev.bench.compare import machine
from clinic_faq_dev.bench.stats import percentile
from clinic_faq_dev.evaluate import load_cases
from clinic_faq_dev.harness import RunningAssistant

PROJECT = project_dir()
OUT = PROJECT / "docs" / "benchmarks"
WARMUP = 20
REPEATS = 5  # in-process timing repeats per message (the median is kept)


def guardrail_ms(text: str, replies: List[str]) -> float:
    screen = get_screen()
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        cleaned = sanitize(text)
        screen.screen(cleaned)
        for reply in replies:
            find_dose(reply)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def safety_action_ms(events: List[dict]) -> float:
    """Time from the reply before action_safety_notes to the end of its run, from event timestamps."""
    last_ts = None
    for event in events:
        if event.get("event") == "action" and event.get("name") == "action_safety_notes" and last_ts:
            following = [e["timestamp"] for e in events if e["timestamp"] >= event["timestamp"]]
            return (max(following) - last_ts) * 1000
        if event.get("event") in ("bot", "action"):
            last_ts = event.get("timestamp")
    return 0.0


def main() -> int:
    cases = load_cases(PROJECT / "evaluation" / "sets" / "dev_set.yml")
    turn_ms: List[float] = []
    guard_ms: List[float] = []
    action_ms: List[float] = []
    get_screen()  # built before timing, as the server builds it at start-up
    with tempfile.TemporaryDirectory(prefix="clinic-bench-") as tmp:
        with RunningAssistant(Path(tmp)) as assistant:
            for i, case in enumerate(cases[:WARMUP]):
                assistant.send(f"warm-{i}", case["text"])
            for i, case in enumerate(cases):
                sender = f"bench-{i}"
                start = time.perf_counter()
                replies = [m.get("text", "") for m in assistant.send(sender, case["text"])]
                turn_ms.append((time.perf_counter() - start) * 1000)
                guard_ms.append(guardrail_ms(case["text"], replies))
                action_ms.append(safety_action_ms(assistant.events(sender)))
    median_turn = statistics.median(turn_ms)
    result = {
        "machine": machine(),
        "turns": len(turn_ms),
        "turn_ms": {"p50": round(median_turn, 2), "p95": round(percentile(turn_ms, 0.95), 2),
                    "p99": round(percentile(turn_ms, 0.99), 2)},
        "guardrail_code_ms": {"p50": round(statistics.median(guard_ms), 3), "p95": round(percentile(guard_ms, 0.95), 3),
                              "max": round(max(guard_ms), 3)},
        "safety_notes_action_ms": {"p50": round(statistics.median(action_ms), 2),
                                   "p95": round(percentile(action_ms, 0.95), 2)},
    }
    result["guardrail_share_of_median_turn"] = round(result["guardrail_code_ms"]["p50"] / median_turn, 4)
    result["target_share"] = 0.20
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "guardrails.json").write_text(json.dumps(result, indent=2) + "\n")
    md = [
        "# Guardrail cost per turn", "",
        f"Measured {result['machine']['date']} on {result['machine']['cores']} cores ({result['machine']['cpu']}), "
        f"{result['turns']} development-set messages, each the first turn of a new conversation over REST.", "",
        "| figure | p50 | p95 |", "|---|---|---|",
        f"| whole turn (REST, Rasa server + action server) | {result['turn_ms']['p50']} ms | {result['turn_ms']['p95']} ms |",
        f"| guardrail code in the Rasa server (redaction, safety screen, dose guard) | "
        f"{result['guardrail_code_ms']['p50']} ms | {result['guardrail_code_ms']['p95']} ms |",
        f"| after the answer: next-action predictions and the safety-notes action call | "
        f"{result['safety_notes_action_ms']['p50']} ms | {result['safety_notes_action_ms']['p95']} ms |", "",
        f"Guardrail code is **{result['guardrail_share_of_median_turn']:.1%}** of the median turn "
        f"(target: at most {result['target_share']:.0%}).", "",
    ]
    (OUT / "guardrails.md").write_text("\n".join(md))
    print("\n".join(md))
    return 0 if result["guardrail_share_of_median_turn"] <= result["target_share"] else 1


if __name__ == "__main__":
    sys.exit(main())
