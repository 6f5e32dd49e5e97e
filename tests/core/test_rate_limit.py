"""The abuse limits' logic (clinic_faq.core.rate_limit), in memory, with a fake clock."""

import asyncio

import pytest

from clinic_faq.core.clinic_config import ClinicConfigError, load_clinic_config, parse_clinic_config, rate_limits
from clinic_faq.core.rate_limit import (
    Check,
    Decision,
    MemoryBackend,
    RateLimitConfigError,
    RateLimiter,
    RateLimits,
    Rule,
    client_address,
    hashed,
    notice_text,
    wait_words,
)
from tests.core.test_clinic_config import VALID


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def take(backend, *checks, notice="n"):
    return backend.take_now(list(checks), notice)


def check(rule, key="k", scope="conversation"):
    return Check(key, rule, scope)


# --- the bucket ---------------------------------------------------------------------------------------


def test_a_burst_then_one_message_per_refill_interval(clock):
    backend = MemoryBackend(clock)
    rule = Rule(messages=6, seconds=60, burst=3)  # 3 at once, then one every 10 s
    assert [take(backend, check(rule)).allowed for _ in range(3)] == [True, True, True]
    refused = take(backend, check(rule))
    assert not refused.allowed and refused.retry_after == pytest.approx(10.0) and refused.scope == "conversation"
    clock.advance(9.9)
    assert not take(backend, check(rule)).allowed
    clock.advance(0.1)
    assert take(backend, check(rule)).allowed
    assert not take(backend, check(rule)).allowed


def test_the_burst_defaults_to_messages_and_never_grows_past_it(clock):
    backend = MemoryBackend(clock)
    rule = Rule(messages=5, seconds=10)
    clock.advance(3600)  # an idle hour does not store up more than the burst
    assert sum(take(backend, check(rule)).allowed for _ in range(20)) == 5


def test_retry_after_is_honest(clock):
    backend = MemoryBackend(clock)
    rule = Rule(messages=2, seconds=60)  # one every 30 s
    take(backend, check(rule))
    take(backend, check(rule))
    clock.advance(12)
    refused = take(backend, check(rule))
    assert refused.retry_after == pytest.approx(18.0) and refused.retry_after_seconds == 18
    clock.advance(refused.retry_after)
    assert take(backend, check(rule)).allowed


def test_a_refused_message_costs_nothing(clock):
    backend = MemoryBackend(clock)
    rule = Rule(messages=1, seconds=10)
    take(backend, check(rule))
    for _ in range(1000):  # a flood of refused messages does not push the wait further out
        take(backend, check(rule))
    clock.advance(10)
    assert take(backend, check(rule)).allowed


def test_all_buckets_or_none(clock):
    backend = MemoryBackend(clock)
    tight, loose = Rule(messages=1, seconds=60), Rule(messages=100, seconds=60)
    address = check(loose, "address", "client_address")
    assert take(backend, check(tight, "conversation-a"), address).allowed
    # conversation-a is refused by its own limit: the address keeps its tokens
    for _ in range(50):
        refused = take(backend, check(tight, "conversation-a"), address)
        assert not refused.allowed and refused.scope == "conversation"
    assert sum(take(backend, check(tight, f"c{i}"), address).allowed for i in range(200)) == 99


def test_the_longest_wait_is_reported(clock):
    backend = MemoryBackend(clock)
    short, daily = Rule(messages=3, seconds=30), Rule(messages=3, seconds=86400)
    for _ in range(3):
        assert take(backend, check(short, "s", "sms_sender"), check(daily, "d", "sms_sender_daily")).allowed
    refused = take(backend, check(short, "s", "sms_sender"), check(daily, "d", "sms_sender_daily"))
    assert refused.scope == "sms_sender_daily" and refused.retry_after == pytest.approx(86400 / 3)


def test_told_once_per_window(clock):
    backend = MemoryBackend(clock)
    rule = Rule(messages=2, seconds=60)
    take(backend, check(rule))
    take(backend, check(rule))
    notices = [take(backend, check(rule), notice="person").notify for _ in range(100)]
    assert notices == [True] + [False] * 99
    clock.advance(30)  # a token came back: answered; then refused again, still silently
    assert take(backend, check(rule), notice="person").allowed
    assert take(backend, check(rule), notice="person").notify is False
    clock.advance(31)  # the window (60 s) has passed since the notice: told once more
    assert take(backend, check(rule), notice="person").allowed
    assert take(backend, check(rule), notice="person").notify is True


