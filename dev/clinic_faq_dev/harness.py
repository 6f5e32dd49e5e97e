"""Start the real action server and Rasa server for evaluation and tests.

`RunningAssistant` starts both as subprocesses on free loopback ports, with their own SQLite tracker
store and log files in a working directory, waits until both answer, and stops them on exit. It reads
the conversation events back from the SQLite file, so a test checks what was really stored.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import yaml

from clinic_faq.paths import project_dir

PROJECT = project_dir()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_model() -> Path:
    current = PROJECT / "models" / "current.tar.gz"
    if not current.exists():
        raise FileNotFoundError("no trained model: run `make train` first")
    return current.resolve()


class ServerError(RuntimeError):
    pass


class RunningAssistant:
    """Both servers, started with the project's configuration and a private tracker store."""

    def __init__(
        self,
        workdir: Path,
        model: Optional[Path] = None,
        debug_logs: bool = False,
        extra_env: Optional[Dict[str, str]] = None,
        tracker_store: Optional[Dict[str, object]] = None,
        lock_store: Optional[Dict[str, object]] = None,
        endpoints_file: str = "endpoints.yml",
    ) -> None:
        self.workdir = Path(workdir)
        self.model = Path(model) if model else default_model()
        self.debug_logs = debug_logs
        self.extra_env = extra_env or {}
        self.tracker_store = tracker_store  # None: a private SQLite file in workdir
        self.lock_store = lock_store  # None: Rasa's in-memory lock store (one server)
        self.endpoints_file = endpoints_file
        self.rasa_port = free_port()
        self.action_port = free_port()
        self.web_port = free_port()  # for the website widget's static server, whose origin is allowed
        self.db_path = self.workdir / "tracker.db"
        self.rasa_log = self.workdir / "rasa.log"
        self.action_log = self.workdir / "actions.log"
        self._procs: Dict[str, subprocess.Popen] = {}
        self._health: Dict[str, str] = {}  # server name -> URL that answers 200 when it is ready

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def _endpoints(self) -> Path:
        with open(PROJECT / self.endpoints_file, encoding="utf-8") as f:
            endpoints = yaml.safe_load(f)
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{self.action_port}/webhook"
        if self.tracker_store:
            endpoints["tracker_store"] = dict(self.tracker_store)
        elif endpoints["tracker_store"].get("dialect", "sqlite") == "sqlite":
            endpoints["tracker_store"]["db"] = str(self.db_path)
        if self.lock_store:
            endpoints["lock_store"] = dict(self.lock_store)
        path = self.workdir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints))
        return path

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            PYTHONWARNINGS="ignore::DeprecationWarning",
            WEBSITE_ORIGINS=f"http://localhost:{self.web_port},http://127.0.0.1:{self.web_port}",
            PUBLIC_BASE_URL=self.url,
            SOCKET_SESSION_SECRET="test-session-secret",
            TWILIO_AUTH_TOKEN="test-twilio-token",
            # The clinic's own store (sign-offs, callback requests): private to this assistant, like its tracker.
            CLINIC_STORE_URL=str(self.workdir / "clinic.db"),
        )
        env.update(self.extra_env)
        return env

    def start_actions(self) -> None:
        cmd = [sys.executable, "-m", "clinic_faq.rasa_ext.servers.action_server", "--port", str(self.action_port)]
        if self.debug_logs:
            cmd.append("--debug")
        self._health["actions"] = f"http://127.0.0.1:{self.action_port}/health"
        self._spawn("actions", cmd, self.action_log)

    def start_rasa(self, name: str = "rasa", port: Optional[int] = None) -> None:
        """Start a Rasa server (`name` and `port` for a further replica; by default the one server)."""
        port = port or self.rasa_port
        cmd = [
            sys.executable, "-m", "clinic_faq.rasa_ext.servers.rasa_server", "--model", str(self.model), "--port", str(port),
            "--credentials", str(PROJECT / "credentials.yml"), "--endpoints", str(self._endpoints()),
            "--interface", "127.0.0.1",
        ]
        if self.debug_logs:
            cmd.append("--debug")
        self._health[name] = f"http://127.0.0.1:{port}/webhooks/rest/"
        self._spawn(name, cmd, self.log_of(name))

    def _spawn(self, name: str, cmd: List[str], log: Path) -> None:
        handle = open(log, "ab")
        self._procs[name] = subprocess.Popen(
            cmd, cwd=PROJECT, env=self._env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        pending = {k: v for k, v in self._health.items() if k in self._procs}
        while pending and time.monotonic() < deadline:
            for name, url in list(pending.items()):
                if self._procs[name].poll() is not None:
                    raise ServerError(f"the {name} server exited; see {self.log_of(name)}")
                try:
                    if requests.get(url, timeout=2).status_code == 200:
                        pending.pop(name)
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        if pending:
            raise ServerError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")

    def pids(self) -> Dict[str, int]:
        """The process id of each server started (by name: rasa, actions, rasa0..., nginx)."""
        return {name: proc.pid for name, proc in self._procs.items()}

    def log_of(self, name: str) -> Path:
        return {"rasa": self.rasa_log, "actions": self.action_log}.get(name, self.workdir / f"{name}.log")

    def stop(self, name: Optional[str] = None) -> None:
        for key in [name] if name else list(self._procs):
            proc = self._procs.pop(key, None)
            if proc is None or proc.poll() is not None:
                continue
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def __enter__(self) -> RunningAssistant:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.start_actions()
            self.start_rasa()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- talking to it -------------------------------------------------------------------------

    def send(self, sender: str, text: str, timeout: float = 30.0) -> List[dict]:
        response = requests.post(self.webhook, json={"sender": sender, "message": text}, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def events(self, sender: str) -> List[dict]:
        """The sender's events as stored in the SQLite tracker store, oldest first."""
        with sqlite3.connect(self.db_path) as db:
            rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def stored_text(self) -> str:
        """Every string the tracker store holds: each column of each row of each table, with the
        JSON in it unpacked, so numbers (timestamps) cannot be mistaken for stored text."""
        pieces: List[str] = []
        with sqlite3.connect(self.db_path) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    for value in row:
                        if isinstance(value, str):
                            _collect_strings(_maybe_json(value), pieces)
        return "\x00".join(pieces)

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.rasa_log, self.action_log) if p.exists())


