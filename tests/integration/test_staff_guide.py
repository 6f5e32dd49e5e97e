"""Every example in docs/staff-testing.md runs against the real assistant exactly as printed: each story
block passes, or, where the guide prints what it gives (a mistake in a file, a failing test), the runner prints
exactly that, and the report holds the lines the guide shows from it."""

import re
from pathlib import Path

import pytest

from clinic_faq_dev.stories import load_stories, markdown_report, result_lines, run_all

pytestmark = pytest.mark.integration

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "staff-testing.md"


def examples():
    """(story block, the printed output shown after it or None, the report lines shown after that or None)."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", GUIDE.read_text(encoding="utf-8"), re.S | re.M)
    found = []
    for n, (info, body) in enumerate(blocks):
        if info != "yaml":
            continue
        after = [b for b in blocks[n + 1: n + 3]]
        printed = after[0][1] if after and after[0][0] == "text" else None
        report = after[1][1] if printed is not None and len(after) > 1 and after[1][0] == "markdown" else None
        found.append(pytest.param(body, printed, report, id=re.search(r"- test: (.+)", body).group(1)[:50]))
    return found


def test_the_guide_has_the_examples_a_newcomer_needs():
    bodies = "\n".join(p.values[0] for p in examples())
    for expectation in ("answer about", "more about", "care team", "emergency", "emergency (concern)", "declined",
                        "privacy warning", "clicks:", "language: Spanish", "emergancy"):
        assert expectation in bodies, expectation


@pytest.mark.parametrize("body, printed, report", examples())
def test_each_example_in_the_guide_runs_as_printed(assistant, tmp_path, monkeypatch, body, printed, report):
    monkeypatch.chdir(tmp_path)  # the runner prints the path it was given, as the guide shows it
    named = re.search(r"(evaluation/stories/\S+\.yml)", printed or "")
    path = Path(named.group(1) if named else "evaluation/stories/my-tests.yml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    tests, mistakes = load_stories([path])
    results = run_all(assistant, tests, mistakes)
    lines = [line for r in results for line in result_lines(r)]
    if printed is None:
        assert all(r.passed for r in results), "\n".join(lines) + "\n" + markdown_report(results)
    else:
        assert lines == printed.strip("\n").splitlines()
    for line in (report or "").strip("\n").splitlines():
        assert line in markdown_report(results).splitlines()
