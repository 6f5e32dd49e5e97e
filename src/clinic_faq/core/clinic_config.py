"""Loads `clinic.yml`, the single file that holds a clinic's details."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from clinic_faq.core.rate_limit import RateLimitConfigError, RateLimits
from clinic_faq.paths import project_file

logger = logging.getLogger(__name__)

CONFIG_ENV = "CLINIC_CONFIG"


SMS_REPLIES = ("help_reply", "stop_reply", "start_reply", "empty_reply",
               "help_reply_es", "stop_reply_es", "start_reply_es", "empty_reply_es")


class ClinicConfigError(ValueError):
    """The clinic config file is missing a value or is malformed."""


@dataclass(frozen=True)
class ClinicConfig:
    name: str
    phone: str
    hours: str
    hours_es: str  # the same hours, written in Spanish, for the Spanish replies
    booking_url: str
    emergency_number: str
    crisis_line: str
    website_origins: Tuple[str, ...]
    example_values: bool
    sms: Dict[str, str]
    limits: RateLimits = field(default_factory=RateLimits)  # the abuse limits, as written in the file

    def sms_reply(self, key: str) -> str:
        """One of the SMS channel's own replies, with the clinic's details filled in."""
        return self.sms[key].format(**self.template_values())

    def template_values(self) -> Dict[str, str]:
        """Values for the `{placeholders}` used in the answers."""
        return {
            "clinic_name": self.name,
            "clinic_phone": self.phone,
            "clinic_hours": self.hours,
            "clinic_hours_es": self.hours_es,
            "booking_url": self.booking_url,
            "emergency_number": self.emergency_number,
            "crisis_line": self.crisis_line,
        }


def _required(section: Dict[str, Any], key: str, where: str) -> str:
    value = section.get(key) if isinstance(section, dict) else None
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise ClinicConfigError(f"{where}.{key} must be set in the clinic config")
    return str(value).strip()


def parse_clinic_config(raw: Dict[str, Any]) -> ClinicConfig:
    if not isinstance(raw, dict):
        raise ClinicConfigError("the clinic config must be a mapping")
    clinic = raw.get("clinic") or {}
    emergency = raw.get("emergency") or {}
    origins = raw.get("website_origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise ClinicConfigError("website_origins must be a list of URLs")
    return ClinicConfig(
        name=_required(clinic, "name", "clinic"),
        phone=_required(clinic, "phone", "clinic"),
        hours=_required(clinic, "hours", "clinic"),
        hours_es=_required(clinic, "hours_es", "clinic"),
        booking_url=_required(clinic, "booking_url", "clinic"),
        emergency_number=_required(emergency, "number", "emergency"),
        crisis_line=_required(emergency, "crisis_line", "emergency"),
        website_origins=tuple(origins),
        example_values=bool(raw.get("example_values", False)),
        sms={key: _required(raw.get("sms") or {}, key, "sms") for key in SMS_REPLIES},
        limits=_limits(raw.get("limits")),
    )


def _limits(section: Any) -> RateLimits:
    try:
        return RateLimits.parse(section)
    except RateLimitConfigError as e:
        raise ClinicConfigError(str(e)) from None


@functools.lru_cache(maxsize=4)
def _load(path: str) -> ClinicConfig:
    try:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except FileNotFoundError as e:
        raise ClinicConfigError(f"clinic config not found at {path}") from e
    except yaml.YAMLError as e:
        raise ClinicConfigError(f"clinic config at {path} is not valid YAML: {e}") from e
    config = parse_clinic_config(raw)
    if config.example_values:
        logger.warning(
            "The clinic config %s still holds example values: replace them before going live.", path
        )
    return config


def load_clinic_config(path: str | os.PathLike[str] | None = None) -> ClinicConfig:
    """The clinic config from `path`, `$CLINIC_CONFIG`, or the project's `clinic.yml`."""
    return _load(str(path or os.environ.get(CONFIG_ENV) or project_file("clinic.yml")))


def rate_limits(environ: Optional[Mapping[str, str]] = None) -> RateLimits:
    """The abuse limits in force: clinic.yml's `limits:` with the environment's overrides
    (RATE_LIMIT_CONVERSATION, RATE_LIMIT_CLIENT_ADDRESS, RATE_LIMIT_SMS_SENDER, RATE_LIMIT_SMS_SENDER_DAILY,
    TRUSTED_PROXIES, RATE_LIMIT_EXEMPT, RATE_LIMIT_STORE; docs/deployment.md)."""
    try:
        return load_clinic_config().limits.with_environment(os.environ if environ is None else environ)
    except RateLimitConfigError as e:
        raise ClinicConfigError(f"abuse limits in the environment: {e}") from None