class WidgetVisitor:
    """The website widget's socket.io client, on the polling transport (the Python client's websocket transport
    fails with the aiohttp Rasa pins; browsers are unaffected). `address` is sent as X-Forwarded-For."""

    def __init__(self, assistant: RunningAssistant, address: Optional[str] = None) -> None:
        import socketio

        self.client = socketio.Client(reconnection=False)
        self.sessions: queue.Queue[Any] = queue.Queue()
        self.messages: queue.Queue[Dict[str, Any]] = queue.Queue()
        self.client.on("session_confirm", self.sessions.put)
        self.client.on("bot_uttered", self.messages.put)
        headers = {"Origin": f"http://localhost:{assistant.web_port}"}
        if address:
            headers["X-Forwarded-For"] = address
        self.client.connect(assistant.url, transports=["polling"], wait_timeout=10, headers=headers)
        self.client.emit("session_request", {"session_id": None})
        self.session = self.sessions.get(timeout=10)

    def send(self, text: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session})

    def replies(self, expect: int, timeout: float = 60.0) -> List[Dict[str, Any]]:
        return [self.messages.get(timeout=timeout) for _ in range(expect)]

    def rest(self, quiet: float = 3.0) -> List[Dict[str, Any]]:
        """Whatever else arrives, until nothing has for `quiet` seconds."""
        out = []
        while True:
            try:
                out.append(self.messages.get(timeout=quiet))
            except queue.Empty:
                return out

    def say(self, text: str, expect: int) -> List[Dict[str, Any]]:
        """Send `text` and return its `expect` replies, checking that nothing follows them for 3 seconds."""
        self.send(text)
        replies = self.replies(expect)
        extra = self.rest()
        if extra:
            raise AssertionError(f"an unexpected further reply: {extra}")
        return replies

    def close(self) -> None:
        """Leave without waiting: on the polling transport the client's goodbye waits for the long poll in flight,
        which the server ends only at its next ping (25 s)."""
        threading.Thread(target=self.client.disconnect, daemon=True).start()


def _maybe_json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _collect_strings(value: object, out: List[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _collect_strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _collect_strings(item, out)


def contains_phi(haystack: str, phi: str) -> bool:
    """Whether `phi` stands in `haystack` as itself, not as a piece of a longer number or word."""
    return re.search(rf"(?<![A-Za-z0-9.]){re.escape(phi)}(?![A-Za-z0-9])", haystack) is not None
