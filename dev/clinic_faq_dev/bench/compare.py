"""`make bench`: our assistant and a stock Rasa assistant, measured side by side in one run.

Both are started by the same machinery (clinic_faq_dev.harness: the real action server and Rasa server on
free loopback ports, each with a private SQLite tracker store) and get the same load:

1. Models: ours from `scripts/train.sh`, the stock one (dev/clinic_faq_dev/bench/stock.py) trained once per content.
   Training time (timed `rasa train`, recorded when the model was trained; `--retrain` retrains both
   now) and model size.
2. NLU parse latency in process (dev/clinic_faq_dev/bench/nlu_latency.py), each model in its own process.
3. Start-up to first answer: from spawning the two servers to the first successful REST reply.
4. Turn latency over REST, action server included, at 1, 10 and 50 concurrent conversations, and the
   sustained messages per second at each level, with conversations of 1, 5 and 50 messages mixed
   (dev/clinic_faq_dev/bench/mixed.py on the engine of dev/clinic_faq_dev/load.py, in its own process,
   bounded). The levels are interleaved between the two assistants, so a change in the machine's background
   load hits both.
5. Growth with the length of a conversation (dev/clinic_faq_dev/bench/growth.py): turns 141-150 of long
   conversations against the first turn of fresh ones, interleaved, both assistants in turn.
6. Resident memory (VmRSS of each server's whole process group) after the run.

Prints the ratio table ours / stock and writes docs/benchmarks/comparison.json, comparison.md and
latency.png. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests

from clinic_faq_dev.bench.stats import meets, ratio
from clinic_faq_dev.bench.stock import StockAssistant, cached_model, stock_model, timed_training, train_env
from clinic_faq_dev.harness import PROJECT, RunningAssistant, ServerError

OUT = PROJECT / "docs" / "benchmarks"
LEVELS = (1, 10, 50)
# Conversation lengths, in turn for each simulated person (dev/clinic_faq_dev/bench/mixed.py).
LENGTHS = (1, 5, 50)
# Measured messages and warm-up messages per concurrency level (the same for both assistants): each person
# holds one conversation of each length per 56 messages.
MESSAGES = {1: 224, 10: 560, 50: 2800}
WARMUP = {1: 20, 10: 60, 50: 150}
LOAD_TIMEOUT = 900.0
# Growth with conversation length: long conversations per assistant, their length, the last turns timed.
GROWTH = {"conversations": 2, "turns": 150, "last": 10}

# The server settings ours runs with besides scripts/run.sh's: a simulated person sends the next message
# as soon as the reply arrives, 50 in a row, far beyond the abuse limit of one conversation
# (docs/deployment.md), which is not what is measured: that limit is off. Stock has no limits.
OURS_ENV: Dict[str, str] = {"RATE_LIMIT_CONVERSATION": "off"}

TARGETS = [
    # (label, figure path, how: "ratio" or "value", comparison, limit)
    ("turn p95 at 10 conversations", "turn.c10.p95", "ratio", "<=", 1.1),
    ("throughput at 50 conversations", "throughput.c50", "ratio", ">=", 1.5),
    ("throughput at 50 conversations (msg/s)", "throughput.c50", "value", ">=", 50.0),
    ("start-up to first answer", "startup_s", "ratio", "<=", 1.0),
    ("Rasa server memory", "rss_mb.rasa", "ratio", "<=", 1.1),
    ("training time (s)", "training_s", "value", "<=", 180.0),
    ("turns 141-150 against a fresh conversation's first turn", "growth.ratio", "value", "<=", 1.3),
]


# --- machine and processes ---------------------------------------------------------------------------


def machine() -> Dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": memory_gb, "python": platform.python_version(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def load_average() -> Optional[List[float]]:
    try:
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def group_rss_mb(leader_pid: int) -> float:
    """Resident memory (VmRSS) of every process in the process group `leader_pid` leads, in MB."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp != leader_pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return round(total_kb / 1024, 1)


