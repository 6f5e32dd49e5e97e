"""The insights report on 100,000 conversations (docs/benchmarks/insights.md): under two minutes and 1 GB.

The store is generated straight into SQLite (Rasa's SQLTrackerStore schema, every event of every turn;
about 3.5 million events, 2 GB, in about a minute); the report then runs in a process of its own and its
wall time and peak resident memory are measured. INSIGHTS_BENCH_CONVERSATIONS sets another size.
"""

import os

import pytest

from clinic_faq_dev.bench.insights import TARGET_RSS_MB, TARGET_SECONDS, generate, measure

pytestmark = pytest.mark.integration


def test_the_report_on_100000_conversations_takes_under_2_minutes_and_1_gb(tmp_path):
    conversations = int(os.environ.get("INSIGHTS_BENCH_CONVERSATIONS", "100000"))
    generated = generate(tmp_path / "tracker.db", conversations)
    assert generated["events"] > 30 * conversations
    result = measure(tmp_path / "tracker.db", tmp_path / "report")
    print(f"\ninsights on {conversations:,} conversations: {result['seconds']} s, {result['peak_rss_mb']} MB")
    assert result["seconds"] < TARGET_SECONDS and result["peak_rss_mb"] < TARGET_RSS_MB, result
    totals = result["totals"]
    assert totals["people"] > 0.99 * conversations and totals["messages"] > 3 * conversations
    assert totals["unanswered_groups"] > 10 and (tmp_path / "report" / "report.html").stat().st_size > 100_000