def test_full_buckets_are_forgotten_and_memory_is_bounded(clock):
    backend = MemoryBackend(clock, max_keys=1000)
    rule = Rule(messages=10, seconds=10)
    for i in range(5000):  # a flood of made-up conversation ids
        take(backend, check(rule, f"c{i}"))
    assert len(backend) <= 1000
    clock.advance(11)
    for i in range(10_000):
        take(backend, check(rule, f"d{i % 10}"))
    assert len(backend) <= 1000


def test_hashed_keys_hide_what_they_count():
    key = hashed("client_address", "203.0.113.9")
    assert "203.0.113.9" not in key and key.startswith("client_address:")
    assert key != hashed("conversation", "203.0.113.9")


# --- the limiter ----------------------------------------------------------------------------------------


def limiter(clock, **limits):
    return RateLimiter(RateLimits(**limits), MemoryBackend(clock))


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_conversation_and_its_client_address(clock):
    rl = limiter(clock, conversation=Rule(3, 60), client_address=Rule(5, 60))
    assert [run(rl.conversation("a", "203.0.113.9")).allowed for _ in range(4)] == [True, True, True, False]
    # another conversation from the same address: 2 left on the address
    assert [run(rl.conversation("b", "203.0.113.9")).allowed for _ in range(3)] == [True, True, False]
    assert run(rl.conversation("b", "203.0.113.9")).scope == "client_address"
    assert run(rl.conversation("c", "198.51.100.4")).allowed  # other addresses are not affected


def test_the_machine_itself_has_no_address_limit_but_a_conversation_limit(clock):
    rl = limiter(clock, conversation=Rule(3, 60), client_address=Rule(1, 60))
    assert all(run(rl.conversation(f"s{i}", "127.0.0.1")).allowed for i in range(50))
    assert [run(rl.conversation("one", "::1")).allowed for _ in range(4)] == [True, True, True, False]


def test_limits_switched_off(clock):
    rl = limiter(clock, conversation=None, client_address=None, sms_sender=None, sms_sender_daily=None)
    assert all(run(rl.conversation("a", "203.0.113.9")).allowed for _ in range(500))
    assert all(run(rl.sms("sms-x")).allowed for _ in range(500))


def test_sms_senders_short_and_daily(clock):
    rl = limiter(clock, sms_sender=Rule(2, 60), sms_sender_daily=Rule(3, 86400))
    assert [run(rl.sms("sms-a")).allowed for _ in range(3)] == [True, True, False]
    clock.advance(60)
    assert run(rl.sms("sms-a")).allowed
    refused = run(rl.sms("sms-a"))
    assert not refused.allowed and refused.scope == "sms_sender_daily"
    assert run(rl.sms("sms-b")).allowed


class Broken:
    async def take(self, checks, notice_key):
        raise ConnectionError("redis is down")


def test_a_failed_store_lets_messages_through(caplog):
    rl = RateLimiter(RateLimits(), Broken())
    assert all(run(rl.conversation("a", "203.0.113.9")).allowed for _ in range(200))
    assert len([r for r in caplog.records if "limit store failed" in r.getMessage()]) == 1  # said once


# --- the client's address --------------------------------------------------------------------------------


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.9", [], "203.0.113.9"),
    ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not from a trusted proxy: the header is ignored
    ("127.0.0.1", [], "127.0.0.1"),
    ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),  # nginx on this machine appended the client's address
    ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client's own entry is not believed
    ("127.0.0.1", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # the same over two headers
    ("127.0.0.1", ["198.51.100.1, 127.0.0.1"], "198.51.100.1"),  # two trusted hops
    ("127.0.0.1", ["127.0.0.1"], "127.0.0.1"),  # a local client through nginx
    ("127.0.0.1", ["not-an-address"], "127.0.0.1"),
    ("127.0.0.1", ["garbage, 198.51.100.1"], "198.51.100.1"),
    ("::ffff:127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
    ("::1", ["2001:db8::7"], "2001:db8::7"),
    ("127.0.0.2", ["198.51.100.1"], "127.0.0.2"),  # only the listed proxies are trusted
])
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, RateLimits()) == expected


