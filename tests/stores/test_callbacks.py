"""The callback store on the embedded default (SQLite) and on a real PostgreSQL: what is kept, for how long,
and the inbox's figures."""

import pytest

from clinic_faq.stores.callbacks import VAULT_SECONDS, CallbackStore
from clinic_faq.stores.signoffs import SignOffStore
from clinic_faq_dev.postgres import scratch_database

pytestmark = pytest.mark.services


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield CallbackStore(str(tmp_path / "clinic.db"))
        return
    with scratch_database("clinic_store") as name:
        yield CallbackStore(f"postgresql://postgres@127.0.0.1:5432/{name}")


def test_a_kept_number_belongs_to_its_conversation_and_expires_unless_claimed(store):
    token = store.keep("conv-a", "phone", "+15550100142", now=1000.0)
    assert store.kept(token, "conv-a", now=1001.0) == {"kind": "phone", "value": "+15550100142"}
    assert store.kept(token, "conv-b", now=1001.0) is None
    assert store.kept(token, "conv-a", now=1000.0 + VAULT_SECONDS + 1) is None
    store.claim(token)
    assert store.kept(token, "conv-a", now=1000.0 + VAULT_SECONDS + 1) is not None
    assert store.latest_kept("conv-a", "phone", now=1001.0) == token


def test_awaiting_a_detail_and_forgetting_a_conversation(store):
    store.await_("conv-a", "phone", now=100.0)
    assert store.awaiting("conv-a", now=101.0) == "phone"
    assert store.awaiting("conv-a", now=100.0 + 16 * 60) is None
    token = store.keep("conv-a", "name", "Ana")
    store.forget("conv-a")
    assert store.kept(token, "conv-a") is None and store.awaiting("conv-a") is None


def test_requests_their_history_figures_and_purge(store):
    first = store.create("socketio", "en", "+15550100142", "Ana", "morning", "appointment", now=1_000.0)
    second = store.create("phone_tree", "es", "+15550100143", None, "tarde", "billing", now=2_000.0)
    assert store.mark(first, "no_answer", "Sam", now=4_600.0)
    assert store.mark(first, "called", "Sam", now=8_200.0)
    assert store.mark(second, "called", "Kim", now=9_200.0)
    assert not store.mark(999, "called", "Kim")
    open_ = store.requests()
    assert [r.id for r in open_] == [first, second]
    assert [h[1] for h in open_[0].history] == ["no_answer", "called"]
    stats = store.stats()
    assert stats["requests"] == 2 and stats["called"] == 2
    assert stats["median_seconds_to_first_call"] == pytest.approx((3_600 + 7_200) / 2)
    assert store.mark(first, "closed", "Sam", now=10_000.0)
    assert [r.id for r in store.requests()] == [second]
    store.keep("conv-x", "phone", "+15550100999", now=10.0)
    done = store.purge(keep_days=30, now=10_000.0 + 31 * 86400)
    assert done["requests"] == 1 and done["vault"] == 1
    assert [r.id for r in store.requests(include_closed=True)] == [second]


def test_signoffs_are_stored_and_read_back(store):
    from datetime import date

    from clinic_faq.core.signoff import SignOff

    signoffs = SignOffStore(store.url)
    record = SignOff("utter_answer_safety", "es", "ab" * 32, "Dr. Kim", "Pain physician", date(2026, 12, 1), date(2027, 12, 1))
    signoffs.add([record])
    assert signoffs.all() == [record]
