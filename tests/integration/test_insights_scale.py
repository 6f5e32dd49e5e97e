"""The insights report on a generated store (Rasa's SQLTrackerStore schema, every event of every turn), run
as the benchmark runs it, in a process of its own: it reads every conversation and writes the whole report.

Its speed and memory on 100,000 conversations (under two minutes and 1 GB) are measured by `make bench`
(clinic_faq_dev.bench.insights, docs/benchmarks/insights.md), not here. INSIGHTS_TEST_CONVERSATIONS sets the size.
"""

import os

import pytest

from clinic_faq_dev.bench.insights import generate, measure

pytestmark = pytest.mark.integration


def test_the_report_reads_every_generated_conversation_and_groups_the_unanswered(tmp_path):
    conversations = int(os.environ.get("INSIGHTS_TEST_CONVERSATIONS", "5000"))
    generated = generate(tmp_path / "tracker.db", conversations)
    assert generated["events"] > 30 * conversations
    result = measure(tmp_path / "tracker.db", tmp_path / "report")
    totals = result["totals"]
    assert totals["people"] > 0.99 * conversations and totals["messages"] > 3 * conversations
    assert totals["unanswered_groups"] > 10 and (tmp_path / "report" / "report.html").stat().st_size > 10_000