def test_a_proxy_network_can_be_trusted():
    limits = RateLimits().with_environment({"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
    assert client_address("10.4.0.12", ["198.51.100.1"], limits) == "198.51.100.1"
    assert client_address("198.51.100.2", ["1.2.3.4"], limits) == "198.51.100.2"


# --- the setting ----------------------------------------------------------------------------------------------


def test_the_project_config_has_the_documented_limits():
    limits = load_clinic_config().limits
    assert limits == RateLimits()  # clinic.yml writes out the defaults
    assert limits.conversation == Rule(30, 60)
    assert limits.store == "auto"


def test_limits_from_clinic_yml():
    raw = dict(VALID, limits={"conversation": {"messages": 10, "seconds": 30, "burst": 4}, "client_address": "off",
                              "trusted_proxies": ["10.1.2.3", "10.8.0.0/16"], "store": "redis"})
    limits = parse_clinic_config(raw).limits
    assert limits.conversation == Rule(10, 30, burst=4) and limits.client_address is None
    assert limits.sms_sender == RateLimits().sms_sender  # not written: the default
    assert limits.store == "redis" and len(limits.trusted_proxies) == 2


@pytest.mark.parametrize("section, message", [
    ({"conversation": {"messages": 0, "seconds": 60}}, "limits.conversation: messages"),
    ({"conversation": {"messages": 5, "seconds": -1}}, "limits.conversation: seconds"),
    ({"conversation": {"messages": 5}}, "limits.conversation: seconds"),
    ({"conversation": {"messages": 5, "seconds": 60, "per": 3}}, "unknown key"),
    ({"conversation": "lots"}, "limits.conversation"),
    ({"sms_sender": [1, 2]}, "limits.sms_sender"),
    ({"trusted_proxies": ["nginx.internal"]}, "limits.trusted_proxies"),
    ({"store": "memcached"}, "limits.store"),
    ({"per_ip": 5}, "unknown setting"),
    ("10/60", "limits must be a mapping"),
])
def test_a_malformed_limit_is_a_clear_error(section, message):
    with pytest.raises(ClinicConfigError, match=message):
        parse_clinic_config(dict(VALID, limits=section))


def test_environment_overrides():
    limits = RateLimits().with_environment({
        "RATE_LIMIT_CONVERSATION": "5/10", "RATE_LIMIT_CLIENT_ADDRESS": "off", "RATE_LIMIT_SMS_SENDER": "4/60/2",
        "RATE_LIMIT_EXEMPT": "", "RATE_LIMIT_STORE": "memory", "UNRELATED": "x",
    })
    assert limits.conversation == Rule(5, 10) and limits.client_address is None
    assert limits.sms_sender == Rule(4, 60, burst=2)
    assert limits.exempt_addresses == RateLimits().exempt_addresses  # empty: not set
    assert limits.store == "memory"


def test_a_malformed_override_stops_the_server_with_its_name():
    with pytest.raises(ClinicConfigError, match="RATE_LIMIT_CONVERSATION"):
        rate_limits({"RATE_LIMIT_CONVERSATION": "30 a minute"})
    with pytest.raises(RateLimitConfigError, match="RATE_LIMIT_EXEMPT"):
        RateLimits().with_environment({"RATE_LIMIT_EXEMPT": "localhost"})


# --- what a person is told ----------------------------------------------------------------------------------


def test_the_notice_says_how_long_and_the_emergency_number():
    decision = Decision(False, 95.2, True, "conversation")
    assert notice_text(decision, "en", "911") == (
        "You are sending messages faster than I can answer. Please wait about 2 minutes and send your message "
        "again. If this is an emergency, call 911.")
    assert "Espere unos 2 minutos" in notice_text(decision, "es", "911") and "llame al 911" in notice_text(
        decision, "es", "911")
    assert len(notice_text(Decision(False, 86000), "es", "911")) <= 320  # one text message


@pytest.mark.parametrize("seconds, language, words", [
    (1, "en", "about a second"), (40, "en", "about 40 seconds"), (60, "en", "about 60 seconds"),
    (600, "en", "about 10 minutes"), (3600, "en", "about 60 minutes"), (28800, "en", "about 8 hours"),
    (3500, "en", "about 58 minutes"), (5400, "en", "about 2 hours"), (5000, "es", "unos 83 minutos"),
    (70, "es", "unos 70 segundos"), (1, "es", "un segundo"), (30000, "es", "unas 8 horas"),
])
def test_wait_words(seconds, language, words):
    assert wait_words(int(seconds), language) == words


def test_refusals_are_logged_as_a_count_at_most_every_30_seconds(clock, caplog):
    caplog.set_level("INFO", logger="clinic_faq.core.rate_limit")
    rl = RateLimiter(RateLimits(conversation=Rule(1, 3600), client_address=Rule(1, 3600)), MemoryBackend(clock), clock)
    for n in range(1000):  # a flood for 62.5 s: every message to a new conversation, from one address
        run(rl.conversation(f"c{n}", "203.0.113.9"))
        clock.advance(0.0625)
    lines = [r.getMessage() for r in caplog.records if "Abuse limits" in r.getMessage()]
    assert lines == ["Abuse limits: messages over a limit were refused (by limit: client_address 1)."] + [
        "Abuse limits: messages over a limit were refused in the last 30 s (by limit: client_address 480)."] * 2
