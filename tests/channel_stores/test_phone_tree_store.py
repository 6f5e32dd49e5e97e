"""What the phone tree remembers (clinic_faq.channel_stores.phone_tree), on a SQLite file: no server."""

import pytest

from clinic_faq.channel_stores.phone_tree import HANDLED_SECONDS, PhoneTreeStore


@pytest.fixture
def store(tmp_path):
    return PhoneTreeStore(tmp_path / "nested" / "phone_tree.db")  # the directory is created


def test_opt_out_until_opted_in_again_per_number(store):
    assert not store.opted_out("sms-a")
    store.set_opt_out("sms-a", True)
    store.set_opt_out("sms-a", True)  # twice is still one opt-out
    assert store.opted_out("sms-a") and not store.opted_out("sms-b")
    store.set_opt_out("sms-a", False)
    assert not store.opted_out("sms-a")
    store.set_opt_out("sms-a", False)  # opting in when not opted out is harmless


def test_language_is_english_until_known_and_then_remembered(store):
    assert store.language("sms-a") == "en"
    store.set_language("sms-a", "es")
    assert store.language("sms-a") == "es" and store.language("sms-b") == "en"
    store.set_language("sms-a", "en")
    assert store.language("sms-a") == "en"


def test_the_last_menu_replaces_the_previous_one(store):
    assert store.menu("sms-a") == []
    store.set_menu("sms-a", ["/more_info", "/book"])
    assert store.menu("sms-a") == ["/more_info", "/book"]
    store.set_menu("sms-a", [])
    assert store.menu("sms-a") == []


def test_a_message_id_is_claimed_once_and_its_reply_kept(store):
    assert store.claim("SM1")
    assert store.claimed("SM1") and not store.claimed("SM2")
    assert store.reply_for("SM1") is None  # still being handled
    assert not store.claim("SM1")  # a retry while it runs
    store.finish("SM1", "<Response/>")
    assert store.reply_for("SM1") == "<Response/>"
    assert not store.claim("SM1")  # a retry afterwards
    assert store.reply_for("SM-unknown") is None


def test_a_released_message_id_can_be_claimed_again(store):
    assert store.claim("SM1")
    store.release("SM1")
    assert not store.claimed("SM1") and store.reply_for("SM1") is None
    assert store.claim("SM1")


def test_handled_ids_are_forgotten_after_a_day(store):
    assert store.claim("SM-old", now=1_000_000.0)
    store.finish("SM-old", "<Response/>")
    assert store.claim("SM-new", now=1_000_000.0 + HANDLED_SECONDS + 1)  # clears the old one
    assert not store.claimed("SM-old")
    assert store.claim("SM-old", now=1_000_000.0 + HANDLED_SECONDS + 2)


def test_two_stores_on_one_database_share_everything(tmp_path):
    """What several replicas rely on (PHONE_TREE_STORE_URL): a retry is recognised by another replica."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = PhoneTreeStore(url), PhoneTreeStore(url)
    assert one.claim("SM1") and not two.claim("SM1")
    one.set_opt_out("sms-a", True)
    assert two.opted_out("sms-a")
