"""The production load run: conversations over 3 replicas behind nginx, one replica killed mid-run.

    make load-test                      (1,000 conversations x 3 messages, 50 at once)
    python -m clinic_faq_dev.load_run --conversations 1000 --messages 3 --concurrency 50

Starts a cluster (dev/clinic_faq_dev/cluster.py) on a scratch PostgreSQL database and the local Redis, runs the
load generator (dev/clinic_faq_dev/load.py, production mode) in its own process, kills one replica with SIGKILL
once a third of the messages have passed nginx, and then checks the stored conversations: nothing answered is
lost, nothing is stored twice or out of order, every turn is whole, and every request got a reply or a clear
error. Writes docs/benchmarks/replicas-load.json and prints the figures. Exits non-zero on any loss.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Tuple

from clinic_faq_dev.cluster import Cluster
from clinic_faq_dev.harness import PROJECT
from clinic_faq_dev.load import check_stored, summary
from clinic_faq_dev.postgres import scratch_database

OUT = PROJECT / "docs" / "benchmarks" / "replicas-load.json"


def start_load(cluster: Cluster, workdir: Path, prefix: str, conversations: int, messages: int,
               concurrency: int) -> Tuple[subprocess.Popen, Path]:
    out = workdir / f"{prefix}.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "clinic_faq_dev.load", "production", "--url", cluster.url,
         "--conversations", str(conversations), "--messages", str(messages), "--concurrency", str(concurrency),
         "--prefix", prefix, "--out", str(out)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    return proc, out


def wait_for_progress(cluster: Cluster, before: int, requests_done: int, proc: subprocess.Popen,
                      timeout: float = 600) -> None:
    """Until nginx has passed `requests_done` more REST messages (the load is under way)."""
    deadline = time.monotonic() + timeout
    while len(cluster.upstreams()) - before < requests_done:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the load did not get going (or ended early)")
        time.sleep(0.2)


def finish_load(cluster: Cluster, proc: subprocess.Popen, out: Path, prefix: str,
                timeout: float = 1800) -> Tuple[dict, dict]:
    output, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(output.decode(errors="replace")[-2000:])
    result = json.loads(out.read_text())
    stored = {s: e for s, e in cluster.all_events().items() if s.startswith(prefix)}
    return summary(result), check_stored(result["records"], stored)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    total = args.conversations * args.messages
    with tempfile.TemporaryDirectory(prefix="load-run-") as tmp, scratch_database("clinic_load") as database:
        with Cluster(Path(tmp), database, replicas=args.replicas) as cluster:
            prefix = "load"
            proc, out = start_load(cluster, Path(tmp), prefix, args.conversations, args.messages, args.concurrency)
            wait_for_progress(cluster, 0, total // 3, proc)
            cluster.kill_replica(args.replicas - 1)
            killed_after = len(cluster.upstreams())
            print(f"killed replica {args.replicas - 1} after {killed_after} of {total} messages", flush=True)
            stats, check = finish_load(cluster, proc, out, prefix)
            used = cluster.upstreams()
            logs = cluster.log_text()
    report = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cores": __import__("os").cpu_count(), "python": platform.python_version()},
        "setup": {"replicas": args.replicas, "conversations": args.conversations, "messages": args.messages,
                  "concurrency": args.concurrency, "killed_replica_after_requests": killed_after,
                  "lock_lifetime_s": 60, "retries_per_message": 5},
        "summary": stats,
        "stored": {"conversations": check["conversations"], "lost": len(check["lost"]),
                   "duplicated": len(check["duplicated"]), "reordered": len(check["reordered"]),
                   "broken_turns": len(check["broken_turns"])},
        "requests_through_nginx": len(used),
        "retried_past_a_dead_replica": sum("," in u for u in used),
        "resends_already_stored": logs.count("was already stored"),
        "saves_refused_as_conflicts": logs.count("ConversationConflict"),
        "examples": {k: check[k][:5] for k in ("lost", "duplicated", "reordered", "broken_turns")},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    bad = (stats["unclear"] or stats["answered"] != total or any(report["stored"][k] for k in
           ("lost", "duplicated", "reordered", "broken_turns")) or check["conversations"] != args.conversations)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
