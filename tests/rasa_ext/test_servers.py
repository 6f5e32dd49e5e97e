"""Security defaults of how the servers are started (no server needed)."""

import pytest
from sanic.request import Request

from clinic_faq.rasa_ext.servers.action_server import UnsafeSettings, authorized, check_settings, is_loopback
from clinic_faq.rasa_ext.servers.rasa_server import api_flags, command


def test_the_http_api_is_off_without_a_token_or_secret():
    assert api_flags({}) == []
    assert api_flags({"RASA_API_TOKEN": "  "}) == []
    assert "--enable-api" not in command(["--port", "5005"], {})


def test_the_http_api_comes_only_with_its_authentication():
    assert api_flags({"RASA_API_TOKEN": "t0k"}) == ["--enable-api", "--auth-token", "t0k"]
    flags = api_flags({"RASA_JWT_SECRET": "s3cret"})
    assert flags[:3] == ["--enable-api", "--jwt-secret", "s3cret"]
    with pytest.raises(SystemExit):
        api_flags({"RASA_API_TOKEN": "a", "RASA_JWT_SECRET": "b"})
    with pytest.raises(SystemExit):  # --enable-api alone would be an open API
        command(["--enable-api"], {})


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("10.0.0.5", False), ("actions", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_the_action_server_will_not_listen_beyond_loopback_without_a_token():
    check_settings("127.0.0.1", None)
    check_settings("0.0.0.0", "token")
    with pytest.raises(UnsafeSettings):
        check_settings("0.0.0.0", None)


def request(path, headers):
    return Request(path.encode(), {k.lower(): v for k, v in headers.items()}, "1.1", "POST", None, None)


def test_the_token_is_checked_on_every_path_but_health():
    assert authorized(request("/webhook", {}), None)  # no token configured: loopback only
    assert not authorized(request("/webhook", {}), "secret")
    assert not authorized(request("/webhook", {"Authorization": "Bearer wrong"}), "secret")
    assert not authorized(request("/webhook", {"Authorization": "Basic secret"}), "secret")
    assert authorized(request("/webhook", {"Authorization": "Bearer secret"}), "secret")
    assert authorized(request("/health", {}), "secret")
