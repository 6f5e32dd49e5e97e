"""`make compare-pipelines`: train candidate NLU pipelines and score them on the development set.

Each candidate (the project's config.yml and every configs/*.yml) is trained on data/nlu with
`rasa train nlu`, then every development-set message is redacted as the channels do and parsed.
The score is the classifier's alone: the safety screen is left out of the project's pipeline here,
so the candidates are compared on equal terms. Writes docs/nlu-pipeline.md's table to stdout and
reports/pipelines.json.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from clinic_faq.core.phi import redact
from clinic_faq.paths import project_dir
from clinic_faq_dev.content import catalogue
from clinic_faq_dev.evaluate import load_cases

PROJECT = project_dir()
RASA = str(Path(sys.executable).with_name("rasa"))
SMALLTALK = {"greet", "goodbye", "thank", "bot_challenge", "affirm", "deny"}
SCREEN = "clinic_faq.rasa_ext.nlu.safety_screen.SafetyScreenComponent"


def topic_intents() -> Dict[str, str]:
    """topic -> intent, from the catalogue."""
    return {topic: intent for topic, (intent, _, _) in catalogue().items()}


def expected_intents(case: dict, topics: Dict[str, str]) -> Optional[set]:
    route = case.get("route")
    if route == "answer" and case.get("topic") in topics:
        return {topics[case["topic"]]}
    return {
        "referral": {"ask_personal_medical"},
        "emergency": {"emergency"},
        "out_of_scope": {"out_of_scope"},
        "smalltalk": SMALLTALK,
    }.get(route)


def classifier_only(config_path: Path, workdir: Path) -> Path:
    config = yaml.safe_load(config_path.read_text())
    config["pipeline"] = [c for c in config["pipeline"] if c.get("name") != SCREEN]
    out = workdir / f"{config_path.stem}.yml"
    out.write_text(yaml.safe_dump(config, sort_keys=False))
    return out


def train(config: Path, out_dir: Path, name: str) -> float:
    start = time.monotonic()
    subprocess.run(
        [RASA, "train", "nlu", "--config", str(config), "--nlu", "data/nlu", "--out", str(out_dir),
         "--fixed-model-name", name],
        cwd=PROJECT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return time.monotonic() - start


async def score(model: Path, cases: List[dict], topics: Dict[str, str]) -> Dict[str, object]:
    import logging

    import structlog
    from rasa.core.agent import Agent

    logging.getLogger().setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    agent = Agent.load(str(model))
    by_route: Dict[str, List[bool]] = {}
    latencies, fallbacks = [], 0
    for case in cases:
        expected = expected_intents(case, topics)
        if expected is None:
            continue
        start = time.perf_counter()
        parsed = await agent.parse_message(redact(case["text"]).text)
        latencies.append((time.perf_counter() - start) * 1000)
        intent = (parsed.get("intent") or {}).get("name")
        fallbacks += intent == "nlu_fallback"
        by_route.setdefault(case["route"], []).append(intent in expected)
    everything = [ok for oks in by_route.values() for ok in oks]
    result: Dict[str, object] = {"intent_accuracy": round(sum(everything) / len(everything), 4)}
    for route, oks in sorted(by_route.items()):
        result[f"{route}_accuracy"] = round(sum(oks) / len(oks), 4)
    result["fallback_rate"] = round(fallbacks / len(everything), 4)
    result["parse_ms_median"] = round(statistics.median(latencies), 2)
    result["model_mb"] = round(model.stat().st_size / 1e6, 1)
    return result


def main() -> int:
    subprocess.run([sys.executable, "-m", "clinic_faq_dev.spacy_model", "build/spacy/en_clinic"], cwd=PROJECT, check=True,
                   stdout=subprocess.DEVNULL)
    cases = load_cases(PROJECT / "evaluation" / "sets" / "dev_set.yml")
    topics = topic_intents()
    candidates = [PROJECT / "config.yml"] + sorted((PROJECT / "configs").glob("*.yml"))
    results = {}
    with tempfile.TemporaryDirectory(prefix="pipelines-") as tmp:
        for path in candidates:
            name = "project" if path.name == "config.yml" else path.stem
            config = classifier_only(path, Path(tmp))
            seconds = train(config, Path(tmp), name)
            results[name] = {"train_s": round(seconds, 1), **asyncio.run(score(Path(tmp) / f"{name}.tar.gz", cases, topics))}
            print(name, results[name], file=sys.stderr, flush=True)
    Path(PROJECT / "reports").mkdir(exist_ok=True)
    (PROJECT / "reports" / "pipelines.json").write_text(json.dumps(results, indent=2))
    keys = list(next(iter(results.values())).keys())
    print("| pipeline | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(str(row[k]) for k in keys) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
