"""Accessibility of the website chat widget in a real browser (Debian's chromium, Playwright, the real
servers): axe-core's WCAG 2.0/2.1/2.2 A and AA rules in every state and at every size.

What a machine cannot judge (how NVDA or VoiceOver actually read it) is in the manual checklist in
docs/widget.md.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.web.browser import (
    AXE,
    PROJECT,
    WCAG_TAGS,
    Widget,
    axe_source,
    describe_violations,
    edge_contrast,
    run_axe,
    set_text_size,
)

pytestmark = pytest.mark.integration

# (name, width, height, text size in %, set by the page's root style rather than the browser's setting).
# "200% zoom" is what a 1280x800 window shows at 200% browser zoom: 640x400 CSS pixels.
SIZES = [
    ("1280x800", 1280, 800, 100, False),
    ("375x667", 375, 667, 100, False),
    ("667x375", 667, 375, 100, False),
    ("320x568", 320, 568, 100, False),
    ("1280x800, text 200%", 1280, 800, 200, False),
    ("1280x800, root font 200%", 1280, 800, 200, True),
    ("640x400 (200% zoom)", 640, 400, 100, False),
]
AXE_REPORT = PROJECT / "reports" / "a11y" / "axe.json"


@pytest.fixture(scope="module")
def axe():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser` (npm ci in tests/web: axe-core, pinned)")
    return axe_source()


def check_every_size(page, source: str, state: str, results: list) -> None:
    """axe at every size (and text size) in the widget's current state; the page goes back to 1280x800."""
    for name, width, height, text, root_style in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        set_text_size(page, text, root_style=root_style)
        page.wait_for_timeout(50)  # one frame for the layout at the new size
        outcome = run_axe(page, source)
        set_text_size(page, 100, root_style=root_style)
        assert {"button-name", "color-contrast"} <= set(outcome["passes"])  # axe really looked at the page
        results.append({"state": state, "size": name, "axe": outcome["version"],
                        "violations": outcome["violations"], "passes": len(outcome["passes"])})
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

    widget.ask("how long is an infusion session")
    page.keyboard.press("Escape")
    widget.launcher.locator(".kw-unread").wait_for()
    check_every_size(page, axe, "closed, a reply unread (badge)", results)

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

PHONE_SCREENSHOTS = {"375x667": "widget-phone.png", "667x375": "widget-phone-landscape.png"}
IMAGES = PROJECT / "docs" / "img"

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
    if name in PHONE_SCREENSHOTS:
        page.screenshot(path=str(IMAGES / PHONE_SCREENSHOTS[name]))
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
    assert stops[:3] == ["kw-talk", "kw-lang", "kw-close"] and stops[-1] == "kw-send"
    assert "kw-body" in stops and "kw-button" in stops
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


# --- the reader's text size, forced colours ------------------------------------------------------------------

CSS = PROJECT / "web" / "widget.css"


