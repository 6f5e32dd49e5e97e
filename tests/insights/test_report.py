"""The whole report from a SQLite store of synthetic events: its files, its numbers, what it never shows."""

import csv
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa

from clinic_faq.insights.cli import main
from clinic_faq.insights.report import parse_period
from tests.insights.synthetic import MONDAY, bot_event, user_event

SECRET_SENDER = "+15552018841"


def conversation(sender, messages, start):
    """Stored events of one session: each message as (text, intent, confidence, route, topic)."""
    events = [{"event": "action", "name": "action_session_start", "timestamp": start},
              {"event": "session_started", "timestamp": start}]
    at = start
    for text, intent, confidence, route, topic in messages:
        at += 10
        ranking = ["ask_cost_insurance"] if intent == "nlu_fallback" else []  # what the classifier leaned to
        events += [{"event": "action", "name": "action_listen", "timestamp": at},
                   user_event(text, intent, confidence, at, ranking=ranking),
                   {"event": "action", "name": f"utter_{route}", "timestamp": at + 1},
                   bot_event(route, at + 1, topic=topic)]
    return [(sender, e) for e in events]


def store(path):
    rows = []
    for n in range(3):  # three people ask about parking, two about medicare
        rows += conversation(f"web-park-{n}", [("what are the side effects", "ask_side_effects", 0.9, "answer", "side_effects"),
                                               ("/feedback_helpful", "feedback_helpful", 1.0, "smalltalk", None),
                                               ("where do i park", "out_of_scope", 0.7, "out_of_scope", None)], MONDAY + n * 100)
    for n in range(2):
        rows += conversation(f"web-medicare-{n}", [("how much does it cost", "ask_cost_insurance", 0.8, "answer", "cost_insurance"),
                                                   ("/feedback_not_helpful", "feedback_not_helpful", 1.0, "smalltalk", None),
                                                   ("do you take medicare", "nlu_fallback", 0.2, "fallback", None)], MONDAY + 1000 + n)
    rows += conversation(SECRET_SENDER, [("ask for jonathan whitcombe about parking", "out_of_scope", 0.6, "out_of_scope", None),
                                         ("i took all my pills", "emergency", 1.0, "emergency", None)], MONDAY + 86400 * 8)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as db:
        db.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name "
                           "VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"))
        db.execute(sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :k, :t, :d)"),
                   [{"s": s, "k": e["event"], "t": e["timestamp"], "d": json.dumps(e)} for s, e in rows])
    engine.dispose()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insights")
    store(folder / "tracker.db")
    assert main(["--store-url", f"sqlite:///{folder / 'tracker.db'}", "--out-dir", str(folder / "out"),
                 "--period", "all", "--bucket", "week", "--tz", "UTC"]) == 0
    return folder / "out"


def everything(folder):
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def test_the_numbers(report):
    summary = json.loads((report / "summary.json").read_text())
    assert summary["totals"] == {"conversations": 6, "messages": 12, "people": 6, "feedback_clicks": 5,
                                 "unanswered": 8, "unanswered_groups": 3}  # the clicks are not messages
    assert summary["by_period"] == {"2025-03-03": {"conversations": 5, "messages": 10, "people": 5},
                                    "2025-03-10": {"conversations": 1, "messages": 2, "people": 1}}
    topics = {t["topic"]: (t["answers"], t["helpful"], t["not_helpful"]) for t in summary["topics"]}
    assert topics == {"side_effects": (3, 3, 0), "cost_insurance": (2, 0, 2)}
    assert summary["safety"] == [{"period": "2025-03-03", "emergencies": 0, "referrals": 0},
                                 {"period": "2025-03-10", "emergencies": 1, "referrals": 0}]
    assert summary["unanswered_by_reason"] == {"fallback": 2, "out_of_scope": 4, "low_confidence": 0, "not_helpful": 2}


def test_the_groups_largest_first_with_their_examples(report):
    groups = json.loads((report / "summary.json").read_text())["groups"]
    assert [(g["messages"], g["conversations"]) for g in groups] == [(4, 4), (2, 2), (2, 2)]
    # The parking question written by one conversation only is counted in its group, never shown.
    assert [e["text"] for e in groups[0]["examples"]] == ["where do i park"] and groups[0]["hidden_messages"] == 1
    assert {e["text"] for g in groups[1:] for e in g["examples"]} == {"do you take medicare", "how much does it cost"}
    assert {g["closest_topic"] for g in groups[1:]} == {"cost_insurance"}  # the answer marked not helpful, and
    # the fallback the classifier leaned to cost_insurance for
    rows = list(csv.DictReader(open(report / "clusters.csv", encoding="utf-8")))
    assert [int(r["messages"]) for r in rows] == [4, 2, 2]
    assert (report / "clusters" / "group-001.nlu.yml").read_text().count("- where do i park") == 1


def test_what_the_report_never_holds(report):
    files = everything(report)
    assert {"report.html", "summary.json", "activity.csv", "routes.csv", "topics.csv", "safety.csv", "clusters.csv",
            "unanswered.csv", "clusters/group-001.nlu.yml", "clusters/group-001.story.yml"} <= set(files)
    for name, text in files.items():
        for secret in ("whitcombe", "jonathan", "i took all my pills", SECRET_SENDER, "5552018841", "web-park-0"):
            assert secret not in text.lower(), (name, secret)
    conversations = {r["conversation"] for r in csv.DictReader(open(report / "unanswered.csv", encoding="utf-8"))}
    assert len(conversations) == 6 and all(re.fullmatch(r"[0-9a-f]{16}", c) for c in conversations)


def test_the_page_loads_nothing_from_anywhere(report):
    html = unescape((report / "report.html").read_text())
    assert "<script" not in html.lower() and "@import" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert html.count('src="data:image/png;base64,') >= 5 and 'alt=""' not in html


def test_periods():
    now = MONDAY
    assert parse_period("30d", now=now).since == now - 30 * 86400
    assert parse_period("2w", now=now).days == 14
    period = parse_period("2025-03-01..2025-03-03")
    assert (period.until - period.since) / 86400 == 3 and period.days == 3
    assert parse_period("all").since is None
    with pytest.raises(ValueError):
        parse_period("last month")


def test_a_bad_store_is_a_message_not_a_traceback(tmp_path, capsys):
    assert main(["--store-url", f"sqlite:///{tmp_path / 'none.db'}", "--out-dir", str(tmp_path / "out")]) == 1
    assert "no conversations stored yet" in capsys.readouterr().err