def group_cpu_s(leader_pid: int) -> float:
    """CPU time (user + system) used so far by every process in the process group `leader_pid` leads."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == leader_pid:
                ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


# --- models ------------------------------------------------------------------------------------------


def our_model_path() -> Path:
    """The model `make train` uses (scripts/train.sh trains it if the data changed)."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    path = subprocess.run(["scripts/train.sh"], cwd=PROJECT, env=env, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    return PROJECT / path


def our_model(retrain: bool, log_dir: Path) -> Tuple[Path, Dict[str, Any]]:
    """Our model and its training time, measured by a timed `rasa train` of the same inputs when none was
    recorded for it (or `retrain`)."""
    name = our_model_path().name[: -len(".tar.gz")]
    train_env_ours = {**train_env(), **OURS_ENV}
    return cached_model(name, lambda out: timed_training(PROJECT, name, out, train_env_ours, log_dir / "train-ours.log"),
                        retrain)


def nlu_latency(model: Path, env: Dict[str, str], out: Path) -> Dict[str, Any]:
    full_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    subprocess.run([sys.executable, "-m", "clinic_faq_dev.bench.nlu_latency", "--model", str(model), "--out", str(out)],
                   cwd=PROJECT, env=full_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=900)
    return json.loads(out.read_text())


# --- servers -----------------------------------------------------------------------------------------


def start_timed(assistant: RunningAssistant, timeout: float = 300.0) -> float:
    """Spawn both servers and return the seconds until the first successful REST reply."""
    assistant.workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        assistant.start_actions()
        assistant.start_rasa()
        deadline = start + timeout
        while True:
            for name, proc in assistant._procs.items():
                if proc.poll() is not None:
                    raise ServerError(f"the {name} server exited; see {assistant.log_of(name)}")
            try:
                reply = requests.post(assistant.webhook, json={"sender": "bench-startup", "message": "hello"},
                                      timeout=30)
                if reply.status_code == 200 and reply.json():
                    seconds = time.perf_counter() - start
                    break
            except (requests.RequestException, ValueError):
                pass
            if time.perf_counter() > deadline:
                raise ServerError(f"no answer after {timeout:.0f} s")
            time.sleep(0.05)
        assistant.wait_ready()
    except BaseException:
        assistant.stop()
        raise
    return seconds


def run_load(assistant: RunningAssistant, name: str, concurrency: int, out: Path, messages: Optional[int] = None,
             warmup: Optional[int] = None) -> Dict[str, Any]:
    """One load level against `assistant` (dev/clinic_faq_dev/bench/mixed.py: conversations of LENGTHS messages, in
    its own process) and the Rasa server's CPU time per message. The warm-up runs first as a load of its own, so
    the CPU time counts measured messages only."""
    messages = messages or MESSAGES[concurrency]
    warmup = WARMUP[concurrency] if warmup is None else warmup
    common = [sys.executable, "-m", "clinic_faq_dev.bench.mixed", "--url", assistant.webhook,
              "--concurrency", str(concurrency), "--lengths", ",".join(map(str, LENGTHS)),
              "--timeout", str(LOAD_TIMEOUT)]
    env = dict(os.environ)
    if warmup:
        subprocess.run(common + ["--messages", str(max(warmup, concurrency)), "--warmup", "0",
                                 "--tag", f"{name}-c{concurrency}-warm"],
                       cwd=PROJECT, check=True, timeout=LOAD_TIMEOUT + 60, stdout=subprocess.DEVNULL, env=env)
    rasa_pid = assistant._procs["rasa"].pid
    cpu_before = group_cpu_s(rasa_pid)
    subprocess.run(common + ["--messages", str(messages), "--warmup", "0", "--tag", f"{name}-c{concurrency}",
                             "--out", str(out)],
                   cwd=PROJECT, check=True, timeout=LOAD_TIMEOUT + 60, stdout=subprocess.DEVNULL, env=env)
    cpu = group_cpu_s(rasa_pid) - cpu_before
    result = json.loads(out.read_text())
    result.pop("latencies_ms", None)
    result["rasa_cpu_ms_per_message"] = round(cpu * 1000 / max(result["answered"], 1), 2)
    result["load_average_after"] = load_average()
    return result


