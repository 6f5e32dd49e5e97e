"""Abuse limits: token buckets per conversation, per client address and per SMS sender. Pure Python.

Each limit is a `Rule`: a bucket that holds `burst` messages (by default `messages`) and refills evenly at
`messages` per `seconds`. A message takes one token from every bucket that applies to it (its
conversation's and its client address's, or its phone number's), all or none: a message refused by one
limit costs nothing from the others. A refused message is told how long to wait (`retry_after`, the time
until every bucket it needs holds a token again).

A refused person is told so once, then not again for the refusing limit's whole window (`seconds`):
`Decision.notify` is true for the first refusal only. That is what stops a reply loop (an SMS
auto-responder answering our notice) from costing a message each time.

Where the buckets live is a `Backend`: `MemoryBackend` here (one server, the embedded default), or the
Redis backend in `clinic_faq.channel_stores.rate_limit` (shared by every replica), which runs the same
arithmetic in one Lua script. The settings (`RateLimits`) come from clinic.yml's `limits:` section,
checked by `clinic_faq.core.clinic_config`, with environment overrides (`RateLimits.with_environment`).

Client addresses: `client_address` believes X-Forwarded-For only from a trusted proxy (by default the
machine itself, where nginx runs), reading it from the right, so a client cannot choose its own address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple, Union

logger = logging.getLogger(__name__)

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

LOOPBACK = ("127.0.0.1", "::1")
LOG_EVERY_SECONDS = 30.0
STORES = ("auto", "memory", "redis")
# Environment overrides, one per setting (docs/deployment.md, "Abuse limits").
ENV = {
    "conversation": "RATE_LIMIT_CONVERSATION",
    "client_address": "RATE_LIMIT_CLIENT_ADDRESS",
    "sms_sender": "RATE_LIMIT_SMS_SENDER",
    "sms_sender_daily": "RATE_LIMIT_SMS_SENDER_DAILY",
    "trusted_proxies": "TRUSTED_PROXIES",
    "exempt_addresses": "RATE_LIMIT_EXEMPT",
    "store": "RATE_LIMIT_STORE",
}


class RateLimitConfigError(ValueError):
    """A limit in clinic.yml or the environment is malformed."""


@dataclass(frozen=True)
class Rule:
    """`messages` per `seconds`, with at most `burst` at once (0: `messages`)."""

    messages: int
    seconds: float
    burst: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.messages, int) or isinstance(self.messages, bool) or self.messages < 1:
            raise RateLimitConfigError(f"messages must be a whole number of at least 1, not {self.messages!r}")
        if not isinstance(self.seconds, (int, float)) or isinstance(self.seconds, bool) or not self.seconds > 0:
            raise RateLimitConfigError(f"seconds must be a positive number, not {self.seconds!r}")
        if not isinstance(self.burst, int) or isinstance(self.burst, bool) or self.burst < 0:
            raise RateLimitConfigError(f"burst must be a whole number (0: the same as messages), not {self.burst!r}")

    @property
    def capacity(self) -> int:
        return self.burst or self.messages

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self.messages / self.seconds

    def describe(self) -> str:
        burst = f", at most {self.burst} at once" if self.burst else ""
        return f"{self.messages} per {self.seconds:g} s{burst}"

    @classmethod
    def parse(cls, value: Any, where: str) -> Optional[Rule]:
        """A rule from clinic.yml (`{messages: 30, seconds: 60, burst: 10}`) or the environment
        (`30/60` or `30/60/10`: messages/seconds/burst); `off` (or false) switches the limit off."""
        if value is None or value is False or (isinstance(value, str) and value.strip().lower() in ("off", "none")):
            return None
        try:
            if isinstance(value, Mapping):
                unknown = set(value) - {"messages", "seconds", "burst"}
                if unknown:
                    raise RateLimitConfigError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
                return cls(messages=value.get("messages"), seconds=value.get("seconds"),  # type: ignore[arg-type]
                           burst=value.get("burst", 0))
            if isinstance(value, str):
                parts = [p.strip() for p in value.split("/")]
                if len(parts) not in (2, 3) or not all(parts):
                    raise RateLimitConfigError("write it as messages/seconds or messages/seconds/burst, e.g. 30/60")
                return cls(messages=int(parts[0]), seconds=float(parts[1]), burst=int(parts[2]) if len(parts) == 3 else 0)
        except RateLimitConfigError as e:
            raise RateLimitConfigError(f"{where}: {e}") from None
        except (TypeError, ValueError):
            raise RateLimitConfigError(f"{where}: {value!r} is not a limit (e.g. 30/60, or off)") from None
        raise RateLimitConfigError(f"{where}: {value!r} is not a limit: use {{messages: 30, seconds: 60}} or off")


def _networks(values: Any, where: str) -> Tuple[IPNetwork, ...]:
    if isinstance(values, str):
        values = [v for v in (p.strip() for p in values.split(",")) if v]
    if not isinstance(values, (list, tuple)):
        raise RateLimitConfigError(f"{where} must be a list of addresses or networks (e.g. 127.0.0.1, 10.0.0.0/8)")
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise RateLimitConfigError(f"{where}: {value!r} is not an IP address or network") from None
    return tuple(out)


@dataclass(frozen=True)
class RateLimits:
    """The abuse limits (clinic.yml `limits:`), each None when switched off."""

    conversation: Optional[Rule] = Rule(30, 60)
    client_address: Optional[Rule] = Rule(12, 60, burst=6)
    sms_sender: Optional[Rule] = Rule(20, 600)
    sms_sender_daily: Optional[Rule] = Rule(100, 86400)
    trusted_proxies: Tuple[IPNetwork, ...] = field(default_factory=lambda: _networks(list(LOOPBACK), "trusted_proxies"))
    exempt_addresses: Tuple[IPNetwork, ...] = field(default_factory=lambda: _networks(list(LOOPBACK), "exempt_addresses"))
    store: str = "auto"

    @classmethod
    def parse(cls, raw: Any) -> RateLimits:
        """The `limits:` section of clinic.yml (missing: the defaults; each key optional)."""
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise RateLimitConfigError("limits must be a mapping (see docs/deployment.md, Abuse limits)")
        unknown = set(raw) - set(ENV)
        if unknown:
            raise RateLimitConfigError(f"limits: unknown setting(s) {', '.join(sorted(map(str, unknown)))}")
        return cls()._with(raw)

    def with_environment(self, environ: Mapping[str, str]) -> RateLimits:
        """These limits with the environment's overrides (RATE_LIMIT_CONVERSATION=30/60, TRUSTED_PROXIES=...)."""
        values = {key: environ[name] for key, name in ENV.items() if environ.get(name, "").strip()}
        return self._with(values, env=True)

    def _with(self, values: Mapping[str, Any], env: bool = False) -> RateLimits:
        changes: Dict[str, Any] = {}
        for key, value in values.items():
            name = ENV[key] if env else f"limits.{key}"
            if key in ("trusted_proxies", "exempt_addresses"):
                changes[key] = _networks(value or [], name)
            elif key == "store":
                store = str(value).strip().lower()
                if store not in STORES:
                    raise RateLimitConfigError(f"{name} must be one of {', '.join(STORES)}, not {value!r}")
                changes[key] = store
            else:
                changes[key] = Rule.parse(value, name)
        return replace(self, **changes)

    def is_trusted_proxy(self, address: IPAddress) -> bool:
        return any(address in network for network in self.trusted_proxies)

    def is_exempt(self, address: Optional[str]) -> bool:
        parsed = _ip(address)
        return parsed is not None and any(parsed in network for network in self.exempt_addresses)


