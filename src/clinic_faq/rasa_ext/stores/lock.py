"""A Redis lock store whose every operation is atomic, so replicas never serve one conversation at once.

Rasa's RedisLockStore keeps each conversation's ticket queue as one JSON value and changes it by reading,
editing and writing it back: two replicas issuing a ticket at the same moment can both get the same
number and both go ahead (RasaHQ/rasa PR 11256). Here tickets come from a Redis `INCR` counter and wait
in a sorted set scored by expiry time; issuing, expiring and finishing are single Redis commands or a
Lua script, so no two replicas can interleave them.

A replica that dies while it holds a conversation's lock would leave that conversation waiting until
the ticket expires (TICKET_LOCK_LIFETIME, 60 s). So every ticket also names its owner, the server that
issued it, and each server keeps an owner key alive in Redis (a heartbeat every 2 s, gone 10 s after it
stops: LOCK_OWNER_TTL). Tickets whose owner key is gone are dropped when the queue is read: the
conversation is served again about 10 s after its replica died, not 60 s.

endpoints.yml:  lock_store: {type: clinic_faq.rasa_ext.stores.lock.AtomicRedisLockStore, url: localhost, port: 6379}
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from typing import Any, List, Optional, Tuple

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from clinic_faq import settings

logger = logging.getLogger(__name__)

# KEYS: counter, queue, owners (ticket -> owner key), this server's owner key.
# ARGV: now, lifetime, owner ttl. Drops expired tickets, issues the next number, queues it under its
# owner, and (re)marks the owner alive.
_ISSUE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local number = redis.call('INCR', KEYS[1])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], expires, number)
redis.call('HSET', KEYS[3], number, KEYS[4])
redis.call('SET', KEYS[4], '1', 'EX', tonumber(ARGV[3]))
local ttl = math.ceil(tonumber(ARGV[2])) + 60
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
return number
"""

# KEYS: queue, owners. ARGV: now. Drops expired tickets and tickets whose owner is gone; returns the rest
# as a flat list [number, expires, ...], lowest number first.
_LIVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local live = {}
for i = 1, #entries, 2 do
  local owner = redis.call('HGET', KEYS[2], entries[i])
  if owner and redis.call('EXISTS', owner) == 0 then
    redis.call('ZREM', KEYS[1], entries[i])
    redis.call('HDEL', KEYS[2], entries[i])
  else
    table.insert(live, entries[i])
    table.insert(live, entries[i + 1])
  end
end
return live
"""

HEARTBEAT_SECONDS = 2.0


class AtomicRedisLockStore(RedisLockStore):  # type: ignore[misc]  # rasa has no type information
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a custom lock store from endpoints.yml
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.pop("type", None)
            kwargs.setdefault("host", endpoint_config.url or "localhost")
            if "port" in kwargs:
                kwargs["port"] = int(kwargs["port"])
        owner_ttl = kwargs.pop("owner_ttl", None)
        super().__init__(**kwargs)
        self._issue = self.red.register_script(_ISSUE)
        self._live = self.red.register_script(_LIVE)
        self.owner_ttl = float(owner_ttl or settings.current().lock_owner_ttl)
        self.owner_key = f"{self.key_prefix}owner:{uuid.uuid4().hex}"
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="lock-owner-heartbeat", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        """Keep this server's owner key alive while the process runs."""
        while not self._stop.is_set():
            try:
                self.red.set(self.owner_key, "1", ex=max(1, int(self.owner_ttl)))
            except redis.RedisError as e:
                logger.debug("Lock store: heartbeat failed (%s); retrying.", e)
            self._stop.wait(min(HEARTBEAT_SECONDS, self.owner_ttl / 3))

    def stop_heartbeat(self) -> None:
        """Stop marking this server alive (what dying does); its tickets are dropped once the key expires."""
        self._stop.set()
        self._heartbeat.join(timeout=5)

    def _keys(self, conversation_id: str) -> Tuple[str, str, str]:
        base = f"{self.key_prefix}{conversation_id}"
        return f"{base}:next", f"{base}:queue", f"{base}:owners"

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=[*self._keys(conversation_id), self.owner_key],
                                   args=[time.time(), lock_lifetime, max(1, int(self.owner_ttl))]))
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def _live_tickets(self, conversation_id: str) -> List[Ticket]:
        _, queue, owners = self._keys(conversation_id)
        flat = self._live(keys=[queue, owners], args=[time.time()])
        return [Ticket(int(flat[i]), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The queue of live tickets as Rasa's TicketLock (for `is_locked`); None when nobody holds or waits."""
        tickets = sorted(self._live_tickets(conversation_id), key=lambda t: t.number)
        if not tickets:
            return None
        return TicketLock(conversation_id, deque(tickets))

    def update_lock(self, conversation_id: str) -> None:
        self._live_tickets(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        _, queue, owners = self._keys(conversation_id)
        pipe = self.red.pipeline(transaction=True)
        pipe.zrem(queue, ticket_number)
        pipe.hdel(owners, ticket_number)
        pipe.execute()

    def is_someone_waiting(self, conversation_id: str) -> bool:
        _, queue, _ = self._keys(conversation_id)
        return int(self.red.zcount(queue, time.time(), "+inf")) > 0

    def delete_lock(self, conversation_id: str) -> None:
        # The counter stays (it expires by itself), so numbers keep rising and never repeat.
        _, queue, owners = self._keys(conversation_id)
        self.red.delete(queue, owners)

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
