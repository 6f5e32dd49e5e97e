"""`make run` says what a new user needs in a few calm lines: each server, then "ready"."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration
PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_prints_a_few_calm_lines_and_the_assistant_answers():
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}}
    env.pop("TWILIO_AUTH_TOKEN", None)
    run = subprocess.Popen(["scripts/run.sh"], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = run.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Stop with Ctrl-C" in line:
                break
        text = "\n".join(lines)
        assert "The assistant is ready." in text, text
        reply = requests.post(f"http://localhost:{ports['RASA_PORT']}/webhooks/rest/webhook",
                              json={"sender": "run-script", "message": "how long is a session"}, timeout=60)
        assert reply.status_code == 200 and reply.json()
    finally:
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=60)
    assert len(lines) <= 15, text
    for noisy in ("ERROR", "Traceback", "Warning", "TWILIO_AUTH_TOKEN is not set"):
        assert noisy not in text, text
