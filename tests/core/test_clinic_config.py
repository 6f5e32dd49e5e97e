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
    assert set(config.template_values()) == {
        "clinic_name", "clinic_phone", "clinic_hours", "clinic_hours_es", "booking_url", "emergency_number", "crisis_line"
    }


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
