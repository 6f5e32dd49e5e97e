"""Checks of the answer content itself (run by `make validate` after `rasa data validate`, and by tests).

- every response has a route; every curated answer has its metadata (topic, medical, sources) and the
  term the catalogue (docs/topics.md) says it always mentions;
- no response contains a dose or a dosing instruction, or repeats a forbidden overclaim;
- every response is short enough for a chat bubble;
- every topic in the catalogue has its intent, training examples, answer and rule.
"""

from __future__ import annotations

import glob
import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from clinic_faq.core.contract import ROUTES
from clinic_faq.core.dose import find_dose
from clinic_faq.paths import project_dir

PROJECT = project_dir()
MAX_CHARS = 500
# Claims the seed pages make that the assistant must never repeat.
FORBIDDEN_CLAIMS = [
    r"no (long[- ]term )?side effects", r"no risks?\b", r"completely safe", r"100% safe", r"risk[- ]free",
    r"non[- ]addictive", r"\bguarantee", r"\bcures?\b", r"will (relieve|eliminate|cure)", r"treats the cause",
    r"no downtime", r"works for everyone",
    # Spanish
    r"sin efectos (secundarios )?a largo plazo", r"sin (ning[uú]n )?riesgo", r"completamente segur[oa]",
    r"100 ?% segur[oa]", r"\bgarantiza", r"\bcura(?:r|n)?\b", r"funciona para todos", r"no (es|crea) adictiv",
]
SPANISH = {"type": "slot", "name": "language", "value": "es"}


def catalogue() -> Dict[str, Tuple[str, bool, str]]:
    """topic -> (intent, medical, required term), from docs/topics.md."""
    rows = {}
    for line in (PROJECT / "docs" / "topics.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 6 and cells[3] in ("yes", "no"):
            rows[cells[2]] = (cells[1], cells[3] == "yes", cells[4].strip("`"))
    return rows


def training_examples() -> List[Tuple[str, str]]:
    examples = []
    for path in sorted(glob.glob(str(PROJECT / "data" / "nlu" / "**" / "*.yml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            for block in yaml.safe_load(f)["nlu"]:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        examples.append((block["intent"], line.strip()[2:]))
    return examples


def check_responses(responses: Dict[str, list], topics: Dict[str, Tuple[str, bool, str]]) -> List[str]:
    problems = []
    for name, variations in responses.items():
        for variation in variations:
            text, meta = variation.get("text") or "", variation.get("metadata") or {}
            if meta.get("route") not in ROUTES:
                problems.append(f"{name}: metadata.route must be one of {sorted(ROUTES)}")
            kind = find_dose(text)
            if kind:
                problems.append(f"{name}: contains a dose ({kind})")
            for claim in FORBIDDEN_CLAIMS:
                if re.search(claim, text, re.IGNORECASE):
                    problems.append(f"{name}: repeats a forbidden claim ({claim})")
            if len(text) > MAX_CHARS:
                problems.append(f"{name}: {len(text)} characters, more than {MAX_CHARS} for a chat bubble")
        spanish = [v for v in variations if SPANISH in (v.get("condition") or [])]
        english = [v for v in variations if not v.get("condition")]
        if not spanish:
            problems.append(f"{name}: has no Spanish variation (condition: language slot = es)")
        for variation in spanish:
            meta_es, meta_en = variation.get("metadata") or {}, (english[0].get("metadata") or {}) if english else {}
            if {k: v for k, v in meta_es.items() if k != "lang"} != meta_en or meta_es.get("lang") != "es":
                problems.append(f"{name}: the Spanish variation needs the English metadata plus lang: es")
            if len(variation.get("buttons") or []) != len((english[0].get("buttons") or []) if english else []):
                problems.append(f"{name}: the Spanish variation needs the same buttons")
        if not name.startswith(("utter_answer_", "utter_more_")):
            continue
        topic = name.split("_", 2)[2]
        meta = (variations[0].get("metadata") or {}) if variations else {}
        if topic not in topics:
            problems.append(f"{name}: topic {topic!r} is not in docs/topics.md")
            continue
        _, medical, term = topics[topic]
        if meta.get("route") != "answer" or meta.get("topic") != topic:
            problems.append(f"{name}: metadata needs route: answer and topic: {topic}")
        if meta.get("medical") is not medical:
            problems.append(f"{name}: metadata.medical must be {str(medical).lower()} (docs/topics.md)")
        if not isinstance(meta.get("sources"), list):
            problems.append(f"{name}: metadata.sources must list the seed documents the answer rests on")
        if name.startswith("utter_answer_") and not re.search(term, english[0].get("text", "") if english else "", re.IGNORECASE):
            problems.append(f"{name}: must mention {term!r} (docs/topics.md)")
    return problems


def check_coverage(domain: dict, topics: Dict[str, Tuple[str, bool, str]]) -> List[str]:
    problems = []
    rules = "\n".join(Path(p).read_text(encoding="utf-8") for p in glob.glob(str(PROJECT / "data" / "rules" / "*.yml")))
    trained = {intent for intent, _ in training_examples()}
    for topic, (intent, _, _) in topics.items():
        if intent not in domain.get("intents", []):
            problems.append(f"{topic}: intent {intent} is not in domain.yml")
        if intent not in trained:
            problems.append(f"{topic}: intent {intent} has no training examples in data/nlu/")
        if f"utter_answer_{topic}" not in domain.get("responses", {}):
            problems.append(f"{topic}: no utter_answer_{topic} in domain.yml")
        if f"- intent: {intent}\n  - action: utter_answer_{topic}" not in rules:
            problems.append(f"{topic}: no rule in data/rules/ answers {intent} with utter_answer_{topic}")
    return problems


def check_content(domain_path: Path = PROJECT / "domain.yml") -> List[str]:
    with open(domain_path, encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    topics = catalogue()
    return check_responses(domain.get("responses") or {}, topics) + check_coverage(domain, topics)


def main() -> int:
    problems = check_content()
    for problem in problems:
        print(f"content: {problem}")
    print(f"Answer content: {len(problems)} problem(s).")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
