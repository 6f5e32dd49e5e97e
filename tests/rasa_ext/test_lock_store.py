"""The atomic Redis lock store's own logic, without a Redis server (port 1 refuses every connection)."""

import logging

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from clinic_faq.rasa_ext.stores.lock import AtomicRedisLockStore

UNREACHABLE = {"host": "127.0.0.1", "port": 1, "socket_timeout": 0.5}


@pytest.fixture
def store():
    lock_store = AtomicRedisLockStore(**UNREACHABLE, owner_ttl=3)
    yield lock_store
    lock_store.stop_heartbeat()


def test_settings_from_endpoints_yml(monkeypatch):
    monkeypatch.delenv("LOCK_OWNER_TTL", raising=False)
    config = EndpointConfig(url="127.0.0.1", type="clinic_faq.rasa_ext.stores.lock.AtomicRedisLockStore",
                            port="1", db=3, key_prefix="clinic", socket_timeout=0.5)
    lock_store = AtomicRedisLockStore(config)
    try:
        connection = lock_store.red.connection_pool.connection_kwargs
        assert (connection["host"], connection["port"], connection["db"]) == ("127.0.0.1", 1, 3)
        assert lock_store.key_prefix.startswith("clinic")
        assert lock_store.owner_ttl == 10.0  # the default: a dead replica's tickets go after 10 s
    finally:
        lock_store.stop_heartbeat()


def test_owner_ttl_from_the_environment(monkeypatch):
    monkeypatch.setenv("LOCK_OWNER_TTL", "4")
    lock_store = AtomicRedisLockStore(**UNREACHABLE)
    try:
        assert lock_store.owner_ttl == 4.0
    finally:
        lock_store.stop_heartbeat()


def test_each_conversation_has_its_own_keys_and_each_server_its_own_owner_key(store):
    counter, queue, owners = store._keys("alice")
    assert (counter, queue, owners) == (f"{store.key_prefix}alice:next", f"{store.key_prefix}alice:queue",
                                        f"{store.key_prefix}alice:owners")
    assert not set(store._keys("alice")) & set(store._keys("bob"))
    other = AtomicRedisLockStore(**UNREACHABLE)
    try:
        assert other.owner_key != store.owner_key and other.owner_key.startswith(f"{store.key_prefix}owner:")
    finally:
        other.stop_heartbeat()


def test_a_ticket_that_cannot_be_issued_is_a_lock_error(store):
    with pytest.raises(LockError):
        store.issue_ticket("alice")


def test_releasing_a_ticket_never_fails_the_turn(store, caplog):
    """Cleanup runs after the turn was stored and answered: Redis being away must not turn it into an error."""
    with caplog.at_level(logging.WARNING):
        store.cleanup("alice", 7)
    assert "could not release ticket 7" in caplog.text
    with pytest.raises(redis.RedisError):  # the underlying call does fail
        store.finish_serving("alice", 7)


def test_whole_locks_are_never_saved(store):
    with pytest.raises(NotImplementedError):
        store.save_lock(None)


def test_the_heartbeat_stops(store):
    store.stop_heartbeat()
    assert not store._heartbeat.is_alive()
