"""Accessibility of the website chat widget in a real browser (Debian's chromium, Playwright, the real
servers): axe-core's WCAG 2.0/2.1/2.2 A and AA rules in every state and at every size.

What a machine cannot judge (how NVDA or VoiceOver actually read it) is in the manual checklist in
docs/widget.md.
"""

from __future__ import annotations

import json

import pytest

from tests.web.browser import AXE, PROJECT, WCAG_TAGS, Widget, axe_source, describe_violations, run_axe, set_text_size

pytestmark = pytest.mark.integration

# (name, width, height, root text size in %). "200% zoom" is what a 1280x800 window shows at 200% browser
# zoom: 640x400 CSS pixels.
SIZES = [
    ("1280x800", 1280, 800, 100),
    ("375x667", 375, 667, 100),
    ("667x375", 667, 375, 100),
    ("320x568", 320, 568, 100),
    ("1280x800 text 200%", 1280, 800, 200),
    ("640x400 (200% zoom)", 640, 400, 100),
]
AXE_REPORT = PROJECT / "reports" / "a11y" / "axe.json"


@pytest.fixture(scope="module")
def axe():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci in tests/web: axe-core, pinned)")
    return axe_source()


def check_every_size(page, source: str, state: str, results: list) -> None:
    """axe at every size (and text size) in the widget's current state; the page goes back to 1280x800."""
    for name, width, height, text in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        set_text_size(page, text)
        page.wait_for_timeout(50)  # one frame for the layout at the new size
        outcome = run_axe(page, source)
        assert {"button-name", "color-contrast"} <= set(outcome["passes"])  # axe really looked at the page
        results.append({"state": state, "size": name, "axe": outcome["version"],
                        "violations": outcome["violations"], "passes": len(outcome["passes"])})
    set_text_size(page, 100)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_axe_finds_no_wcag_a_or_aa_violation_in_any_state_at_any_size(new_page, axe):
    widget = Widget(new_page(1280, 800))
    page, results = widget.page, []
    page.wait_for_function("() => !document.querySelector('.kw-root').hidden")
    check_every_size(page, axe, "closed", results)

    widget.open()
    check_every_size(page, axe, "open", results)

    widget.converse("what are the side effects")
    check_every_size(page, axe, "after a short conversation", results)

    before = widget.converse("i want to end my life")
    assert widget.bot.nth(before).get_attribute("data-route") == "emergency"
    check_every_size(page, axe, "emergency reply shown", results)

    before = widget.converse("my name is John Smith and my date of birth is 03/04/1962")
    assert widget.page.locator(".kw-route--phi_warning").count() >= 1
    check_every_size(page, axe, "privacy warning shown", results)

    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps({"tags": WCAG_TAGS, "results": results}, indent=1), encoding="utf-8")
    failures = [f"{r['state']} at {r['size']}:\n{describe_violations(r['violations'])}"
                for r in results if r["violations"]]
    assert not failures, "axe-core found WCAG A/AA violations:\n" + "\n".join(failures)


# --- phones, short windows, zoom: a modal full-screen dialog ---------------------------------------------

FULL_SCREEN_SIZES = [
    ("375x667", 375, 667, 1),
    ("667x375", 667, 375, 1),
    ("320x568", 320, 568, 1),
    ("640x400 (200% zoom)", 640, 400, 2),
]

VISIBLE_HEIGHT = """el => { const r = el.getBoundingClientRect();
  return Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0); }"""


def tab_stops(page) -> list:
    """The panel's controls Tab can reach, in order, as short descriptions."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#kw-chat-panel a[href], #kw-chat-panel button,'
              + ' #kw-chat-panel textarea, #kw-chat-panel [tabindex]')]
            .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length)
            .map(e => e.className.split(' ')[0] || e.tagName)"""
    )


def active(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return !e ? '' : e.closest('#kw-chat-panel') ?"
        " (e.className.split(' ')[0] || e.tagName) : 'outside:' + e.tagName; }"
    )