# --- the run -----------------------------------------------------------------------------------------


def measure(args: argparse.Namespace, work: Path) -> Dict[str, Any]:
    results: Dict[str, Dict[str, Any]] = {"ours": {}, "stock": {}}
    print("Models ...", flush=True)
    ours_model, ours_training = our_model(args.retrain, work)
    stock, stock_training = stock_model(args.retrain, work)
    for name, model, training in (("ours", ours_model, ours_training), ("stock", stock, stock_training)):
        results[name]["model"] = model.name
        results[name]["training_s"] = training["seconds"]
        results[name]["training_measured"] = training["date"] + (" (recorded then)" if training["cached"] else "")
        results[name]["model_mb"] = round(model.stat().st_size / 1024 / 1024, 1)
    envs = {"ours": OURS_ENV, "stock": {}}
    print("NLU parse latency in process ...", flush=True)
    for name, model in (("stock", stock), ("ours", ours_model)):
        nlu = nlu_latency(model, envs[name], work / f"nlu-{name}.json")
        results[name]["nlu_ms"] = nlu["latency_ms"]
    assistants = {
        "stock": StockAssistant(work / "stock", model=stock, extra_env=envs["stock"]),
        "ours": RunningAssistant(work / "ours", model=ours_model, extra_env=envs["ours"]),
    }
    started: List[RunningAssistant] = []
    try:
        for name in ("stock", "ours"):
            print(f"Starting {name} ...", flush=True)
            results[name]["startup_s"] = round(start_timed(assistants[name]), 2)
            started.append(assistants[name])
        for i, level in enumerate(args.levels):
            order = ("stock", "ours") if i % 2 == 0 else ("ours", "stock")
            for name in order:
                print(f"Load: {name}, {level} conversation(s) at once ...", flush=True)
                load = run_load(assistants[name], name, level, work / f"load-{name}-{level}.json")
                results[name].setdefault("load", {})[f"c{level}"] = load
                if load["errors"]:
                    raise RuntimeError(f"{name} at {level}: errors {load['errors']}")
        print("Growth with conversation length, both assistants in turn ...", flush=True)
        from clinic_faq_dev.bench.growth import measure_running  # growth.py uses this module's helpers

        for name, figures in measure_running(assistants, **GROWTH).items():
            results[name]["growth"] = {k: v for k, v in figures.items() if k not in ("long_last_ms", "fresh_ms")}
        for name in ("stock", "ours"):
            procs = assistants[name]._procs
            results[name]["rss_mb"] = {"rasa": group_rss_mb(procs["rasa"].pid),
                                       "actions": group_rss_mb(procs["actions"].pid)}
    finally:
        for assistant in started:
            assistant.stop()
    for name in results:
        load = results[name].pop("load")
        results[name]["turn"] = {c: v["latency_ms"] for c, v in load.items()}
        results[name]["throughput"] = {c: v["messages_per_s"] for c, v in load.items()}
        results[name]["rasa_cpu_ms_per_message"] = {c: v["rasa_cpu_ms_per_message"] for c, v in load.items()}
        results[name]["load_details"] = {c: {k: v for k, v in d.items() if k != "latency_ms"} for c, d in load.items()}
    return results


def get(figures: Dict[str, Any], path: str) -> Optional[float]:
    value: Any = figures
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, (int, float)) else None