# --- the client's address ----------------------------------------------------------------------------


def _ip(value: Optional[str]) -> Optional[IPAddress]:
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:  # [::1]:8080
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51000
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: Optional[str], forwarded_for: Sequence[str], limits: RateLimits) -> Optional[str]:
    """The address a request came from: the peer's, unless the peer is a trusted proxy; then the
    X-Forwarded-For entries (all headers, in order) read from the right, skipping trusted proxies: the
    first one that is not a trusted proxy is the client. A client's own X-Forwarded-For entries stand
    to the left of the one its proxy appended, so a client cannot pick its address."""
    address = _ip(peer)
    if address is None:
        return peer or None
    if not limits.is_trusted_proxy(address):
        return str(address)
    entries = [e for header in forwarded_for for e in header.split(",") if e.strip()]
    for entry in reversed(entries):
        hop = _ip(entry)
        if hop is None:
            break  # garbage: believe nothing further left
        address = hop
        if not limits.is_trusted_proxy(hop):
            break
    return str(address)


# --- the buckets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What the limiter said about one message."""

    allowed: bool
    retry_after: float = 0.0  # seconds until it would be allowed (0 when allowed)
    notify: bool = False  # refused, and the first refusal of its window: tell the person (once)
    scope: str = ""  # the limit that refused it: conversation, client_address, sms_sender, sms_sender_daily

    @property
    def retry_after_seconds(self) -> int:
        """For a Retry-After header: whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after - 1e-9))


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Check:
    """One bucket a message needs a token from: its (hashed) key, its rule, and the limit's name."""

    key: str
    rule: Rule
    scope: str


