"""The staff's test stories pass against the real assistant; a wrong one fails with a report that says what
was expected and what happened in the same words; a mistake in a file costs only its own test; and Rasa's own
runner passes on the same tests written as Rasa test stories."""

import subprocess
import sys
from pathlib import Path

import pytest

from clinic_faq_dev.stories import (
    html_report,
    junit_report,
    load_stories,
    main,
    markdown_report,
    rasa_stories,
    result_lines,
    run_all,
    write_reports,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def staff_run(assistant):
    tests, mistakes = load_stories([Path("evaluation/stories")])
    results = run_all(assistant, tests, mistakes)
    write_reports(results, Path("reports/stories"))
    return tests, results


def test_every_staff_story_passes(staff_run):
    tests, results = staff_run
    assert len(results) >= 70
    failed = [r for r in results if not r.passed]
    assert not failed, markdown_report(failed)


def test_rasa_own_test_runner_passes_the_same_stories(staff_run, tmp_path):
    """The tests, written as Rasa test stories (what each passing turn did; what the expectation means for
    the others), pass `rasa test core`: Rasa's own tools keep working on them."""
    tests, results = staff_run
    written, skipped = rasa_stories(tests, results, tmp_path / "rasa")
    assert len(written) == len({t.file for t in tests}) and not skipped
    rasa = str(Path(sys.executable).with_name("rasa"))
    done = subprocess.run(
        [rasa, "test", "core", "--stories", str(tmp_path / "rasa"), "--model", "models/current.tar.gz",
         "--out", str(tmp_path / "out"), "--fail-on-prediction-errors"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_a_wrong_story_fails_and_the_report_says_expected_and_happened_in_the_same_words(assistant, tmp_path):
    story = tmp_path / "wrong.yml"
    story.write_text(
        "- test: deliberately wrong\n"
        "  conversation:\n"
        "  - patient: how long is a session\n"
        "    expect: answer about side effects\n"
        "    says: [this text is never said]\n"
        "  - patient: what dose will i get\n"
        "    expect: care team\n"
    )
    tests, _ = load_stories([story])
    [result] = run_all(assistant, tests)
    assert not result.passed
    assert result_lines(result) == [
        "FAIL  deliberately wrong",
        "      message 1: expected answer about side effects, but the assistant gave answer about session length",
        "      the reply to message 1 should say 'this text is never said', and does not",
    ]
    report = markdown_report([result])
    assert "## FAIL: deliberately wrong" in report
    assert "| 1 | how long is a session ❌ | answer about side effects; says “this text is never said” | " \
           "answer about session length |" in report
    assert "| 2 | what dose will i get | care team | care team |" in report
    assert "why: The classifier read it as a question about session length" in report
    assert "to message 1: “" in report  # the reply itself
    page = html_report([result])
    assert "answer about session length" in page and "deliberately wrong" in page
    write_reports([result], tmp_path / "out")
    assert 'failures="1"' in (tmp_path / "out" / "junit.xml").read_text()


def test_a_mistake_costs_only_its_own_test_and_is_reported_everywhere(assistant, tmp_path):
    story = tmp_path / "mixed.yml"
    story.write_text("- test: broken\n  conversation:\n  - patient: hello\n    expect: smal talk\n\n"
                     "- test: fine\n  conversation:\n  - patient: hello\n    expect: small talk\n")
    tests, mistakes = load_stories([story])
    results = run_all(assistant, tests, mistakes)
    assert [line for r in results for line in result_lines(r)] == [
        f"MISTAKE  {story}, line 4: unknown expectation 'smal talk': did you mean 'small talk'?",
        "PASS  fine",
    ]
    assert "## Mistakes in the story files" in markdown_report(results)
    assert 'errors="1"' in junit_report(results) and 'failures="0"' in junit_report(results)


def test_the_command_reports_a_file_with_only_mistakes_without_starting_the_assistant(tmp_path, capsys):
    story = tmp_path / "bad.yml"
    story.write_text("- test: broken\n  conversation:\n  - patient: \n    expect: small talk\n")
    assert main(["--stories", str(story), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert f"MISTAKE  {story}, line 3: an empty message" in out and "0 passed, 0 failed, 1 could not be read" in out
    assert main(["--stories", str(tmp_path / "missing.yml"), "--out", str(tmp_path / "out")]) == 2


def test_make_test_stories_runs_one_file():
    done = subprocess.run(["make", "-n", "test-stories", "FILE=evaluation/stories/safety.yml"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--stories evaluation/stories/safety.yml" in done.stdout
    assert "test core --stories reports/stories/rasa" in done.stdout
