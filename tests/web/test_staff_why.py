"""The staff page's "Why did it say that?" in a real browser (Debian's chromium, the real servers with the staff
page on): each kind of turn is explained (a curated answer, a referral, an urgent emergency, a concern message,
a decline, a privacy warning), for typed messages and for a stored conversation; axe-core finds no WCAG A/AA
violation; and the conversation downloaded as a staff story passes, unchanged, against the same assistant."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from pathlib import Path

import pytest
import requests

from clinic_faq_dev.stories import result_lines, run_all
from clinic_faq_dev.story_files import load_stories
from tests.web.browser import AXE, PROJECT, axe_source, describe_violations, run_axe

pytestmark = pytest.mark.integration

TOKEN = "why-token-" + uuid.uuid4().hex
SCREENSHOT = PROJECT / "docs" / "img" / "staff-why.png"
# One message of each kind, what the turn is in a story's words, and what the view must say decided it.
KINDS = [
    ("what are the side effects of ketamine", "answer about side effects",
     ["Topic\tside effects", "The reply follows the classifier's guess"]),
    ("should I stop my fentanyl before coming in", "care team",
     ["The referral rules found a question about the person's own care"]),
    ("i want to end my life tonight", "emergency", ["Emergency guidance first: the crisis rules fired: suicidal thoughts"]),
    ("i feel like a burden to everyone", "emergency (concern)", ["the crisis detector found distress"]),
    ("can you book me a flight to Denver", "declined", ["The domain gate declined it: clinic score"]),
    ("my name is Maria Lopez and my number is 555-201-8841", "privacy warning",
     ["Personal details were found and replaced before anything was stored: NAME, PHONE"]),
]


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """The real servers with the staff page on, and one stored conversation of each kind."""
    from clinic_faq_dev.harness import RunningAssistant

    with RunningAssistant(tmp_path_factory.mktemp("why"), extra_env={"STAFF_TOKEN": TOKEN}) as assistant:
        for text, _, _ in KINDS:
            assistant.send(f"why-{uuid.uuid4().hex[:8]}", text)
        yield assistant


@pytest.fixture
def signed_in(browser, staffed):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems, origins = [], set()
    page.on("console", lambda m: m.type in ("error", "warning") and "status of 401" not in m.text
            and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: origins.add(urllib.parse.urlsplit(r.url).netloc))
    page.goto(f"{staffed.url}/webhooks/staff/why/")
    page.get_by_label("Staff token").fill(TOKEN)
    page.get_by_role("button", name="Open the report").click()
    page.get_by_role("link", name="Why did it say that?").click()
    yield page
    context.close()
    assert problems == []
    assert origins == {urllib.parse.urlsplit(staffed.url).netloc}  # nothing loaded from anywhere else


@pytest.fixture(scope="module")
def axe():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci in tests/web: axe-core, pinned)")
    return axe_source()


def turn(page, n: int) -> str:
    return page.locator("section.group").nth(n - 1).inner_text()


def check_axe(page, axe) -> None:
    outcome = run_axe(page, axe)
    assert outcome["violations"] == [], describe_violations(outcome["violations"])
    assert {"color-contrast", "label"} & set(outcome["passes"])  # axe really looked at the page


def run_downloaded(download, staffed, tmp_path: Path) -> str:
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    tests, mistakes = load_stories([path])
    assert not mistakes and tests
    results = run_all(staffed, tests)
    assert all(r.passed for r in results), "\n".join(line for r in results for line in result_lines(r))
    return path.read_text(encoding="utf-8")


def test_typed_messages_are_explained_turn_by_turn_and_kept_as_a_passing_story(signed_in, staffed, axe, tmp_path):
    from playwright.sync_api import expect

    page = signed_in
    expect(page.get_by_role("heading", name="Why did it say that?", level=1)).to_be_visible()
    check_axe(page, axe)
    page.get_by_label(re.compile("What a patient writes")).fill("\n".join(text for text, _, _ in KINDS))
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_role("heading", name="What the assistant did")).to_be_visible()
    assert page.locator("section.group").count() == len(KINDS)
    for n, (_, words, decided) in enumerate(KINDS, start=1):
        shown = turn(page, n)
        assert f"In test-story words\t{words}" in shown, shown
        assert re.search(r"The classifier\t.+, \d+% sure", shown), shown
        assert "Language\tEnglish (detected" in shown and "Route\t" in shown
        for sentence in decided:
            assert sentence in shown, (sentence, shown)
    assert "Maria" not in turn(page, 6) and "[NAME]" in turn(page, 6)  # redacted before anything else
    check_axe(page, axe)
    page.evaluate("() => document.querySelectorAll('section.group')[2].scrollIntoView()")  # the emergency
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as a test story").first.click()
    story = run_downloaded(download.value, staffed, tmp_path)
    for _, words, _ in KINDS:
        assert f"expect: {words}\n" in story


def test_a_stored_conversation_is_explained_and_kept_as_a_passing_story(signed_in, staffed, axe, tmp_path):
    from playwright.sync_api import expect

    page = signed_in
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= len(KINDS)
    listed = page.locator("table").inner_text()
    assert "Maria" not in listed and "why-" not in listed  # only hashed ids, no text in the list
    for (_, words, decided) in KINDS:
        row = rows.filter(has=page.locator("td:last-child", has_text=re.compile(rf"^{re.escape(words)}$")))
        row.first.get_by_role("link").click()
        expect(page.get_by_role("heading", name=re.compile(r"^Conversation [0-9a-f]{16}$"))).to_be_visible()
        shown = turn(page, 1)
        assert f"In test-story words\t{words}" in shown and "Today\tthe same" in shown
        for sentence in decided:
            assert sentence in shown, (sentence, shown)
        check_axe(page, axe)
        if words == "privacy warning":
            assert "Maria" not in page.content() and "201-8841" not in page.content()
        if words == "emergency":
            with page.expect_download() as download:
                page.get_by_role("button", name="Download as a test story").first.click()
            story = run_downloaded(download.value, staffed, tmp_path)
            assert "patient: i want to end my life tonight\n    expect: emergency\n" in story
        page.get_by_role("link", name="Back to the recent conversations").click()


def test_the_view_needs_the_staff_token(staffed):
    base = f"{staffed.url}/webhooks/staff/why"
    assert requests.get(f"{base}/", timeout=10).status_code == 401
    assert requests.post(f"{base}/try", data={"messages": "hello"}, timeout=10).status_code == 401
    assert requests.get(f"{base}/conversation/story?id=0123456789abcdef", timeout=10).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.get(f"{base}/conversation?id=0123456789abcdef", headers=auth, timeout=10).status_code == 404
    assert requests.post(f"{base}/try", data={"messages": " \n "}, headers=auth, timeout=10).status_code == 400
    tried = requests.post(f"{base}/try/story", data={"messages": "hello"}, headers=auth, timeout=10)
    assert tried.status_code == 200 and "attachment" in tried.headers["Content-Disposition"]
    assert tried.headers["Cache-Control"] == "no-store"
    assert "- patient: hello\n    expect: small talk\n" in tried.text