@dataclass
class Bucket:
    tokens: float
    updated: float


def level(bucket: Optional[Bucket], rule: Rule, now: float) -> float:
    """The tokens a bucket holds at `now` (a bucket never seen, or gone, is full)."""
    if bucket is None:
        return float(rule.capacity)
    return min(float(rule.capacity), bucket.tokens + max(0.0, now - bucket.updated) * rule.rate)


def full_at(bucket: Bucket, rule: Rule) -> float:
    """When the bucket is full again (then it can be forgotten: a forgotten bucket is a full one)."""
    return bucket.updated + max(0.0, rule.capacity - bucket.tokens) / rule.rate


def decide(levels: Sequence[float], checks: Sequence[Check]) -> Tuple[bool, float, int]:
    """(allowed, seconds to wait, index of the check that refused: the one with the longest wait, or -1).
    Allowed when every bucket holds a whole token."""
    wait, refusing = 0.0, -1
    for index, (tokens, check) in enumerate(zip(levels, checks, strict=True)):
        if tokens < 1.0:
            needed = (1.0 - tokens) / check.rule.rate
            if needed > wait or refusing < 0:
                wait, refusing = needed, index
    return refusing < 0, wait, refusing


class Backend(Protocol):
    async def take(self, checks: Sequence[Check], notice_key: Optional[str]) -> Decision:
        """Take one token from every bucket in `checks`, or none if any is empty; on a refusal, `notify`
        is true if `notice_key` was not refused (and told) within the refusing limit's window."""


