"""The safety audit trail: every turn's safety decision, read back from the tracker store.

Each user event in the tracker store carries the safety screen's verdict (`parse_data.safety`: the
rules that fired, the referral reasons, the PHI kinds found, the classifier's own intent and confidence,
and any override). The bot events that follow carry each response's route. Together they say, per turn,
what the assistant decided and why, without a word of what the person wrote.

`make audit-export FORMAT=csv|json OUT=file` writes them for staff. Conversation ids are hashed, since
a channel may use a phone number as the id (keyed with `CONVERSATION_HASH_KEY` when it is set).

The turns themselves are read by `clinic_faq.core.turns` (plain Python, shared with the insights report);
`Turn`, `turns()` and `last_turn()` are re-exported here for the code that has always imported them.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, TextIO, Tuple

import sqlalchemy as sa

from clinic_faq.core.turns import EventDict, Turn, TurnReader, conversation_key, last_turn, turns, user_turn
from clinic_faq.insights.store import conversation_hash_key, engine_for

__all__ = [
    "AUDIT_COLUMNS", "EventDict", "Turn", "TurnReader", "audit_rows", "conversation_key", "engine_from_endpoints",
    "last_turn", "main", "turns", "user_turn", "write",
]

# The columns of the export: each turn's decision, never a word of what anyone wrote.
AUDIT_COLUMNS: Tuple[str, ...] = tuple(
    name for name in Turn.__dataclass_fields__ if name not in ("texts", "text", "ranking", "session")
)


def engine_from_endpoints(path: Path) -> sa.engine.Engine:
    """An engine for the SQL tracker store configured in an endpoints file (SQLite or PostgreSQL).

    `${VAR}` values are read from the environment, as Rasa reads them, and the engine opens the store's
    own database (`db`), not the `login_db` Rasa connects to first to create it.
    """
    return engine_for(endpoints=path)


def audit_rows(engine: sa.engine.Engine, key: Optional[bytes] = None) -> Iterator[Dict[str, object]]:
    """One PHI-free row per turn, conversation by conversation, oldest first (`key`: see conversation_key;
    by default `CONVERSATION_HASH_KEY`)."""
    key = conversation_hash_key() if key is None else key
    query = sa.text("SELECT sender_id, data FROM events ORDER BY sender_id, id")
    with engine.connect() as connection:
        by_sender: Dict[str, List[EventDict]] = {}
        for sender_id, data in connection.execute(query):
            by_sender.setdefault(sender_id, []).append(json.loads(data))
    for sender_id, events in by_sender.items():
        for n, turn in enumerate(turns(events), start=1):
            row = asdict(turn)
            yield {"conversation": conversation_key(sender_id, key), "turn": n,
                   **{column: row[column] for column in AUDIT_COLUMNS}}


def write(rows: Iterable[Dict[str, object]], fmt: str, out: TextIO) -> int:
    rows = list(rows)
    if fmt == "json":
        json.dump(rows, out, indent=2)
        out.write("\n")
        return len(rows)
    writer = csv.DictWriter(out, fieldnames=["conversation", "turn", *AUDIT_COLUMNS], extrasaction="ignore")
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
