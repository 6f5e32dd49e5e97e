import pytest

from clinic_faq.core.clinic_config import ClinicConfigError, load_clinic_config, parse_clinic_config

VALID = {
    "example_values": False,
    "clinic": {"name": "A", "phone": "1", "hours": "9-5", "hours_es": "de 9 a 5", "booking_url": "https://a.example"},
    "emergency": {"number": "911", "crisis_line": "988"},
    "website_origins": ["https://a.example"],
    "sms": {"help_reply": "h", "stop_reply": "s", "start_reply": "st", "empty_reply": "e",
            "help_reply_es": "a", "stop_reply_es": "p", "start_reply_es": "c", "empty_reply_es": "v"},
}


def test_the_project_config_loads_and_is_marked_as_example():
    config = load_clinic_config()
    assert config.example_values is True
    values = config.template_values()
    assert {"clinic_name", "clinic_phone", "clinic_hours", "clinic_hours_es", "booking_url", "emergency_number",
            "crisis_line", "clinic_email", "clinic_address", "detail_parking", "detail_parking_es"} <= set(values)
    assert values["clinic_hours"] == "Monday to Friday, 8 am to 5 pm"  # written from opening_hours
    assert config.opening_hours is not None and config.opening_hours.zone == "America/Chicago"


def test_a_detail_left_out_is_not_a_placeholder_value():
    config = parse_clinic_config(VALID)
    assert "detail_parking" not in config.template_values() and config.detail("parking", "en") is None


def test_a_detail_in_one_language_serves_both():
    config = parse_clinic_config({**VALID, "details": {"parking": {"es": "Estacione atrás."}}})
    assert config.detail("parking", "en") == "Estacione atrás." and config.detail("parking", "es") == "Estacione atrás."


@pytest.mark.parametrize("change, field", [
    ({"details": {"parkng": "x"}}, "details.parkng"),
    ({"details": {"parking": ["x"]}}, "details.parking"),
    ({"opening_hours": {"monday": "nine to five"}, "clinic": {**VALID["clinic"], "time_zone": "America/Chicago"}},
     "opening_hours.monday"),
    ({"opening_hours": {"monday": "09:00-17:00"}}, "clinic.time_zone"),
    ({"callbacks": {"keep_days": 0}}, "callbacks.keep_days"),
    ({"callbacks": {"notify": {"pager": {}}}}, "callbacks.notify"),
    ({"content": {"unsigned_answers": "maybe"}}, "content.unsigned_answers"),
    ({"clinic": {k: v for k, v in VALID["clinic"].items() if k not in ("hours", "hours_es")}}, "clinic.hours"),
])
def test_a_malformed_field_stops_start_up_with_its_name(change, field):
    with pytest.raises(ClinicConfigError, match=field.replace(".", r"\.")):
        parse_clinic_config({**VALID, **change})


@pytest.mark.parametrize("section, key", [("clinic", "phone"), ("clinic", "name"), ("emergency", "number")])
def test_a_missing_value_is_a_clear_error(section, key):
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in VALID.items()}
    raw[section][key] = ""
    with pytest.raises(ClinicConfigError, match=f"{section}.{key}"):
        parse_clinic_config(raw)


def test_another_clinic_can_point_to_its_own_file(tmp_path, monkeypatch):
    path = tmp_path / "other.yml"
    path.write_text("clinic: {name: Other, phone: '2', hours: always, hours_es: siempre, booking_url: 'https://o.example'}\n"
                    "emergency: {number: '112', crisis_line: '116 123'}\n"
                    "sms: {help_reply: 'Call {clinic_phone}', stop_reply: s, start_reply: s, empty_reply: e,"
                    " help_reply_es: a, stop_reply_es: p, start_reply_es: c, empty_reply_es: v}\n")
    monkeypatch.setenv("CLINIC_CONFIG", str(path))
    config = load_clinic_config()
    assert (config.name, config.emergency_number, config.example_values) == ("Other", "112", False)
    assert config.sms_reply("help_reply") == "Call 2"


def test_malformed_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("clinic: [unclosed")
    with pytest.raises(ClinicConfigError, match="not valid YAML"):
        load_clinic_config(path)