@pytest.mark.parametrize("name,width,height,scale", FULL_SCREEN_SIZES, ids=[s[0] for s in FULL_SCREEN_SIZES])
def test_on_small_or_short_screens_the_open_panel_is_a_modal_full_screen_dialog(new_page, name, width, height, scale):
    from playwright.sync_api import expect

    widget = Widget(new_page(width, height, scale=scale))
    page = widget.page
    widget.open()
    expect(widget.panel).to_have_attribute("aria-modal", "true")
    box = widget.panel.bounding_box()
    assert (round(box["x"]), round(box["y"]), round(box["width"]), round(box["height"])) == (0, 0, width, height)
    expect(widget.launcher).to_be_hidden()  # not left under (or over) the panel
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing sticks out sideways

    widget.converse("what are the side effects")  # a reply with a "Tell me more" button: one more tab stop
    widget.input.focus()
    widget.input.fill("Is it safe\nwith my other medicines\nand at my age?")  # the text box grows to its limit
    widget.input.dispatch_event("input")
    field = widget.input.bounding_box()
    assert field["y"] + field["height"] <= height  # the text box is on screen
    visible = widget.scroller.evaluate(VISIBLE_HEIGHT)
    if height <= 400:  # phone sideways, 200% zoom
        assert visible >= 200, f"only {visible:.0f} px of conversation visible at {name}"

    # Tab and Shift+Tab go round the dialog's controls and never reach the page behind it.
    stops = tab_stops(page)
    assert stops[0] == "kw-lang" and stops[-1] == "kw-send" and "kw-body" in stops and "kw-button" in stops
    page.locator(".kw-send").focus()
    seen = []
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        seen.append(active(page))
    assert seen == stops  # from Send, round to the first control and on to Send again
    backwards = []
    for _ in range(len(stops)):
        page.keyboard.press("Shift+Tab")
        backwards.append(active(page))
    assert backwards == stops[-2::-1] + [stops[-1]]  # back through every control, and from the first to Send

    # Escape closes it from anywhere, even with focus nowhere (a click on the dialog's text).
    page.evaluate("() => document.activeElement.blur()")
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_visible()
    expect(widget.launcher).to_be_focused()
    expect(widget.panel).to_have_attribute("aria-modal", "false")


def test_on_a_wide_screen_the_panel_is_beside_the_page_and_not_modal(new_page):
    from playwright.sync_api import expect

    widget = Widget(new_page(1280, 800))
    widget.open()
    expect(widget.panel).to_have_attribute("aria-modal", "false")
    panel, launcher = widget.panel.bounding_box(), widget.launcher.bounding_box()
    assert panel["width"] < 640 and panel["y"] + panel["height"] <= launcher["y"]  # above the launcher, not on it
    widget.page.locator("nav a").first.focus()  # the page stays usable: Escape there is the page's own
    widget.page.keyboard.press("Escape")
    expect(widget.panel).to_be_visible()
    widget.close.focus()
    widget.page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()


def test_a_phone_turned_sideways_makes_the_open_panel_modal(new_page):
    from playwright.sync_api import expect

    widget = Widget(new_page(1024, 768))
    widget.open()
    expect(widget.panel).to_have_attribute("aria-modal", "false")
    widget.page.locator("nav a").first.focus()
    widget.page.set_viewport_size({"width": 667, "height": 375})
    expect(widget.panel).to_have_attribute("aria-modal", "true")
    expect(widget.input).to_be_focused()  # focus is brought into the dialog that now covers the page


@pytest.mark.parametrize("width,height", [(375, 667), (667, 375), (320, 568), (1280, 800)])
def test_the_launcher_never_hides_the_end_of_the_page_for_good(new_page, width, height):
    widget = Widget(new_page(width, height))
    page = widget.page
    page.wait_for_function("() => !document.querySelector('.kw-root').hidden")
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(50)
    launcher = widget.launcher.bounding_box()
    phone = page.get_by_text("Call (555) 010-0100").bounding_box()  # the page's last line: its phone number
    assert phone["y"] + phone["height"] <= launcher["y"], (phone, launcher)
