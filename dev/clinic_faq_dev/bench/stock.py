"""The stock reference assistant: what one would deploy with `rasa init` and our own data, no guardrails.

Generated under build/dev/clinic_faq_dev/bench/stock/ from the installed Rasa and this project's data:

- config.yml: `rasa init`'s config.yml as Rasa 3.6 ships it (rasa/cli/initial_project/config.yml). It
  names no pipeline and no policies, so Rasa trains its default ones
  (rasa/engine/recipes/config_files/default_config.yml): DIETClassifier and ResponseSelector (100 epochs
  each), EntitySynonymMapper, FallbackClassifier; MemoizationPolicy, RulePolicy,
  UnexpecTEDIntentPolicy and TEDPolicy (100 epochs each).
- data/nlu/: our NLU training data, unchanged.
- domain.yml: our intents and responses (the clinic's details written into the texts, as a stock
  assistant would have them), `rasa init`'s session settings; no slots, no custom actions.
- data/rules.yml: each intent -> the response our rules give it (for `more_info`, the one given when no
  topic was answered), nothing else: no custom action, no custom NLG, no safety screen.
- data/stories.yml: the same pairs as one-turn stories, as `rasa init` has stories next to its rules,
  so that TEDPolicy and UnexpecTEDIntentPolicy have data to train on and predict with, as in a stock
  deployment.
- credentials.yml: `rest:` (Rasa's own REST channel); endpoints.yml: the action server and Rasa's SQL
  tracker store on SQLite (as ours, for a fair comparison); Rasa's in-memory lock store.
- actions/: `rasa init`'s actions package (it defines no action). The stock action server is started
  so that it exists as in a stock deployment and its memory can be measured; no rule calls it, so stock
  makes no action-server call per turn.

The model is trained once per content (hash of everything above and requirements.txt) and kept in
models/ and the shared model cache, with its training time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import rasa
import yaml

from clinic_faq.core.clinic_config import load_clinic_config
from clinic_faq_dev.harness import PROJECT, RunningAssistant

RASA_PACKAGE = Path(rasa.__file__).resolve().parent
INITIAL_PROJECT = RASA_PACKAGE / "cli" / "initial_project"
STOCK_DIR = PROJECT / "build" / "bench" / "stock"
RASA_BIN = str(Path(sys.executable).with_name("rasa"))


def model_cache() -> Path:
    if os.environ.get("MODEL_CACHE"):
        return Path(os.environ["MODEL_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ketamine-clinic-faq" / "models"


# --- generating the stock project ----------------------------------------------------------------------


def _rules_files() -> List[Path]:
    return sorted((PROJECT / "data" / "rules").glob("*.yml"))


def intent_responses() -> Dict[str, str]:
    """Each intent -> the response our rules utter first for it, from rules without a condition."""
    mapping: Dict[str, str] = {}
    rules = [rule for path in _rules_files()
             for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []]
    for unconditioned in (True, False):  # then the rules for "no topic answered yet" (`more_info`)
        for rule in rules:
            steps = rule.get("steps") or []
            if len(steps) < 2 or "intent" not in steps[0] or not steps[1].get("action", "").startswith("utter_"):
                continue
            condition = rule.get("condition") or []
            if unconditioned and condition:
                continue
            slots = [value for step in condition for slot in step.get("slot_was_set") or [] for value in slot.values()]
            if condition and (any(value is not None for value in slots) or not slots):
                continue
            mapping.setdefault(steps[0]["intent"], steps[1]["action"])
    # Intents our rules answer with a form or only inside one: the stock assistant says the form's first words.
    for intent, response in (("request_callback", "utter_ask_callback_consent"), ("cancel", "utter_callback_cancelled")):
        mapping.setdefault(intent, response)
    return mapping


def _fill(text: str, values: Dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def stock_domain() -> Dict[str, Any]:
    ours = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
    initial = yaml.safe_load((INITIAL_PROJECT / "domain.yml").read_text(encoding="utf-8"))
    values = load_clinic_config().template_values()
    responses = {}
    for name, variations in ours["responses"].items():
        responses[name] = [{**v, "text": _fill(v["text"], values)} if "text" in v else dict(v) for v in variations]
    return {
        "version": "3.1",
        "intents": list(ours["intents"]),
        "responses": responses,
        "session_config": initial["session_config"],
    }


def stock_files() -> Dict[str, str]:
    """Relative path -> content of every file of the stock project."""
    pairs = intent_responses()
    rules = [{"rule": f"{intent} -> {response}", "steps": [{"intent": intent}, {"action": response}]}
             for intent, response in pairs.items()]
    stories = [{"story": f"{intent}", "steps": [{"intent": intent}, {"action": response}]}
               for intent, response in pairs.items()]
    dump = lambda data: yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)  # noqa: E731
    files = {
        "config.yml": (INITIAL_PROJECT / "config.yml").read_text(encoding="utf-8"),
        "domain.yml": dump(stock_domain()),
        "data/rules.yml": dump({"version": "3.1", "rules": rules}),
        "data/stories.yml": dump({"version": "3.1", "stories": stories}),
        "credentials.yml": "rest:\n",
        "endpoints.yml": dump({
            "action_endpoint": {"url": "http://localhost:5055/webhook"},
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "tracker.db"},
        }),
        "actions/__init__.py": (INITIAL_PROJECT / "actions" / "__init__.py").read_text(encoding="utf-8"),
        "actions/actions.py": (INITIAL_PROJECT / "actions" / "actions.py").read_text(encoding="utf-8"),
    }
    for path in sorted((PROJECT / "data" / "nlu").glob("*.yml")):
        files[f"data/nlu/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def stock_key(files: Dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    digest.update((PROJECT / "requirements-product.txt").read_bytes())  # the packages that train and serve it
    return digest.hexdigest()[:16]


def write_stock_project(directory: Path = STOCK_DIR) -> Tuple[Path, str]:
    files = stock_files()
    if directory.exists():
        shutil.rmtree(directory)
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return directory, stock_key(files)


# --- training, timed and cached ------------------------------------------------------------------------


def train_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1",
               PYTHONWARNINGS="ignore::DeprecationWarning")
    return env


def timed_training(project: Path, name: str, out: Path, env: Dict[str, str], log: Path) -> float:
    """`rasa train` in `project`, its model written to out/<name>.tar.gz; returns the wall time in seconds.
    Rasa's training cache is an empty one of its own, so every component is trained, none reused."""
    out.mkdir(parents=True, exist_ok=True)
    env = {**env, "RASA_CACHE_DIRECTORY": str(out / "rasa-cache")}
    cmd = [RASA_BIN, "train", "--fixed-model-name", name, "--out", str(out), "--config", "config.yml",
           "--domain", "domain.yml", "--data", "data"]
    start = time.perf_counter()
    with open(log, "wb") as handle:
        result = subprocess.run(cmd, cwd=project, env=env, stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - start
    if result.returncode != 0 or not (out / f"{name}.tar.gz").exists():
        raise RuntimeError(f"training {name} failed; see {log}")
    return seconds


def cached_model(name: str, train: Any, retrain: bool = False) -> Tuple[Path, Dict[str, Any]]:
    """The model models/<name>.tar.gz and its training record ({"seconds", "date"}), trained by
    `train(out_dir) -> seconds` when neither models/ nor the cache has it with its time (or `retrain`)."""
    models = PROJECT / "models"
    cache = model_cache()
    model = models / f"{name}.tar.gz"
    record_path = cache / f"{name}.train.json"
    if not retrain and record_path.exists():
        record = json.loads(record_path.read_text())
        if not model.exists() and (cache / model.name).exists():
            models.mkdir(parents=True, exist_ok=True)
            shutil.copy2(cache / model.name, model)
        if model.exists():
            return model, {**record, "cached": True}
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        seconds = train(Path(tmp))
        models.mkdir(parents=True, exist_ok=True)
        if not model.exists():  # a model already there was trained from the same inputs: kept
            shutil.copy2(Path(tmp) / model.name, model)
    record = {"seconds": round(seconds, 1), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "cores": os.cpu_count()}
    try:
        cache.mkdir(parents=True, exist_ok=True)
        if not (cache / model.name).exists():
            shutil.copy2(model, cache / model.name)
        record_path.write_text(json.dumps(record) + "\n")
    except OSError:
        pass
    return model, {**record, "cached": False}


def stock_model(retrain: bool = False, log_dir: Optional[Path] = None) -> Tuple[Path, Dict[str, Any]]:
    project, key = write_stock_project()
    name = f"stock-{key}"
    log = (log_dir or project) / "train-stock.log"
    return cached_model(name, lambda out: timed_training(project, name, out, train_env(), log), retrain)


# --- running it ----------------------------------------------------------------------------------------


class StockAssistant(RunningAssistant):
    """The stock assistant's servers, started by the same machinery as ours: `rasa run actions` with
    `rasa init`'s actions package and `rasa run` with Rasa's REST channel, on free loopback ports, with
    a private SQLite tracker store in `workdir`."""

    def __init__(self, workdir: Path, model: Path, project: Path = STOCK_DIR, **kwargs: Any) -> None:
        super().__init__(workdir, model=model, **kwargs)
        self.project = Path(project)

    def _expect_health(self, name: str, url: str) -> None:
        health = getattr(self, "_health", None)
        if isinstance(health, dict):
            health[name] = url

    def _endpoints(self) -> Path:
        endpoints = yaml.safe_load((self.project / "endpoints.yml").read_text(encoding="utf-8"))
        endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{self.action_port}/webhook"
        endpoints["tracker_store"]["db"] = str(self.db_path)
        path = self.workdir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints))
        return path

    def _env(self) -> Dict[str, str]:
        env = super()._env()
        env["PYTHONPATH"] = str(self.project)  # `actions` is rasa init's package, not ours
        env.update(self.extra_env)
        return env

    def start_actions(self) -> None:
        self._expect_health("actions", f"http://127.0.0.1:{self.action_port}/health")
        cmd = [RASA_BIN, "run", "actions", "--actions", "actions", "--port", str(self.action_port)]
        self._spawn("actions", cmd, self.action_log)

    def start_rasa(self) -> None:
        self._expect_health("rasa", f"{self.url}/webhooks/rest/")
        cmd = [RASA_BIN, "run", "--model", str(self.model), "--port", str(self.rasa_port),
               "--credentials", str(self.project / "credentials.yml"), "--endpoints", str(self._endpoints()),
               "--interface", "127.0.0.1"]
        self._spawn("rasa", cmd, self.rasa_log)

    def _spawn(self, name: str, cmd: List[str], log: Path) -> None:
        handle = open(log, "ab")
        self._procs[name] = subprocess.Popen(
            cmd, cwd=self.project, env=self._env(), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )


if __name__ == "__main__":
    path, record = stock_model(retrain="--retrain" in sys.argv)
    print(path, json.dumps(record))
