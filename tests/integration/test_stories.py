"""The staff's test stories pass, and a wrong story fails with a report that shows the difference."""

from pathlib import Path

import pytest

from clinic_faq_dev.stories import load_stories, markdown_report, run_all, write_reports

pytestmark = pytest.mark.integration


def test_every_staff_story_passes(assistant):
    results = run_all(assistant, load_stories([Path("evaluation/stories")]))
    write_reports(results, Path("reports/stories"))
    assert len(results) >= 50
    failed = [r for r in results if not r.passed]
    assert not failed, markdown_report(failed)


def test_a_wrong_story_fails_and_the_report_shows_expected_and_actual(assistant, tmp_path):
    story = tmp_path / "wrong.yml"
    story.write_text(
        'version: "3.1"\n'
        "stories:\n"
        "- story: deliberately wrong\n"
        "  metadata:\n"
        '    contains: ["this text is never said"]\n'
        "  steps:\n"
        "  - user: |\n"
        "      how long is a session\n"
        "    intent: ask_session_length\n"
        "  - action: utter_answer_side_effects\n"
    )
    [result] = run_all(assistant, load_stories([story]))
    assert not result.passed
    report = markdown_report([result])
    assert "FAIL: deliberately wrong" in report
    assert "→ utter_answer_side_effects" in report  # expected
    assert "→ utter_answer_session_length" in report  # actual
    assert "should contain 'this text is never said'" in report
    write_reports([result], tmp_path / "out")
    assert 'failures="1"' in (tmp_path / "out" / "junit.xml").read_text()


def test_rasa_own_test_runner_passes_the_same_stories(tmp_path):
    """The stories stay plain Rasa test stories: `rasa test core` runs them too."""
    import subprocess
    import sys

    rasa = str(Path(sys.executable).with_name("rasa"))
    result = subprocess.run(
        [rasa, "test", "core", "--stories", "evaluation/stories", "--model", "models/current.tar.gz",
         "--out", str(tmp_path), "--fail-on-prediction-errors"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
