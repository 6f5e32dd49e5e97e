"""One client floods the REST channel at about 200 messages a second for 10 s while ten people hold their
conversations: the flood is refused (429) but for the few messages the per-address limit lets through, and
none of the people's messages is lost: all answered at the first attempt, all stored, in order.

The scene is the one `make bench` times (clinic_faq_dev.bench.flood, which also alternates phases without
the flood and compares the people's latencies: the speed goal is met there, not here). The server runs the
embedded default (SQLite, limits in memory) with the default limits of clinic.yml; the flood comes from
127.0.0.2, each message to a new conversation, so it is the per-address limit that holds it.
"""

import pytest

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq_dev.bench.flood import FLOOD_RATE, FLOOD_SECONDS, MESSAGES, PEOPLE, flooded_phase
from clinic_faq_dev.harness import RunningAssistant

pytestmark = pytest.mark.integration


def assert_nothing_lost(assistant, result):
    records = result["records"]
    assert len(records) == PEOPLE * MESSAGES
    assert all(r["answered"] and len(r["attempts"]) == 1 for r in records), [
        r["attempts"] for r in records if not r["answered"]]
    for conversation in {r["sender"] for r in records}:
        sent = [r["text"] for r in sorted((r for r in records if r["sender"] == conversation), key=lambda r: r["position"])]
        stored = [e["text"] for e in assistant.events(conversation) if e["event"] == "user"]
        assert stored == sent, conversation


def test_a_flood_is_refused_and_the_people_beside_it_lose_nothing(tmp_path):
    with RunningAssistant(tmp_path, extra_env={"RATE_LIMIT_STORE": "memory"}) as assistant:
        result, flood = flooded_phase(assistant, "flood", 1, tmp_path)
        assert_nothing_lost(assistant, result)
    # It was a flood (the client, at the lowest CPU priority on a shared machine, may fall a little behind).
    assert flood["sent"] >= 0.5 * FLOOD_RATE * FLOOD_SECONDS, flood
    statuses = flood["statuses"]
    assert set(statuses) <= {"200", "429"}, statuses  # refused politely, never failing
    # The per-address limit of clinic.yml let only its burst and what refilled during the flood through.
    rule = load_clinic_config().limits.client_address
    assert statuses.get("200", 0) <= rule.capacity + rule.rate * (flood["seconds"] + 2) + 1, statuses
