"""The insights report: read the tracker store once, count, group the unanswered messages, write the files.

`make insights` (or `python -m clinic_faq.insights`) writes, into one folder (reports/insights/ by default):

  report.html        the report for staff: one self-contained page (charts inline, nothing loaded from
                     anywhere else)
  summary.json       every number of the page, and the groups with their examples
  activity.csv       conversations, messages and people per period, channel and language
  routes.csv         messages by route;  topics.csv  answers, helpful and not helpful per topic
  safety.csv         emergencies and referrals per period (counts only: never their text)
  clusters.csv       the groups of unanswered messages, largest first;  clusters/  each group's NLU block
                     and draft test story
  unanswered.csv     one row per unanswered message: hashed conversation, time, reason, group (no text)

The folder is replaced whole when the new one is complete, so a reader never sees half a report.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import sqlalchemy as sa

from clinic_faq.core.spreadsheet import safe_cell
from clinic_faq.core.turns import TurnReader
from clinic_faq.insights.aggregate import REASONS, ROUTE_ORDER, Aggregator, Insights, Settings
from clinic_faq.insights.cluster import DEFAULT_THRESHOLD, Cluster, find_clusters
from clinic_faq.insights.export import languages, nlu_block, story_draft
from clinic_faq.insights.store import describe, stream_events

SETTLE_AFTER = 50_000  # events without a conversation's before its last turn is counted (see collect)
_PERIOD = re.compile(r"^(\d+)([dw])$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$")


@dataclass(frozen=True)
class Period:
    """The messages counted: from `since` (included) to `until` (excluded), seconds since the epoch."""

    since: Optional[float]
    until: Optional[float]
    label: str
    days: Optional[float]  # its length, when known


def parse_period(text: str, tz: dt.tzinfo = dt.timezone.utc, now: Optional[float] = None) -> Period:
    """`30d`, `12w` (the last 30 days, 12 weeks), `all`, or dates `2025-01-01..2025-03-31` (either end may
    be left out; the end date is included)."""
    now = time.time() if now is None else now
    text = text.strip().lower()
    if text == "all":
        return Period(None, None, "all conversations", None)
    match = _PERIOD.match(text)
    if match:
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        if days < 1:
            raise ValueError("the period must be at least one day")
        return Period(now - days * 86400, None, f"the last {days} days", float(days))
    match = _RANGE.match(text)
    if match and (match.group(1) or match.group(2)):
        def at(day: str) -> float:
            return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tz).timestamp()

        since = at(match.group(1)) if match.group(1) else None
        until = at(match.group(2)) + 86400 if match.group(2) else None
        if since is not None and until is not None and until <= since:
            raise ValueError("the period ends before it starts")
        length = (until - since) / 86400 if since is not None and until is not None else None
        return Period(since, until, f"{match.group(1) or 'the start'} to {match.group(2) or 'now'}", length)
    raise ValueError(f"unknown period {text!r}: use 30d, 12w, all or 2025-01-01..2025-03-31")


def default_bucket(period: Period) -> str:
    return "day" if period.days is not None and period.days <= 31 else "week"


def collect(engine: sa.engine.Engine, settings: Settings, period: Period, settle_after: int = SETTLE_AFTER) -> Insights:
    """Read the store once, in stored order, and count.

    Rasa stores a turn's events together when the turn ends, so once a conversation has had no event
    for `settle_after` events its last turn is complete: it is counted then and let go, and memory does
    not grow with the number of conversations that are over.
    """
    readers: Dict[str, TurnReader] = {}
    recent: OrderedDict[str, int] = OrderedDict()  # conversations with a turn not yet counted, by last event
    aggregator = Aggregator(settings)
    for n, (sender_id, event) in enumerate(stream_events(engine, period.since, period.until)):
        reader = readers.get(sender_id)
        if reader is None:
            reader = readers[sender_id] = TurnReader(keep_texts=False)
        turn = reader.feed(event)
        if turn is not None:
            aggregator.add(sender_id, turn)
        recent[sender_id] = n
        recent.move_to_end(sender_id)
        while recent and next(iter(recent.values())) < n - settle_after:
            quiet, _ = recent.popitem(last=False)
            turn = readers[quiet].close()
            if turn is not None:
                aggregator.add(quiet, turn)
    for sender_id in recent:
        turn = readers[sender_id].close()
        if turn is not None:
            aggregator.add(sender_id, turn)
    return aggregator.finish()


@dataclass
class Report:
    insights: Insights
    clusters: List[Cluster]
    group_of: List[int]  # each unanswered message's group number
    period: Period
    store: str
    generated: float
    seconds: float  # time taken to read, count and group

    @property
    def settings(self) -> Settings:
        return self.insights.settings


def build(engine: sa.engine.Engine, settings: Settings, period: Period, background: Sequence[str] = (),
          threshold: float = DEFAULT_THRESHOLD) -> Report:
    start = time.monotonic()
    insights = collect(engine, settings, period)
    clusters, group_of = find_clusters(insights.unanswered, settings, threshold, background=background)
    return Report(insights, clusters, group_of, period, describe(engine), time.time(), time.monotonic() - start)


# --- files -------------------------------------------------------------------------------------------


def when(timestamp: Optional[float], tz: dt.tzinfo) -> str:
    return "" if timestamp is None else dt.datetime.fromtimestamp(timestamp, tz).strftime("%Y-%m-%d %H:%M")


def share(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def topic_rows(insights: Insights) -> List[Dict[str, Any]]:
    answered = sum(insights.answers.values())
    topics = set(insights.answers) | set(insights.helpful) | set(insights.not_helpful)
    rows = [{"topic": topic, "answers": insights.answers[topic], "share_of_answers": share(insights.answers[topic], answered),
             "helpful": insights.helpful[topic], "not_helpful": insights.not_helpful[topic]} for topic in topics]
    return sorted(rows, key=lambda r: (-r["answers"], r["topic"]))


def route_rows(insights: Insights) -> List[Dict[str, Any]]:
    total = sum(insights.routes.values())
    order = [r for r in ROUTE_ORDER if insights.routes[r]] + sorted(set(insights.routes) - set(ROUTE_ORDER))
    return [{"route": r, "messages": insights.routes[r], "share": share(insights.routes[r], total)} for r in order]


def safety_rows(insights: Insights) -> List[Dict[str, Any]]:
    return [{"period": b, "emergencies": insights.emergencies[b], "referrals": insights.referrals[b]}
            for b in insights.buckets]


def activity_rows(insights: Insights) -> List[Dict[str, Any]]:
    return [{"period": b, "channel": c, "language": lang, **asdict(counts)}
            for (b, c, lang), counts in sorted(insights.activity.items())]


def cluster_record(cluster: Cluster, tz: dt.tzinfo) -> Dict[str, Any]:
    return {
        "group": cluster.number, "label": cluster.label, "messages": cluster.messages,
        "conversations": cluster.conversations, "distinct_messages": cluster.distinct,
        "hidden_messages": cluster.hidden, "closest_topic": cluster.closest_topic,
        "closest_topic_share": round(cluster.closest_topic_share, 3),
        "reasons": cluster.reasons, "languages": cluster.languages, "keywords": cluster.keywords,
        "examples": [asdict(e) for e in cluster.examples],
        "first_seen": when(cluster.first, tz), "last_seen": when(cluster.last, tz),
    }


def summary(report: Report) -> Dict[str, Any]:
    s, i = report.settings, report.insights
    return {
        "generated": when(report.generated, s.tz),
        "period": {"label": report.period.label, "since": when(report.period.since, s.tz),
                   "until": when(report.period.until, s.tz), "first_message": when(i.first, s.tz),
                   "last_message": when(i.last, s.tz)},
        "store": report.store,
        "settings": {"bucket": s.bucket, "time_zone": str(s.tz), "low_confidence": s.low_confidence,
                     "min_conversations": s.min_conversations,
                     "show_single_conversation_messages": s.show_single_conversation_messages,
                     "keyed_conversation_hashes": bool(s.hash_key)},
        "totals": {**asdict(i.totals), "feedback_clicks": i.feedback_total, "unanswered": len(i.unanswered),
                   "unanswered_groups": len(report.clusters)},
        "by_period": {b: asdict(c) for b, c in sorted(i.by_bucket.items())},
        "by_channel": {k: asdict(c) for k, c in sorted(i.by_channel.items())},
        "by_language": {k: asdict(c) for k, c in sorted(i.by_language.items())},
        "routes": route_rows(i),
        "topics": topic_rows(i),
        "feedback_unattributed": i.feedback_unattributed,
        "safety": safety_rows(i),
        "unanswered_by_reason": {r: sum(1 for u in i.unanswered if u.reason == r) for r in REASONS},
        "groups": [cluster_record(c, s.tz) for c in report.clusters],
        "callbacks": callback_summary(report.period.since or 0.0),  # no start: every request
        "seconds": round(report.seconds, 2),
    }


def callback_summary(since: float) -> Dict[str, Any]:
    """Callback requests made in the period and the median time to the first call (the clinic store,
    CLINIC_STORE_URL or var/clinic.db); None when that store cannot be read."""
    try:
        from clinic_faq.stores.callbacks import CallbackStore

        return CallbackStore().stats(since)
    except Exception:  # the report is still made without them
        return {"requests": None, "called": None, "median_seconds_to_first_call": None}


def _csv(path: Path, rows: Iterable[Dict[str, Any]], columns: Sequence[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(_cell(v)) for k, v in row.items() if k in columns})


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return " | ".join(str(v.get("text", v)) if isinstance(v, dict) else str(v) for v in value)
    return value


def write_files(report: Report, folder: Path) -> None:
    from clinic_faq.insights.html import render

    tz = report.settings.tz
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "clusters").mkdir(exist_ok=True)
    data = summary(report)
    (folder / "summary.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _csv(folder / "activity.csv", activity_rows(report.insights),
         ["period", "channel", "language", "conversations", "messages", "people"])
    _csv(folder / "routes.csv", route_rows(report.insights), ["route", "messages", "share"])
    _csv(folder / "topics.csv", topic_rows(report.insights),
         ["topic", "answers", "share_of_answers", "helpful", "not_helpful"])
    _csv(folder / "safety.csv", safety_rows(report.insights), ["period", "emergencies", "referrals"])
    _csv(folder / "clusters.csv", data["groups"], list(data["groups"][0]) if data["groups"] else ["group"])
    _csv(folder / "unanswered.csv", (
        {"conversation": u.conversation, "time": when(u.timestamp, tz), "reason": u.reason, "group": g,
         "closest_topic": u.closest_topic or "", "language": u.language, "channel": u.channel}
        for u, g in zip(report.insights.unanswered, report.group_of, strict=True)
    ), ["conversation", "time", "reason", "group", "closest_topic", "language", "channel"])
    for cluster in report.clusters:
        for language in languages(cluster):
            suffix = "" if language == "en" else f".{language}"
            (folder / "clusters" / f"group-{cluster.number:03d}.nlu{suffix}.yml").write_text(
                nlu_block(cluster, language), encoding="utf-8")
        (folder / "clusters" / f"group-{cluster.number:03d}.story.yml").write_text(story_draft(cluster), encoding="utf-8")
    (folder / "report.html").write_text(render(report, data), encoding="utf-8")


def write_report(report: Report, out_dir: Path) -> Path:
    """Write the report into a new folder beside `out_dir`, then put it in place of the old one."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = out_dir.parent / f".{out_dir.name}.new-{os.getpid()}"
    stale = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        write_files(report, fresh)
        if out_dir.exists():
            out_dir.rename(stale)
        fresh.rename(out_dir)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(stale, ignore_errors=True)
    return out_dir / "report.html"
