"""`make test-stories`: play the staff's test stories against the real assistant and report, in the same words.

Stories are written in the staff format (docs/staff-testing.md, read by clinic_faq_dev.story_files): a
conversation and what must happen, in words staff use ("answer about side effects", "care team",
"emergency", ...). Each test is played as a new conversation through the REST channel, with the real action
server; each message's turn is read back from the tracker store and described in the same words
(clinic_faq.rasa_ext.channels.staff_views.why), then compared with the story.

    python -m clinic_faq_dev.stories [--stories FILE_OR_FOLDER ...] [--out reports/stories] [--rasa-out DIR]

Writes report.md, report.html and junit.xml to the output folder, and the same tests as Rasa test stories
(intents, actions, slots) to `--rasa-out` (by default `<out>/rasa/`), for `rasa test core` and any other
Rasa tool. Exits 1 if a test fails or a file has a mistake (the other tests still run), 2 if there is no test.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape as xml_escape

import yaml

from clinic_faq.rasa_ext.channels.staff_views.why import (
    ANSWER,
    CALLBACK,
    CARE_TEAM,
    CONCERN,
    CRISIS_LINE,
    DECLINED,
    DISCLAIMER,
    EMERGENCY,
    LANGUAGES,
    MORE,
    NOTHING_MORE,
    PRIVACY,
    REPHRASE,
    SMALL_TALK,
    WHICH_TOPIC,
    Catalogue,
    Outcome,
    TurnView,
    explain,
    load_catalogue,
    read_conversation,
    words,
)
from clinic_faq_dev.harness import RunningAssistant
from clinic_faq_dev.story_files import Checks, Step, StoryMistake, StoryTest, load_stories

__all__ = ["StepResult", "TestResult", "compare", "junit_report", "html_report", "load_stories", "main",
           "markdown_report", "rasa_stories", "result_lines", "run_all", "run_test", "write_reports"]


# --- comparing ---------------------------------------------------------------------------------------------------

def compare(expected: Sequence[Outcome], actual: Sequence[Outcome], catalogue: Catalogue) -> Tuple[bool, str]:
    """Whether what happened is what the story expects, and what happened in words.

    The outcomes must be the same, in order, with two allowances: after emergency guidance (either kind), what
    follows is checked only if the story lists it; and `care team` on its own also passes when the referral
    follows an answer (what happened then says so: "care team (after the answer about ...)")."""
    said = words(actual, catalogue)
    expected, actual = list(expected), list(actual)
    if expected == actual:
        return True, said
    if expected and expected[-1].kind in (EMERGENCY, CONCERN) and actual[: len(expected)] == expected:
        return True, said
    if (expected == [Outcome(CARE_TEAM)] and len(actual) == 2 and actual[0].kind == ANSWER
            and actual[1] == Outcome(CARE_TEAM)):
        return True, f"care team (after the answer about {catalogue.title(actual[0].topic or '')})"
    return False, said


def check_replies(checks: Checks, replies: List[str], languages: List[str], where: str) -> List[str]:
    text = "\n".join(replies).lower()
    problems = []
    for needle in checks.says:
        if needle.lower() not in text:
            problems.append(f"{where} should say {needle!r}, and does not")
    for needle in checks.never_says:
        if needle.lower() in text:
            problems.append(f"{where} should never say {needle!r}, and does")
    for pattern in checks.matches:
        if not re.search(pattern, text, re.IGNORECASE):
            problems.append(f"{where} should match {pattern!r}, and does not")
    for pattern in checks.never_matches:
        if re.search(pattern, text, re.IGNORECASE):
            problems.append(f"{where} should never match {pattern!r}, and does")
    if checks.language:
        other = [lang for lang in languages if lang != checks.language]
        if other or not languages:
            wanted = LANGUAGES[checks.language]
            problems.append(f"{where} should be in {wanted}, and {len(other)} of {len(languages)} replies are not")
    return problems


# --- running -----------------------------------------------------------------------------------------------------

@dataclass
class StepResult:
    step: Step
    view: Optional[TurnView]
    happened: str  # in the story's words
    passed_expect: bool
    problems: List[str]
    why: List[str] = field(default_factory=list)  # what decided it, for a failed step
    slots: Dict[str, Any] = field(default_factory=dict)  # the slots set in this turn (for Rasa's stories)

    @property
    def replies(self) -> List[str]:
        return [r.text for r in self.view.replies] if self.view else []


@dataclass
class TestResult:
    test: Optional[StoryTest]
    steps: List[StepResult]
    problems: List[str]
    seconds: float
    mistake: Optional[StoryMistake] = None

    @property
    def passed(self) -> bool:
        return self.mistake is None and not self.problems and all(not s.problems for s in self.steps)

    @property
    def name(self) -> str:
        if self.test:
            return self.test.name
        assert self.mistake is not None
        return self.mistake.test or f"(a test at line {self.mistake.line})"

    @property
    def where(self) -> str:
        if self.test:
            return f"{self.test.file}, line {self.test.line}"
        assert self.mistake is not None
        return str(self.mistake.file)

    def all_problems(self) -> List[str]:
        if self.mistake:
            return [str(self.mistake)]
        return [p for s in self.steps for p in s.problems] + self.problems


def _slots(events: List[dict], turn_number: int) -> Dict[str, Any]:
    seen, found = 0, {}
    for event in events:
        if event.get("event") == "user":
            seen += 1
        elif event.get("event") == "slot" and seen == turn_number:
            found[event["name"]] = event.get("value")
    return found


def run_test(assistant: RunningAssistant, test: StoryTest, catalogue: Optional[Catalogue] = None) -> TestResult:
    catalogue = catalogue or load_catalogue()
    start = time.monotonic()
    sender = f"story-{uuid.uuid4().hex[:12]}"
    results: List[StepResult] = []
    for n, step in enumerate(test.steps, start=1):
        assistant.send(sender, step.text)
        events = assistant.events(sender)
        views = read_conversation(events)
        view = views[-1] if len(views) == n else None
        problems: List[str] = []
        if view is None:
            results.append(StepResult(step, None, "nothing was stored", False,
                                      [f"message {n}: the assistant stored no turn for it"]))
            continue
        ok, happened = True, words(view.outcomes, catalogue)
        if step.expect is not None:
            ok, happened = compare(step.expect, view.outcomes, catalogue)
            if not ok:
                expected = words(step.expect, catalogue)
                problems.append(f"message {n}: expected {expected}, but the assistant gave {happened}")
        problems += check_replies(step.checks, [r.text for r in view.replies], view.turn.languages,
                                  f"the reply to message {n}")
        if test.checks.language and not step.checks.language:
            problems += check_replies(Checks(language=test.checks.language), [], view.turn.languages,
                                      f"the reply to message {n}")
        why = []
        if problems:
            e = explain(view, catalogue)
            why = [f"The classifier read it as {e.classifier}."] + e.decided
        results.append(StepResult(step, view, happened, ok, problems, why, _slots(events, n)))
    replies = [r for s in results for r in s.replies]
    story_checks = Checks(test.checks.says, test.checks.never_says, test.checks.matches, test.checks.never_matches)
    story_problems = check_replies(story_checks, replies, [], "the replies") if story_checks else []
    return TestResult(test, results, story_problems, time.monotonic() - start)


def run_all(assistant: RunningAssistant, tests: List[StoryTest], mistakes: Sequence[StoryMistake] = ()) -> List[TestResult]:
    catalogue = load_catalogue()
    results = [TestResult(None, [], [], 0.0, mistake=m) for m in mistakes]
    return results + [run_test(assistant, test, catalogue) for test in tests]


# --- reports -----------------------------------------------------------------------------------------------------

def _expected(step: Step, catalogue: Catalogue) -> str:
    parts = [words(step.expect, catalogue)] if step.expect is not None else ["(anything)"]
    parts += [f"says \u201c{x}\u201d" for x in step.checks.says]
    parts += [f"never says \u201c{x}\u201d" for x in step.checks.never_says]
    parts += [f"matches {x}" for x in step.checks.matches] + [f"never matches {x}" for x in step.checks.never_matches]
    if step.checks.language:
        parts.append(f"in {LANGUAGES[step.checks.language]}")
    return "; ".join(parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(results: List[TestResult], catalogue: Optional[Catalogue] = None) -> str:
    catalogue = catalogue or load_catalogue()
    failed = [r for r in results if not r.passed]
    mistakes = [r for r in results if r.mistake]
    lines = ["# Test story report", "",
             f"**{len(results) - len(failed)} of {len(results)} tests passed.**"
             + (f" {len(mistakes)} could not be read (a mistake in the file)." if mistakes else ""), ""]
    if mistakes:
        lines += ["## Mistakes in the story files", ""] + [f"- {r.mistake}" for r in mistakes] + [""]
    lines += ["| test | result | where |", "|---|---|---|"]
    lines += [f"| {_md(r.name)} | {'pass' if r.passed else ('**MISTAKE**' if r.mistake else '**FAIL**')} | "
              f"{_md(r.where)} |" for r in results]
    for r in failed:
        if r.mistake:
            continue
        lines += ["", f"## FAIL: {r.name}", "", f"File: `{r.where}`", ""]
        lines += ["| # | the patient | expected | what happened |", "|---|---|---|---|"]
        for n, s in enumerate(r.steps, start=1):
            mark = " ❌" if s.problems else ""
            lines.append(f"| {n} | {_md(s.step.shown)}{mark} | {_md(_expected(s.step, catalogue))} | {_md(s.happened)} |")
        lines += ["", "What differs:"]
        for s in r.steps:
            for p in s.problems:
                lines.append(f"- {p}")
            if s.problems and s.why:
                lines.append("  - why: " + " ".join(s.why))
        lines += [f"- {p}" for p in r.problems]
        lines += ["", "What the assistant replied:"]
        for n, s in enumerate(r.steps, start=1):
            lines.append(f"- to message {n}: " + " / ".join(f"\u201c{_md(x)}\u201d" for x in s.replies))
    return "\n".join(lines) + "\n"


def html_report(results: List[TestResult], catalogue: Optional[Catalogue] = None) -> str:
    catalogue = catalogue or load_catalogue()
    e = html.escape
    sections = []
    for r in results:
        if r.mistake:
            sections.append(f'<section class="fail"><h2>MISTAKE: {e(r.name)}</h2><p>{e(str(r.mistake))}</p></section>')
            continue
        status = "pass" if r.passed else "FAIL"
        detail = ""
        if not r.passed:
            rows = []
            for n, s in enumerate(r.steps, start=1):
                cls = ' class="bad"' if s.problems else ""
                said = "".join(f"<p>{e(x)}</p>" for x in s.replies)
                rows.append(f"<tr{cls}><td>{n}</td><td>{e(s.step.shown)}</td><td>{e(_expected(s.step, catalogue))}</td>"
                            f"<td>{e(s.happened)}</td><td>{said}</td></tr>")
            problems = "".join(f"<li>{e(p)}" + (f"<br><small>why: {e(' '.join(s.why))}</small>" if s.why else "")
                               + "</li>" for s in r.steps for p in s.problems)
            problems += "".join(f"<li>{e(p)}</li>" for p in r.problems)
            detail = ('<table><tr><th scope="col">#</th><th scope="col">the patient</th><th scope="col">expected</th>'
                      '<th scope="col">what happened</th><th scope="col">the replies</th></tr>'
                      f"{''.join(rows)}</table><ul>{problems}</ul>")
        sections.append(f'<section class="{status.lower()}"><h2>{status}: {e(r.name)}</h2>'
                        f"<p>{e(r.where)}</p>{detail}</section>")
    passed = sum(r.passed for r in results)
    return ("<!doctype html><html lang=en><meta charset=utf-8><title>Test story report</title><style>"
            "body{font-family:sans-serif;max-width:70em;margin:auto;padding:0 1em}section.fail h2{color:#a31515}"
            "section.pass h2{color:#1b6e20;font-size:1em}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
            "table{border-collapse:collapse}tr.bad{background:#fee}td p{margin:0 0 .4em}</style>"
            f"<h1>Test story report</h1><p><b>{passed} of {len(results)} tests passed.</b></p>{''.join(sections)}")


def junit_report(results: List[TestResult]) -> str:
    q = {'"': "&quot;"}
    failures = sum(not r.passed and r.mistake is None for r in results)
    errors = sum(r.mistake is not None for r in results)
    cases = []
    for r in results:
        body = ""
        if r.mistake:
            body = f'<error message="{xml_escape(str(r.mistake), q)}"/>'
        elif not r.passed:
            body = f'<failure message="{xml_escape("; ".join(r.all_problems()), q)}"/>'
        file = r.test.file if r.test else (r.mistake.file if r.mistake else "")
        cases.append(f'<testcase classname="{xml_escape(file, q)}" name="{xml_escape(r.name, q)}" '
                     f'time="{r.seconds:.3f}">{body}</testcase>')
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="test-stories" tests="{len(results)}" '
            f'failures="{failures}" errors="{errors}">{"".join(cases)}</testsuite>\n')


def write_reports(results: List[TestResult], out: Path) -> None:
    catalogue = load_catalogue()
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(markdown_report(results, catalogue), encoding="utf-8")
    (out / "report.html").write_text(html_report(results, catalogue), encoding="utf-8")
    (out / "junit.xml").write_text(junit_report(results), encoding="utf-8")


# --- the same tests as Rasa test stories ------------------------------------------------------------------------

# The intent and the actions each outcome stands for in the Rasa project (data/rules/), and whether
# `action_safety_notes` follows (then the `topic` slot is set after it).
_NOTES = "action_safety_notes"
_CANONICAL: Dict[str, Tuple[str, List[str]]] = {
    CARE_TEAM: ("ask_personal_medical", ["utter_refer_to_care_team", _NOTES]),
    EMERGENCY: ("emergency", ["utter_emergency", _NOTES]),
    CONCERN: ("crisis_concern", ["utter_crisis_concern", _NOTES]),
    CRISIS_LINE: ("crisis_support", ["utter_crisis_resources_gentle", _NOTES]),
    DECLINED: ("out_of_scope", ["utter_out_of_scope", _NOTES]),
    PRIVACY: ("share_personal_info", ["utter_phi_warning"]),
    DISCLAIMER: ("is_medical_advice", ["utter_disclaimer"]),
    NOTHING_MORE: ("more_info", ["utter_no_more"]),
    WHICH_TOPIC: ("more_info", ["utter_ask_which_topic"]),
    SMALL_TALK: ("greet", ["utter_greet"]),  # which small talk is known only from a run
}


class NotForRasa(ValueError):
    pass


def _canonical(step: Step, catalogue: Catalogue, after_rephrase: bool) -> Tuple[str, List[str], Dict[str, Any]]:
    """Intent, actions and slots for an expectation, from the project's rules (when the run cannot say)."""
    assert step.expect is not None
    first = step.expect[0]
    if first.kind in (ANSWER, MORE):
        topic = first.topic or ""
        if first.kind == MORE:
            return "more_info", [f"utter_more_{topic}", _NOTES], {"topic": None}
        intent = next((i for i, t in catalogue.intents.items() if t == topic), f"ask_{topic}")
        return intent, [f"utter_answer_{topic}", _NOTES], {"topic": topic}
    if first.kind == REPHRASE:
        return "nlu_fallback", ["utter_fallback_care_team" if after_rephrase else "utter_ask_rephrase", _NOTES], \
            {"topic": None}
    if first.kind == CALLBACK or first.kind not in _CANONICAL:
        raise NotForRasa(f"`{first.kind}` is written for Rasa's runner only from a run of the story")
    intent, actions = _CANONICAL[first.kind]
    return intent, list(actions), {"topic": None} if _NOTES in actions else {}


