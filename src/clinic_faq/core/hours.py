"""The clinic's opening hours: open now or not, and when it opens next, in the person's language.

Built from clinic.yml's `opening_hours` (one line per weekday, `closures` for holidays) in the clinic's time
zone (`clinic.time_zone`). A reply that sends someone to the phone says whether anyone will answer now:
"We're open now, until 5 pm." or "We're closed now (Thanksgiving Day). We open again Friday, November 27 at
8 am."
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
}
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """The opening hours in clinic.yml cannot be read; the message names the field."""


Span = Tuple[time, time]


@dataclass(frozen=True)
class Closure:
    day: date
    name: str
    name_es: str


@dataclass(frozen=True)
class OpeningHours:
    zone: str
    week: Tuple[Tuple[Span, ...], ...]  # one tuple of (open, close) spans per weekday, Monday first
    closures: Tuple[Closure, ...] = field(default_factory=tuple)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def closure(self, day: date) -> Optional[Closure]:
        return next((c for c in self.closures if c.day == day), None)

    def spans(self, day: date) -> Tuple[Span, ...]:
        return () if self.closure(day) else self.week[day.weekday()]

    def status(self, now: datetime) -> Status:
        """Whether the clinic is open at `now` (any time zone; naive means the clinic's own)."""
        local = now.astimezone(self.tz) if now.tzinfo else now.replace(tzinfo=self.tz)
        today, clock = local.date(), local.time().replace(tzinfo=None)
        for start, end in self.spans(today):
            if start <= clock < end:
                return Status(True, closes=datetime.combine(today, end, self.tz))
        for offset in range(0, 15):
            day = today + timedelta(days=offset)
            for start, _ in self.spans(day):
                if offset > 0 or start > clock:
                    return Status(False, opens=datetime.combine(day, start, self.tz), closure=self.closure(today))
        return Status(False, closure=self.closure(today))

    def describe_week(self, lang: str) -> str:
        """The weekly hours in words: "Monday to Friday, 8 am to 5 pm; Saturday, 9 am to 12 pm"."""
        groups: List[Tuple[int, int, Tuple[Span, ...]]] = []
        for i, spans in enumerate(self.week):
            if groups and groups[-1][2] == spans and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, spans)
            else:
                groups.append((i, i, spans))
        parts = []
        names = DAY_NAMES[lang]
        for first, last, spans in groups:
            if not spans:
                continue
            if first == last:
                days = names[first]
            else:
                days = f"{names[first]} to {names[last]}" if lang == "en" else f"de {names[first]} a {names[last]}"
            hours = (" and " if lang == "en" else " y ").join(
                f"{clock(a, lang)} to {clock(b, lang)}" if lang == "en" else f"de {clock(a, lang)} a {clock(b, lang)}"
                for a, b in spans)
            parts.append(f"{days}, {hours}")
        text = "; ".join(parts)
        return text[:1].upper() + text[1:] if lang == "en" else text


@dataclass(frozen=True)
class Status:
    open: bool
    closes: Optional[datetime] = None
    opens: Optional[datetime] = None
    closure: Optional[Closure] = None

    def sentence(self, lang: str, now: datetime) -> str:
        """One sentence for a reply that sends the person to the phone."""
        text = self._sentence(lang, now)
        return text[:-1] if text.endswith("..") else text

    def _sentence(self, lang: str, now: datetime) -> str:
        if self.open and self.closes:
            return (f"We're open now, until {clock(self.closes.time(), 'en')}." if lang == "en"
                    else f"Estamos abiertos ahora, hasta las {clock(self.closes.time(), 'es')}.")
        why = ""
        if self.closure:
            why = f" ({self.closure.name})" if lang == "en" else f" ({self.closure.name_es})"
        if self.opens is None:
            return f"We're closed now{why}." if lang == "en" else f"Ahora estamos cerrados{why}."
        when = _when(self.opens, now, lang)
        if lang == "en":
            return f"We're closed now{why}. We open again {when}."
        return f"Ahora estamos cerrados{why}. Abrimos de nuevo {when}."


def clock(value: time, lang: str) -> str:
    """8 am, 5:30 pm (English); 8 a. m., 5:30 p. m. (Spanish)."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    if lang == "en":
        return f"{hour}{minutes} {'am' if value.hour < 12 else 'pm'}"
    return f"{hour}{minutes} {'a. m.' if value.hour < 12 else 'p. m.'}"


def _when(opens: datetime, now: datetime, lang: str) -> str:
    local_now = now.astimezone(opens.tzinfo) if now.tzinfo else now.replace(tzinfo=opens.tzinfo)
    days = (opens.date() - local_now.date()).days
    at = clock(opens.time(), lang)
    if days == 0:
        return f"today at {at}" if lang == "en" else f"hoy a las {at}"
    if days == 1:
        return f"tomorrow at {at}" if lang == "en" else f"mañana a las {at}"
    day_name = DAY_NAMES[lang][opens.weekday()]
    month = MONTHS[lang][opens.month - 1]
    if lang == "en":
        return f"{day_name}, {month} {opens.day} at {at}"
    return f"el {day_name} {opens.day} de {month} a las {at}"


def parse_opening_hours(section: Any, zone: Any) -> OpeningHours:
    """clinic.yml's `opening_hours` and `clinic.time_zone`; HoursError names the field that is wrong."""
    if not isinstance(zone, str) or not zone.strip():
        raise HoursError("clinic.time_zone must be set (for example America/Chicago) when opening_hours is")
    try:
        ZoneInfo(zone.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise HoursError(f"clinic.time_zone: {zone!r} is not a time zone name (for example America/Chicago)") from None
    if not isinstance(section, Mapping):
        raise HoursError("opening_hours must be a mapping of weekdays (monday: 08:00-17:00) and closures")
    unknown = sorted(set(section) - set(DAYS) - {"closures"})
    if unknown:
        raise HoursError(f"opening_hours: unknown key(s) {', '.join(map(str, unknown))}")
    week = tuple(_spans(section.get(day, "closed"), f"opening_hours.{day}") for day in DAYS)
    closures = tuple(_closure(c, f"opening_hours.closures[{i}]") for i, c in enumerate(section.get("closures") or []))
    return OpeningHours(zone.strip(), week, closures)


def _spans(value: Any, where: str) -> Tuple[Span, ...]:
    if value in (None, "closed", "cerrado", False):
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    spans = []
    for item in items:
        match = _SPAN.match(str(item))
        if not match:
            raise HoursError(f"{where}: {item!r} must look like 08:00-17:00 (or closed)")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError:
            raise HoursError(f"{where}: {item!r} is not a time of day") from None
        if end <= start:
            raise HoursError(f"{where}: {item!r} closes before it opens")
        spans.append((start, end))
    return tuple(sorted(spans))


def _closure(value: Any, where: str) -> Closure:
    if not isinstance(value, Mapping) or "date" not in value:
        raise HoursError(f"{where} must have a date (YYYY-MM-DD) and a name")
    try:
        day = value["date"] if isinstance(value["date"], date) else date.fromisoformat(str(value["date"]))
    except ValueError:
        raise HoursError(f"{where}.date: {value['date']!r} is not a date (YYYY-MM-DD)") from None
    name = str(value.get("name") or "holiday")
    return Closure(day, name, str(value.get("name_es") or name))
