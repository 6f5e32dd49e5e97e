"""The settings object: every environment variable the product reads, parsed once, and a malformed one
named before a server starts."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinic_faq import settings
from clinic_faq.settings import SettingsError, from_environment
from tests.conftest import PROJECT

SOURCE = PROJECT / "src" / "clinic_faq"


def test_unset_and_empty_variables_give_the_documented_defaults():
    for environ in ({}, {"ACTION_PORT": "", "CLINIC_TUNING": "  ", "STAFF_TOKEN": ""}):
        config = from_environment(environ)
        assert config.action_port == 5055 and config.action_server_host == "127.0.0.1"
        assert config.action_timeout_seconds == 20 and config.ticket_lock_lifetime == 60
        assert config.tuning == settings.SPEEDUPS and config.staff_token is None
        assert config.website_origins is None and config.rate_limit_overrides == {}


def test_values_are_parsed_into_their_types():
    config = from_environment({
        "ACTION_PORT": "6000", "WEBSITE_ORIGINS": "https://a.example, https://b.example,", "CLINIC_TUNING": "none",
        "INSIGHTS_SHOW_SINGLE_CONVERSATION_MESSAGES": "yes", "STAFF_TOKEN": "s" * 40, "PUBLIC_BASE_URL": "https://x.example/",
        "RATE_LIMIT_CONVERSATION": "30/60", "CLINIC_TRACKER_CACHE_EVENTS": "0", "UNRELATED_VARIABLE": "kept out"})
    assert config.action_port == 6000 and config.tracker_cache_events == 0
    assert config.website_origins == ("https://a.example", "https://b.example")
    assert config.tuning == () and config.insights_show_single is True
    assert config.public_base_url == "https://x.example"
    assert config.rate_limit_overrides == {"RATE_LIMIT_CONVERSATION": "30/60"}
    assert settings.Settings.secret(config.staff_token) == "s" * 40
    assert "s" * 40 not in repr(config) and "s" * 40 not in str(config)  # secrets never printed


@pytest.mark.parametrize("name, value, says", [
    ("ACTION_PORT", "abc", "not a valid integer"),
    ("ACTION_PORT", "70000", "less than or equal to 65535"),
    ("REDIS_PORT", "0", "greater than or equal to 1"),
    ("ACTION_TIMEOUT_SECONDS", "-3", "greater than 0"),
    ("ACTION_TIMEOUT_SECONDS", "60", "below TICKET_LOCK_LIFETIME"),
    ("TICKET_LOCK_LIFETIME", "soon", "not a valid float"),
    ("LOCK_OWNER_TTL", "0", "greater than 0"),
    ("CLINIC_TRACKER_CACHE_EVENTS", "-1", "greater than or equal to 0"),
    ("CLINIC_TUNING", "faster_please", "unknown speed-up"),
    ("INSIGHTS_TZ", "Mars/Olympus", "not a time zone"),
    ("INSIGHTS_SHOW_SINGLE_CONVERSATION_MESSAGES", "perhaps", "could not be parsed to a boolean"),
    ("PUBLIC_BASE_URL", "clinic.example", "http:// or https://"),
    ("TWILIO_API_BASE", "ftp://api.example", "http:// or https://"),
])
def test_a_malformed_variable_is_named_with_what_is_wrong(name, value, says):
    with pytest.raises(SettingsError) as caught:
        from_environment({name: value})
    assert str(caught.value).startswith(f"{name} ") and says in str(caught.value)


def test_every_malformed_variable_is_named_at_once():
    with pytest.raises(SettingsError) as caught:
        from_environment({"ACTION_PORT": "x", "REDIS_PORT": "y"})
    assert "ACTION_PORT" in str(caught.value) and "REDIS_PORT" in str(caught.value)


def test_the_process_settings_follow_the_environment(monkeypatch):
    monkeypatch.setenv("ACTION_PORT", "6001")
    first = settings.current()
    assert first.action_port == 6001 and settings.current() is first  # read once for this environment
    monkeypatch.setenv("ACTION_PORT", "6002")
    assert settings.current().action_port == 6002


def test_a_bad_rate_limit_or_clinic_file_stops_start_up_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("RATE_LIMIT_CONVERSATION", "lots")
    with pytest.raises(SystemExit, match="RATE_LIMIT_CONVERSATION"):
        settings.check_startup()
    monkeypatch.delenv("RATE_LIMIT_CONVERSATION")
    clinic = (PROJECT / "clinic.yml").read_text(encoding="utf-8").replace("phone:", "phone_number:", 1)
    (tmp_path / "clinic.yml").write_text(clinic, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(tmp_path / "clinic.yml"))
    with pytest.raises(SystemExit, match="phone"):
        settings.check_startup()


@pytest.mark.parametrize("launcher", ["clinic_faq.rasa_ext.servers.rasa_server", "clinic_faq.rasa_ext.servers.action_server"])
def test_both_servers_refuse_to_start_on_a_malformed_setting(launcher):
    env = {**os.environ, "ACTION_PORT": "five thousand", "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", launcher, "--port", "5999"], env=env, cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "Cannot start: ACTION_PORT value is not a valid integer" in done.stderr


def _reads_the_environment(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                return True
    return False


def test_the_product_reads_its_settings_only_through_the_settings_object():
    # Allowed: the settings themselves; the launchers that hand Rasa its thread limits and the endpoints
    # file; Rasa's own `${VAR}` values in endpoints.yml (insights/store.py); the staff page passing the
    # environment on to the report it starts.
    allowed = {"settings.py", "rasa_ext/servers/__init__.py", "rasa_ext/servers/rasa_server.py",
               "insights/store.py", "rasa_ext/channels/staff.py"}
    readers = {str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py") if _reads_the_environment(p)}
    assert readers - allowed == set()
    assert "settings.py" in readers  # the check sees a reader when there is one


def test_every_variable_is_documented():
    guide = (PROJECT / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = [name for name in settings.variables() if f"`{name}`" not in guide and f"`{name}=" not in guide]
    assert missing == []


def test_the_report_command_names_a_malformed_setting(monkeypatch, capsys):
    from clinic_faq.insights.cli import main

    monkeypatch.setenv("INSIGHTS_TZ", "Mars/Olympus")
    assert main(["--period", "7d"]) == 2
    assert "INSIGHTS_TZ is not a time zone" in capsys.readouterr().err