def rows(results: Dict[str, Any], levels: List[int]) -> List[Tuple[str, str, str]]:
    """(label, figure path, unit) of every figure in the table."""
    out = [(f"NLU parse {q} (in process)", f"nlu_ms.{q}", "ms") for q in ("p50", "p95", "p99")]
    for level in levels:
        out += [(f"turn {q}, {level} conversation{'s' if level > 1 else ''}", f"turn.c{level}.{q}", "ms")
                for q in ("p50", "p95", "p99")]
    out += [(f"throughput, {level} conversation{'s' if level > 1 else ''}", f"throughput.c{level}", "msg/s")
            for level in levels]
    out += [(f"Rasa server CPU per message, {level} conversation{'s' if level > 1 else ''}",
             f"rasa_cpu_ms_per_message.c{level}", "ms") for level in levels]
    turns = f"{GROWTH['turns'] - GROWTH['last'] + 1}-{GROWTH['turns']}"
    out += [(f"turn p50, turns {turns} of a conversation", "growth.long_last_p50_ms", "ms"),
            ("turn p50, a fresh conversation's first turn (interleaved)", "growth.fresh_p50_ms", "ms"),
            (f"turns {turns} / fresh first turn (p50)", "growth.ratio", "x")]
    out += [("training time", "training_s", "s"), ("model size", "model_mb", "MB"),
            ("start-up to first answer", "startup_s", "s"), ("Rasa server memory (RSS)", "rss_mb.rasa", "MB"),
            ("action server memory (RSS)", "rss_mb.actions", "MB")]
    return out


