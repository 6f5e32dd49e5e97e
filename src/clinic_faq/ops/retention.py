"""Retention: delete conversations whose last event is older than N days.

`make purge DAYS=30` (or `python -m clinic_faq.ops.retention --days 30 [--endpoints endpoints.production.yml]`)
reads the tracker store from the endpoints file (SQLite or PostgreSQL) and deletes every event of each
conversation that has been silent for more than N days. A conversation with any recent event is kept
whole, so no conversation is ever cut in the middle. Run it daily (cron, a Kubernetes CronJob).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional

import sqlalchemy as sa

from clinic_faq.ops.audit import engine_from_endpoints

DEFAULT_DAYS = 30


def cutoff(days: float, now: Optional[float] = None) -> float:
    """The time (seconds since the epoch) before which a conversation's last event makes it stale."""
    if days <= 0:
        raise ValueError("the retention period must be positive")
    return (time.time() if now is None else now) - days * 86400


def purge(engine: sa.engine.Engine, days: float, now: Optional[float] = None) -> int:
    """Delete the conversations silent for more than `days`; returns how many were deleted."""
    before = cutoff(days, now)
    with engine.begin() as connection:
        stale = [row[0] for row in connection.execute(
            sa.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"),
            {"cutoff": before},
        )]
        for start in range(0, len(stale), 500):
            batch = stale[start : start + 500]
            connection.execute(sa.text("DELETE FROM events WHERE sender_id IN :ids")
                               .bindparams(sa.bindparam("ids", expanding=True)), {"ids": batch})
    return len(stale)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Delete conversations older than the retention period.")
    parser.add_argument("--days", type=float, default=DEFAULT_DAYS)
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args(argv)
    if args.days <= 0:
        parser.error("--days must be positive")
    deleted = purge(engine_from_endpoints(args.endpoints), args.days)
    print(f"Deleted {deleted} conversation(s) silent for more than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
