"""The insights report at scale: 100,000 conversations in a SQLite tracker store, and the time and memory
the report takes on them (docs/benchmarks/insights.md).

    python -m clinic_faq_dev.bench.insights [--conversations 100000] [--keep DIR] [--write-docs]

1. **Generate** (not measured): conversations written straight into a SQLite file with Rasa's
   SQLTrackerStore schema (the `events` table and its index) and the events the real server stores for
   each turn: `action_listen`, the user message with its full parse data (intent ranking, language,
   safety verdict), the slot, `user_featurization`, the reply actions and bot messages with their
   metadata, `action_safety_notes` and its slot. Questions are the training examples of each topic
   (English and Spanish) and unanswered ones are unrelated or unclear requests written with greetings,
   fillers and typing slips; some answers are marked helpful or not, some messages carry redaction
   placeholders, a few are emergencies and referrals. Timestamps spread over 90 days.
2. **Measure**: the report (`python -m clinic_faq.insights --period all`) runs in its own process; its
   wall time and peak resident memory (the child's `ru_maxrss`) are what is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import ujson
import yaml

from clinic_faq.paths import project_dir
from clinic_faq_dev.bench.compare import load_average, machine

PROJECT = project_dir()
dumps = ujson.dumps
OUT = PROJECT / "docs" / "benchmarks"
TARGET_SECONDS = 120.0
TARGET_RSS_MB = 1024.0
DAYS = 90
MODEL = {"model_id": "0b3e7c2a9d6f4e1c8a5b2d7f9e3c1a64", "assistant_id": "ketamine-clinic-faq"}

SCHEMA = [
    "CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
    "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT, PRIMARY KEY (id))",
    "CREATE INDEX ix_events_sender_id ON events (sender_id)",
]

# Requests the assistant does not answer, as people write them (the "unanswered" side of the report).
UNANSWERED = {
    "en": {
        "parking": ["where do i park", "is there parking at the clinic", "how much is parking", "can i park in the garage"],
        "medicare": ["do you take medicare", "is medicare accepted", "does medicare pay for this", "medicare coverage for infusions"],
        "wheelchair": ["is the clinic wheelchair accessible", "is there a ramp", "can i bring my wheelchair"],
        "interpreter": ["do you have an interpreter", "i need a spanish interpreter", "can you get me a translator"],
        "wifi": ["is there wifi", "whats the wifi password", "can i use my laptop during the infusion"],
        "companion": ["can my daughter stay with me", "can someone sit with me during treatment", "are visitors allowed"],
        "food": ["can i eat before", "should i fast before my session", "is there food at the clinic"],
        "weather": ["whats the weather tomorrow", "will it rain today"],
        "sports": ["who won the game last night", "when do the lakers play"],
        "pets": ["can i bring my dog", "are service dogs allowed"],
        "gibberish": ["asdf", "hmm", "??", "ok so", "wait what"],
    },
    "es": {
        "estacionamiento": ["donde me estaciono", "hay estacionamiento en la clinica", "cuanto cuesta el estacionamiento"],
        "medicare": ["aceptan medicare", "medicare cubre esto", "cubre medicare las infusiones"],
        "interprete": ["tienen interprete", "necesito un traductor"],
        "comida": ["puedo comer antes", "tengo que estar en ayunas"],
    },
}
OPENERS = {"en": ["", "", "", "hi ", "hello, ", "quick question ", "um ", "hey "], "es": ["", "", "hola ", "buenas, ", "oiga "]}
CLOSERS = {"en": ["", "", "", "?", " please", " thanks", " for my mom", " for my husband", " asap"],
           "es": ["", "", "?", " por favor", " gracias", " para mi mamá"]}


def nlu_examples() -> Dict[Tuple[str, str], List[str]]:
    """(intent, language) -> the training examples."""
    examples: Dict[Tuple[str, str], List[str]] = {}
    for path in sorted((PROJECT / "data" / "nlu").rglob("*.yml")):
        language = "es" if path.parent.name == "es" else "en"
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            lines = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- ")]
            examples.setdefault((block["intent"], language), []).extend(lines)
    return examples


def topics() -> List[Tuple[str, str]]:
    """(topic, intent) for every topic a rule answers: the intent is the one the rule answers it for."""
    domain = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
    known = set(domain["slots"]["topic"]["values"])
    pairs = set()
    for path in sorted((PROJECT / "data" / "rules").glob("*.yml")):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            for first, second in zip(steps, steps[1:], strict=False):
                action = str(second.get("action", ""))
                if "intent" in first and action.startswith("utter_answer_") and action[13:] in known:
                    pairs.add((action[13:], first["intent"]))
    return sorted(pairs)


def slip(rng: random.Random, text: str) -> str:
    """A slip of the keys: two neighbouring letters swapped."""
    if len(text) < 6 or rng.random() > 0.25:
        return text
    i = rng.randrange(len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


class Generator:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.examples = nlu_examples()
        self.topics = topics()
        self.all_intents = sorted({intent for intent, _ in self.examples})
        self.rows: List[Tuple[str, str, float, Optional[str], Optional[str], str]] = []

    # --- events, as the real server stores them --------------------------------------------------

    def _add(self, sender: str, event: Dict[str, Any], intent: Optional[str] = None, action: Optional[str] = None) -> None:
        self.rows.append((sender, event["event"], event["timestamp"], intent, action, dumps(event)))

    def action(self, sender: str, name: str, at: float, policy: Optional[str] = "RulePolicy") -> None:
        self._add(sender, {"event": "action", "timestamp": at, "metadata": MODEL, "name": name, "policy": policy,
                           "confidence": 1.0, "action_text": None, "hide_rule_turn": policy is not None}, action=name)

    def slot(self, sender: str, name: str, value: Any, at: float) -> None:
        self._add(sender, {"event": "slot", "timestamp": at, "metadata": MODEL, "name": name, "value": value})

    def user(self, sender: str, text: str, intent: str, confidence: float, at: float, language: str, channel: str,
             safety: Dict[str, Any]) -> None:
        others = self.rng.sample(self.all_intents, 9)
        ranking = [{"name": intent, "confidence": confidence}] + [
            {"name": name, "confidence": round((1 - confidence) / (n + 2), 6)} for n, name in enumerate(others)]
        words, position, tokens = text.split(), 0, []
        for word in words:
            start = text.index(word, position)
            tokens.append([start, start + len(word)])
            position = start + len(word)
        message_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": [{"entity": "language", "value": language, "start": 0, "end": len(text),
                          "confidence_entity": 0.93, "extractor": "LanguageDetector"}],
            "text": text, "message_id": message_id, "metadata": {}, "text_tokens": tokens,
            "language": {"detected": language, "best": language, "spanish": 0.97 if language == "es" else 0.02,
                         "confidence": 0.95, "explicit": False, "only_request": False, "hint": None},
            "intent_ranking": ranking, "safety": safety,
        }
        self._add(sender, {"event": "user", "timestamp": at, "metadata": MODEL, "text": text, "parse_data": parse,
                           "input_channel": channel, "message_id": message_id}, intent=intent)
        self.slot(sender, "language", language, at + 0.0002)
        self._add(sender, {"event": "user_featurization", "timestamp": at + 0.004, "metadata": MODEL,
                           "use_text_for_featurization": False})

    def bot(self, sender: str, response: str, meta: Dict[str, Any], language: str, at: float) -> None:
        meta = {**meta, **({"lang": "es"} if language == "es" else {})}
        text = ("Respuesta de ejemplo " if language == "es" else "An example reply ") + "with enough words " * 12
        self._add(sender, {"event": "bot", "timestamp": at, "metadata": {"metadata": meta, "utter_action": response, **MODEL},
                           "text": text.strip(), "data": {"elements": None, "quick_replies": None, "buttons": None,
                                                          "attachment": None, "image": None, "custom": None}})

    @staticmethod
    def verdict(intent: str, confidence: float, crisis: Optional[str] = None, referral: bool = False,
                phi: Optional[List[str]] = None, override: Optional[str] = None) -> Dict[str, Any]:
        return {"crisis": crisis, "crisis_rules_level": crisis, "crisis_rules": ["overdose: took all"] if crisis else [],
                "referral": referral, "referral_reasons": ["medicine:own"] if referral else [], "phi": phi or [],
                "unclear": False, "scores": {"in_domain": 0.9, "urgent": 0.9 if crisis else 0.01, "concern": 0.01},
                "classifier": {"intent": intent, "confidence": confidence},
                **({"override": {"intent": override, "reason": "screen"}} if override else {})}

    # --- one turn ---------------------------------------------------------------------------------

    def turn(self, sender: str, at: float, language: str, channel: str) -> Optional[str]:
        """One message and its replies; returns the topic answered, if any."""
        rng = self.rng
        kind = rng.choices(["answer", "smalltalk", "out_of_scope", "fallback", "referral", "emergency", "phi"],
                           [60, 10, 13, 7, 6, 1, 3])[0]
        self.action(sender, "action_listen", at - 0.01)
        if kind == "answer":
            topic, intent = rng.choice(self.topics)
            pool = self.examples.get((intent, language)) or self.examples[(intent, "en")]
            text = slip(rng, rng.choice(pool))
            confidence = round(rng.betavariate(5, 1.6), 4)
            self.user(sender, text, intent, confidence, at, language, channel, self.verdict(intent, confidence))
            self.action(sender, f"utter_answer_{topic}", at + 0.005)
            self.bot(sender, f"utter_answer_{topic}", {"route": "answer", "topic": topic, "medical": True,
                                                       "sources": ["001"]}, language, at + 0.0051)
            self.action(sender, "action_safety_notes", at + 0.01)
            self.bot(sender, "utter_disclaimer", {"route": "disclaimer", "medical": False}, language, at + 0.0101)
            self.slot(sender, "topic", topic, at + 0.0102)
            return topic
        if kind in ("out_of_scope", "fallback"):
            lang = language if language in UNANSWERED else "en"
            subject = rng.choice(sorted(UNANSWERED[lang]))
            text = slip(rng, rng.choice(OPENERS[lang]) + rng.choice(UNANSWERED[lang][subject]) + rng.choice(CLOSERS[lang]))
            intent = "out_of_scope" if kind == "out_of_scope" else "nlu_fallback"
            confidence = round(rng.uniform(0.2, 0.8), 4) if kind == "out_of_scope" else 0.2
            response = "utter_out_of_scope" if kind == "out_of_scope" else "utter_ask_rephrase"
            self.user(sender, text, intent, confidence, at, language, channel, self.verdict(intent, confidence))
            self.action(sender, response, at + 0.005)
            self.bot(sender, response, {"route": kind}, language, at + 0.0051)
            self.action(sender, "action_safety_notes", at + 0.01)
            self.slot(sender, "topic", None, at + 0.0102)
            return None
        if kind == "smalltalk":
            intent = rng.choice(["greet", "thank", "goodbye"])
            text = rng.choice(self.examples.get((intent, language)) or self.examples[(intent, "en")])
            self.user(sender, text, intent, 0.95, at, language, channel, self.verdict(intent, 0.95))
            self.action(sender, f"utter_{intent}", at + 0.005)
            self.bot(sender, f"utter_{intent}", {"route": "smalltalk"}, language, at + 0.0051)
            return None
        if kind == "referral":
            text = rng.choice(["can i double my morphine", "should i stop my gabapentin before the infusion",
                               "is it safe with my heart medicine", "puedo tomar mas oxicodona"])
            self.user(sender, text, "ask_personal_medical", 0.9, at, language, channel,
                      self.verdict("ask_personal_medical", 0.9, referral=True))
            self.action(sender, "utter_refer_to_care_team", at + 0.005)
            self.bot(sender, "utter_refer_to_care_team", {"route": "referral"}, language, at + 0.0051)
            self.action(sender, "action_safety_notes", at + 0.01)
            self.slot(sender, "topic", None, at + 0.0102)
            return None
        if kind == "emergency":
            text = rng.choice(["i took all my pills", "i cant breathe", "my dad is not waking up"])
            self.user(sender, text, "emergency", 1.0, at, language, channel,
                      self.verdict("ask_side_effects", 0.4, crisis="urgent", override="emergency"))
            self.action(sender, "utter_emergency", at + 0.005)
            self.bot(sender, "utter_emergency", {"route": "emergency"}, language, at + 0.0051)
            self.action(sender, "action_safety_notes", at + 0.01)
            self.slot(sender, "topic", None, at + 0.0102)
            return None
        text = rng.choice(["my name is [NAME] and my number is [PHONE]", "[NAME], DOB [DOB], can i book",
                           "email me at [EMAIL] about the cost"])
        self.user(sender, text, "share_personal_info", 0.97, at, language, channel,
                  self.verdict("share_personal_info", 0.97, phi=["NAME", "PHONE"]))
        self.action(sender, "utter_phi_warning", at + 0.005)
        self.bot(sender, "utter_phi_warning", {"route": "phi_warning"}, language, at + 0.0051)
        return None

    def click(self, sender: str, helpful: bool, at: float, language: str) -> None:
        intent = "feedback_helpful" if helpful else "feedback_not_helpful"
        self.action(sender, "action_listen", at - 0.01)
        self.user(sender, f"/{intent}", intent, 1.0, at, language, "socketio", {})
        self.action(sender, f"utter_{intent}", at + 0.005)
        self.bot(sender, f"utter_{intent}", {"route": "smalltalk"}, language, at + 0.0051)

    def conversation(self, start: float, now: float) -> None:
        rng = self.rng
        channel = rng.choices(["socketio", "phone_tree", "rest"], [70, 25, 5])[0]
        sender = (f"+1555{rng.randrange(10**7):07d}" if channel == "phone_tree"
                  else uuid.UUID(int=rng.getrandbits(128)).hex)
        language = "es" if rng.random() < 0.2 else "en"
        for session in range(2 if rng.random() < 0.15 else 1):
            at = start + session * rng.uniform(2, 9) * 86400
            if at > now:
                break
            self.action(sender, "action_session_start", at, policy=None)
            self._add(sender, {"event": "session_started", "timestamp": at + 0.0001, "metadata": MODEL})
            for _ in range(max(1, min(8, int(rng.expovariate(1 / 3.0)) + 1))):
                at += rng.uniform(10, 120)
                topic = self.turn(sender, at, language, channel)
                if topic and channel == "socketio" and rng.random() < 0.2:
                    at += rng.uniform(3, 20)
                    self.click(sender, rng.random() < 0.75, at, language)


def generate(path: Path, conversations: int, seed: int = 0, batch: int = 2000) -> Dict[str, float]:
    """Write `conversations` conversations into a new SQLite tracker store at `path`."""
    start = time.monotonic()
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    for statement in SCHEMA:
        db.execute(statement)
    generator = Generator(seed)
    now = time.time()
    starts = sorted(now - generator.rng.uniform(0, DAYS * 86400) for _ in range(conversations))
    events = 0
    for n, begin in enumerate(starts):
        generator.conversation(begin, now)
        if (n + 1) % batch == 0 or n + 1 == conversations:
            # Conversations begin in time order, and each batch's events are stored in time order, interleaved
            # as the server stores them (a later session of a conversation may be stored a batch early).
            generator.rows.sort(key=lambda row: row[2])
            db.executemany("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                           "VALUES (?, ?, ?, ?, ?, ?)", generator.rows)
            events += len(generator.rows)
            generator.rows.clear()
    db.commit()
    db.close()
    return {"seconds": time.monotonic() - start, "events": events, "megabytes": path.stat().st_size / 2**20}


def measure(path: Path, out_dir: Path) -> Dict[str, Any]:
    """Run the report on the store in a process of its own: its wall time and its own peak resident memory
    (`wait4` on that process: nothing else this process started counts)."""
    env = {**os.environ, "INSIGHTS_STORE_URL": f"sqlite:///{path}"}
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "clinic_faq.insights", "--period", "all", "--out-dir", str(out_dir)],
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"the report failed: {stderr[-2000:]}")
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KB on Linux
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "totals": summary["totals"], "report_line": stderr.strip().splitlines()[-1]}


def threshold_purity(path: Path, thresholds: List[float], top: int = 25) -> List[Dict[str, Any]]:
    """How pure the largest groups are at each grouping threshold: the share of their messages (those whose
    generated subject can be told from the text) that belong to the group's main subject."""
    import sqlalchemy as sa

    from clinic_faq.insights.aggregate import Settings
    from clinic_faq.insights.cluster import find_clusters
    from clinic_faq.insights.project import topic_intents, training_examples
    from clinic_faq.insights.report import collect, parse_period

    settings = Settings(topic_intents=topic_intents())
    engine = sa.create_engine(f"sqlite:///{path}")
    unanswered = collect(engine, settings, parse_period("all")).unanswered
    engine.dispose()
    phrases = {p: subject for by_subject in UNANSWERED.values() for subject, ps in by_subject.items() for p in ps}
    subjects = [next((s for p, s in phrases.items() if p in u.text.lower()), None) for u in unanswered]
    rows = []
    for threshold in thresholds:
        start = time.monotonic()
        clusters, numbers = find_clusters(unanswered, settings, threshold, background=training_examples())
        largest = {c.number for c in clusters[:top]}
        counts: Dict[int, Dict[str, int]] = {}
        for subject, number in zip(subjects, numbers, strict=True):
            if subject and number in largest:
                counts.setdefault(number, {}).setdefault(subject, 0)
                counts[number][subject] += 1
        main = sum(max(c.values()) for c in counts.values())
        rows.append({"threshold": threshold, "groups": len(clusters), "seconds": round(time.monotonic() - start, 1),
                     "purity": round(main / max(1, sum(sum(c.values()) for c in counts.values())), 3),
                     "coverage": round(sum(c.messages for c in clusters[:top]) / max(1, len(unanswered)), 3)})
    return rows


