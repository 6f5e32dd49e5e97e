"""'Was this helpful?' in the website widget, in a real browser (Debian's chromium, `make browser`) against the
real servers: shown under the latest answer only, usable by keyboard and named for screen readers, sending the
payload that the server stores as feedback on that answer."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from tests.web.browser import AXE, CHROMIUM, CHROMIUM_ARGS, REPLY_TIMEOUT_MS, Widget, run_axe

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def widget(browser, web_page_url):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(REPLY_TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(web_page_url)
    yield Widget(page)
    context.close()
    assert errors == []


def stored_user_events(assistant):
    with sqlite3.connect(assistant.db_path) as db:
        rows = db.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id").fetchall()
    return [(sender, json.loads(data)) for sender, data in rows]


def test_a_not_helpful_click_by_keyboard_is_stored_on_the_answer_it_follows(widget, assistant):
    from playwright.sync_api import expect

    widget.open()
    widget.converse("what are the side effects")
    control = widget.page.locator(".kw-feedback")
    expect(control).to_have_count(1)
    expect(control).to_have_attribute("role", "group")
    assert widget.page.get_by_role("group", name="Was this helpful?").count() == 1
    no = control.get_by_role("button", name="No")
    expect(control.get_by_role("button", name="Yes")).to_be_visible()
    # Keyboard: Tab reaches the buttons (after the answer's own "Tell me more"), Enter sends.
    widget.input.focus()
    widget.page.keyboard.press("Shift+Tab")
    for _ in range(6):
        if widget.page.evaluate("() => document.activeElement.textContent") == "No":
            break
        widget.page.keyboard.press("Shift+Tab")
    expect(no).to_be_focused()
    before = widget.bot.count()
    widget.page.keyboard.press("Enter")
    widget.wait_for_turn(before)
    expect(control).to_have_count(0)  # gone once used; focus back in the text box
    expect(widget.input).to_be_focused()
    assert "Thank you for letting us know" in widget.text_of(widget.bot.last)
    assert widget.user.count() == 1  # the click is not shown as something the person wrote
    sender, event = stored_user_events(assistant)[-1]
    assert event["text"] == "/feedback_not_helpful" and event["input_channel"] == "socketio"
    with sqlite3.connect(assistant.db_path) as db:
        bots = [json.loads(d) for (d,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot' ORDER BY id", (sender,))]
    topics = [(b.get("metadata") or {}).get("metadata", {}).get("topic") for b in bots]
    assert "side_effects" in topics  # the answer the click belongs to


def test_only_the_latest_answer_asks_and_nothing_else_does(widget):
    from playwright.sync_api import expect

    widget.open()
    widget.converse("how long is a session")
    expect(widget.page.locator(".kw-feedback")).to_have_count(1)
    widget.converse("hello")  # small talk: no question, and the earlier one is gone
    expect(widget.page.locator(".kw-feedback")).to_have_count(0)
    widget.converse("qwzx blorp vvv")  # not understood
    expect(widget.page.locator(".kw-feedback")).to_have_count(0)
    widget.converse("what is ketamine")
    expect(widget.page.locator(".kw-feedback")).to_have_count(1)
    widget.page.reload()  # still there after a reload, for the same answer
    widget.open()
    expect(widget.page.locator(".kw-feedback")).to_have_count(1)


def test_the_question_is_in_spanish_and_passes_axe(widget):
    from playwright.sync_api import expect

    widget.open()
    widget.page.locator(".kw-lang").click()
    widget.wait_for_turn(widget.bot.count() - 1 if widget.bot.count() else 0)
    widget.converse("¿cuánto dura una sesión?")
    control = widget.page.locator(".kw-feedback")
    expect(control).to_have_count(1)
    expect(control.get_by_role("button", name="Sí")).to_be_visible()
    assert widget.page.get_by_role("group", name="¿Le fue útil?").count() == 1
    if AXE.exists():
        widget.page.mouse.move(0, 0)  # no hover state left on the language button
        widget.page.wait_for_timeout(300)
        result = run_axe(widget.page, AXE.read_text(encoding="utf-8"))
        assert result["violations"] == [], result["violations"]
