"""Production mode with three Rasa replicas behind nginx, on the real PostgreSQL and Redis (started once
for this directory's tests; each test uses conversations of its own)."""

import subprocess
import time

import pytest
import redis

from clinic_faq_dev.cluster import Cluster
from clinic_faq_dev.postgres import scratch_database, wait_for_postgres

REDIS_START = ("redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no "
               "--dir /var/lib/redis --logfile /var/log/redis/ci.log")


def redis_alive() -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError:
        return False


def restart_redis(down_seconds: float = 2.0) -> None:
    """Stop Redis (it keeps nothing on disk: every lock and ticket is lost) and start it again."""
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True,
                   timeout=30)
    time.sleep(down_seconds)
    subprocess.run(REDIS_START, shell=True, check=True, capture_output=True, timeout=30)
    deadline = time.monotonic() + 30
    while not redis_alive():
        if time.monotonic() > deadline:
            raise RuntimeError("Redis did not come back")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def cluster_database():
    with scratch_database("clinic_replicas") as name:
        yield name
        wait_for_postgres()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory, cluster_database):
    if not redis_alive():
        subprocess.run(REDIS_START, shell=True, check=False, capture_output=True, timeout=30)
    # Production defaults: 60 s lock lifetime, 20 s action timeout, 10 s lock-owner heartbeat.
    with Cluster(tmp_path_factory.mktemp("cluster"), cluster_database, replicas=3) as running:
        yield running
