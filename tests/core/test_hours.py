"""Open now or not, and when the clinic opens next (clinic_faq.core.hours)."""

from datetime import date, datetime

import pytest

from clinic_faq.core.hours import HoursError, parse_opening_hours

WEEK = {day: "08:00-17:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
HOURS = parse_opening_hours({**WEEK, "saturday": "09:00-12:00", "closures": [
    {"date": "2026-11-26", "name": "Thanksgiving Day", "name_es": "Día de Acción de Gracias"}]}, "America/Chicago")


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=HOURS.tz)


def test_open_during_hours_says_until_when():
    now = at("2026-12-02T10:15")  # a Wednesday
    assert HOURS.status(now).sentence("en", now) == "We're open now, until 5 pm."
    assert HOURS.status(now).sentence("es", now) == "Estamos abiertos ahora, hasta las 5 p. m."


def test_closed_in_the_evening_opens_tomorrow():
    now = at("2026-12-02T18:00")
    assert HOURS.status(now).sentence("en", now) == "We're closed now. We open again tomorrow at 8 am."
    assert HOURS.status(now).sentence("es", now) == "Ahora estamos cerrados. Abrimos de nuevo mañana a las 8 a. m."


def test_closed_at_the_weekend_names_the_day():
    now = at("2026-12-05T13:00")  # Saturday after noon
    assert HOURS.status(now).sentence("en", now) == "We're closed now. We open again Monday, December 7 at 8 am."
    assert "el lunes 7 de diciembre" in HOURS.status(now).sentence("es", now)


def test_a_closure_names_the_holiday_and_skips_it():
    now = at("2026-11-26T09:00")  # Thanksgiving, a Thursday
    status = HOURS.status(now)
    assert not status.open and status.opens.date() == date(2026, 11, 27)
    assert status.sentence("en", now) == "We're closed now (Thanksgiving Day). We open again tomorrow at 8 am."
    assert "(Día de Acción de Gracias)" in status.sentence("es", now)


def test_before_opening_today():
    now = at("2026-12-02T07:30")
    assert HOURS.status(now).sentence("en", now) == "We're closed now. We open again today at 8 am."


def test_the_time_zone_is_the_clinics():
    utc = datetime.fromisoformat("2026-12-02T15:00+00:00")  # 9 am in Chicago
    assert HOURS.status(utc).open


def test_the_week_in_words():
    assert HOURS.describe_week("en") == "Monday to Friday, 8 am to 5 pm; Saturday, 9 am to 12 pm"
    assert HOURS.describe_week("es") == "de lunes a viernes, de 8 a. m. a 5 p. m.; sábado, de 9 a. m. a 12 p. m."


@pytest.mark.parametrize("section,zone,field", [
    ({"monday": "8-5"}, "America/Chicago", "opening_hours.monday"),
    ({"monday": "17:00-08:00"}, "America/Chicago", "opening_hours.monday"),
    ({"funday": "08:00-17:00"}, "America/Chicago", "funday"),
    ({"closures": [{"date": "soon"}]}, "America/Chicago", "opening_hours.closures[0].date"),
    ({"monday": "08:00-17:00"}, "Mars/Olympus", "clinic.time_zone"),
    ({"monday": "08:00-17:00"}, None, "clinic.time_zone"),
])
def test_a_mistake_names_the_field(section, zone, field):
    with pytest.raises(HoursError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse_opening_hours(section, zone)
