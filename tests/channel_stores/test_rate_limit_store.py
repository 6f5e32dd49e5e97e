"""Which store the abuse limits use, and what happens when Redis cannot be reached (no Redis needed)."""

import asyncio

from clinic_faq.channel_stores.rate_limit import RedisBackend, build_backend, lock_store_settings
from clinic_faq.core.rate_limit import MemoryBackend, RateLimiter, RateLimits, Rule
from clinic_faq.rasa_ext.servers.rasa_server import endpoints_path
from clinic_faq.settings import from_environment
from tests.conftest import PROJECT


def test_the_embedded_default_keeps_its_limits_in_memory():
    environ = {"CLINIC_ENDPOINTS": str(PROJECT / "endpoints.yml")}
    assert lock_store_settings(PROJECT / "endpoints.yml") is None
    assert isinstance(build_backend(RateLimits(), from_environment(environ)), MemoryBackend)
    assert isinstance(build_backend(RateLimits(), from_environment({})), MemoryBackend)


def test_production_mode_uses_the_lock_stores_redis(monkeypatch):
    monkeypatch.setenv("REDIS_HOST", "redis.clinic.internal")
    monkeypatch.setenv("REDIS_PORT", "6380")
    settings = lock_store_settings(PROJECT / "endpoints.production.yml")
    assert settings == {"host": "redis.clinic.internal", "port": 6380, "db": 0, "password": None, "use_ssl": False,
                        "key_prefix": "clinic"}
    backend = build_backend(RateLimits(), from_environment({"CLINIC_ENDPOINTS": str(PROJECT / "endpoints.production.yml")}))
    assert isinstance(backend, RedisBackend) and backend.where == "redis.clinic.internal:6380"
    assert backend.prefix == "clinic:ratelimit:"


def test_the_store_can_be_chosen():
    production = {"CLINIC_ENDPOINTS": str(PROJECT / "endpoints.production.yml"), "REDIS_HOST": "h", "REDIS_PORT": "1"}
    assert isinstance(build_backend(RateLimits(store="memory"), from_environment(production)), MemoryBackend)
    chosen = build_backend(RateLimits(store="redis"), from_environment({"REDIS_HOST": "10.9.8.7", "REDIS_PORT": "6390"}))
    assert isinstance(chosen, RedisBackend) and chosen.where == "10.9.8.7:6390"


def test_clinic_rasa_names_the_endpoints_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert endpoints_path(["--model", "m", "--endpoints", "endpoints.production.yml"]) == str(
        tmp_path / "endpoints.production.yml")
    assert endpoints_path(["--endpoints=/etc/rasa/endpoints.yml"]) == "/etc/rasa/endpoints.yml"
    assert endpoints_path([]) == str(tmp_path / "endpoints.yml")  # Rasa's default


def test_an_unreachable_redis_lets_messages_through():
    limiter = RateLimiter(RateLimits(conversation=Rule(1, 60)),
                          RedisBackend(host="127.0.0.1", port=1, timeout=0.2))

    async def go():
        return [await limiter.conversation("a", "203.0.113.9") for _ in range(3)]
    assert all(d.allowed for d in asyncio.run(go()))
