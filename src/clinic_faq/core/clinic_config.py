"""Loads `clinic.yml`, the single file that holds a clinic's details."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from clinic_faq import settings
from clinic_faq.core.hours import HoursError, OpeningHours, parse_opening_hours
from clinic_faq.core.rate_limit import RateLimitConfigError, RateLimits
from clinic_faq.paths import project_file

logger = logging.getLogger(__name__)

CONFIG_ENV = "CLINIC_CONFIG"


# The practical details a clinic may give, each in English and Spanish (clinic.yml `details:`); the answers
# to practical questions are made from them (`{detail_<name>}` in domain.yml).
DETAILS = ("directions", "parking", "transport", "languages", "telehealth", "what_to_bring", "what_to_wear", "prepare",
           "after", "companions", "reschedule", "cancel", "late", "records", "billing")
CALLBACK_REASONS = ("treatment", "appointment", "billing", "other")

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
    # What an unsigned medical answer gets (clinic_faq.core.signoff.policy): "serve" or "refer"; None: the
    # default (serve while example_values is true, refer once it is false).
    unsigned_answers: Optional[str] = None
    review_interval_days: int = 365  # how long a sign-off made on the staff page lasts by default
    email: Optional[str] = None
    portal_url: Optional[str] = None
    address: Optional[str] = None
    map_url: Optional[str] = None
    opening_hours: Optional[OpeningHours] = None
    details: Dict[str, Dict[str, str]] = field(default_factory=dict)  # name -> {"en": ..., "es": ...}
    callbacks: Dict[str, Any] = field(default_factory=lambda: {"enabled": True, "keep_days": 30})

    def detail(self, name: str, lang: str) -> Optional[str]:
        """A practical detail in the person's language (the other language if only that one is given)."""
        texts = self.details.get(name) or {}
        return texts.get(lang) or texts.get("en" if lang == "es" else "es")

    @property
    def unsigned_policy(self) -> str:
        from clinic_faq.core.signoff import policy

        return policy(self.unsigned_answers, self.example_values)

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
            **{key: value for key, value in (("clinic_email", self.email), ("clinic_address", self.address),
                                             ("map_url", self.map_url), ("portal_url", self.portal_url)) if value},
            **{f"detail_{name}{'' if lang == 'en' else '_es'}": text
               for name in self.details for lang in ("en", "es") if (text := self.detail(name, lang))},
        }


def _required(section: Dict[str, Any], key: str, where: str) -> str:
    value = section.get(key) if isinstance(section, dict) else None
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise ClinicConfigError(f"{where}.{key} must be set in the clinic config")
    return str(value).strip()


def _optional(section: Dict[str, Any], key: str, where: str) -> Optional[str]:
    value = section.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, (str, int)):
        raise ClinicConfigError(f"{where}.{key} must be text")
    return str(value).strip()


def _details(section: Any) -> Dict[str, Dict[str, str]]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ClinicConfigError("details must be a mapping (parking: {en: ..., es: ...}, ...)")
    details = {}
    for name, value in section.items():
        if name not in DETAILS:
            raise ClinicConfigError(f"details.{name} is not a known detail (one of {', '.join(DETAILS)})")
        if value is None:
            continue
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict) or set(value) - {"en", "es"} or not all(isinstance(v, str) for v in value.values()):
            raise ClinicConfigError(f"details.{name} must be text, or en: and es: texts")
        texts = {k: v.strip() for k, v in value.items() if v and v.strip()}
        if texts:
            details[str(name)] = texts
    return details


def _callbacks(section: Any) -> Dict[str, Any]:
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise ClinicConfigError("callbacks must be a mapping (enabled, keep_days, notify)")
    keep = section.get("keep_days", 30)
    if not isinstance(keep, int) or isinstance(keep, bool) or not 1 <= keep <= 365:
        raise ClinicConfigError("callbacks.keep_days must be a whole number of days from 1 to 365")
    notify = section.get("notify") or {}
    if not isinstance(notify, dict) or set(notify) - {"email", "sms"}:
        raise ClinicConfigError("callbacks.notify may hold email: and sms:")
    for kind, spec in notify.items():
        if spec is not None and not isinstance(spec, dict):
            raise ClinicConfigError(f"callbacks.notify.{kind} must be a mapping")
    return {"enabled": bool(section.get("enabled", True)), "keep_days": keep, "notify": notify}


