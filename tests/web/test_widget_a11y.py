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
