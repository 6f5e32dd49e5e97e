"""The deployment's settings: one typed object, read from the environment and checked before a server starts.

Every environment variable the product reads is a field here, named by its variable (`Settings.__fields__`
and docs/deployment.md, "Settings"). `current()` gives the settings of this process; both servers call
`check_startup()` first, so a malformed value stops start-up with the variable's name instead of failing
on the first message that needs it. The clinic's own details live in `clinic.yml`
(`clinic_faq.core.clinic_config`), which `check_startup()` loads and checks as well.

The fields are a pydantic model (pydantic 1.10 is already installed: Rasa, spaCy and thinc depend on it), so
the parsing and the messages (`value is not a valid integer`, `ensure this value is greater than 0`) are
pydantic's. An empty variable counts as unset, as a shell's `VAR=` does for the servers' own defaults.

Environment variables that only Rasa reads (its `${VAR}` values in endpoints.yml and credentials.yml,
`RASA_TELEMETRY_ENABLED`, the thread limits in `clinic_faq.rasa_ext.servers`) are Rasa's and stay so.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from pydantic import BaseModel, Extra, Field, SecretStr, ValidationError, conint, validator

DEFAULT_ACTION_TIMEOUT = 20.0  # seconds: the Rasa server's wait for the action server
DEFAULT_LOCK_LIFETIME = 60.0  # seconds: a conversation's lock (Rasa's TICKET_LOCK_LIFETIME)
DEFAULT_CACHE_EVENTS = 40_000  # parsed events of whole conversations a server keeps

# The abuse limits' overrides (clinic_faq.core.rate_limit.ENV): checked against clinic.yml's `limits:` by
# `clinic_faq.core.clinic_config.rate_limits`, which names the variable when one is malformed.
RATE_LIMIT_VARIABLES = ("RATE_LIMIT_CONVERSATION", "RATE_LIMIT_CLIENT_ADDRESS", "RATE_LIMIT_SMS_SENDER",
                        "RATE_LIMIT_SMS_SENDER_DAILY", "TRUSTED_PROXIES", "RATE_LIMIT_EXEMPT", "RATE_LIMIT_STORE")

# The Rasa server's speed-ups (clinic_faq.rasa_ext.tuning), all on unless CLINIC_TUNING names some.
SPEEDUPS = ("action_result_validator", "rule_policy_recent_states", "tracker_incremental", "tracker_cache",
            "action_recent_events")

Port = conint(ge=1, le=65535)
NonNegative = conint(ge=0)


class SettingsError(ValueError):
    """A setting in the environment is malformed; the message names the variable."""


class Settings(BaseModel):
    """The product's settings. The alias of each field is its environment variable."""

    class Config:
        allow_mutation = False
        extra = Extra.ignore
        allow_population_by_field_name = True

    # Where things are
    project_dir: Optional[Path] = Field(None, alias="CLINIC_PROJECT_DIR")
    clinic_config: Optional[Path] = Field(None, alias="CLINIC_CONFIG")
    endpoints: Optional[Path] = Field(None, alias="CLINIC_ENDPOINTS")  # set by clinic-rasa from --endpoints
    store_url: Optional[str] = Field(None, alias="CLINIC_STORE_URL")  # the callback and sign-off tables
    phone_tree_store_url: Optional[str] = Field(None, alias="PHONE_TREE_STORE_URL")
    insights_store_url: Optional[SecretStr] = Field(None, alias="INSIGHTS_STORE_URL")
    insights_dir: Optional[Path] = Field(None, alias="INSIGHTS_DIR")

    # Speed and time limits
    tuning: Tuple[str, ...] = Field(SPEEDUPS, alias="CLINIC_TUNING")  # "all", "none" or names, comma-separated
    tracker_cache_events: NonNegative = Field(DEFAULT_CACHE_EVENTS, alias="CLINIC_TRACKER_CACHE_EVENTS")  # type: ignore[valid-type]
    ticket_lock_lifetime: float = Field(DEFAULT_LOCK_LIFETIME, alias="TICKET_LOCK_LIFETIME", gt=0)
    # After the lock's lifetime, which its check reads (pydantic checks the fields in this order).
    action_timeout_seconds: float = Field(DEFAULT_ACTION_TIMEOUT, alias="ACTION_TIMEOUT_SECONDS", gt=0)
    lock_owner_ttl: float = Field(10.0, alias="LOCK_OWNER_TTL", gt=0)

    # Rasa's HTTP API: on only with one of these (clinic_faq.rasa_ext.servers.rasa_server)
    rasa_api_token: Optional[SecretStr] = Field(None, alias="RASA_API_TOKEN")
    rasa_jwt_secret: Optional[SecretStr] = Field(None, alias="RASA_JWT_SECRET")
    rasa_jwt_method: str = Field("HS256", alias="RASA_JWT_METHOD")

    # The action server
    action_server_host: str = Field("127.0.0.1", alias="ACTION_SERVER_HOST")
    action_port: Port = Field(5055, alias="ACTION_PORT")  # type: ignore[valid-type]
    action_server_token: Optional[SecretStr] = Field(None, alias="ACTION_SERVER_TOKEN")

    # The channels
    public_base_url: Optional[str] = Field(None, alias="PUBLIC_BASE_URL")  # the text line's signed webhook URL
    website_origins: Optional[Tuple[str, ...]] = Field(None, alias="WEBSITE_ORIGINS")  # comma-separated
    socket_session_secret: Optional[SecretStr] = Field(None, alias="SOCKET_SESSION_SECRET")
    staff_token: Optional[SecretStr] = Field(None, alias="STAFF_TOKEN")
    redis_host: str = Field("localhost", alias="REDIS_HOST")  # the abuse limits' Redis without a Redis lock store
    redis_port: Port = Field(6379, alias="REDIS_PORT")  # type: ignore[valid-type]

    # Notifying staff of a callback request
    smtp_user: Optional[str] = Field(None, alias="SMTP_USER")
    smtp_password: Optional[SecretStr] = Field(None, alias="SMTP_PASSWORD")
    twilio_account_sid: Optional[str] = Field(None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: Optional[SecretStr] = Field(None, alias="TWILIO_AUTH_TOKEN")
    twilio_api_base: str = Field("https://api.twilio.com", alias="TWILIO_API_BASE")

    # Staff reports
    conversation_hash_key: Optional[SecretStr] = Field(None, alias="CONVERSATION_HASH_KEY")
    insights_tz: Optional[str] = Field(None, alias="INSIGHTS_TZ")
    insights_show_single: bool = Field(False, alias="INSIGHTS_SHOW_SINGLE_CONVERSATION_MESSAGES")

    # Abuse limits: the raw overrides (checked with clinic.yml's limits)
    rate_limit_overrides: Dict[str, str] = Field(default_factory=dict)

    @validator("website_origins", pre=True)
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(o.strip() for o in value.split(",") if o.strip()) or None
        return value

    @validator("public_base_url", "twilio_api_base")
    def _web_address(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @validator("insights_tz")
    def _time_zone(cls, value: Optional[str]) -> Optional[str]:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError("is not a time zone (for example America/Chicago)") from None
        return value

    @validator("tuning", pre=True)
    def _speedups(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.strip() in ("", "all"):
            return SPEEDUPS
        names = tuple(name.strip() for name in value.split(",") if name.strip() and name.strip() != "none")
        unknown = [name for name in names if name not in SPEEDUPS]
        if unknown:
            raise ValueError(f"unknown speed-up(s) {', '.join(unknown)}; known: {', '.join(SPEEDUPS)}")
        return names

    @validator("action_timeout_seconds")
    def _below_lock(cls, value: float, values: Dict[str, Any]) -> float:
        lifetime = values.get("ticket_lock_lifetime", DEFAULT_LOCK_LIFETIME)
        if value >= lifetime:
            raise ValueError(f"must be below TICKET_LOCK_LIFETIME ({lifetime:g} s), or a slow action would outlive "
                             "the conversation's lock")
        return value

    @staticmethod
    def secret(value: Optional[SecretStr]) -> Optional[str]:
        """A secret's value, None when unset."""
        return value.get_secret_value() if value is not None else None


def variables() -> Tuple[str, ...]:
    """Every environment variable the settings read."""
    return (*(f.alias for name, f in Settings.__fields__.items() if name != "rate_limit_overrides"),
            *RATE_LIMIT_VARIABLES)


def from_environment(environ: Mapping[str, str]) -> Settings:
    """The settings in `environ`; SettingsError naming every malformed variable."""
    given = {name: environ[name].strip() for name in variables() if environ.get(name, "").strip()}
    overrides = {name: given.pop(name) for name in RATE_LIMIT_VARIABLES if name in given}
    try:
        return Settings.parse_obj({**given, "rate_limit_overrides": overrides})
    except ValidationError as error:
        problems = [f"{'.'.join(str(part) for part in e['loc'])} {e['msg']}" for e in error.errors()]
        raise SettingsError("; ".join(problems)) from None


_cache: Dict[Tuple[Optional[str], ...], Settings] = {}


def current() -> Settings:
    """This process's settings. Read and checked once for a given environment (a test or launcher that sets
    a variable gets settings that say so)."""
    key = tuple(os.environ.get(name) for name in variables())
    found = _cache.get(key)
    if found is None:
        _cache.clear()
        found = _cache[key] = from_environment(os.environ)
    return found


def check_startup() -> Settings:
    """The settings and clinic.yml, checked before a server starts: SystemExit naming what is wrong."""
    from clinic_faq.core.clinic_config import ClinicConfigError, load_clinic_config, rate_limits

    try:
        settings = current()
        load_clinic_config()
        rate_limits()
    except (SettingsError, ClinicConfigError) as error:
        raise SystemExit(f"Cannot start: {error}") from None
    return settings
