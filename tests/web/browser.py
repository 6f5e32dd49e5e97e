"""Helpers for the widget's browser tests: the static server, the widget as a person sees it, axe-core.

The browser is /usr/bin/chromium from apt (`make browser`); Playwright's own browser download is never used.
axe-core comes from npm, pinned in tests/web/package-lock.json (`make browser` runs `npm ci` here).
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

PROJECT = Path(__file__).resolve().parents[2]
WEB = PROJECT / "web"
IMAGES = PROJECT / "docs" / "img"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
REPLY_TIMEOUT_MS = 30_000

# WCAG 2.0, 2.1 and 2.2, levels A and AA: every axe rule carrying one of these tags runs.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


# --- the static server -------------------------------------------------------------------------------

@contextmanager
def static_server(port: Optional[int] = None, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """web/serve.py as a subprocess, on `port` (or on WEB_PORT from `env`); yields its base URL."""
    cmd = [sys.executable, str(WEB / "serve.py"), "--quiet"]
    if port is not None:
        cmd += ["--port", str(port)]
    else:
        port = int((env or {})["WEB_PORT"])
    proc = subprocess.Popen(
        cmd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        banner = proc.stdout.readline()  # printed once listening; EOF if it could not start
        assert f"http://localhost:{port}/" in banner, f"serve.py did not start: {banner}{proc.stdout.read()}"
        yield f"http://localhost:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def raw_get(port: int, path: str) -> http.client.HTTPResponse:
    """GET `path` exactly as written (no client-side normalisation of `..`)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


# --- the widget ----------------------------------------------------------------------------------------

class Widget:
    """The widget on one page, as a person sees it."""

    def __init__(self, page) -> None:
        self.page = page
        self.launcher = page.locator(".kw-launcher")
        self.panel = page.locator("#kw-chat-panel")
        self.notice = page.locator(".kw-notice")
        self.scroller = page.locator(".kw-body")
        self.log = page.locator(".kw-log")
        self.input = page.locator("#kw-chat-input")
        self.send = page.locator(".kw-send")
        self.close = page.locator(".kw-close")
        self.typing = page.locator(".kw-typing")
        self.bot = page.locator(".kw-msg--bot")
        self.user = page.locator(".kw-msg--user")
        self.messages = page.locator(".kw-log > .kw-msg")

    def open(self) -> None:
        from playwright.sync_api import expect

        expect(self.launcher).to_be_attached()  # shown once widget.css has loaded, already reopened if it was open
        self.page.wait_for_function("() => !document.querySelector('.kw-root').hidden")
        if self.launcher.get_attribute("aria-expanded") == "true":  # reopened by itself after a reload
            expect(self.panel).to_be_visible()
            return
        self.launcher.click()
        expect(self.panel).to_be_visible()
        expect(self.input).to_be_focused()

    def ask(self, text: str) -> int:
        """Types `text` and presses Enter; returns how many bot bubbles there were before."""
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        return before

    def wait_for_turn(self, before: int) -> None:
        """Until the bot has answered with at least one bubble and the typing indicator is gone."""
        from playwright.sync_api import expect

        expect(self.bot.nth(before)).to_be_attached(timeout=REPLY_TIMEOUT_MS)
        expect(self.typing).to_be_hidden(timeout=REPLY_TIMEOUT_MS)

    def converse(self, text: str) -> int:
        before = self.ask(text)
        self.wait_for_turn(before)
        return before

    def text_of(self, bubble) -> str:
        return bubble.locator(".kw-text").inner_text()

    def stored(self) -> dict:
        return self.page.evaluate(
            "() => { const k = Object.keys(sessionStorage).find(k => k.startsWith('clinic-chat:'));"
            " return k ? {key: k, value: JSON.parse(sessionStorage.getItem(k))} : null; }"
        )

    def focused(self) -> str:
        """A short description of the focused element: its class list, or its tag name."""
        return self.page.evaluate(
            "() => { const e = document.activeElement; return e ? (e.className.baseVal === undefined && e.className"
            " ? '.' + e.className.split(' ')[0] : e.tagName.toLowerCase()) : ''; }"
        )


def set_text_size(page, percent: int, root_style: bool = False) -> None:
    """The reader's text size: the browser's default font size setting (16 px at 100%), set through the
    DevTools protocol, so rem, em and em media queries all follow it as they would for a reader who chose
    it. With `root_style`, the page's own root font size instead (media queries do not follow that)."""
    if root_style:
        page.evaluate("s => { document.documentElement.style.fontSize = s; }", "" if percent == 100 else f"{percent}%")
        return
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16 * percent // 100, "fixed": 13 * percent // 100}})
    finally:
        cdp.detach()
    page.wait_for_function("px => getComputedStyle(document.documentElement).fontSize === px",
                           arg=f"{16 * percent // 100}px")


# --- axe-core ------------------------------------------------------------------------------------------

def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page, source: str) -> Dict[str, Any]:
    """axe-core over the whole page with the WCAG A/AA rules; returns {violations, passes, rules}.

    axe is evaluated through the DevTools protocol, not as a <script>, so the page's Content-Security-Policy
    (script-src 'self') stays on and the widget is checked exactly as served."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => ({
               violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})),
               passes: r.passes.map(p => p.id),
               version: r.testEngine.version}))""",
        WCAG_TAGS,
    )
    return result


def describe_violations(violations: List[Dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {(node['summary'] or '').splitlines()[-1:]}")
    return "\n".join(lines)


# --- pixels ----------------------------------------------------------------------------------------------

def edge_contrast(page, locator, margin: int = 6) -> dict:
    """How visible the element's outline is on screen: for each side, the largest difference in grey level
    (0-255) between the page just outside the element and the band just inside its edge, at the middle of
    that side. A side drawn only by a fill that the system has removed scores 0."""
    import io

    from PIL import Image

    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = max(0, int(box["x"]) - margin), max(0, int(box["y"]) - margin)
    clip = {"x": x, "y": y, "width": int(box["width"]) + 2 * margin, "height": int(box["height"]) + 2 * margin}
    image = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L")
    scale = image.width / clip["width"]  # device pixels per CSS pixel
    left, top = (box["x"] - x) * scale, (box["y"] - y) * scale
    right, bottom = left + box["width"] * scale, top + box["height"] * scale
    mid_x, mid_y = (left + right) / 2, (top + bottom) / 2

    def at(px: float, py: float) -> int:
        return image.getpixel((min(max(int(px), 0), image.width - 1), min(max(int(py), 0), image.height - 1)))

    band = [-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3]  # CSS px inwards from the edge (boxes have fractional edges)
    sides = {
        "left": (at(left - 4 * scale, mid_y), [at(left + d * scale, mid_y) for d in band]),
        "right": (at(right + 4 * scale, mid_y), [at(right - d * scale, mid_y) for d in band]),
        "top": (at(mid_x, top - 4 * scale), [at(mid_x, top + d * scale) for d in band]),
        "bottom": (at(mid_x, bottom + 4 * scale), [at(mid_x, bottom - d * scale) for d in band]),
    }
    return {side: max(abs(outside - p) for p in band) for side, (outside, band) in sides.items()}