def rasa_steps(step: Step, result: Optional[StepResult], catalogue: Catalogue, after_rephrase: bool) -> List[Dict[str, Any]]:
    """One staff step as Rasa test story steps: what the run did when it passed, else what the expectation means."""
    if result is not None and result.view is not None and not result.problems:
        intent = result.view.turn.intent or "nlu_fallback"
        actions = list(result.view.turn.actions)
        slots = {k: v for k, v in result.slots.items() if k == "topic"}
    elif step.expect is not None:
        intent, actions, slots = _canonical(step, catalogue, after_rephrase)
    else:
        raise NotForRasa("a step without `expect:` that did not pass cannot be written for Rasa's runner")
    first: Dict[str, Any] = {"intent": intent} if step.click else {"user": step.text, "intent": intent}
    out: List[Dict[str, Any]] = [first]
    for n, action in enumerate(actions):
        out.append({"action": action})
        if action.endswith("_form"):
            # Rasa's runner does not run the form: say whether it is still waiting for an answer (the last
            # action of the turn) or was finished in this turn, as the form's own events would.
            out.append({"active_loop": action if n == len(actions) - 1 else None})
    if slots:
        out.append({"slot_was_set": [slots]})
    return out


def rasa_stories(tests: Sequence[StoryTest], results: Sequence[TestResult], out: Path,
                 catalogue: Optional[Catalogue] = None) -> Tuple[List[Path], List[str]]:
    """The tests as Rasa test stories, one file per story file, in `out`; returns the files and what was left out."""
    catalogue = catalogue or load_catalogue()
    by_test = {id(r.test): r for r in results if r.test is not None}
    files: Dict[str, List[Dict[str, Any]]] = {}
    skipped = []
    for test in tests:
        result = by_test.get(id(test))
        steps: List[Dict[str, Any]] = []
        try:
            for n, step in enumerate(test.steps):
                previous = test.steps[n - 1] if n else None
                after = bool(previous and previous.expect and previous.expect[0].kind == REPHRASE)
                steps += rasa_steps(step, result.steps[n] if result and n < len(result.steps) else None, catalogue, after)
        except NotForRasa as e:
            skipped.append(f"{test.file}, line {test.line} ({test.name}): {e}")
            continue
        files.setdefault(test.file, []).append({"story": f"{Path(test.file).stem}: {test.name}", "steps": steps})
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yml"):
        old.unlink()
    written = []
    for file, stories in files.items():
        path = out / f"{Path(file).stem}.yml"
        header = (f"# Generated by `make test-stories` from {file} (the staff story format, docs/staff-testing.md):\n"
                  "# do not edit; for Rasa's own tools (`rasa test core --stories <this folder>`).\n")
        path.write_text(header + yaml.safe_dump({"version": "3.1", "stories": stories}, allow_unicode=True,
                                                sort_keys=False, width=10_000), encoding="utf-8")
        written.append(path)
    return written, skipped


