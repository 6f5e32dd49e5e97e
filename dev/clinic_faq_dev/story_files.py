"""The staff story format (docs/staff-testing.md): reading story files, and explaining their mistakes.

A file is a list of tests; a test is a conversation and what must happen, in words staff use:

    - test: a nausea question gets the side effects answer
      conversation:
      - patient: will ketamine make me feel sick to my stomach
        expect: answer about side effects
        says: [nausea]
        never_says: [mg]
      - patient: tell me more
        expect: more about side effects

The words of `expect:` and the topics' plain titles come from the staff page's vocabulary
(clinic_faq.rasa_ext.channels.staff_views.why: `WORDS`, `parse_expectation`, the titles of docs/topics.md).

A mistake (an unknown word or topic, bad indentation, a tab, an empty message, a misspelt key) is a
`StoryMistake` with its file and line; it costs only the test it is in: each test (each top-level `- `
item) is read on its own, so the file's other tests still run.
"""

from __future__ import annotations

import difflib
import glob
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from clinic_faq.rasa_ext.channels.staff_views.why import (
    Catalogue,
    ExpectationError,
    Outcome,
    load_catalogue,
    parse_expectation,
)

CHECKS = ("says", "never_says", "matches", "never_matches")
STEP_KEYS = ("patient", "clicks", "expect", *CHECKS, "language")
TEST_KEYS = ("test", "conversation", *CHECKS, "language")
# What people write instead, from Rasa's test stories and habit: the key they meant.
MEANT = {"user": "patient", "message": "patient", "text": "patient", "click": "clicks", "button": "clicks",
         "expected": "expect", "expects": "expect", "say": "says", "contains": "says", "contain": "says",
         "not_contains": "never_says", "never_say": "never_says", "does_not_say": "never_says",
         "not_says": "never_says", "matching": "matches", "not_matching": "never_matches", "story": "test",
         "name": "test", "steps": "conversation", "lang": "language"}
LANGUAGE_NAMES = {"spanish": "es", "español": "es", "espanol": "es", "es": "es",
                  "english": "en", "inglés": "en", "ingles": "en", "en": "en"}
_ITEM = re.compile(r"^-(\s|$)")


@dataclass
class StoryMistake:
    """A mistake in a story file: where, and what to change."""

    file: str
    line: int
    message: str
    test: Optional[str] = None  # the test's name, when it could be read

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.message}"