def test_the_stylesheet_sizes_things_in_em_not_px():
    """px only for hairlines: borders, outlines, shadows, the visually-hidden clip, the 16px floor."""
    import re

    allowed = re.compile(r"^\s*(border[a-z-]*|outline[a-z-]*|box-shadow|width|height|margin|font-size): .*$")
    offending = []
    for number, line in enumerate(CSS.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(r"\d+px", line) and not line.strip().startswith(("/*", "*")) and "*/" not in line:
            if not allowed.match(line):
                offending.append(f"{number}: {line.strip()}")
            elif re.match(r"^\s*(width|height|margin): ", line) and "!important" not in line:
                offending.append(f"{number}: {line.strip()}")  # only .kw-sr-only's 1px clip
            elif line.strip().startswith("font-size") and "max(1rem, 16px)" not in line:
                offending.append(f"{number}: {line.strip()}")
    assert not offending, "sizes in px (use em):\n" + "\n".join(offending)


def sizes(widget) -> dict:
    return widget.page.evaluate(
        """() => Object.fromEntries(['.kw-launcher', '.kw-panel', '.kw-send', '.kw-input', '.kw-close',
             '.kw-msg--bot'].map(s => { const e = document.querySelector(s); const r = e.getBoundingClientRect();
             return [s, {w: r.width, h: r.height, font: parseFloat(getComputedStyle(e).fontSize)}]; }))"""
    )


def test_the_widget_follows_the_readers_text_size(new_page):
    """At 200% text everything doubles. With the browser's text size setting at 200%, a 1280x800 window is
    'short' for that text (under 31.25em): the panel is the full-screen dialog. With only the page's root
    font at 200%, the panel grows beside the page, inside the window and off the launcher."""
    from playwright.sync_api import expect

    widget = Widget(new_page(1280, 800))
    page = widget.page
    widget.open()
    widget.converse("how long is an infusion session")
    normal = sizes(widget)
    for root_style in (True, False):
        set_text_size(page, 200, root_style=root_style)
        large = sizes(widget)
        assert large[".kw-msg--bot"]["font"] == 2 * normal[".kw-msg--bot"]["font"]
        for selector in (".kw-send", ".kw-input", ".kw-close"):
            assert large[selector]["font"] == 2 * normal[selector]["font"], selector
            assert large[selector]["h"] >= 1.8 * normal[selector]["h"], (selector, normal[selector], large[selector])
        if root_style:
            assert large[".kw-launcher"]["font"] == 32 and large[".kw-launcher"]["h"] >= 1.8 * normal[".kw-launcher"]["h"]
            assert large[".kw-panel"]["w"] >= 1.8 * normal[".kw-panel"]["w"]
            panel, launcher = widget.panel.bounding_box(), widget.launcher.bounding_box()
            assert panel["y"] >= 0 and panel["x"] >= 0 and panel["x"] + panel["width"] <= 1280
            assert panel["y"] + panel["height"] <= launcher["y"]  # the launcher never sits under the panel
            set_text_size(page, 100, root_style=True)
        else:
            expect(widget.panel).to_have_attribute("aria-modal", "true")
            assert widget.panel.bounding_box() == {"x": 0, "y": 0, "width": 1280, "height": 800}
            assert widget.scroller.evaluate(VISIBLE_HEIGHT) >= 300
            widget.page.screenshot(path=str(IMAGES / "widget-text-200.png"))
    set_text_size(page, 100)


def test_in_forced_colours_send_close_and_every_bubble_keep_a_visible_outline(new_page):

    widget = Widget(new_page(1024, 768))
    page = widget.page
    page.emulate_media(forced_colors="active")
    assert page.evaluate("() => matchMedia('(forced-colors: active)').matches")
    widget.open()
    widget.converse("how long is an infusion session")
    widget.converse("i want to end my life")
    targets = {
        "Send": widget.send, "close": widget.close, "launcher": widget.launcher, "language": page.locator(".kw-lang"),
        "Talk to a person": page.locator(".kw-talk"),
        "your message": widget.user.last, "an answer": page.locator(".kw-route--answer").first,
        "the disclaimer": page.locator(".kw-route--disclaimer").first,
        "the emergency reply": page.locator(".kw-route--emergency").first,
    }
    faint = {}
    for name, locator in targets.items():
        contrast = edge_contrast(page, locator)
        if min(contrast.values()) < 100:
            faint[name] = contrast
    assert not faint, f"outlines not visible in forced colours: {faint}"
    assert min(edge_contrast(page, page.locator(".kw-footer")).values()) < 100  # the check tells text from edges
    page.locator(".kw-route--emergency").first.scroll_into_view_if_needed()
    widget.input.focus()
    page.screenshot(path=str(IMAGES / "widget-forced-colors.png"))


# --- what screen readers are told ------------------------------------------------------------------------

# Every live region on the page (outermost only) and its text: what a screen reader would speak from.
LIVE_TEXT = """() => {
  const live = e => { const l = e.getAttribute('aria-live'); const r = e.getAttribute('role');
    return l ? l !== 'off' : ['alert', 'status', 'log', 'marquee', 'timer'].includes(r); };
  const all = [...document.querySelectorAll('body *')].filter(live);
  return all.filter(e => !all.some(o => o !== e && o.contains(e)))
    .map(e => ({role: e.getAttribute('role'), live: e.getAttribute('aria-live'), cls: e.className,
                inPanel: !!e.closest('#kw-chat-panel'), text: e.textContent}));
}"""


def live_regions(page) -> list:
    return page.evaluate(LIVE_TEXT)


def times_announced(page, snippet: str) -> int:
    return sum(region["text"].count(snippet) for region in live_regions(page))


def test_each_new_message_is_announced_once_and_an_emergency_urgently(widget):
    from playwright.sync_api import expect

    page = widget.page
    widget.open()
    expect(widget.input).to_have_attribute("aria-describedby", "kw-chat-notice")
    before = widget.converse("how long is an infusion session")
    answer = widget.text_of(widget.bot.nth(before))
    assert times_announced(page, answer[:60]) == 1
    assert times_announced(page, "not medical advice. Your care team") == 1  # the disclaimer, once too
    assert times_announced(page, "how long is an infusion session") == 0  # the person's own words are not echoed
    polite = page.locator(".kw-announcer")
    expect(polite).to_have_attribute("role", "status")
    expect(polite.locator("p").first).to_contain_text("Assistant: " + answer[:40])
    # The privacy notice is not read again at every return to the text box.
    assert widget.input.get_attribute("aria-describedby") is None

    before = widget.converse("i want to end my life")
    emergency = widget.bot.nth(before)
    assert emergency.get_attribute("role") is None  # not an alert inside the conversation
    snippet = widget.text_of(emergency)[:60]
    urgent = page.locator(".kw-announcer-urgent")
    expect(urgent).to_have_attribute("role", "alert")
    expect(urgent).to_contain_text("Emergency: " + snippet)
    assert times_announced(page, snippet) == 1
    regions = live_regions(page)
    assert not [r for r in regions if r["inPanel"] and r["text"].strip() and "kw-status" not in r["cls"]], regions


def test_a_reply_while_the_chat_is_closed_is_announced_and_counted_on_the_launcher(widget):
    from playwright.sync_api import expect

    page = widget.page
    widget.open()
    before = widget.ask("how long is an infusion session")
    page.keyboard.press("Escape")  # closed before the reply comes
    expect(widget.panel).to_be_hidden()
    badge = widget.launcher.locator(".kw-unread")
    expect(badge).to_be_visible(timeout=30_000)
    expect(page.locator(".kw-announcer")).to_contain_text("new messages from the assistant", timeout=5_000)
    count = widget.bot.count() - before
    assert count == 2  # the answer and its disclaimer: one announcement for both
    expect(badge).to_contain_text(str(count))
    expect(widget.launcher).to_have_accessible_name(f"Ask a question ({count} new messages)")
    assert times_announced(page, "new messages from the assistant") == 1
    assert times_announced(page, widget.text_of(widget.bot.nth(before))[:60]) == 0  # nothing from the closed panel

    widget.launcher.click()
    expect(badge).to_be_hidden()
    expect(widget.launcher).to_have_accessible_name("Ask a question")


# --- long messages, an unreachable server -----------------------------------------------------------------

def announcements(page) -> str:
    return page.locator(".kw-announcer").inner_text()


def test_a_counter_warns_near_the_limit_and_a_message_over_it_is_never_cut_silently(widget):
    from playwright.sync_api import expect

    page = widget.page
    widget.open()
    counter = page.locator("#kw-chat-counter")
    assert widget.input.get_attribute("maxlength") is None  # a pasted text is never cut short
    widget.input.fill("a" * 3599)
    expect(counter).to_be_hidden()
    widget.input.fill("a" * 3600)
    expect(counter).to_be_visible()
    expect(counter).to_have_text("3,600 / 4,000 characters")
    assert "kw-chat-counter" in widget.input.get_attribute("aria-describedby")
    assert "You can type 400 more characters." in announcements(page)

    too_long = "b" * 4050
    widget.input.fill(too_long)
    expect(counter).to_contain_text("4,050 / 4,000")
    expect(counter).to_contain_text("50 characters too many. Please shorten your message to send it.")
    expect(widget.input).to_have_attribute("aria-invalid", "true")
    assert "Your message is" not in announcements(page)
    assert announcements(page).count("50 characters too many") == 1  # said once, not at every key
    widget.input.press("b")
    assert announcements(page).count("characters too many") == 1
    widget.input.press("Enter")  # refused: nothing is sent, nothing is cut, the person is told again
    expect(widget.user).to_have_count(0)
    assert len(widget.input.input_value()) == 4051
    expect(widget.input).to_be_focused()
    assert announcements(page).count("51 characters too many") == 1
    axe_here = run_axe(page, axe_source())
    assert not axe_here["violations"], describe_violations(axe_here["violations"])

    widget.input.fill("how long is an infusion session " + "c" * 3900)
    expect(widget.input).to_have_attribute("aria-invalid", "false")
    assert "Your message is short enough to send now." in announcements(page)
    before = widget.bot.count()
    widget.input.press("Enter")
    expect(widget.user).to_have_count(1)
    assert len(widget.text_of(widget.user.last)) == 3932
    widget.wait_for_turn(before)
    expect(counter).to_be_hidden()


SOCKET_IO_REQUESTS = re.compile(r"/socket\.io/\?")


def test_a_question_the_server_cannot_receive_is_marked_not_sent_with_a_retry_and_the_clinics_number(new_page):
    from playwright.sync_api import expect

    new_page.allow(r"Failed to load resource|ERR_FAILED")
    page = new_page(375, 667)
    widget = Widget(page)
    page.route(SOCKET_IO_REQUESTS, lambda route: route.abort())  # the assistant is unreachable
    widget.open()
    question = "how long is an infusion session"
    widget.ask(question)
    note = page.locator(".kw-not-sent")
    expect(note).to_be_visible(timeout=15_000)
    expect(note).to_contain_text("Not sent")
    expect(widget.user.last).to_have_class(re.compile("kw-msg--failed"))
    expect(widget.user.last.locator(".kw-text")).to_have_text(question)  # the text is kept
    expect(widget.typing).to_be_hidden()
    clinic = note.get_by_role("link", name="(555) 010-0100")
    expect(clinic).to_have_attribute("href", "tel:5550100100")
    expect(note.get_by_role("link", name="911")).to_have_attribute("href", "tel:911")
    retry = note.get_by_role("button", name="Try again")
    expect(retry).to_be_visible()
    assert "Your message was not sent" in announcements(page)
    assert widget.stored()["value"]["messages"][-1] == {"from": "user", "text": question, "failed": True}
    axe_here = run_axe(page, axe_source())
    assert not axe_here["violations"], describe_violations(axe_here["violations"])
    page.screenshot(path=str(IMAGES / "widget-not-sent.png"))

    page.reload()  # still marked after a reload
    widget.open()
    expect(page.locator(".kw-not-sent")).to_have_count(1)

    page.unroute(SOCKET_IO_REQUESTS)  # the assistant is back
    before = widget.bot.count()
    page.locator(".kw-not-sent").get_by_role("button", name="Try again").click()
    expect(page.locator(".kw-not-sent")).to_have_count(0)
    widget.wait_for_turn(before)
    assert "hours" in widget.text_of(widget.bot.nth(before))
    expect(widget.user).to_have_count(1)  # sent again, not added again
    assert "failed" not in widget.stored()["value"]["messages"][0]


# --- the keyboard alone ---------------------------------------------------------------------------------------

FOCUS_RING = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"""


def test_the_keyboard_alone_opens_with_space_reaches_every_control_and_closes_with_escape(new_page):
    from playwright.sync_api import expect

    widget = Widget(new_page(1280, 800))
    page = widget.page
    page.wait_for_function("() => !document.querySelector('.kw-root').hidden")
    for _ in range(20):  # from the top of the page, Tab reaches the launcher after the page's own links
        page.keyboard.press("Tab")
        if active(page) == "outside:BUTTON":
            break
    expect(widget.launcher).to_be_focused()
    assert page.evaluate(FOCUS_RING)
    page.keyboard.press("Space")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()

    page.keyboard.type("what are the side effects")
    before = widget.bot.count()
    page.keyboard.press("Enter")
    widget.wait_for_turn(before)
    expect(widget.input).to_be_focused()

    # Back to the launcher with Shift+Tab, then forward through every control of the panel, in order,
    # each with a visible focus ring, and on out of the widget to the page.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.classList.contains('kw-launcher')"):
            break
    stops = tab_stops(page)
    assert stops[:4] == ["kw-talk", "kw-lang", "kw-close", "kw-body"] and stops[-2:] == ["kw-input", "kw-send"]
    assert "kw-button" in stops  # the reply's "Tell me more"
    reached = []
    for _ in range(len(stops)):
        page.keyboard.press("Tab")
        reached.append(active(page))
        assert page.evaluate(FOCUS_RING), f"no visible focus ring on {reached[-1]}"
    assert reached == stops
    page.keyboard.press("Tab")
    assert active(page).startswith("outside:")  # not modal on a wide screen: Tab goes on to the page

    # A suggested reply, with Space; focus goes back to the text box.
    page.get_by_role("button", name="Tell me more").focus()
    before = widget.bot.count()
    page.keyboard.press("Space")
    widget.wait_for_turn(before)
    expect(widget.user.last.locator(".kw-text")).to_have_text("Tell me more")
    expect(widget.input).to_be_focused()

    # Escape closes, focus returns to the launcher; Enter opens again.
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(widget.launcher).to_be_focused()


def test_on_a_phone_the_keyboard_opens_the_dialog_with_space_and_escape_returns_to_the_launcher(new_page):
    from playwright.sync_api import expect

    widget = Widget(new_page(375, 667))
    page = widget.page
    page.wait_for_function("() => !document.querySelector('.kw-root').hidden")
    widget.launcher.focus()
    page.keyboard.press("Space")
    expect(widget.panel).to_have_attribute("aria-modal", "true")
    expect(widget.input).to_be_focused()
    page.keyboard.type("how long is an infusion session")
    before = widget.bot.count()
    page.keyboard.press("Enter")
    widget.wait_for_turn(before)
    for _ in range(12):  # Tab never leaves the dialog
        page.keyboard.press("Tab")
        assert not active(page).startswith("outside:")
        assert page.evaluate(FOCUS_RING)
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()
