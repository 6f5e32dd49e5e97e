"""`make test-stories`: run the staff's test stories against the real assistant and write a report.

Stories are Rasa test stories (evaluation/stories/*.yml) with an optional `metadata` block for what Rasa's
format cannot say: what the replies must or must not contain. Each story is played as a new
conversation through the REST channel, with the real action server; each user message's turn (intent,
actions, responses, slots set) is read back from the tracker store and compared with the story.

    - story: a dose question is referred, without a dose
      metadata:
        contains: ["care team"]          # somewhere in the replies (case-insensitive)
        not_contains: ["mg"]
        not_matching: ['\\d+\\s*mg']      # regular expressions, for the technically minded
        turns:                           # checks on the reply to one message (1 = the first)
          1: {contains: ["care team"]}
      steps:
      - user: |
          how much ketamine will they give me
        intent: ask_personal_medical
      - action: utter_refer_to_care_team
      - action: action_safety_notes

Writes report.md, report.html and junit.xml to the output folder; exits 1 if any story fails.
"""

from __future__ import annotations

import argparse
import glob
import html
import re
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional
from xml.sax.saxutils import escape as xml_escape

import yaml

from clinic_faq.rasa_ext.audit import turns as read_turns
from clinic_faq_dev.harness import RunningAssistant

CHECK_KEYS = ("contains", "not_contains", "matching", "not_matching")


class StoryFileError(ValueError):
    pass


@dataclass
class ExpectedTurn:
    text: Optional[str]
    intent: Optional[str]
    actions: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    name: str
    source: str
    turns: List[ExpectedTurn]
    checks: Dict[str, List[str]]
    turn_checks: Dict[int, Dict[str, List[str]]]


@dataclass
class TurnResult:
    expected: ExpectedTurn
    intent: Optional[str]
    actions: List[str]
    slots: Dict[str, Any]
    replies: List[str]
    problems: List[str]


@dataclass
class StoryResult:
    story: Story
    turns: List[TurnResult]
    problems: List[str]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.problems and all(not t.problems for t in self.turns)