def parse_clinic_config(raw: Dict[str, Any]) -> ClinicConfig:
    if not isinstance(raw, dict):
        raise ClinicConfigError("the clinic config must be a mapping")
    clinic = raw.get("clinic") or {}
    if not isinstance(clinic, dict):
        raise ClinicConfigError("clinic must be a mapping (name, phone, ...)")
    emergency = raw.get("emergency") or {}
    origins = raw.get("website_origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) for o in origins):
        raise ClinicConfigError("website_origins must be a list of URLs")
    hours = None
    if raw.get("opening_hours") is not None:
        try:
            hours = parse_opening_hours(raw.get("opening_hours"), clinic.get("time_zone"))
        except HoursError as e:
            raise ClinicConfigError(str(e)) from None
    hours_text = _optional(clinic, "hours", "clinic") or (hours.describe_week("en") if hours else None)
    hours_text_es = _optional(clinic, "hours_es", "clinic") or (hours.describe_week("es") if hours else None)
    if not hours_text or not hours_text_es:
        raise ClinicConfigError("clinic.hours and clinic.hours_es must be set, or opening_hours given")
    return ClinicConfig(
        name=_required(clinic, "name", "clinic"),
        phone=_required(clinic, "phone", "clinic"),
        hours=hours_text,
        hours_es=hours_text_es,
        booking_url=_required(clinic, "booking_url", "clinic"),
        emergency_number=_required(emergency, "number", "emergency"),
        crisis_line=_required(emergency, "crisis_line", "emergency"),
        website_origins=tuple(origins),
        example_values=bool(raw.get("example_values", False)),
        sms={key: _required(raw.get("sms") or {}, key, "sms") for key in SMS_REPLIES},
        limits=_limits(raw.get("limits")),
        **_content(raw.get("content")),
        email=_optional(clinic, "email", "clinic"),
        portal_url=_optional(clinic, "portal_url", "clinic"),
        address=_optional(clinic, "address", "clinic"),
        map_url=_optional(clinic, "map_url", "clinic"),
        opening_hours=hours,
        details=_details(raw.get("details")),
        callbacks=_callbacks(raw.get("callbacks")),
    )


def _content(section: Any) -> Dict[str, Any]:
    section = section or {}
    if not isinstance(section, dict):
        raise ClinicConfigError("content must be a mapping (unsigned_answers, review_interval_days)")
    unsigned = section.get("unsigned_answers")
    if unsigned not in (None, "serve", "refer"):
        raise ClinicConfigError(f"content.unsigned_answers must be serve or refer, not {unsigned!r}")
    days = section.get("review_interval_days", 365)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 1095:
        raise ClinicConfigError("content.review_interval_days must be a whole number of days from 1 to 1095")
    return {"unsigned_answers": unsigned, "review_interval_days": days}


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
    return _load(str(path or settings.current().clinic_config or project_file("clinic.yml")))


def rate_limits(environ: Optional[Mapping[str, str]] = None) -> RateLimits:
    """The abuse limits in force: clinic.yml's `limits:` with the environment's overrides
    (RATE_LIMIT_CONVERSATION, RATE_LIMIT_CLIENT_ADDRESS, RATE_LIMIT_SMS_SENDER, RATE_LIMIT_SMS_SENDER_DAILY,
    TRUSTED_PROXIES, RATE_LIMIT_EXEMPT, RATE_LIMIT_STORE; docs/deployment.md)."""
    try:
        overrides = settings.current().rate_limit_overrides if environ is None else environ
        return load_clinic_config().limits.with_environment(overrides)
    except RateLimitConfigError as e:
        raise ClinicConfigError(f"abuse limits in the environment: {e}") from None
