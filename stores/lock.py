"""A Redis lock store whose every operation is atomic, so replicas never serve one conversation at once.

Rasa's RedisLockStore keeps each conversation's ticket queue as one JSON value and changes it by reading,
editing and writing it back: two replicas issuing a ticket at the same moment can both get the same
number and both go ahead (RasaHQ/rasa PR 11256). Here tickets come from a Redis `INCR` counter and wait
in a sorted set scored by expiry time; issuing, expiring and finishing are single Redis commands or a
Lua script, so no two replicas can interleave them.

endpoints.yml:  lock_store: {type: stores.lock.AtomicRedisLockStore, url: localhost, port: 6379}
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any, Optional

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# KEYS: counter, queue. ARGV: now, lifetime. Drops expired tickets, issues the next number, queues it.
_ISSUE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local number = redis.call('INCR', KEYS[1])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], expires, number)
local ttl = math.ceil(tonumber(ARGV[2])) + 60
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return number
"""


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a custom lock store from endpoints.yml
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.pop("type", None)
            kwargs.setdefault("host", endpoint_config.url or "localhost")
            if "port" in kwargs:
                kwargs["port"] = int(kwargs["port"])
        super().__init__(**kwargs)
        self._issue = self.red.register_script(_ISSUE)

    def _keys(self, conversation_id: str) -> tuple:
        base = f"{self.key_prefix}{conversation_id}"
        return f"{base}:next", f"{base}:queue"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=self._keys(conversation_id), args=[time.time(), lock_lifetime]))
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The queue as Rasa's TicketLock (for `is_locked`); None when nobody holds or waits."""
        _, queue = self._keys(conversation_id)
        entries = self.red.zrangebyscore(queue, time.time(), "+inf", withscores=True)
        if not entries:
            return None
        tickets = sorted((Ticket(int(number), expires) for number, expires in entries), key=lambda t: t.number)
        return TicketLock(conversation_id, deque(tickets))

    def update_lock(self, conversation_id: str) -> None:
        _, queue = self._keys(conversation_id)
        self.red.zremrangebyscore(queue, "-inf", time.time())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        _, queue = self._keys(conversation_id)
        self.red.zrem(queue, ticket_number)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        _, queue = self._keys(conversation_id)
        return self.red.zcount(queue, time.time(), "+inf") > 0

    def delete_lock(self, conversation_id: str) -> None:
        # The counter stays (it expires by itself), so numbers keep rising and never repeat.
        _, queue = self._keys(conversation_id)
        self.red.delete(queue)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Removing our own ticket is all there is to do: an empty queue is an unlocked conversation.
        # It runs after the turn was stored and answered: if Redis is unreachable just then, the turn
        # must not fail (the client would send it again and it would be stored twice); the ticket
        # expires by itself.
        try:
            self.finish_serving(conversation_id, ticket_number)
        except redis.RedisError as e:
            logger.warning("Lock store: could not release ticket %s (%s); it expires by itself.", ticket_number, e)

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("AtomicRedisLockStore changes tickets atomically; whole locks are never saved")