class MemoryBackend:
    """Buckets in this process's memory: right for one server (the embedded default). Forgets buckets
    that are full again, and at most `max_keys` are kept (the oldest forgotten first), so a flood of
    made-up conversation ids cannot fill the memory."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 200_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, Tuple[Bucket, Rule]] = OrderedDict()
        self._notices: Dict[str, float] = {}  # notice key -> until
        self._since_sweep = 0

    def __len__(self) -> int:
        return len(self._buckets)

    async def take(self, checks: Sequence[Check], notice_key: Optional[str]) -> Decision:
        return self.take_now(checks, notice_key)

    def take_now(self, checks: Sequence[Check], notice_key: Optional[str]) -> Decision:
        now = self.clock()
        found = [self._buckets.get(check.key) for check in checks]
        levels = [level(entry[0] if entry else None, check.rule, now) for entry, check in zip(found, checks, strict=True)]
        allowed, wait, refusing = decide(levels, checks)
        if allowed:
            for check, tokens in zip(checks, levels, strict=True):
                self._buckets[check.key] = (Bucket(tokens - 1.0, now), check.rule)
                self._buckets.move_to_end(check.key)
            self._maybe_sweep(now)
            return ALLOWED
        notify = False
        if notice_key is not None:
            if self._notices.get(notice_key, -math.inf) <= now:
                self._notices[notice_key] = now + checks[refusing].rule.seconds
                notify = True
        return Decision(False, wait, notify, checks[refusing].scope)

    def _maybe_sweep(self, now: float) -> None:
        self._since_sweep += 1
        if self._since_sweep >= 10_000:
            self._since_sweep = 0
            for key in [k for k, (bucket, rule) in self._buckets.items() if full_at(bucket, rule) <= now]:
                del self._buckets[key]
            for key in [k for k, until in self._notices.items() if until <= now]:
                del self._notices[key]
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        while len(self._notices) > self.max_keys:
            del self._notices[next(iter(self._notices))]


# --- the limiter the channels use --------------------------------------------------------------------


def hashed(scope: str, value: str) -> str:
    """A bucket's key: the limit's name and a hash of the conversation id, address or number, so the
    store never holds them in the clear."""
    return f"{scope}:{hashlib.sha256(f'{scope}:{value}'.encode()).hexdigest()[:32]}"


class RateLimiter:
    """The channels' one question: may this message be handled now?

    A backend that fails (Redis unreachable) lets the message through and logs a warning (at most every
    30 s): the limits protect the service, they must not take it down. Refusals are logged as a count, at
    most one line every 30 s: a flood must not become a flood of log lines.
    """

    def __init__(self, limits: RateLimits, backend: Backend, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.backend = backend
        self.clock = clock
        self._warned = -math.inf
        self._logged = -math.inf
        self._refused: Counter[str] = Counter()  # refusals by limit since the last log line

    async def conversation(self, sender: str, address: Optional[str]) -> Decision:
        """A REST or website (socket.io) message: its conversation's limit and its client address's
        (unless the address is exempt: by default the machine itself)."""
        checks = []
        if self.limits.conversation is not None:
            checks.append(Check(hashed("conversation", sender), self.limits.conversation, "conversation"))
        if self.limits.client_address is not None and address and not self.limits.is_exempt(address):
            checks.append(Check(hashed("client_address", address), self.limits.client_address, "client_address"))
        return await self._take(checks, hashed("notice", sender))

    async def sms(self, sender: str) -> Decision:
        """A text message, by its sender (the number's keyed hash): the short and the daily limit."""
        checks = []
        if self.limits.sms_sender is not None:
            checks.append(Check(hashed("sms_sender", sender), self.limits.sms_sender, "sms_sender"))
        if self.limits.sms_sender_daily is not None:
            checks.append(Check(hashed("sms_sender_daily", sender), self.limits.sms_sender_daily, "sms_sender_daily"))
        return await self._take(checks, hashed("sms_notice", sender))

    async def _take(self, checks: List[Check], notice_key: str) -> Decision:
        if not checks:
            return ALLOWED
        try:
            decision = await self.backend.take(checks, notice_key)
        except Exception as error:  # the store is down: serve, and say so
            now = self.clock()
            if now - self._warned >= LOG_EVERY_SECONDS:
                self._warned = now
                logger.warning("Abuse limits: the limit store failed (%s); messages are not limited meanwhile.",
                               type(error).__name__)
            return ALLOWED
        if not decision.allowed:
            self._refused[decision.scope] += 1
            now = self.clock()
            if now - self._logged >= LOG_EVERY_SECONDS:
                since = "" if self._logged == -math.inf else f" in the last {now - self._logged:.0f} s"
                self._logged = now
                counts = ", ".join(f"{scope} {count}" for scope, count in sorted(self._refused.items()))
                self._refused.clear()
                logger.info("Abuse limits: messages over a limit were refused%s (by limit: %s).", since, counts)
        return decision


# --- what a refused person is told --------------------------------------------------------------------

NOTICE = {
    "en": "You are sending messages faster than I can answer. Please wait {wait} and send your message again. "
          "If this is an emergency, call {emergency_number}.",
    "es": "Está enviando mensajes más rápido de lo que puedo responder. Espere {wait} y envíe su mensaje de "
          "nuevo. Si es una emergencia, llame al {emergency_number}.",
}


def wait_words(seconds: int, language: str) -> str:
    """"about 40 seconds", "about 3 minutes", "about 2 hours" (Spanish: "unos 40 segundos", "unas 2 horas")."""
    es = language == "es"
    if seconds < 90:
        n, unit = max(1, seconds), ("segundo" if es else "second")
    elif seconds < 90 * 60:
        n, unit = round(seconds / 60), ("minuto" if es else "minute")
    else:
        n, unit = round(seconds / 3600), ("hora" if es else "hour")
    if not es:
        return f"about a {unit}" if n == 1 else f"about {n} {unit}s"
    feminine = unit == "hora"
    if n == 1:
        return f"{'una' if feminine else 'un'} {unit}"
    return f"{'unas' if feminine else 'unos'} {n} {unit}s"


def notice_text(decision: Decision, language: str, emergency_number: str) -> str:
    """The one polite notice a refused person gets (English or Spanish), with the emergency number."""
    language = language if language in NOTICE else "en"
    return NOTICE[language].format(wait=wait_words(decision.retry_after_seconds, language),
                                   emergency_number=emergency_number)
