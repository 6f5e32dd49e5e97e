"""The abuse limits' buckets in Redis, shared by every replica (production mode).

The arithmetic is `clinic_faq.core.rate_limit`'s (token buckets, all or none, one notice per window), run
in one Lua script, so two replicas taking from one bucket at the same moment cannot both get its last
token. The clock is Redis's own (`TIME`), so replicas whose clocks differ still agree. Each bucket is a hash
that expires once it would be full again; nothing is kept about a conversation, address or number but a
hash of it (`core.rate_limit.hashed`).

Which store: clinic.yml `limits.store` (or RATE_LIMIT_STORE): `memory`, `redis`, or `auto` (the default):
Redis exactly when the server's lock store is Redis, at the lock store's address (read from the endpoints
file the server was started with, which `clinic-rasa` names in CLINIC_ENDPOINTS), so production mode
(endpoints.production.yml) shares its limits across replicas with no further setting, and the embedded
default keeps them in memory. `redis` without a Redis lock store uses REDIS_HOST and REDIS_PORT.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import redis.asyncio as aioredis
import yaml
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from clinic_faq import settings
from clinic_faq.core.clinic_config import rate_limits
from clinic_faq.core.rate_limit import Backend, Check, Decision, MemoryBackend, RateLimiter, RateLimits
from clinic_faq.settings import Settings

logger = logging.getLogger(__name__)

ENDPOINTS_ENV = "CLINIC_ENDPOINTS"
DEFAULT_PREFIX = "clinic"

# KEYS: the buckets, then the notice key. ARGV: for each bucket its capacity, rate (tokens per second) and
# window (seconds). Returns {allowed, wait in ms, notify, index of the refusing bucket (1-based; 0 if allowed)}.
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local n = #KEYS - 1
local levels = {}
local wait, refusing = 0, 0
for i = 1, n do
  local capacity, rate = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
  local state = redis.call('HMGET', KEYS[i], 't', 'u')
  local level = capacity
  if state[1] and state[2] then
    local elapsed = math.max(0, now - tonumber(state[2]))
    level = math.min(capacity, tonumber(state[1]) + elapsed * rate)
  end
  levels[i] = level
  if level < 1 then
    local needed = (1 - level) / rate
    if refusing == 0 or needed > wait then
      wait, refusing = needed, i
    end
  end
end
if refusing == 0 then
  for i = 1, n do
    local capacity, rate = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1])
    local left = levels[i] - 1
    redis.call('HSET', KEYS[i], 't', string.format('%.6f', left), 'u', string.format('%.6f', now))
    redis.call('PEXPIRE', KEYS[i], math.ceil((capacity - left) / rate * 1000) + 1000)
  end
  return {1, 0, 0, 0}
end
local window = math.ceil(tonumber(ARGV[3 * refusing]) * 1000)
local notify = 0
if redis.call('SET', KEYS[n + 1], '1', 'NX', 'PX', window) then
  notify = 1
end
return {0, math.ceil(wait * 1000), notify, refusing}
"""


class RedisBackend:
    """`core.rate_limit.Backend` on Redis: atomic (one Lua script per message), shared by every replica."""

    def __init__(self, host: str = "localhost", port: int = 6379, db: int = 0, password: Optional[str] = None,
                 use_ssl: bool = False, key_prefix: str = DEFAULT_PREFIX, timeout: float = 0.5) -> None:
        # One retry on a broken connection: after Redis restarts, every pooled connection is dead, and without
        # it each replica's next messages would find the store "failed" and go unlimited (fail-open).
        self.red = aioredis.Redis(host=host, port=int(port), db=int(db), password=password or None, ssl=use_ssl,
                                  socket_timeout=timeout, socket_connect_timeout=timeout,
                                  retry=Retry(NoBackoff(), 1), retry_on_error=[RedisConnectionError])
        self.prefix = f"{key_prefix}:ratelimit:"
        self._script = self.red.register_script(_TAKE)
        self.where = f"{host}:{port}"

    async def take(self, checks: Sequence[Check], notice_key: Optional[str]) -> Decision:
        keys = [self.prefix + check.key for check in checks]
        keys.append(self.prefix + (notice_key or "notice:none"))
        args: List[Any] = []
        for check in checks:
            args += [check.rule.capacity, repr(check.rule.rate), repr(float(check.rule.seconds))]
        allowed, wait_ms, notify, refusing = await self._script(keys=keys, args=args)
        if int(allowed):
            return Decision(True)
        return Decision(False, int(wait_ms) / 1000, bool(int(notify)) and notice_key is not None,
                        checks[int(refusing) - 1].scope)

    async def close(self) -> None:
        await self.red.close()


def lock_store_settings(endpoints: Optional[Path]) -> Optional[Dict[str, Any]]:
    """The Redis settings of the lock store in this endpoints file (None if it has no Redis lock store)."""
    if endpoints is None or not endpoints.is_file():
        return None
    with open(endpoints, encoding="utf-8") as f:
        kwargs = (yaml.safe_load(f) or {}).get("lock_store") or {}
    if not isinstance(kwargs, dict) or "redis" not in str(kwargs.get("type") or "").lower():
        return None

    def value(raw: Any, default: Any) -> Any:
        # ${VARIABLES} expanded as Rasa expands them; one that is not set counts as not given.
        expanded = os.path.expandvars(str(raw)) if raw is not None else ""
        return default if not expanded or "${" in expanded else expanded

    prefix = str(value(kwargs.get("key_prefix"), DEFAULT_PREFIX))
    return {
        "host": value(kwargs.get("url"), "localhost"),
        "port": int(value(kwargs.get("port"), 6379)),
        "db": int(value(kwargs.get("db"), 0)),
        "password": value(kwargs.get("password"), None),
        "use_ssl": str(value(kwargs.get("use_ssl"), False)).lower() in ("1", "true", "yes"),
        "key_prefix": prefix if prefix.isalnum() else DEFAULT_PREFIX,
    }


def build_backend(limits: RateLimits, config: Settings) -> Backend:
    """Memory or Redis, as `limits.store` says (auto: Redis when the lock store is Redis)."""
    redis = lock_store_settings(config.endpoints) if config.endpoints else None
    if limits.store == "memory" or (limits.store == "auto" and redis is None):
        logger.info("Abuse limits: kept in memory (one server).")
        return MemoryBackend()
    if redis is None:
        redis = {"host": config.redis_host, "port": config.redis_port}
    backend = RedisBackend(**redis)
    logger.info("Abuse limits: kept in Redis at %s, shared by every replica.", backend.where)
    return backend


@functools.lru_cache(maxsize=1)
def shared_limiter() -> RateLimiter:
    """The one limiter of this server: REST, the website and SMS share its buckets (a client address's
    limit counts its REST and website messages together)."""
    limits = rate_limits()
    return RateLimiter(limits, build_backend(limits, settings.current()))