def table(results: Dict[str, Any], levels: List[int]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    figure_rows = []
    for label, path, unit in rows(results, levels):
        ours, stock = get(results["ours"], path), get(results["stock"], path)
        figure_rows.append({"figure": label, "path": path, "unit": unit, "ours": ours, "stock": stock,
                            "ratio": ratio(ours, stock)})
    target_rows = []
    for label, path, how, op, limit in TARGETS:
        ours, stock = get(results["ours"], path), get(results["stock"], path)
        value = ratio(ours, stock) if how == "ratio" else ours
        target_rows.append({"target": label, "path": path, "how": how, "op": op, "limit": limit, "value": value,
                            "met": meets(value, op, limit)})
    return figure_rows, target_rows


def fmt(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def markdown(report: Dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Ours vs stock Rasa, side by side", "",
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}, {m['memory_gb']} GB), Python {m['python']}, "
        f"in one `make bench` run. Load average before the run: {report['load_average_before']}.", "",
        "Ours: this assistant (safety screen, custom NLG, `action_safety_notes` on every answer, "
        "SQLite tracker store). Stock: `rasa init`'s configuration (Rasa's default pipeline and policies) "
        "trained on our NLU data, one rule per intent to its response, Rasa's REST channel and SQL tracker "
        "store on SQLite; no custom action is called per turn (dev/clinic_faq_dev/bench/stock.py).", "",
        "| figure | ours | stock | ours / stock |", "|---|---:|---:|---:|",
    ]
    for row in report["figures"]:
        lines.append(f"| {row['figure']} ({row['unit']}) | {fmt(row['ours'])} | {fmt(row['stock'])} | "
                     f"{fmt(row['ratio'])} |")
    lines += ["", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for row in report["targets"]:
        kind = "ours / stock" if row["how"] == "ratio" else "ours"
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        lines.append(f"| {row['target']} ({kind}) | {fmt(row['value'])} | {row['op']} {row['limit']} | {met} |")
    lines += [
        "", f"Load: per level, a warm-up then a fixed number of measured messages "
        f"({', '.join(f'{c}: {MESSAGES[c]}' for c in report['levels'])}) from the development set, "
        f"conversations of {', '.join(map(str, LENGTHS))} messages in turn for each simulated person, each "
        "message sent when the previous reply arrived; "
        "levels interleaved between the two assistants. Growth: "
        f"{GROWTH['conversations']} conversations of {GROWTH['turns']} messages per assistant (development "
        "set questions, \"tell me more\" after every second one), each of the last "
        f"{GROWTH['last']} turns preceded by the first turn of a fresh conversation with the same question, "
        "the two assistants taking turns message by message (dev/clinic_faq_dev/bench/growth.py). "
        "Turn latency is the REST round trip seen by the "
        "client. Memory is VmRSS of each server's process group after the run. Training time is a timed "
        "`rasa train` from an empty Rasa training cache, measured for ours at "
        f"{report['ours']['training_measured']} and for stock at {report['stock']['training_measured']}.",
        "", "![Turn latency against concurrency](latency.png)", "",
    ]
    return "\n".join(lines)


def plot(report: Dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = report["levels"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = {"ours": "#1b7f5f", "stock": "#9a9a9a"}
    for name in ("ours", "stock"):
        for q, style in (("p50", "-"), ("p95", "--")):
            values = [report[name]["turn"][f"c{c}"][q] for c in levels]
            left.plot(levels, values, style, marker="o", color=colors[name], label=f"{name} {q}")
        right.plot(levels, [report[name]["throughput"][f"c{c}"] for c in levels], marker="o", color=colors[name],
                   label=name)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xticks(levels)
    left.set_xticklabels([str(c) for c in levels])
    left.set_xlabel("concurrent conversations")
    left.set_ylabel("turn latency over REST (ms)")
    left.set_title("Turn latency")
    left.grid(True, which="both", alpha=0.3)
    left.legend()
    right.axhline(50, color="#c0392b", linestyle=":", linewidth=1, label="target: 50 msg/s")
    right.set_xscale("log")
    right.set_xticks(levels)
    right.set_xticklabels([str(c) for c in levels])
    right.set_xlabel("concurrent conversations")
    right.set_ylabel("messages per second")
    right.set_title("Sustained throughput")
    right.set_ylim(bottom=0)
    right.grid(True, alpha=0.3)
    right.legend()
    fig.suptitle(f"Ours vs stock Rasa, {report['machine']['cores']} cores, {report['machine']['date']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_table(report: Dict[str, Any]) -> None:
    width = max(len(r["figure"]) + len(r["unit"]) + 3 for r in report["figures"])
    print(f"\n{'figure':<{width}} {'ours':>9} {'stock':>9} {'ours/stock':>11}")
    for row in report["figures"]:
        label = f"{row['figure']} ({row['unit']})"
        print(f"{label:<{width}} {fmt(row['ours']):>9} {fmt(row['stock']):>9} {fmt(row['ratio']):>11}")
    print()
    for row in report["targets"]:
        met = {True: "met", False: "MISSED", None: "-"}[row["met"]]
        kind = "ours/stock" if row["how"] == "ratio" else "ours"
        print(f"target {row['target']}: {kind} {fmt(row['value'])} {row['op']} {row['limit']}: {met}")


def build_report(results: Dict[str, Any], levels: List[int], load_before: Optional[List[float]],
                 info: Dict[str, Any]) -> Dict[str, Any]:
    figures, targets = table(results, levels)
    return {"machine": info, "load_average_before": load_before, "levels": levels,
            "messages_per_level": {f"c{c}": MESSAGES[c] for c in levels},
            "conversation_lengths": list(LENGTHS), "growth_settings": GROWTH, "ours_env": OURS_ENV,
            "ours": results["ours"], "stock": results["stock"], "figures": figures, "targets": targets}


def main(argv: Optional[List[str]] = None, measure_fn: Callable[..., Dict[str, Any]] = measure) -> int:
    parser = argparse.ArgumentParser(description="Ours vs stock Rasa, side by side")
    parser.add_argument("--retrain", action="store_true", help="train both models now, to time the training")
    parser.add_argument("--levels", default=",".join(str(c) for c in LEVELS))
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    args.levels = [int(c) for c in args.levels.split(",")]
    info, load_before = machine(), load_average()
    with tempfile.TemporaryDirectory(prefix="clinic-bench-") as tmp:
        results = measure_fn(args, Path(tmp))
    report = build_report(results, args.levels, load_before, info)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "comparison.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "comparison.md").write_text(markdown(report))
    if all(f"c{c}" in report["ours"]["turn"] for c in args.levels):
        plot(report, out / "latency.png")
    print_table(report)
    print(f"\nWritten: {out / 'comparison.json'}, comparison.md, latency.png")
    return 0 if all(row["met"] is not False for row in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
