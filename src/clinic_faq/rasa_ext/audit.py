"""The safety audit trail: every turn's safety decision, read back from the tracker store.

Each user event in the tracker store carries the safety screen's verdict (`parse_data.safety`: the
rules that fired, the referral reasons, the PHI kinds found, the classifier's own intent and confidence,
and any override). The bot events that follow carry each response's route. Together they say, per turn,
what the assistant decided and why, without a word of what the person wrote.

`make audit-export FORMAT=csv|json OUT=file` writes them for staff. Conversation ids are hashed, since
a channel may use a phone number as the id.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, TextIO

import sqlalchemy as sa
import yaml

from clinic_faq.core.contract import ROUTES, SAFETY_KEY, SafetyVerdict

# One stored event in its JSON form, as the tracker store keeps it (`{"event": "user", ...}`).
EventDict = Dict[str, Any]


@dataclass
class Turn:
    """What the assistant did with one user message."""

    timestamp: Optional[float] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None
    classifier_intent: Optional[str] = None
    classifier_confidence: Optional[float] = None
    override: Optional[str] = None
    crisis: Optional[str] = None
    crisis_rules: List[str] = field(default_factory=list)
    referral_reasons: List[str] = field(default_factory=list)
    phi: List[str] = field(default_factory=list)
    scores: Dict[str, float] = field(default_factory=dict)  # the learned detectors' probabilities
    actions: List[str] = field(default_factory=list)
    responses: List[Optional[str]] = field(default_factory=list)  # None for a bot message not from a response
    routes: List[str] = field(default_factory=list)
    texts: List[str] = field(default_factory=list)
    languages: List[str] = field(default_factory=list)  # each bot message's language ("en" unless marked)


def turns(events: Iterable[EventDict]) -> Iterator[Turn]:
    """Split a conversation's events into turns, one per user message."""
    turn: Optional[Turn] = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if turn is not None:
                yield turn
            turn = _user_turn(event)
        elif turn is None:
            continue
        elif kind == "action" and event.get("name") not in ("action_listen", None):
            turn.actions.append(event["name"])
        elif kind == "bot":
            meta = event.get("metadata") or {}
            turn.responses.append(meta.get("utter_action"))
            turn.texts.append(event.get("text") or "")
            turn.languages.append((meta.get("metadata") or {}).get("lang") or "en")
            route = (meta.get("metadata") or {}).get("route")
            if route in ROUTES and route not in turn.routes:
                turn.routes.append(route)
    if turn is not None:
        yield turn


def _user_turn(event: EventDict) -> Turn:
    parse = event.get("parse_data") or {}
    safety = SafetyVerdict.from_dict(parse.get(SAFETY_KEY))
    return Turn(
        timestamp=event.get("timestamp"),
        intent=(parse.get("intent") or {}).get("name"),
        confidence=(parse.get("intent") or {}).get("confidence"),
        classifier_intent=safety.classifier.intent,
        classifier_confidence=safety.classifier.confidence if safety.classifier.intent else None,
        override=safety.override.reason if safety.override else None,
        crisis=safety.crisis,
        crisis_rules=list(safety.crisis_rules),
        referral_reasons=list(safety.referral_reasons),
        phi=list(safety.phi),
        scores=asdict(safety.scores) if safety.scores else {},
    )


def last_turn(events: Iterable[EventDict]) -> Turn:
    found = list(turns(events))
    return found[-1] if found else Turn()


def conversation_key(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode()).hexdigest()[:16]


def engine_from_endpoints(path: Path) -> sa.engine.Engine:
    """An engine for the SQL tracker store configured in an endpoints file (SQLite or PostgreSQL)."""
    with open(path, encoding="utf-8") as f:
        store = (yaml.safe_load(f) or {}).get("tracker_store") or {}
    if str(store.get("type", "")).lower() not in ("sql", "clinic_faq.rasa_ext.stores.tracker.loudsqltrackerstore"):
        raise SystemExit(f"{path}: the audit export reads a SQL tracker store (SQLite or PostgreSQL)")
    from rasa.core.tracker_store import SQLTrackerStore

    url = SQLTrackerStore.get_db_url(
        dialect=store.get("dialect", "sqlite"), host=store.get("url"), port=store.get("port"),
        db=store.get("db", "rasa.db"), username=store.get("username"), password=store.get("password"),
        login_db=store.get("login_db"), query=store.get("query"),
    )
    return sa.create_engine(url)


def audit_rows(engine: sa.engine.Engine) -> Iterator[Dict[str, object]]:
    """One PHI-free row per turn, conversation by conversation, oldest first."""
    query = sa.text("SELECT sender_id, data FROM events ORDER BY sender_id, id")
    with engine.connect() as connection:
        by_sender: Dict[str, List[EventDict]] = {}
        for sender_id, data in connection.execute(query):
            by_sender.setdefault(sender_id, []).append(json.loads(data))
    for sender_id, events in by_sender.items():
        for n, turn in enumerate(turns(events), start=1):
            row = asdict(turn)
            row.pop("texts")
            yield {"conversation": conversation_key(sender_id), "turn": n, **row}


def write(rows: Iterable[Dict[str, object]], fmt: str, out: TextIO) -> int:
    rows = list(rows)
    if fmt == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
        return len(rows)
    columns = list(Turn.__dataclass_fields__)
    columns.remove("texts")
    writer = csv.DictWriter(out, fieldnames=["conversation", "turn", *columns])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return len(rows)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Export the safety audit trail (PHI-free).")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    rows = audit_rows(engine_from_endpoints(args.endpoints))
    if args.out is None:
        write(rows, args.format, sys.stdout)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        count = write(rows, args.format, f)
    print(f"wrote {count} turns to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
