"""The deployment files stay in step with the configuration they describe: the nginx template is valid
nginx, and the Helm values use the same stores, channels and endpoints as production mode."""

import re
import shutil
import subprocess

import pytest
import yaml

from clinic_faq.core.rate_limit import RateLimits
from clinic_faq_dev.cluster import render_nginx
from clinic_faq_dev.harness import PROJECT


def load(path):
    with open(PROJECT / path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_the_nginx_template_renders_to_a_valid_configuration(tmp_path):
    text = render_nginx(tmp_path, "127.0.0.1:8000", [5005, 5006, 5007])
    assert "{{" not in text
    assert text.count("server 127.0.0.1:5005") == 2  # round robin for REST/SMS, ip_hash for socket.io
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not shutil.which(nginx):
        pytest.fail("nginx is missing: run `make nginx`")
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    check = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr


def test_every_proxied_request_carries_the_clients_address():
    """nginx gives a location none of the server's proxy_set_header lines once it has one of its own: they
    are all at the server level, so every request tells the replicas its client's address (the abuse limits
    read X-Forwarded-For from nginx), and nginx limits each client address first."""
    text = (PROJECT / "deploy" / "nginx.conf.template").read_text()
    server = text[text.index("    server {"):]
    locations = server[re.search(r"\n\s+location ", server).start():]
    assert "proxy_set_header" not in locations
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in server
    assert "limit_req zone=per_client" in server and "limit_req_status 429;" in text


def test_helm_values_use_the_production_stores():
    production = load("endpoints.production.yml")
    endpoints = load("deploy/helm/rasa-values.yaml")["applicationSettings"]["endpoints"]
    tracker = {k: v for k, v in endpoints["trackerStore"].items() if k != "enabled"}
    lock = {k: v for k, v in endpoints["lockStore"].items() if k != "enabled"}
    assert endpoints["trackerStore"]["enabled"] and endpoints["lockStore"]["enabled"]
    for key in ("type", "dialect"):
        assert tracker[key] == production["tracker_store"][key]
    assert lock["type"] == production["lock_store"]["type"]
    assert lock["key_prefix"] == production["lock_store"]["key_prefix"]
    extra = endpoints["additionalEndpoints"]
    assert extra["nlg"] == production["nlg"]
    assert extra["action_endpoint"]["headers"] == production["action_endpoint"]["headers"]


def test_helm_values_keep_the_security_defaults():
    values = load("deploy/helm/rasa-values.yaml")
    settings = values["applicationSettings"]
    assert settings["enableAPI"] is False and settings["debugMode"] is False
    assert settings["telemetry"]["enabled"] is False
    assert values["replicaCount"] >= 2
    env = {e["name"]: e for e in values["extraEnv"]}
    for secret in ("SOCKET_SESSION_SECRET", "ACTION_SERVER_TOKEN", "TWILIO_AUTH_TOKEN", "PHONE_TREE_STORE_URL",
                   "CLINIC_STORE_URL"):
        assert "secretKeyRef" in env[secret]["valueFrom"], secret  # from the Secret, never a value here
    assert float(env["ACTION_TIMEOUT_SECONDS"]["value"]) < float(env["TICKET_LOCK_LIFETIME"]["value"])
    # The abuse limits: shared through Redis, keyed on the visitor's address (X-Forwarded-For is believed
    # from the ingress only), with the ingress's own per-address limit in front.
    assert env["RATE_LIMIT_STORE"]["value"] == "redis"
    proxies = RateLimits().with_environment({"TRUSTED_PROXIES": env["TRUSTED_PROXIES"]["value"]}).trusted_proxies
    assert proxies and all(not network.is_loopback for network in proxies)
    annotations = values["ingress"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/limit-rps"]) > 0
    channels = set(load("credentials.yml"))
    assert set(settings["credentials"]["additionalChannelCredentials"]) == channels
    actions = load("deploy/helm/action-server-values.yaml")
    action_env = {e["name"]: e for e in actions["extraEnv"]}
    assert "secretKeyRef" in action_env["ACTION_SERVER_TOKEN"]["valueFrom"]
    # The callback form (action server) and the channels (Rasa pods) keep requests in one shared store.
    assert action_env["CLINIC_STORE_URL"]["valueFrom"] == env["CLINIC_STORE_URL"]["valueFrom"]
    assert actions["command"] == ["clinic-actions"]


def test_the_image_starts_the_servers_through_the_launchers_that_apply_the_patches():
    dockerfile = (PROJECT / "deploy" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["clinic-rasa"]' in dockerfile and "PYTHONPATH" not in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    scripts = tomllib_load(PROJECT / "pyproject.toml")["project"]["scripts"]
    assert scripts["clinic-rasa"] == "clinic_faq.rasa_ext.servers.rasa_server:main"
    assert scripts["clinic-actions"] == "clinic_faq.rasa_ext.servers.action_server:main"


def tomllib_load(path):
    import tomli

    with open(path, "rb") as f:
        return tomli.load(f)


def test_production_endpoints_take_their_values_from_the_environment(monkeypatch):
    """Rasa expands ${...} only in unquoted YAML values: read as Rasa reads it, every value is the variable's."""
    from rasa.utils.endpoints import read_endpoint_config

    env = {"DB_HOST": "db.clinic", "DB_PORT": "5433", "DB_NAME": "clinic", "DB_USER": "rasa", "DB_PASSWORD": "pw",
           "REDIS_HOST": "redis.clinic", "REDIS_PORT": "6380", "ACTION_SERVER_URL": "http://actions:5055/webhook",
           "ACTION_SERVER_TOKEN": "t0ken"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = str(PROJECT / "endpoints.production.yml")
    tracker = read_endpoint_config(path, "tracker_store")
    assert (tracker.url, tracker.kwargs["port"], tracker.kwargs["db"], tracker.kwargs["password"]) == (
        "db.clinic", "5433", "clinic", "pw")
    lock = read_endpoint_config(path, "lock_store")
    assert (lock.url, lock.kwargs["port"]) == ("redis.clinic", "6380")
    action = read_endpoint_config(path, "action_endpoint")
    assert action.url == "http://actions:5055/webhook" and action.headers["Authorization"] == "Bearer t0ken"


def pins(path):
    return {line.split("==")[0].strip().lower().replace("_", "-") for line in (PROJECT / path).read_text().splitlines()
            if "==" in line and not line.startswith("#")}


def test_the_product_ships_without_the_tooling_and_the_tests():
    """The wheel holds `clinic_faq` only; the image installs the product's pins only and leaves the tests, the
    tooling and the evaluation data out; make install still gives a developer both (requirements.txt)."""
    project = tomllib_load(PROJECT / "pyproject.toml")
    find = project["tool"]["setuptools"]["packages"]["find"]
    assert find["where"] == ["src"] and find["include"] == ["clinic_faq*"]
    assert "optional-dependencies" not in project["project"]
    tooling = tomllib_load(PROJECT / "dev" / "pyproject.toml")
    assert tooling["tool"]["setuptools"]["packages"]["find"]["include"] == ["clinic_faq_dev*"]
    product = pins("requirements-product.txt")
    assert not product & {"pytest", "pytest-asyncio", "ruff", "mypy", "playwright", "py-spy", "websocket-client",
                          "psutil", "aiosmtpd", "textstat"}
    for dependency in project["project"]["dependencies"]:
        assert dependency.split("==")[0].split("[")[0].lower() in product, dependency
    everything = (PROJECT / "requirements.txt").read_text().splitlines()
    assert "-r requirements-product.txt" in everything and "-e ./dev" in everything
    assert not pins("requirements.txt") & product  # each package pinned once
    dockerfile = (PROJECT / "deploy" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements-product.txt" in dockerfile
    assert "requirements.txt" not in dockerfile.replace("requirements-product.txt", "")
    ignored = (PROJECT / ".dockerignore").read_text().splitlines()
    assert {"tests", "dev", "evaluation", "scripts"} <= set(ignored)
