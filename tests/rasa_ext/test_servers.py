"""Security defaults of how the servers are started (no server needed)."""

import pytest
from sanic.request import Request

from clinic_faq.rasa_ext.servers.action_server import UnsafeSettings, authorized, check_settings, is_loopback
from clinic_faq.rasa_ext.servers.rasa_server import api_flags, command
from clinic_faq.settings import from_environment


def test_the_http_api_is_off_without_a_token_or_secret():
    assert api_flags(from_environment({})) == []
    assert api_flags(from_environment({"RASA_API_TOKEN": "  "})) == []
    assert "--enable-api" not in command(["--port", "5005"], from_environment({}))


def test_the_http_api_comes_only_with_its_authentication():
    assert api_flags(from_environment({"RASA_API_TOKEN": "t0k"})) == ["--enable-api", "--auth-token", "t0k"]
    flags = api_flags(from_environment({"RASA_JWT_SECRET": "s3cret"}))
    assert flags[:3] == ["--enable-api", "--jwt-secret", "s3cret"]
    with pytest.raises(SystemExit):
        api_flags(from_environment({"RASA_API_TOKEN": "a", "RASA_JWT_SECRET": "b"}))
    with pytest.raises(SystemExit):  # --enable-api alone would be an open API
        command(["--enable-api"], from_environment({}))


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


THREADS_PROBE = """
import json
import clinic_faq.rasa_ext.servers.{launcher}  # as the console script does, before anything else
import numpy, scipy.linalg, sklearn.linear_model  # the libraries the NLU components load
from threadpoolctl import threadpool_info
print(json.dumps([[i["internal_api"], i["num_threads"]] for i in threadpool_info()]))
"""


def math_threads(launcher, extra_env=None):
    """The thread count of every numerical library a launcher's process loads, in a fresh interpreter."""
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(extra_env or {})
    out = subprocess.run([sys.executable, "-c", THREADS_PROBE.format(launcher=launcher)], env=env, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("launcher", ["rasa_server", "action_server"])
def test_the_servers_give_numerical_libraries_one_thread(launcher):
    """OpenBLAS would start a spinning worker per core (about 16 ms of CPU per message on 2 cores)."""
    libraries = math_threads(launcher)
    assert any(api == "openblas" for api, _ in libraries)
    assert all(threads == 1 for _, threads in libraries), libraries


def test_an_operator_can_still_choose_the_thread_count():
    libraries = math_threads("rasa_server", {"OPENBLAS_NUM_THREADS": "2"})
    assert sorted(threads for api, threads in libraries if api == "openblas")[-1] == 2
