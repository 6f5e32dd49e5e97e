"""Fixtures for the widget's browser tests: one static server for the whole run, one browser per module."""

from __future__ import annotations

import os
import re
import urllib.parse
from typing import Iterator, Optional

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, REPLY_TIMEOUT_MS, Widget, static_server

# A conversation may send 2 messages at once, then one every 6 s; a refused one is told so once per 12 s.
LIMITED = {"RATE_LIMIT_CONVERSATION": "2/12"}


@pytest.fixture(scope="session")
def limited_page_url(tmp_path_factory) -> Iterator[str]:
    """The demo clinic page on a second assistant with a tiny conversation limit (LIMITED), so that a
    test gets a real refusal (a reply with `retry_after` of a few seconds) from the real server."""
    from clinic_faq_dev.harness import RunningAssistant

    with RunningAssistant(tmp_path_factory.mktemp("limited"), extra_env=LIMITED) as running:
        with static_server(running.web_port) as base:
            yield f"{base}/index.html?socket={urllib.parse.quote(running.url, safe='')}"


# One browser per module, not per session: Playwright's sync API runs an asyncio loop in the thread while it is
# open, and a test of another module that the same worker runs next (make test runs two) must find no running loop.
@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (Debian's chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # for checks that wait on the server (replies wait REPLY_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageMaker:
    """Makes fresh pages (a new browser context each: empty sessionStorage) and records any script error
    or Content-Security-Policy violation on them."""

    def __init__(self, browser, url: str) -> None:
        self.browser, self.url = browser, url
        self.contexts, self.problems, self.allowed = [], [], []

    def __call__(self, width: int = 1024, height: int = 768, locale: Optional[str] = None, url: Optional[str] = None,
                 scale: float = 1, **options):
        if locale:
            options["locale"] = locale
        context = self.browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                           **options)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(REPLY_TIMEOUT_MS)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", lambda msg: msg.type == "error" and self.console_error(msg.text))
        page.goto(url or self.url)
        return page

    def allow(self, pattern: str) -> None:
        """Console errors matching `pattern` are expected in this test (a server made unreachable on purpose)."""
        self.allowed.append(re.compile(pattern))

    def console_error(self, text: str) -> None:
        if not any(p.search(text) for p in self.allowed):
            self.problems.append(f"console: {text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


@pytest.fixture
def new_page(browser, web_page_url):
    """Fresh pages for one test; the test fails on any script error or CSP violation on them."""
    maker = PageMaker(browser, web_page_url)
    yield maker
    maker.close()
    assert not maker.problems, "\n".join(maker.problems)


@pytest.fixture
def widget(new_page) -> Widget:
    return Widget(new_page())
