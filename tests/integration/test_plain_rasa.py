"""The Rasa server starts with the project's configuration however it is started, and personal details
never reach its logs or the action server's.

Three ways, each with debug logging and a log file (`--log-file`) as well as its own output:

- `clinic-rasa` (the project's launcher: patches applied, the project's channels);
- plain `rasa run` with the project's credentials (the project's channels, no patches);
- plain `rasa run --connector rest`: Rasa's own REST channel, which is what `rasa shell` talks to. The
  message reaches Rasa unredacted, so only the log filters the project's tracker store, NLG and action
  server install stand between it and the logs.

A message with a name and a phone number is sent; neither may appear in any log line.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import List

import pytest
import requests

from clinic_faq_dev.harness import PROJECT, RunningAssistant, contains_phi

pytestmark = pytest.mark.integration

NAME = "Margaret Thornbury"
PHONE = "555-201-8841"
MESSAGE = f"hi, this is {NAME} ({PHONE}), what are the side effects?"
RASA = str(Path(sys.executable).with_name("rasa"))

LAUNCHERS = {
    "clinic-rasa": ([sys.executable, "-m", "clinic_faq.rasa_ext.servers.rasa_server", "run"], []),
    "rasa run": ([RASA, "run"], []),
    "rasa run, Rasa's REST channel (as rasa shell)": ([RASA, "run"], ["--connector", "rest"]),
}


def start(assistant: RunningAssistant, launcher: List[str], extra: List[str], log_file: Path) -> None:
    cmd = [*launcher, "--model", str(assistant.model), "--port", str(assistant.rasa_port),
           "--credentials", str(PROJECT / "credentials.yml"), "--endpoints", str(assistant._endpoints()),
           "--interface", "127.0.0.1", "--debug", "--log-file", str(log_file), *extra]
    assistant._health["rasa"] = f"http://127.0.0.1:{assistant.rasa_port}/webhooks/rest/"
    assistant._spawn("rasa", cmd, assistant.rasa_log)


@pytest.mark.parametrize("how", list(LAUNCHERS))
def test_the_server_starts_and_its_logs_hold_no_personal_details(tmp_path, how):
    launcher, extra = LAUNCHERS[how]
    assistant = RunningAssistant(tmp_path, debug_logs=True)
    log_file = tmp_path / "rasa-file.log"
    try:
        assistant.workdir.mkdir(parents=True, exist_ok=True)
        assistant.start_actions()
        start(assistant, launcher, extra, log_file)
        assistant.wait_ready()
        sender = f"plain-{uuid.uuid4().hex[:8]}"
        reply = requests.post(assistant.webhook, json={"sender": sender, "message": MESSAGE}, timeout=60)
        assert reply.status_code == 200 and reply.json(), reply.text
        assert " ".join(m.get("text") or "" for m in reply.json()).strip(), reply.json()
    finally:
        assistant.stop()
    logs = assistant.log_text() + (log_file.read_text(errors="replace") if log_file.exists() else "")
    assert "Received user message" in logs or "user_uttered" in logs or "parse_data" in logs, \
        "debug logging was not on: the check would prove nothing"
    assert "[PHONE]" in logs  # the message was logged, redacted
    for detail in (PHONE, NAME, NAME.split()[1], "5552018841"):
        assert not contains_phi(logs, detail), f"{detail!r} reached the logs ({how})"