def result_lines(result: TestResult) -> List[str]:
    """What the command prints for one test: PASS, FAIL with what differs, or MISTAKE with where."""
    if result.mistake:
        return [f"MISTAKE  {result.mistake}"]
    return [f"{'PASS' if result.passed else 'FAIL'}  {result.name}"] + [f"      {p}" for p in result.all_problems()]


# --- the command -------------------------------------------------------------------------------------------------

def _hide_library_deprecation_notices() -> None:
    """Staff read this output, one line per test: the libraries' deprecation notices are not for them (a
    filter is not enough: Sanic, imported on the way, turns them back on)."""
    show = warnings.showwarning

    def shown_unless_deprecation(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, DeprecationWarning):
            show(message, category, *args, **kwargs)

    warnings.showwarning = shown_unless_deprecation


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run the staff test stories against the real assistant.")
    parser.add_argument("--stories", type=Path, nargs="+", default=[Path("evaluation/stories")],
                        help="story files or folders (every .yml in them)")
    parser.add_argument("--out", type=Path, default=Path("reports/stories"))
    parser.add_argument("--rasa-out", type=Path, default=None, help="where the Rasa test stories go (<out>/rasa)")
    args = parser.parse_args(argv)
    _hide_library_deprecation_notices()
    started = time.monotonic()
    missing = [p for p in args.stories if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    tests, mistakes = load_stories(args.stories, catalogue)
    for mistake in mistakes:
        print(*result_lines(TestResult(None, [], [], 0.0, mistake=mistake)), sep="\n")
    if not tests and not mistakes:
        print(f"error: no test found in {', '.join(map(str, args.stories))}", file=sys.stderr)
        return 2
    results: List[TestResult] = [TestResult(None, [], [], 0.0, mistake=m) for m in mistakes]
    if tests:
        with tempfile.TemporaryDirectory(prefix="clinic-stories-") as tmp:
            with RunningAssistant(Path(tmp)) as assistant:
                for test in tests:
                    result = run_test(assistant, test, catalogue)
                    results.append(result)
                    print(*result_lines(result), sep="\n", flush=True)
    write_reports(results, args.out)
    rasa_out = args.rasa_out or args.out / "rasa"
    written, skipped = rasa_stories(tests, results, rasa_out, catalogue)
    for note in skipped:
        print(f"note: not written for Rasa's runner: {note}")
    failed = sum(not r.passed and r.mistake is None for r in results)
    passed = sum(r.passed for r in results)
    print(f"\n{passed} passed, {failed} failed" + (f", {len(mistakes)} could not be read (see MISTAKE above)"
                                                  if mistakes else "") + f" in {time.monotonic() - started:.0f} s")
    print(f"Report: {args.out / 'report.md'} (also report.html, junit.xml); Rasa test stories: {rasa_out}/")
    return 1 if failed or mistakes else 0


if __name__ == "__main__":
    sys.exit(main())
