"""What each speed-up of the Rasa server gains (part of `make bench`; src/clinic_faq/rasa_ext/tuning.py lists
them and where each lives).

Our assistant is started once per step (`CLINIC_TUNING`): none of the speed-ups, all of them, and all but
one, for each one: what a speed-up gains is what the server loses without it, the others on (how it runs).
All run at once on the same model with the same machinery, and the
same load is sent to each in interleaved rounds (so the machine's background load hits all alike):
10 concurrent conversations of 1, 5 and 50 messages in turn, a fixed number of messages. For each step:
messages per second, turn latency p50/p95 and the Rasa server's CPU time per message (the figure least
disturbed by other work on the machine). Then the growth with conversation length
(dev/clinic_faq_dev/bench/growth.py), the steps taking turns message by message: the median of turns
141-150 of long conversations against the first turn of fresh ones.

Writes docs/benchmarks/tuning.json and tuning.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from clinic_faq.rasa_ext.tuning import SPEEDUPS
from clinic_faq_dev.bench.compare import OURS_ENV, OUT, load_average, machine, our_model_path, run_load
from clinic_faq_dev.bench.growth import measure_running
from clinic_faq_dev.bench.stats import percentile
from clinic_faq_dev.harness import RunningAssistant

CONCURRENCY = 10
MESSAGES = 560  # each simulated person: one conversation each of 1, 5 and 50 messages
ROUNDS = 3
GROWTH = {"conversations": 2, "turns": 150, "last": 10}


def steps() -> Dict[str, str]:
    """Step label -> CLINIC_TUNING value: none, all, and all but each speed-up."""
    out = {"none": "none", "all": "all"}
    for name in SPEEDUPS:
        out[f"all but {name}"] = ",".join(n for n in SPEEDUPS if n != name) or "none"
    return out


def gains(steps_measured: Dict[str, Any]) -> Dict[str, Dict[str, Optional[float]]]:
    """Per speed-up, what it gains with the others on: messages/s of all against all but it (percent), the
    Rasa server's CPU per message saved (percent), and the growth ratio without it and with it."""
    every = steps_measured["all"]
    out: Dict[str, Dict[str, Optional[float]]] = {}
    for name in SPEEDUPS:
        without = steps_measured.get(f"all but {name}")
        if not without:
            continue
        out[name] = {
            "messages_per_s_pct": round((every["messages_per_s"] / without["messages_per_s"] - 1) * 100, 1),
            "cpu_saved_pct": round((1 - every["rasa_cpu_ms_per_message"] / without["rasa_cpu_ms_per_message"]) * 100, 1),
            "growth_ratio_without": (without.get("growth") or {}).get("ratio"),
            "growth_ratio_with": (every.get("growth") or {}).get("ratio"),
        }
    return out


def median(values: List[float]) -> float:
    return round(percentile(values, 0.5), 2)


def measure(work: Path, rounds: int, messages: int, growth: bool = True,
            concurrency: int = CONCURRENCY) -> Dict[str, Any]:
    model = our_model_path()
    assistants = {step: RunningAssistant(work / f"step{i}", model=model, extra_env={**OURS_ENV, "CLINIC_TUNING": value})
                  for i, (step, value) in enumerate(steps().items())}
    runs: Dict[str, List[Dict[str, Any]]] = {step: [] for step in assistants}
    started: List[RunningAssistant] = []
    try:
        for step, assistant in assistants.items():
            print(f"Starting ours with CLINIC_TUNING={step} ...", flush=True)
            assistant.__enter__()
            started.append(assistant)
        for r in range(rounds):
            order = list(assistants) if r % 2 == 0 else list(reversed(assistants))
            for step in order:
                print(f"Round {r + 1}/{rounds}: CLINIC_TUNING={step} ...", flush=True)
                runs[step].append(run_load(assistants[step], f"tuning{r}", concurrency, work / "load.json",
                                           messages=messages, warmup=concurrency * 4))
        grown = {}
        if growth:
            print("Growth with conversation length, all steps in turn ...", flush=True)
            grown = measure_running(assistants, **GROWTH)
    finally:
        for assistant in started:
            assistant.stop()
    out: Dict[str, Any] = {}
    for step, results in runs.items():
        out[step] = {
            "messages_per_s": median([r["messages_per_s"] for r in results]),
            "turn_p50_ms": median([r["latency_ms"]["p50"] for r in results]),
            "turn_p95_ms": median([r["latency_ms"]["p95"] for r in results]),
            "rasa_cpu_ms_per_message": median([r["rasa_cpu_ms_per_message"] for r in results]),
            "rounds": results,
        }
        if step in grown:
            out[step]["growth"] = {k: v for k, v in grown[step].items() if k not in ("long_last_ms", "fresh_ms")}
    return out


def markdown(report: Dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# What each speed-up gains", "",
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}) by `make bench` (dev/clinic_faq_dev/bench/tuning.py): our "
        f"assistant started once per step with `CLINIC_TUNING` set as shown, all at once, the same load "
        f"sent to each in {report['rounds']} interleaved rounds ({report['concurrency']} concurrent "
        f"conversations of 1, 5 and 50 messages, {report['messages']} messages per round); medians over the "
        f"rounds. Growth: {GROWTH['conversations']} conversations of {GROWTH['turns']} messages per step, each "
        f"of the last {GROWTH['last']} turns preceded by the first turn of a fresh conversation, the steps "
        "taking turns message by message (dev/clinic_faq_dev/bench/growth.py). "
        f"Load average before: {report['load_average_before']}.", "",
        "| CLINIC_TUNING | Rasa server CPU per message | messages/s | turn p50 | turn p95 | "
        "turns 141-150 p50 | fresh first turn p50 | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for step, r in report["steps"].items():
        g = r.get("growth") or {}
        grown = (f"{g['long_last_p50_ms']} ms | {g['fresh_p50_ms']} ms | {g['ratio']}" if g else "- | - | -")
        lines.append(f"| {step} | {r['rasa_cpu_ms_per_message']} ms | {r['messages_per_s']} | "
                     f"{r['turn_p50_ms']} ms | {r['turn_p95_ms']} ms | {grown} |")
    lines += ["", "What each speed-up gains, the others on (all against all but it):", "",
              "| speed-up | messages/s | Rasa CPU per message | turns 141-150 / fresh, without -> with |",
              "|---|---:|---:|---:|"]
    for name, g in gains(report["steps"]).items():
        lines.append(f"| `{name}` | {g['messages_per_s_pct']:+.1f}% | {-g['cpu_saved_pct']:+.1f}% | "
                     f"{g['growth_ratio_without']} -> {g['growth_ratio_with']} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="What each speed-up of the Rasa server gains")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument("--no-growth", action="store_true", help="skip the growth measurement")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    info, before = machine(), load_average()
    with tempfile.TemporaryDirectory(prefix="clinic-tuning-") as tmp:
        results = measure(Path(tmp), args.rounds, args.messages, growth=not args.no_growth,
                          concurrency=args.concurrency)
    report = {"machine": info, "load_average_before": before, "concurrency": args.concurrency,
              "messages": args.messages, "rounds": args.rounds, "steps": results}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tuning.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (out / "tuning.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