def _checks(raw: Any, where: str) -> Dict[str, List[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise StoryFileError(f"{where}: checks must be a mapping of {', '.join(CHECK_KEYS)}")
    checks = {}
    for key, value in raw.items():
        if key not in CHECK_KEYS:
            raise StoryFileError(f"{where}: unknown check {key!r} (use {', '.join(CHECK_KEYS)})")
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise StoryFileError(f"{where}: {key} must be a text or a list of texts")
        if key.endswith("matching"):
            for pattern in values:
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise StoryFileError(f"{where}: {key} has an invalid pattern {pattern!r}: {e}") from e
        checks[key] = values
    return checks


def parse_story(raw: dict, source: str) -> Story:
    name = raw.get("story")
    if not isinstance(name, str) or not isinstance(raw.get("steps"), list):
        raise StoryFileError(f"{source}: every story needs `story:` (a name) and `steps:` (a list)")
    where = f"{source}, story {name!r}"
    turns: List[ExpectedTurn] = []
    for step in raw["steps"]:
        if not isinstance(step, dict):
            raise StoryFileError(f"{where}: each step must be a mapping")
        if "user" in step or "intent" in step:
            text = step.get("user")
            turns.append(ExpectedTurn(text.strip() if isinstance(text, str) else None, step.get("intent")))
        elif not turns:
            raise StoryFileError(f"{where}: a story must start with a user message")
        elif "action" in step:
            turns[-1].actions.append(step["action"])
        elif "slot_was_set" in step:
            for item in step["slot_was_set"] or []:
                turns[-1].slots.update(item if isinstance(item, dict) else {item: True})
        else:
            raise StoryFileError(f"{where}: unsupported step {sorted(step)} (use user/intent, action, slot_was_set)")
    metadata = raw.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise StoryFileError(f"{where}: metadata must be a mapping")
    unknown = sorted(set(metadata) - set(CHECK_KEYS) - {"turns"})
    if unknown:
        raise StoryFileError(f"{where}: unknown check {unknown[0]!r} (use {', '.join(CHECK_KEYS)} or turns)")
    turn_checks = {}
    for number, checks in (metadata.get("turns") or {}).items():
        if not isinstance(number, int) or not 1 <= number <= len(turns):
            raise StoryFileError(f"{where}: turns: {number!r} is not a user message number (1 to {len(turns)})")
        turn_checks[number] = _checks(checks, f"{where}, turn {number}")
    story_checks = _checks({k: v for k, v in metadata.items() if k in CHECK_KEYS}, where)
    return Story(name, source, turns, story_checks, turn_checks)


def load_stories(paths: List[Path]) -> List[Story]:
    stories = []
    files = []
    for path in paths:
        files += sorted(Path(p) for p in glob.glob(str(path / "**" / "*.yml"), recursive=True)) if path.is_dir() else [path]
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as e:
            raise StoryFileError(f"{file}: not valid YAML: {e}") from e
        for raw in data.get("stories") or []:
            stories.append(parse_story(raw, str(file)))
    if not stories:
        raise StoryFileError(f"no stories found in {', '.join(map(str, paths))}")
    return stories


def apply_checks(checks: Dict[str, List[str]], replies: List[str], where: str) -> List[str]:
    text = "\n".join(replies)
    problems = []
    for needle in checks.get("contains", []):
        if needle.lower() not in text.lower():
            problems.append(f"{where} should contain {needle!r}")
    for needle in checks.get("not_contains", []):
        if needle.lower() in text.lower():
            problems.append(f"{where} should not contain {needle!r}")
    for pattern in checks.get("matching", []):
        if not re.search(pattern, text, re.IGNORECASE):
            problems.append(f"{where} should match {pattern!r}")
    for pattern in checks.get("not_matching", []):
        if re.search(pattern, text, re.IGNORECASE):
            problems.append(f"{where} should not match {pattern!r}")
    return problems


def run_story(assistant: RunningAssistant, story: Story) -> StoryResult:
    start = time.monotonic()
    sender = f"story-{uuid.uuid4().hex[:12]}"
    results: List[TurnResult] = []
    for n, expected in enumerate(story.turns, start=1):
        message = expected.text if expected.text is not None else f"/{expected.intent}"
        assistant.send(sender, message)
        events = assistant.events(sender)
        actual = list(read_turns(events))[-1]
        slots = {e["name"]: e.get("value") for e in _slot_events(events, n)}
        problems = []
        if expected.intent and actual.intent != expected.intent:
            problems.append(f"intent: expected {expected.intent}, got {actual.intent}")
        if expected.actions and actual.actions != expected.actions:
            problems.append(f"actions: expected {expected.actions}, got {actual.actions}")
        for slot, value in expected.slots.items():
            if slots.get(slot, "<not set>") != value:
                problems.append(f"slot {slot}: expected {value!r}, got {slots.get(slot, '<not set>')!r}")
        problems += apply_checks(story.turn_checks.get(n, {}), actual.texts, f"reply to message {n}")
        results.append(TurnResult(expected, actual.intent, actual.actions, slots, actual.texts, problems))
    all_replies = [r for t in results for r in t.replies]
    story_problems = apply_checks(story.checks, all_replies, "the replies")
    return StoryResult(story, results, story_problems, time.monotonic() - start)


def _slot_events(events: List[dict], turn_number: int) -> List[dict]:
    """Slot events set in the given user turn (1-based)."""
    seen, out = 0, []
    for event in events:
        if event.get("event") == "user":
            seen += 1
        elif event.get("event") == "slot" and seen == turn_number:
            out.append(event)
    return out


# --- reports ------------------------------------------------------------------------------------


def markdown_report(results: List[StoryResult]) -> str:
    failed = [r for r in results if not r.passed]
    lines = [
        "# Test story report", "",
        f"**{len(results) - len(failed)} of {len(results)} stories passed.**", "",
        "| story | result | file |", "|---|---|---|",
    ]
    lines += [f"| {r.story.name} | {'pass' if r.passed else '**FAIL**'} | {r.story.source} |" for r in results]
    for r in failed:
        lines += ["", f"## FAIL: {r.story.name}", "", f"File: `{r.story.source}`", ""]
        lines += ["| message | expected | actual |", "|---|---|---|"]
        for n, t in enumerate(r.turns, start=1):
            expected = "<br>".join([f"intent: {t.expected.intent or 'any'}"] + [f"→ {a}" for a in t.expected.actions])
            actual = "<br>".join([f"intent: {t.intent}"] + [f"→ {a}" for a in t.actions])
            mark = " ❌" if t.problems else ""
            lines.append(f"| {n}. {_md(t.expected.text or '/' + str(t.expected.intent))}{mark} | {expected} | {actual} |")
        problems = r.problems + [p for t in r.turns for p in t.problems]
        lines += ["", "What differs:"] + [f"- {p}" for p in problems]
        lines += ["", "What the assistant replied:"]
        for n, t in enumerate(r.turns, start=1):
            lines += [f"- to message {n}: " + " / ".join(_md(x) for x in t.replies)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def html_report(results: List[StoryResult]) -> str:
    rows = []
    for r in results:
        status = "pass" if r.passed else "FAIL"
        detail = ""
        if not r.passed:
            cells = []
            for n, t in enumerate(r.turns, start=1):
                exp = "<br>".join(html.escape(x) for x in [f"intent: {t.expected.intent or 'any'}"] + t.expected.actions)
                act = "<br>".join(html.escape(x) for x in [f"intent: {t.intent}"] + t.actions)
                said = "<br>".join(html.escape(x) for x in t.replies)
                cls = ' class="bad"' if t.problems else ""
                cells.append(f"<tr{cls}><td>{n}. {html.escape(t.expected.text or '')}</td><td>{exp}</td><td>{act}</td><td>{said}</td></tr>")
            problems = "".join(f"<li>{html.escape(p)}</li>" for p in r.problems + [p for t in r.turns for p in t.problems])
            detail = (f"<table><tr><th>message</th><th>expected</th><th>actual</th><th>replies</th></tr>{''.join(cells)}</table>"
                      f"<ul>{problems}</ul>")
        rows.append(f'<section class="{status.lower()}"><h2>{status}: {html.escape(r.story.name)}</h2>'
                    f"<p>{html.escape(r.story.source)}</p>{detail}</section>")
    passed = sum(r.passed for r in results)
    return ("<!doctype html><meta charset=utf-8><title>Test story report</title><style>"
            "body{font-family:sans-serif;max-width:70em;margin:auto}section.fail h2{color:#b00}"
            "section.pass h2{color:#070;font-size:1em}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
            "table{border-collapse:collapse}tr.bad{background:#fee}</style>"
            f"<h1>Test story report</h1><p><b>{passed} of {len(results)} stories passed.</b></p>{''.join(rows)}")


def junit_report(results: List[StoryResult]) -> str:
    failures = sum(not r.passed for r in results)
    cases = []
    for r in results:
        name = xml_escape(r.story.name, {'"': "&quot;"})
        body = ""
        if not r.passed:
            message = "; ".join(r.problems + [p for t in r.turns for p in t.problems])
            body = f'<failure message="{xml_escape(message, {chr(34): "&quot;"})}"/>'
        cases.append(f'<testcase classname="{xml_escape(r.story.source)}" name="{name}" time="{r.seconds:.3f}">{body}</testcase>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="test-stories" tests="{len(results)}" '
            f'failures="{failures}">{"".join(cases)}</testsuite>\n')


def write_reports(results: List[StoryResult], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(markdown_report(results), encoding="utf-8")
    (out / "report.html").write_text(html_report(results), encoding="utf-8")
    (out / "junit.xml").write_text(junit_report(results), encoding="utf-8")


def run_all(assistant: RunningAssistant, stories: List[Story]) -> List[StoryResult]:
    return [run_story(assistant, story) for story in stories]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run test stories against the real assistant.")
    parser.add_argument("--stories", type=Path, nargs="+", default=[Path("evaluation/stories")])
    parser.add_argument("--out", type=Path, default=Path("reports/stories"))
    args = parser.parse_args(argv)
    try:
        stories = load_stories(args.stories)
    except StoryFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="clinic-stories-") as tmp:
        with RunningAssistant(Path(tmp)) as assistant:
            results = run_all(assistant, stories)
    write_reports(results, args.out)
    failed = [r for r in results if not r.passed]
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.story.name}")
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    print(f"Report: {args.out / 'report.md'} (also report.html, junit.xml)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
