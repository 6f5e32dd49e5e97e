"""Faults under load, on loopback: Redis restarted, PostgreSQL restarted, a replica killed. Afterwards
every conversation's stored events are complete and in order, nothing answered was lost, and every
request got either a reply or a clear error."""

import time
import uuid

import pytest

from clinic_faq_dev import load_run
from clinic_faq_dev.postgres import postgres_stopped
from tests.production.conftest import restart_redis

pytestmark = pytest.mark.integration

CONVERSATIONS = 90
MESSAGES = 3
CONCURRENCY = 15


def start_load(cluster, tmp_path, prefix):
    return load_run.start_load(cluster, tmp_path, prefix, CONVERSATIONS, MESSAGES, CONCURRENCY)


def under_way(cluster, before, proc):
    load_run.wait_for_progress(cluster, before, 60, proc, timeout=120)


def assert_nothing_lost(stats, check):
    assert stats["unclear"] == 0, stats  # every response was a reply or a JSON error
    assert stats["answered"] == CONVERSATIONS * MESSAGES, stats  # after at most 5 retries, all answered
    assert check["conversations"] == CONVERSATIONS
    assert check["lost"] == [] and check["duplicated"] == [] and check["reordered"] == [], check
    assert check["broken_turns"] == [], check["broken_turns"][:5]


def test_redis_restarted_under_load(cluster, tmp_path):
    prefix = f"redis-{uuid.uuid4().hex[:6]}"
    before = len(cluster.upstreams())
    proc, out = start_load(cluster, tmp_path, prefix)
    under_way(cluster, before, proc)
    restart_redis(down_seconds=2)
    after_restart = len(cluster.upstreams())
    stats, check = load_run.finish_load(cluster, proc, out, prefix, timeout=600)
    assert len(cluster.upstreams()) > after_restart  # the load went on after Redis came back
    assert_nothing_lost(stats, check)


def test_postgres_restarted_under_load(cluster, tmp_path):
    prefix = f"pg-{uuid.uuid4().hex[:6]}"
    before = len(cluster.upstreams())
    proc, out = start_load(cluster, tmp_path, prefix)
    under_way(cluster, before, proc)
    with postgres_stopped():
        time.sleep(2)
    stats, check = load_run.finish_load(cluster, proc, out, prefix, timeout=600)
    assert_nothing_lost(stats, check)
    assert 503 in stats["error_statuses"] or 500 in stats["error_statuses"], stats  # the outage was felt...
    assert "could NOT be" in cluster.log_text()  # ...and logged as an error, never hidden


def test_a_replica_killed_under_load(cluster, tmp_path):
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    before = len(cluster.upstreams())
    proc, out = start_load(cluster, tmp_path, prefix)
    under_way(cluster, before, proc)
    cluster.kill_replica(2)
    killed_at = len(cluster.upstreams())
    try:
        stats, check = load_run.finish_load(cluster, proc, out, prefix, timeout=600)
        assert_nothing_lost(stats, check)
        dead = f"127.0.0.1:{cluster.replica_ports[2]}"
        later = cluster.upstreams()[killed_at + 10:]
        assert later and all(dead not in u.split(", ")[-1] for u in later)  # answered by the living two
    finally:
        cluster.start_replica(2)
        cluster.wait_ready(timeout=300)
