"""One client floods the REST channel at about 200 messages a second for 10 s while ten people hold their
conversations: the people's reply latency (p95) stays within 1.5 times what it is without the flood, and
none of their messages is lost: all answered, all stored, in order.

The server runs the embedded default (SQLite, limits in memory) with the default limits of clinic.yml. The
flood comes from 127.0.0.2, an address of this machine that is not exempt, each message to a new
conversation (the costliest kind of turn), so it is the per-address limit that holds it: 6 at once, then one
every 5 s; everything else gets 429. The people each have an address of their own (X-Forwarded-For from this
machine, as nginx would report it), start 0.2 s apart and write about every 2 s.

How it stays fair on a 2-core machine shared with other work: the phases without and with the flood
alternate three times (ABABAB) on the same server, and each condition's latencies are pooled, so whatever
else the machine does weighs on both alike. The flooding client runs at the lowest CPU priority: it stands
for a machine elsewhere (what the server spends on the flood is measured all the same). The people start
1 s into the flood: its first burst (6 new conversations served at once, a stall of about half a second,
as when six people arrive together) is then behind them, and the figures are those of the flood as it goes on.

The figures are written to reports/flood.json (docs/deployment.md quotes them).
"""

import asyncio
import json
import random
import subprocess
import sys
import time

import pytest

from clinic_faq_dev.bench.stats import latency_summary
from clinic_faq_dev.harness import PROJECT, RunningAssistant
from clinic_faq_dev.load import QUESTIONS, Conversation, drive, reply_latencies_ms

pytestmark = pytest.mark.integration

PEOPLE = 10
MESSAGES = 5  # each person's conversation: 5 different questions ...
THINK = 2.0  # ... about 2 s apart (1 to 3 s): about 8 s in all
STAGGER = 0.2  # one person starts every 0.2 s (ten new conversations at the same instant would be a flood too)
FLOOD_RATE = 200
FLOOD_SECONDS = 10
ROUNDS = 3
SETTLE = 1.0  # the people start 1 s into the flood, once its first burst has been served (see above)
REPORT = PROJECT / "reports" / "flood.json"


def plan(tag, phase):
    """Each person has an address of their own (as nginx on this machine would report it), new in every phase."""
    rng = random.Random(tag)
    return [Conversation(f"{tag}-{n}", tuple(rng.sample(QUESTIONS, MESSAGES)), address=f"203.0.113.{phase * PEOPLE + n + 1}")
            for n in range(PEOPLE)]


def people(assistant, tag, phase):
    return asyncio.run(drive(assistant.url, plan(tag, phase), PEOPLE, think=THINK, stagger=STAGGER,
                             request_timeout=60))


def assert_nothing_lost(assistant, result):
    records = result["records"]
    assert len(records) == PEOPLE * MESSAGES
    assert all(r["answered"] and len(r["attempts"]) == 1 for r in records), [
        r["attempts"] for r in records if not r["answered"]]
    for conversation in {r["sender"] for r in records}:
        sent = [r["text"] for r in sorted((r for r in records if r["sender"] == conversation), key=lambda r: r["position"])]
        stored = [e["text"] for e in assistant.events(conversation) if e["event"] == "user"]
        assert stored == sent, conversation


def figures(results):
    latencies = [ms for result in results for ms in reply_latencies_ms(result)]
    summary = latency_summary(latencies)
    return {"messages": len(latencies), "p50_ms": round(summary["p50"], 1), "p95_ms": round(summary["p95"], 1)}


def flooded_phase(assistant, tag, phase, workdir):
    """Ten people's conversations while one client floods (started first, running a little longer)."""
    out = workdir / f"{tag}.json"
    # The flooding client runs at the lowest CPU priority: it stands for a machine elsewhere, and here it
    # shares the 2 cores with the servers. What the server spends on the flood is measured all the same.
    proc = subprocess.Popen(
        ["nice", "-n", "19", sys.executable, "-m", "clinic_faq_dev.load", "flood", "--url", assistant.url,
         "--rate", str(FLOOD_RATE), "--seconds", str(FLOOD_SECONDS), "--source", "127.0.0.2", "--prefix", f"{tag}-flooder",
         "--out", str(out)],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout.readline().strip() == b"flood: started"
        time.sleep(SETTLE)
        result = people(assistant, tag, phase)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return result, json.loads(out.read_text())


def test_a_flood_does_not_slow_down_or_lose_other_conversations(tmp_path):
    """Without and with the flood, in turn, three times (ABABAB: whatever else the machine is doing meanwhile
    weighs on both alike); the latencies of each condition are pooled."""
    without, flooded, floods = [], [], []
    with RunningAssistant(tmp_path, extra_env={"RATE_LIMIT_STORE": "memory"}) as assistant:
        people(assistant, "warm-up", 0)
        for round_ in range(ROUNDS):
            without.append(people(assistant, f"baseline{round_}", 1 + 2 * round_))
            result, flood = flooded_phase(assistant, f"flood{round_}", 2 + 2 * round_, tmp_path)
            flooded.append(result)
            floods.append(flood)
        for result in without + flooded:
            assert_nothing_lost(assistant, result)

    report = {"people": PEOPLE, "messages_each": MESSAGES, "think_s": THINK, "rounds": ROUNDS,
              "without_flood": figures(without), "with_flood": figures(flooded),
              "per_round": [{"without_flood": figures([a]), "with_flood": figures([b])} for a, b in zip(without, flooded, strict=True)],
              "floods": floods}
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2))
    print(json.dumps(report))

    for flood in floods:
        # It was a flood: about 200 messages a second, nearly all refused with 429, none failing.
        assert flood["rate"] >= 0.75 * FLOOD_RATE and flood["not_sent"] <= 0.05 * flood["sent"], flood
        statuses = flood["statuses"]
        assert set(statuses) <= {"200", "429"}, statuses
        # The per-address limit (clinic.yml: 6 at once, then one every 5 s) let about 6 + 11 / 5 through.
        assert statuses.get("200", 0) <= 10, statuses
    # The people did not notice.
    assert report["with_flood"]["p95_ms"] <= 1.5 * report["without_flood"]["p95_ms"], report
