"""Convert Rasa test stories (`stories:` with `steps:` of intents and actions) into the staff story format.

    python -m clinic_faq_dev.story_convert OLD.yml [...] [--out FOLDER]   # prints the result without --out

Each user message becomes a step whose `expect:` is what its actions stand for, in the staff words
(clinic_faq.rasa_ext.channels.staff_views.why): `utter_answer_side_effects` -> "answer about side effects",
`utter_refer_to_care_team` -> "care team", ...; a step with an intent and no message (a button) becomes
`clicks:` with the button's title. The old `metadata` checks become `says`, `never_says`, `matches` and
`never_matches`, on the step they were for (story-wide ones on the test). The file's leading comments are kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from clinic_faq.paths import project_file
from clinic_faq.rasa_ext.channels.staff_views.why import Catalogue, load_catalogue, outcomes, words

RENAMED = {"contains": "says", "not_contains": "never_says", "matching": "matches", "not_matching": "never_matches"}


def _scalar(value: Any) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_flow_style=True).strip()
    return dumped[: -len("...")].strip() if dumped.endswith("...") else dumped


def _responses() -> Dict[str, Dict[str, Any]]:
    with open(project_file("domain.yml"), encoding="utf-8") as f:
        domain = yaml.safe_load(f) or {}
    return {name: dict((variants or [{}])[0].get("metadata") or {}) for name, variants in
            (domain.get("responses") or {}).items()}


def convert_story(story: Dict[str, Any], catalogue: Catalogue, responses: Dict[str, Dict[str, Any]]) -> List[str]:
    turns: List[Dict[str, Any]] = []
    for step in story.get("steps") or []:
        if "user" in step or "intent" in step:
            turns.append({"text": (step.get("user") or "").strip(), "intent": step.get("intent"), "actions": []})
        elif "action" in step and turns:
            turns[-1]["actions"].append(step["action"])
    metadata = story.get("metadata") or {}
    per_turn = {int(k): v for k, v in (metadata.get("turns") or {}).items()}
    story_checks = {k: v for k, v in metadata.items() if k in RENAMED}
    if len(turns) == 1 and story_checks:  # one message: its checks are the step's
        per_turn[1] = {**story_checks, **per_turn.get(1, {})}
        story_checks = {}
    lines = [f"- test: {_scalar(story['story'])}"]
    lines += [f"  {RENAMED[k]}: {_scalar(v if isinstance(v, list) else [v])}" for k, v in story_checks.items()]
    lines.append("  conversation:")
    for n, turn in enumerate(turns, start=1):
        replies = [(a, responses.get(a, {})) for a in turn["actions"] if a.startswith("utter_")]
        if turn["text"]:
            lines.append(f"  - patient: {_scalar(turn['text'])}")
        else:
            title = catalogue.click_title(f"/{turn['intent']}")
            lines.append(f"  - clicks: {_scalar(title or '/' + str(turn['intent']))}")
        lines.append(f"    expect: {words(outcomes(replies), catalogue)}")
        for key, value in (per_turn.get(n) or {}).items():
            lines.append(f"    {RENAMED[key]}: {_scalar(value if isinstance(value, list) else [value])}")
    return lines


def convert_file(path: Path, catalogue: Optional[Catalogue] = None) -> str:
    catalogue = catalogue or load_catalogue()
    responses = _responses()
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            header.append(line)
        elif not line.startswith(("version", "stories")):
            break
    data = yaml.safe_load(text) or {}
    out = [line for line in header if line.strip()]
    for story in data.get("stories") or []:
        out += [""] + convert_story(story, catalogue, responses)
    return "\n".join(out).lstrip("\n") + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Convert Rasa test stories into the staff story format.")
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=None, help="write each file here (by default: print)")
    args = parser.parse_args(argv)
    catalogue = load_catalogue()
    for path in args.files:
        converted = convert_file(path, catalogue)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / path.name).write_text(converted, encoding="utf-8")
        else:
            sys.stdout.write(converted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
