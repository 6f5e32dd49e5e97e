"""The lock store, hammered from several processes against the real Redis (127.0.0.1:6379)."""

import multiprocessing as mp
import time
import uuid

import pytest
import redis

from clinic_faq.rasa_ext.stores.lock import AtomicRedisLockStore

pytestmark = [pytest.mark.integration, pytest.mark.services]
REDIS = {"host": "127.0.0.1", "port": 6379}


def _issue_many(kind, conversation, count, out):
    from rasa.core.lock_store import RedisLockStore

    store = (AtomicRedisLockStore if kind == "atomic" else RedisLockStore)(**REDIS, key_prefix="test")
    out.put([store.issue_ticket(conversation, 30) for _ in range(count)])


def _serve(conversation, worker, turns, log_key):
    """Like a Rasa replica: take the conversation's lock, do a turn, release it."""
    import asyncio

    store = AtomicRedisLockStore(**REDIS, key_prefix="test")
    log = redis.Redis(**REDIS)

    async def run():
        for turn in range(turns):
            async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
                log.rpush(log_key, f"start {worker}.{turn}")
                await asyncio.sleep(0.002)
                log.rpush(log_key, f"end {worker}.{turn}")

    asyncio.run(run())


def issued(kind, processes=6, each=60):
    conversation = f"hammer-{uuid.uuid4().hex}"
    out = mp.Queue()
    workers = [mp.Process(target=_issue_many, args=(kind, conversation, each, out)) for _ in range(processes)]
    for w in workers:
        w.start()
    numbers = [n for _ in workers for n in out.get(timeout=60)]
    for w in workers:
        w.join(timeout=60)
    return numbers


def test_stock_redis_lock_store_hands_out_the_same_ticket_twice():
    numbers = issued("stock")
    assert len(numbers) != len(set(numbers))  # the weakness this store fixes is real


def test_atomic_lock_store_never_hands_out_the_same_ticket_twice():
    numbers = issued("atomic")
    assert len(numbers) == len(set(numbers)) == 360


def test_one_conversation_is_never_served_by_two_replicas_at_once():
    conversation, log_key = f"serve-{uuid.uuid4().hex}", f"log-{uuid.uuid4().hex}"
    workers = [mp.Process(target=_serve, args=(conversation, w, 15, log_key)) for w in range(5)]
    start = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    log = [x.decode() for x in redis.Redis(**REDIS).lrange(log_key, 0, -1)]
    redis.Redis(**REDIS).delete(log_key)
    assert len(log) == 5 * 15 * 2, f"only {len(log)} entries after {time.monotonic() - start:.0f} s"
    for first, second in zip(log[::2], log[1::2], strict=True):
        assert first.startswith("start ") and second == "end " + first[len("start "):], (first, second)


def test_expired_tickets_do_not_block_the_queue():
    store = AtomicRedisLockStore(**REDIS, key_prefix="test")
    conversation = f"expire-{uuid.uuid4().hex}"
    stale = store.issue_ticket(conversation, lock_lifetime=0.2)
    time.sleep(0.3)
    fresh = store.issue_ticket(conversation, lock_lifetime=30)
    assert fresh > stale
    assert not store.get_lock(conversation).is_locked(fresh)
    store.cleanup(conversation, fresh)
    assert store.get_lock(conversation) is None and not store.is_someone_waiting(conversation)


def test_a_dead_servers_tickets_are_dropped_soon_after_its_heartbeat_stops():
    conversation = f"dead-{uuid.uuid4().hex}"
    dead = AtomicRedisLockStore(**REDIS, key_prefix="test", owner_ttl=1)
    alive = AtomicRedisLockStore(**REDIS, key_prefix="test", owner_ttl=1)
    held = dead.issue_ticket(conversation, 60)  # holds the conversation for up to 60 s
    mine = alive.issue_ticket(conversation, 60)
    assert alive.get_lock(conversation).is_locked(mine)
    time.sleep(2.5)  # both heartbeats go on: a slow turn keeps its lock
    assert alive.get_lock(conversation).is_locked(mine)
    dead.stop_heartbeat()  # the server holding the lock dies
    time.sleep(1.5)  # its owner key expires (1 s), long before the ticket would (60 s)
    lock = alive.get_lock(conversation)
    assert not lock.is_locked(mine) and held not in [t.number for t in lock.tickets]
    alive.stop_heartbeat()