class _Mistake(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


@dataclass
class Checks:
    says: List[str] = field(default_factory=list)
    never_says: List[str] = field(default_factory=list)
    matches: List[str] = field(default_factory=list)
    never_matches: List[str] = field(default_factory=list)
    language: Optional[str] = None  # "es" or "en": every reply in that language

    def __bool__(self) -> bool:
        return bool(self.says or self.never_says or self.matches or self.never_matches or self.language)


@dataclass
class Step:
    line: int
    text: str  # what is sent: the patient's words, or the button's payload
    click: Optional[str] = None  # the button's title, for a click
    expect: Optional[List[Outcome]] = None
    expect_words: str = ""  # as written
    checks: Checks = field(default_factory=Checks)

    @property
    def shown(self) -> str:
        return f"clicks \u201c{self.click}\u201d" if self.click else self.text


@dataclass
class StoryTest:
    name: str
    file: str
    line: int
    steps: List[Step]
    checks: Checks = field(default_factory=Checks)


# --- YAML with line numbers -----------------------------------------------------------------------------------

class Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that knows its line, each key's line, and each scalar's text as written."""

    line: int = 0
    lines: Dict[str, int]
    raw: Dict[str, Any]
    duplicates: List[Tuple[str, int]]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    found = Mapping()
    found.line, found.lines, found.raw, found.duplicates = node.start_mark.line + 1, {}, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = key if isinstance(key, str) else str(key_node.value)
        if key in found:
            found.duplicates.append((key, key_node.start_mark.line + 1))
        found[key] = loader.construct_object(value_node, deep=True)
        found.lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            found.raw[key] = value_node.value  # `patient: yes` is the word yes, not True
        elif isinstance(value_node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in value_node.value):
            found.raw[key] = [n.value for n in value_node.value]
    return found


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


_KEY_LINE = re.compile(r"^\s*-?\s*(" + "|".join(("test", "conversation", "patient", "clicks", "expect", "says", "never_says",
                                                    "matches", "never_matches", "language")) + r")\s*:")


def _key_colon(text: str, column: int) -> bool:
    """Whether the parser stopped at the colon of a key (a line indented wrongly), not at one in a message."""
    match = _KEY_LINE.match(text)
    return bool(match) and column < match.end()  # type: ignore[union-attr]


def _yaml_mistake(error: yaml.YAMLError, offset_line: int, lines: Sequence[str]) -> _Mistake:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = (mark.line + 1) if mark else offset_line
    problem = str(getattr(error, "problem", "") or error)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "'\\t'" in problem or "\\t" in problem:
        message = "a tab: indent with spaces only"
    elif "mapping values are not allowed" in problem and _key_colon(text, mark.column if mark else -1):
        message = "the indentation is wrong: this line does not line up with the lines above it"
    elif "mapping values are not allowed" in problem:
        message = ("a colon in the wrong place, or this line is indented wrongly (a message with \": \" in it "
                   "needs quotes around it)")
    elif any(s in problem for s in ("expected <block end>", "did not find expected key",
                                    "did not find expected '-' indicator", "expected <block", "could not find")):
        message = "the indentation is wrong: this line does not line up with the lines above it"
    else:
        message = f"this is not valid here ({problem})"
    return _Mistake(line, message)


# --- reading ---------------------------------------------------------------------------------------------------

def story_files(paths: Sequence[Path]) -> List[Path]:
    files: List[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(Path(p) for p in glob.glob(str(path / "**" / "*.yml"), recursive=True))
            files += sorted(Path(p) for p in glob.glob(str(path / "**" / "*.yaml"), recursive=True))
        else:
            files.append(path)
    return files


def load_stories(paths: Sequence[Path], catalogue: Optional[Catalogue] = None) -> Tuple[List[StoryTest], List[StoryMistake]]:
    """Every test in the files (folders: every .yml in them), and the mistakes of those that could not be read."""
    catalogue = catalogue or load_catalogue()
    tests: List[StoryTest] = []
    mistakes: List[StoryMistake] = []
    for file in story_files(paths):
        found, wrong = read_file(file, catalogue)
        tests += found
        mistakes += wrong
    return tests, mistakes


def read_file(file: Path, catalogue: Catalogue) -> Tuple[List[StoryTest], List[StoryMistake]]:
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [], [StoryMistake(name, 1, f"the file cannot be read: {e}")]
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines) if _ITEM.match(line)]
    preamble = [(n, line) for n, line in enumerate(lines[: starts[0] if starts else len(lines)])
                if line.strip() and not line.lstrip().startswith("#")]
    mistakes: List[StoryMistake] = []
    if preamble:
        n, first = preamble[0]
        if re.match(r"^(version|stories|rules)\s*:", first):
            message = ("this is a Rasa test story file (`stories:` and `steps:`); staff stories start with "
                       "`- test:` (docs/staff-testing.md). `python -m clinic_faq_dev.story_convert FILE` converts it")
        else:
            message = ("a test must start at the left edge with `- test: <its name>`; this line is not part of any "
                       "test (or is indented wrongly)")
        mistakes.append(StoryMistake(name, n + 1, message))
        if first.startswith(("version", "stories", "rules")):
            return [], mistakes
    tests: List[StoryTest] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        chunk = "\n" * start + "\n".join(lines[start:end]) + "\n"  # padded: the parser's lines are the file's
        try:
            tests.append(_read_test(chunk, name, start + 1, catalogue))
        except _Mistake as m:
            mistakes.append(StoryMistake(name, m.line, m.message, _test_name(lines[start])))
    if not starts and not preamble and text.strip():
        mistakes.append(StoryMistake(name, 1, "no test found: each test starts with `- test: <its name>`"))
    return tests, mistakes


def _test_name(line: str) -> Optional[str]:
    match = re.match(r"^-\s+test\s*:\s*(.+)$", line)
    return match.group(1).strip().strip("'\"") if match else None


def _read_test(chunk: str, file: str, line: int, catalogue: Catalogue) -> StoryTest:
    tab = next((n for n, text in enumerate(chunk.split("\n")) if "\t" in text[: len(text) - len(text.lstrip())]), None)
    if tab is not None:
        raise _Mistake(tab + 1, "a tab: indent with spaces only")
    try:
        data = yaml.load(chunk, Loader=_Loader)  # noqa: S506 - a SafeLoader that records line numbers
    except yaml.YAMLError as e:
        raise _yaml_mistake(e, line, chunk.split("\n")) from e
    if not isinstance(data, list) or len(data) != 1 or not isinstance(data[0], Mapping):
        raise _Mistake(line, "each test starts with `- test: <its name>`, then `conversation:` with its steps")
    raw = data[0]
    _keys(raw, TEST_KEYS, "a test")
    name = raw.raw.get("test") if isinstance(raw.raw.get("test"), str) else None
    if "test" not in raw or not (name or "").strip():
        raise _Mistake(raw.line, "the test needs a name: `- test: <what it checks>`")
    steps_raw = raw.get("conversation")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise _Mistake(raw.lines.get("conversation", raw.line),
                       "the test needs `conversation:` with at least one step (`- patient: ...`) below it")
    steps = []
    for item in steps_raw:
        if not isinstance(item, Mapping):
            raise _Mistake(raw.lines.get("conversation", raw.line) + 1,
                           "each step of the conversation starts with `- patient: <what the patient writes>`")
        steps.append(_read_step(item, catalogue))
    return StoryTest(str(name).strip(), file, raw.line, steps, _checks(raw))


def _keys(found: Mapping, allowed: Sequence[str], what: str) -> None:
    for key, at in found.duplicates:
        raise _Mistake(at, f"`{key}:` is given twice here")
    for key in found:
        if key not in allowed and what == "a test" and key in STEP_KEYS:
            raise _Mistake(found.lines[key], f"the indentation is wrong: `{key}:` belongs to a message, two spaces "
                                             "further in than its `- patient:`")
        if key not in allowed:
            meant = MEANT.get(str(key).lower()) if MEANT.get(str(key).lower()) in allowed else None
            near = [meant] if meant else difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
            hint = f"did you mean `{near[0]}:`?" if near else f"{what} may have: {', '.join(allowed)}"
            raise _Mistake(found.lines[key], f"unknown key `{key}:`: {hint}")


def _text(found: Mapping, key: str) -> Optional[str]:
    """A value as the text written (`patient: yes` is "yes"); None for a list or a mapping."""
    value = found.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return None
    raw = found.raw.get(key)
    return raw if isinstance(raw, str) else ("" if value is None else str(value))


def _read_step(found: Mapping, catalogue: Catalogue) -> Step:
    _keys(found, STEP_KEYS, "a step")
    if ("patient" in found) == ("clicks" in found):
        raise _Mistake(found.line, "each step has either `patient:` (what the patient writes) or `clicks:` "
                                   "(the title of a button the assistant showed), not both" if "patient" in found else
                       "each step starts with `patient:` (what the patient writes) or `clicks:` (a button's title)")
    line = found.lines.get("patient") or found.lines.get("clicks") or found.line
    click = None
    if "patient" in found:
        text = _text(found, "patient")
        if text is None:
            raise _Mistake(line, "`patient:` must be the message as one piece of text")
        text = text.strip()
        if not text:
            raise _Mistake(line, "an empty message: write what the patient says after `patient:`")
    else:
        click = (_text(found, "clicks") or "").strip()
        if not click:
            raise _Mistake(line, "`clicks:` needs the title of the button, as the assistant showed it")
        payload = catalogue.click_payload(click)
        if payload is None:
            known = sorted(set(catalogue.button_titles.values()) | {"helpful", "not helpful"})
            near = difflib.get_close_matches(click, known, n=1, cutoff=0.5)
            hint = f"did you mean {' or '.join(repr(n) for n in near)}?" if near else f"buttons: {', '.join(known)}"
            raise _Mistake(line, f"no button is called {click!r}: {hint}")
        text = payload
    step = Step(line, text, click=click, checks=_checks(found))
    if "expect" in found:
        words = _text(found, "expect")
        if not (words or "").strip():
            raise _Mistake(found.lines["expect"], "`expect:` is empty: say what must happen (for example: "
                                                  "answer about side effects)")
        try:
            step.expect = parse_expectation(str(words), catalogue)
        except ExpectationError as e:
            raise _Mistake(found.lines["expect"], str(e)) from e
        step.expect_words = str(words).strip()
    elif not step.checks:
        raise _Mistake(line, "say what must happen with `expect:` (for example: `expect: answer about side effects`)")
    return step


def _checks(found: Mapping) -> Checks:
    checks = Checks()
    for key in CHECKS:
        if key not in found:
            continue
        value = found.raw.get(key, found[key])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise _Mistake(found.lines[key], f"`{key}:` takes a word or a list of words in brackets: "
                                             f"{key}: [\"care team\", \"988\"]")
        if key.endswith("matches"):
            for pattern in values:
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise _Mistake(found.lines[key], f"`{key}:` has a pattern that does not work: {pattern!r} ({e})") from e
        setattr(checks, key, [str(v) for v in values])
    if "language" in found:
        said = (_text(found, "language") or "").strip().lower()
        if said not in LANGUAGE_NAMES:
            raise _Mistake(found.lines["language"], f"unknown language {said!r}: use Spanish or English")
        checks.language = LANGUAGE_NAMES[said]
    return checks
