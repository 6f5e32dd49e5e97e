"""Several Rasa server replicas behind nginx, sharing PostgreSQL and Redis (production mode), on loopback.

`Cluster` starts one action server, N Rasa servers with endpoints.production.yml's stores (a PostgreSQL
database and a Redis key prefix of its own) and nginx rendered from deploy/nginx.conf.template, so a
conversation's messages are spread round robin over the replicas. A replica can be killed or restarted
while the cluster runs. Used by tests/production/ and `make load-test`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from clinic_faq_dev.harness import PROJECT, RunningAssistant, ServerError, free_port
from clinic_faq_dev.postgres import PG, connect

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = PROJECT / "deploy" / "nginx.conf.template"
REDIS = {"host": "127.0.0.1", "port": 6379}


def render_nginx(prefix: Path, listen: str, replica_ports: List[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in replica_ports)
    text = TEMPLATE.read_text()
    for key, value in {"prefix": str(prefix), "listen": listen, "servers": servers}.items():
        text = text.replace("{{ " + key + " }}", value)
    return text


class Cluster(RunningAssistant):
    """`replicas` Rasa servers + one action server + nginx, in production mode, on `database`."""

    def __init__(self, workdir: Path, database: str, replicas: int = 3, extra_env: Optional[Dict[str, str]] = None,
                 **kwargs) -> None:
        self.database = database
        self.lock_prefix = f"test{uuid.uuid4().hex[:8]}"
        env = {
            "DB_HOST": PG["host"], "DB_PORT": str(PG["port"]), "DB_NAME": database, "DB_USER": PG["user"],
            "DB_PASSWORD": "", "REDIS_HOST": REDIS["host"], "REDIS_PORT": str(REDIS["port"]),
            "ACTION_SERVER_URL": "set by RunningAssistant", "ACTION_SERVER_TOKEN": uuid.uuid4().hex,
            "PHONE_TREE_STORE_URL": f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
            "CLINIC_STORE_URL": f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{database}",
            "SOCKET_SESSION_SECRET": "cluster-test-session-secret",
        }
        env.update(extra_env or {})
        lock_store = {"type": "clinic_faq.rasa_ext.stores.lock.AtomicRedisLockStore", "url": REDIS["host"], "port": REDIS["port"],
                      "key_prefix": self.lock_prefix}
        super().__init__(workdir, extra_env=env, endpoints_file="endpoints.production.yml",
                         lock_store=lock_store, **kwargs)
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.proxy_port = free_port()
        self.rasa_port = self.proxy_port  # `url`, `webhook` and `send` go through nginx
        self.nginx_dir = self.workdir / "nginx"

    def replica_name(self, index: int) -> str:
        return f"rasa{index}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[index]}"

    def start_replica(self, index: int) -> None:
        self.start_rasa(self.replica_name(index), self.replica_ports[index])

    def start_proxy(self) -> None:
        if not Path(NGINX).exists():
            raise ServerError("nginx is missing: run `make nginx` (Debian's nginx-light)")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.nginx_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(render_nginx(self.nginx_dir, f"127.0.0.1:{self.proxy_port}", self.replica_ports))
        self._spawn("nginx", [NGINX, "-p", str(self.nginx_dir), "-c", str(conf), "-e", str(self.nginx_dir / "nginx-error.log"),
                              "-g", "daemon off;"], self.workdir / "nginx.log")
        self._health["nginx"] = f"http://127.0.0.1:{self.proxy_port}/webhooks/rest/"

    def kill_replica(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Kill a replica at once (SIGKILL: no clean shutdown, as when a machine dies)."""
        proc = self._procs.pop(self.replica_name(index))
        os.killpg(proc.pid, sig)
        proc.wait(timeout=30)
        self._health.pop(self.replica_name(index), None)

    def __enter__(self) -> Cluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self.start_actions()
            for index in range(len(self.replica_ports)):
                self.start_replica(index)
            self.start_proxy()
            self.wait_ready(timeout=300)
        except BaseException:
            self.stop()
            raise
        return self

    # --- what the replicas did and stored ----------------------------------------------------------

    def upstreams(self, at_least: int = 0, timeout: float = 10.0) -> List[str]:
        """For each REST message in order, the replica (host:port) that nginx sent it to; when nginx tried
        more than one (the first could not be reached), all of them, comma-separated, the last answered.

        nginx writes a request's line only after the client has its response, so a caller that knows how
        many REST messages have been answered passes `at_least`: the log is read again until it holds that
        many lines (or `timeout` seconds have passed)."""
        log = self.nginx_dir / "nginx-access.log"
        deadline = time.monotonic() + timeout
        while True:
            lines = log.read_text().splitlines() if log.exists() else []
            found = [line.split('upstream="')[1].split('"')[0] for line in lines if "/webhooks/rest/webhook" in line]
            if len(found) >= at_least or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def _rows(self, sql: str, args: tuple = ()) -> list:
        with connect(self.database) as db:
            cursor = db.cursor()
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        db.close()
        return rows

    def events(self, sender: str) -> List[dict]:
        """The sender's events as stored in PostgreSQL, in storage order."""
        rows = self._rows("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in rows]

    def all_events(self) -> Dict[str, List[dict]]:
        out: Dict[str, List[dict]] = {}
        for sender, data in self._rows("SELECT sender_id, data FROM events ORDER BY id"):
            out.setdefault(sender, []).append(json.loads(data))
        return out

    def log_text(self) -> str:
        logs = [self.action_log] + [self.log_of(self.replica_name(i)) for i in range(len(self.replica_ports))]
        return "".join(p.read_text(errors="replace") for p in logs if p.exists())


def turns(events: List[dict]) -> List[List[dict]]:
    """A conversation's stored events cut at each user message: [[user, ...its turn...], ...]."""
    out: List[List[dict]] = []
    for event in events:
        if event["event"] == "user":
            out.append([event])
        elif out:
            out[-1].append(event)
    return out


def turn_problems(events: List[dict]) -> List[str]:
    """What is wrong with a stored conversation: a turn that is not whole (it must end by listening,
    with nothing but its own actions in between) or events out of time order."""
    problems = []
    for number, turn in enumerate(turns(events), 1):
        actions = [e.get("name") for e in turn if e["event"] == "action"]
        if not actions or actions[-1] != "action_listen":
            problems.append(f"turn {number} ({turn[0].get('text')!r}) does not end by listening: {actions}")
        if "action_listen" in actions[:-1]:
            problems.append(f"turn {number} listens before it ends: {actions}")
    stamps = [e.get("timestamp", 0) for e in events]
    if stamps != sorted(stamps):
        problems.append("events are stored out of time order")
    return problems


def user_texts(events: List[dict]) -> List[str]:
    return [e.get("text") for e in events if e["event"] == "user"]