def markdown(result: Dict[str, Any]) -> str:
    g, m, host = result["generated"], result["report"], result["machine"]
    t = m["totals"]
    ok_time, ok_rss = m["seconds"] < TARGET_SECONDS, m["peak_rss_mb"] < TARGET_RSS_MB
    return "\n".join([
        "# The insights report at scale",
        "",
        f"Measured {host['date']} by `python -m clinic_faq_dev.bench.insights --conversations {result['conversations']}` "
        f"on {host['cores']} cores ({host['cpu']}, {host['memory_gb']} GB RAM), Python {host['python']}; load average "
        f"before the report: {result['load_before']}.",
        "",
        "| figure | measured | target | met |",
        "|---|---:|---|---|",
        f"| report: wall time (read, count, group, write every file) | **{m['seconds']:.1f} s** | < {TARGET_SECONDS:.0f} s | "
        f"{'yes' if ok_time else 'NO'} |",
        f"| report: peak resident memory | **{m['peak_rss_mb']:.0f} MB** | < {TARGET_RSS_MB:.0f} MB | {'yes' if ok_rss else 'NO'} |",
        f"| report: CPU time (user + system) | {m['cpu_seconds']:.1f} s | | |",
        f"| store: conversations (people) / sessions / messages | {result['conversations']:,} / {t['conversations']:,} / "
        f"{t['messages']:,} | | |",
        f"| store: events / SQLite file | {g['events']:,} / {g['megabytes']:.0f} MB | | |",
        f"| feedback clicks / unanswered messages / groups | {t['feedback_clicks']:,} / {t['unanswered']:,} / "
        f"{t['unanswered_groups']:,} | | |",
        f"| generating the store (not part of the figure) | {g['seconds']:.0f} s | | |",
        "",
        "The report runs in a process of its own, as `make insights` and the staff page run it; its wall time is",
        "measured around the process and its peak memory is the process's `ru_maxrss`. The store is generated",
        "first with direct SQL inserts in Rasa's SQLTrackerStore schema, with every event the server stores per",
        "turn (so the report really reads past the actions, slots and featurization events), conversations",
        "interleaved in time order.",
        "",
        "The machine's two cores were shared with other work during the run (the load average above): the",
        "CPU time is the report's own work, the wall time includes waiting for a core.",
        "",
        "How the report stays within bounds: it reads only the user, bot and session-start events, in stored",
        "order, in batches from a server-side cursor (JSON parsed once per event, bot texts dropped); a",
        "conversation's last turn is counted and let go once 50,000 events have passed without it (Rasa stores",
        "a turn's events together); it keeps counters and, per person, only the last answer (for a feedback",
        "click); the unanswered messages are grouped as distinct texts, the most frequent 2,000 at a time",
        "(src/clinic_faq/insights/cluster.py).",
        "",
        *threshold_table(result.get("thresholds") or []),
    ])


