"""The command line of the insights report (`make insights`, and the staff page's "Regenerate")."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from clinic_faq.insights.aggregate import Settings
from clinic_faq.insights.cluster import DEFAULT_THRESHOLD
from clinic_faq.insights.project import topic_intents, training_examples
from clinic_faq.insights.report import build, default_bucket, parse_period, write_report
from clinic_faq.insights.store import STORE_URL_ENV, StoreError, conversation_hash_key, engine_for
from clinic_faq.paths import project_file
from clinic_faq.settings import SettingsError
from clinic_faq.settings import current as current_settings

SHOW_SINGLE_ENV = "INSIGHTS_SHOW_SINGLE_CONVERSATION_MESSAGES"


def time_zone(name: Optional[str]) -> dt.tzinfo:
    """A named zone (`America/Chicago`), or this machine's local zone."""
    if not name:
        local = dt.datetime.now().astimezone().tzinfo
        return local if local is not None else dt.timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SystemExit(f"unknown time zone {name!r} (use a name such as America/Chicago or UTC)") from error


def parser() -> argparse.ArgumentParser:
    config = current_settings()
    p = argparse.ArgumentParser(
        prog="python -m clinic_faq.insights",
        description="Write the staff insights report (HTML, CSV, JSON) from the tracker store.",
    )
    p.add_argument("--period", default="90d", help="30d, 12w, all, or 2025-01-01..2025-03-31 (default: 90d)")
    p.add_argument("--bucket", choices=("day", "week"), default=None,
                   help="count per day or per week (default: day for a period of a month or less, else week)")
    p.add_argument("--endpoints", type=Path, default=None,
                   help="the endpoints file whose tracker store to read (default: endpoints.yml; "
                        "endpoints.production.yml for PostgreSQL, with its ${...} variables set)")
    p.add_argument("--store-url", default=None,
                   help=f"a database URL instead (better: set {STORE_URL_ENV}, which keeps a password off the command line)")
    p.add_argument("--out-dir", type=Path, default=None, help="the report folder (default: reports/insights)")
    p.add_argument("--tz", default=config.insights_tz,
                   help="the clinic's time zone for the day boundaries (default: this machine's; or INSIGHTS_TZ)")
    p.add_argument("--low-confidence", type=float, default=0.4,
                   help="answers below this classifier confidence are listed as unanswered (default: 0.4)")
    p.add_argument("--min-conversations", type=int, default=2,
                   help="show an example message only if this many conversations wrote it (default: 2)")
    p.add_argument("--show-single-conversation-messages", action="store_true",
                   default=config.insights_show_single,
                   help=f"also show messages written in one conversation only (off by default; or {SHOW_SINGLE_ENV}=1)")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                   help=f"how far apart (cosine distance) two questions of one group may be (default: {DEFAULT_THRESHOLD})")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SettingsError as error:
        print(f"insights: {error}", file=sys.stderr)
        return 2
    tz = time_zone(args.tz)
    try:
        period = parse_period(args.period, tz)
    except ValueError as error:
        print(f"insights: {error}", file=sys.stderr)
        return 2
    settings = Settings(
        bucket=args.bucket or default_bucket(period), tz=tz, low_confidence=args.low_confidence,
        min_conversations=args.min_conversations,
        show_single_conversation_messages=args.show_single_conversation_messages,
        hash_key=conversation_hash_key(), topic_intents=topic_intents(),
    )
    start = time.monotonic()
    try:
        engine = engine_for(args.store_url, args.endpoints)
    except (StoreError, sa.exc.ArgumentError) as error:
        print(f"insights: {error}", file=sys.stderr)
        return 1
    try:
        report = build(engine, settings, period, background=training_examples(), threshold=args.threshold)
    except StoreError as error:
        print(f"insights: {error}", file=sys.stderr)
        return 1
    except sa.exc.OperationalError as error:
        print(f"insights: cannot read the tracker store: {error.orig}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    out = write_report(report, args.out_dir or project_file("reports", "insights"))
    totals = report.insights.totals
    print(f"insights: {totals.conversations:,} conversations, {totals.messages:,} messages, "
          f"{len(report.insights.unanswered):,} unanswered in {len(report.clusters):,} groups; "
          f"{time.monotonic() - start:.1f} s; {out}", file=sys.stderr)
    return 0