def threshold_table(rows: List[Dict[str, Any]]) -> List[str]:
    if not rows:
        return []
    return [
        "## The grouping threshold",
        "",
        "The 25 largest groups of the unanswered messages above at each threshold (cosine distance, average",
        "linkage): *purity* is the share of their messages that belong to their group's main subject (of the",
        "generator's requests: parking, Medicare, interpreters, ...; messages whose subject a typing slip hides",
        "are left out), *coverage* the share of all unanswered messages they hold. The report uses 0.75.",
        "",
        "| threshold | groups | 25 largest: purity | 25 largest: coverage | grouping time |",
        "|---:|---:|---:|---:|---:|",
        *(f"| {r['threshold']} | {r['groups']:,} | {100 * r['purity']:.1f}% | {100 * r['coverage']:.1f}% | "
          f"{r['seconds']:.1f} s |" for r in rows),
        "",
    ]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the store and the report in this folder")
    parser.add_argument("--write-docs", action="store_true", help="write docs/benchmarks/insights.{md,json}")
    parser.add_argument("--thresholds", default="", help="also measure these grouping thresholds (e.g. 0.7,0.75,0.8)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating {args.conversations:,} conversations ...", file=sys.stderr)
        generated = generate(folder / "tracker.db", args.conversations)
        print(f"  {generated['events']:,} events, {generated['megabytes']:.0f} MB in {generated['seconds']:.0f} s",
              file=sys.stderr)
        load = load_average()
        report = measure(folder / "tracker.db", folder / "report")
        thresholds = threshold_purity(folder / "tracker.db", [float(t) for t in args.thresholds.split(",") if t])
    result = {"conversations": args.conversations, "generated": generated, "report": report, "machine": machine(),
              "load_before": load, "thresholds": thresholds}
    print(json.dumps(report, indent=2))
    if args.write_docs:
        (OUT / "insights.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        (OUT / "insights.md").write_text(markdown(result), encoding="utf-8")
    return 0 if report["seconds"] < TARGET_SECONDS and report["peak_rss_mb"] < TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
