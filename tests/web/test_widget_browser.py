"""The website chat widget in a real browser: Debian's chromium driven by Playwright, talking to the
real Rasa server's socket.io channel; and the safety of the widget's static server (web/serve.py).

The fixtures (one static server and one browser for the run) are in conftest.py, the helpers in browser.py.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from clinic_faq_dev.harness import free_port
from tests.web.browser import PROJECT, WEB, Widget, axe_source, describe_violations, raw_get, run_axe, static_server

pytestmark = pytest.mark.integration

SCREENSHOT = PROJECT / "docs" / "img" / "widget.png"
DISCLAIMER = "not medical advice"


# --- the widget ----------------------------------------------------------------------------------------

def test_the_notice_is_shown_before_the_first_message(widget):
    from playwright.sync_api import expect

    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.launcher).to_have_attribute("aria-controls", "kw-chat-panel")
    expect(widget.panel).to_be_hidden()
    widget.open()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.notice).to_be_visible()
    notice = widget.notice.inner_text()
    assert "general information" in notice and DISCLAIMER in notice
    assert "personal health details" in notice
    for example in ("names", "dates of birth", "phone numbers", "medical record numbers"):
        assert example in notice
    assert "call 911" in notice
    expect(widget.messages).to_have_count(0)
    expect(widget.input).to_have_attribute("aria-describedby", "kw-chat-notice")  # read once, before a first message


def test_an_answer_comes_with_a_subdued_disclaimer(widget):
    from playwright.sync_api import expect

    widget.open()
    before = widget.ask("how long is an infusion session")
    expect(widget.user.last).to_contain_text("how long is an infusion session")
    expect(widget.user.last.locator(".kw-sr-only")).to_have_text("You: ")
    expect(widget.typing).to_be_visible()
    expect(widget.typing.locator(".kw-sr-only")).to_have_text(re.compile("typing"))
    widget.wait_for_turn(before)

    answer = widget.bot.nth(before)
    assert "hours" in widget.text_of(answer)
    expect(answer).to_have_attribute("data-route", "answer")
    expect(answer.locator(".kw-sr-only").first).to_have_text("Assistant: ")
    disclaimer = widget.page.locator(".kw-msg--bot.kw-route--disclaimer").last
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text(DISCLAIMER)

    def style(locator) -> dict:
        return locator.evaluate(
            "el => { const s = getComputedStyle(el); return {size: parseFloat(s.fontSize),"
            " italic: s.fontStyle, color: s.color, background: s.backgroundColor}; }"
        )

    subdued, normal = style(disclaimer), style(answer)
    assert subdued["size"] < normal["size"]
    assert subdued["italic"] == "italic" and normal["italic"] == "normal"
    assert subdued["color"] != normal["color"]
    assert subdued["background"] != normal["background"]


def test_a_button_sends_its_payload_and_shows_its_title(widget):
    from playwright.sync_api import expect

    widget.open()
    before = widget.ask("what are the side effects")
    widget.wait_for_turn(before)
    first_answer = widget.text_of(widget.bot.nth(before))
    button = widget.page.get_by_role("button", name="Tell me more")
    expect(button).to_be_visible()
    assert button.evaluate("el => el.tagName") == "BUTTON"

    before = widget.bot.count()
    button.click()
    expect(widget.user.last.locator(".kw-text")).to_have_text("Tell me more")  # the title, not "/more_info"
    widget.wait_for_turn(before)
    more = widget.text_of(widget.bot.nth(before))
    assert more and more != first_answer
    assert "benzodiazepine" in more  # the second part of the side-effects answer
    expect(widget.page.get_by_role("button", name="Tell me more")).to_have_count(0)
    expect(widget.input).to_be_focused()


def test_a_reload_shows_the_conversation_again_and_continues_it(widget):
    from playwright.sync_api import expect

    widget.open()
    before = widget.ask("what are the side effects")
    widget.wait_for_turn(before)
    expect(widget.page.get_by_role("button", name="Tell me more")).to_be_visible()
    shown = widget.messages.all_inner_texts()
    token = widget.stored()["value"]["token"]
    assert token

    widget.page.reload()
    widget.open()  # reopens by itself after a reload; open() only checks
    expect(widget.messages).to_have_count(len(shown))
    assert widget.messages.all_inner_texts() == shown
    # The same conversation goes on: "Tell me more" is understood in its context.
    before = widget.bot.count()
    widget.page.get_by_role("button", name="Tell me more").click()
    widget.wait_for_turn(before)
    assert "benzodiazepine" in widget.text_of(widget.bot.nth(before))
    assert widget.stored()["value"]["token"] == token
    expect(widget.page.locator(".kw-msg--system")).to_have_count(0)


def test_a_conversation_the_server_does_not_recognise_is_cleared(widget):
    from playwright.sync_api import expect

    stored = widget.stored()  # nothing yet: the widget connects only when opened
    assert stored is None
    widget.open()
    widget.page.wait_for_function(
        "() => Object.keys(sessionStorage).some(k => k.startsWith('clinic-chat:')"
        " && JSON.parse(sessionStorage.getItem(k)).token)"
    )
    key = widget.stored()["key"]
    forged = {"token": "not-a-token-the-server-signed", "open": True, "messages": [
        {"from": "user", "text": "an old question"},
        {"from": "bot", "text": "an old answer", "route": "answer"},
    ]}
    widget.page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(forged)])
    widget.page.reload()
    expect(widget.panel).to_be_visible()
    expect(widget.page.get_by_text("an old answer")).to_have_count(0)
    widget.page.wait_for_function(
        "k => JSON.parse(sessionStorage.getItem(k)).token !== 'not-a-token-the-server-signed'", arg=key
    )
    assert widget.stored()["value"]["messages"] == []
    before = widget.ask("how long is an infusion session")
    widget.wait_for_turn(before)
    assert "hours" in widget.text_of(widget.bot.nth(before))


def test_an_emergency_comes_first_in_strong_colours(widget):
    from playwright.sync_api import expect

    widget.open()
    before = widget.converse("i want to end my life")
    first = widget.bot.nth(before)
    expect(first).to_have_attribute("data-route", "emergency")
    expect(first).to_contain_text("911")
    expect(first.locator(".kw-label")).to_contain_text("Emergency")
    colours = first.evaluate("el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]")
    assert colours == ["rgb(165, 14, 14)", "rgb(255, 255, 255)"]


def links_in(bubble) -> list:
    return bubble.locator("a").evaluate_all("links => links.map(a => [a.textContent, a.getAttribute('href')])")


def test_crisis_replies_speak_to_the_person_first_and_their_numbers_are_links(new_page):
    widget = Widget(new_page(375, 667))
    widget.open()
    notice_links = links_in(widget.notice)
    assert notice_links == [["911", "tel:911"]]  # the notice's emergency number, one tap away

    crisis = [
        ("i want to end my life", "I'm so sorry you're going through this. You deserve help right now."),
        ("i feel hopeless lately, like nothing matters", "I'm really sorry you're going through this"),
        ("is there a crisis hotline i can give my brother", "Thank you for asking."),
    ]
    for message, opening in crisis:
        before = widget.converse(message)
        reply = widget.bot.nth(before)
        assert reply.get_attribute("data-route") == "emergency", message
        text = widget.text_of(reply)
        assert text.startswith(opening), text
        assert text.index("911") > len(opening) and "call or text 988" in text and "(555) 010-0100" in text
        assert links_in(reply) == [
            *sorted([["911", "tel:911"], ["988", "tel:988"], ["(555) 010-0100", "tel:5550100100"]],
                    key=lambda link: text.index(link[0])),
            ["Text 988", "sms:988"],
        ], message
        if message.startswith("i want"):
            widget.page.screenshot(path=str(PROJECT / "docs" / "img" / "widget-emergency.png"))

    # Other replies keep numbers as plain text.
    before = widget.converse("are you a real person")
    other = widget.bot.nth(before)
    assert other.get_attribute("data-route") != "emergency" and "(555) 010-0100" in widget.text_of(other)
    assert links_in(other) == []


def test_spanish_crisis_replies_give_988_in_spanish_as_links(new_page):
    widget = Widget(new_page(locale="es-MX"))
    widget.open()
    before = widget.converse("quiero morir")
    reply = widget.bot.nth(before)
    text = widget.text_of(reply)
    assert text.startswith("Siento mucho que esté pasando por esto. Usted merece ayuda ahora mismo."), text
    assert "marque 2 o escriba AYUDA" in text
    links = dict((href, shown) for shown, href in links_in(reply))
    assert links == {"tel:911": "911", "tel:988": "988", "tel:5550100100": "(555) 010-0100",
                     "sms:988?body=AYUDA": "Enviar AYUDA por texto al 988"}


@pytest.mark.parametrize(
    "attack", ["<script>window.__xss=1</script>", "<img src=x onerror=window.__xss=1>"]
)
def test_markup_is_shown_as_text_never_run(widget, attack):
    from playwright.sync_api import expect

    widget.open()
    before = widget.ask(attack)
    expect(widget.user.last.locator(".kw-text")).to_have_text(attack)
    widget.wait_for_turn(before)
    assert widget.page.evaluate("() => window.__xss") is None
    expect(widget.log.locator("script, img")).to_have_count(0)
    stored = widget.stored()["value"]["messages"]
    assert {"from": "user", "text": attack} in stored


def test_links_in_answers_open_in_a_new_tab_safely(widget):
    from playwright.sync_api import expect

    widget.open()
    before = widget.ask("how do i book a consultation")
    widget.wait_for_turn(before)
    link = widget.bot.nth(before).locator("a")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href.startswith(("https://", "http://")) and not href.endswith(".")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


# Asks from inside the page the moment the socket.io CONNECT packet leaves (the connection is being made),
# and makes the page's long-polls leave 300 ms late, as a loaded server handles them late.
ASK_WHILE_CONNECTING = """(() => {
  const open = XMLHttpRequest.prototype.open, send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.kwTest = {method, url: String(url)};
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const {method, url} = this.kwTest || {};
    if (method === 'GET' && /\\/socket\\.io\\/.*[?&]sid=/.test(url)) {
      setTimeout(() => send.call(this, body), 300);
      return;
    }
    const sent = send.call(this, body);
    if (body === '40' && !window.kwAsked) {
      window.kwAsked = true;
      setTimeout(() => {
        const input = document.querySelector('#kw-chat-input');
        input.value = 'how do i book a consultation';
        input.form.requestSubmit();
      }, 0);
    }
    return sent;
  };
})();"""


def test_a_question_asked_while_the_connection_is_being_made_waits_for_it(new_page):
    """The connection being made is not torn down and made again: that closed its engine.io session in the
    middle, and a long-poll of the closed session then got a 400 (a console error; it once failed
    test_links_in_answers_open_in_a_new_tab_safely at teardown)."""
    page = new_page(url="about:blank")
    page.add_init_script(ASK_WHILE_CONNECTING)
    handshakes, closes = [], []
    page.on("request", lambda r: "/socket.io/" in r.url and "transport=polling" in r.url and "sid=" not in r.url
            and handshakes.append(r.url))
    page.on("request", lambda r: "/socket.io/" in r.url and r.method == "POST" and r.post_data == "1"
            and closes.append(r.url))
    page.goto(new_page.url)
    widget = Widget(page)
    widget.open()
    widget.wait_for_turn(0)
    assert "set up a consultation" in widget.text_of(widget.bot.first)
    assert page.evaluate("() => window.kwAsked") is True
    assert len(handshakes) == 1 and closes == []  # one engine.io session, never closed by the widget


def test_when_the_server_asks_to_wait_sending_pauses_until_then(new_page, limited_page_url):
    """The server's abuse limits refuse a third message at once (2 per 12 s): one reply with retry_after
    (about 6 s), then silence. The widget pauses sending until then, says so once, and resumes."""
    from playwright.sync_api import expect

    widget = Widget(new_page(url=limited_page_url))
    page = widget.page
    widget.open()
    for question in ("how long is an infusion session", "what are the side effects", "how do i book a consultation"):
        widget.ask(question)  # one after the other, without waiting for the answers
    notice = page.locator(".kw-msg--bot.kw-route--error")
    expect(notice).to_contain_text("You are sending messages faster than I can answer")
    wait_note = page.locator(".kw-wait")
    expect(wait_note).to_be_visible()
    expect(wait_note).to_have_text(re.compile(r"^You can send again in [1-6] s\.$"))
    expect(widget.input).to_have_attribute("aria-disabled", "true")
    expect(widget.input).to_be_disabled()
    expect(widget.input).not_to_be_editable()
    expect(widget.send).to_be_disabled()
    assert "kw-chat-wait" in widget.input.get_attribute("aria-describedby")
    announcer = page.locator(".kw-announcer")
    expect(announcer).to_contain_text(re.compile(r"Sending is paused\. You can send again in [1-6] seconds\."))

    # The refused question is marked "not sent"; its Try again waits too.
    refused = widget.user.last
    expect(refused.locator(".kw-text")).to_have_text("how do i book a consultation")
    expect(refused).to_have_class(re.compile("kw-msg--failed"))
    not_sent = page.locator(".kw-not-sent")
    expect(not_sent).to_have_count(1)
    expect(not_sent).to_contain_text("Not sent: this message was not kept.")
    retry = not_sent.get_by_role("button", name="Try again")
    expect(retry).to_have_attribute("aria-disabled", "true")
    assert widget.stored()["value"]["pausedUntil"] > page.evaluate("() => Date.now()")

    # Nothing can be sent meanwhile: typing does nothing, Enter sends nothing; the language switch changes
    # the interface (and the note) only.
    widget.input.focus()
    page.keyboard.type("hello?")
    page.keyboard.press("Enter")
    expect(widget.input).to_have_value("")
    expect(widget.user).to_have_count(3)
    page.locator(".kw-lang").click()
    expect(wait_note).to_have_text(re.compile(r"^Puede volver a escribir en [1-6] s\.$"))
    page.locator(".kw-lang").click()
    expect(wait_note).to_have_text(re.compile(r"^You can send again in [1-6] s\.$"))
    expect(widget.user).to_have_count(3)
    axe = run_axe(page, axe_source())
    assert not axe["violations"], describe_violations(axe["violations"])
    assert announcer.inner_text().count("Sending is paused") == 1  # said once, not at every update

    # Then everything is enabled again, said once, and the refused question can be sent.
    expect(wait_note).to_be_hidden(timeout=10_000)
    expect(widget.input).not_to_have_attribute("aria-disabled", "true")
    expect(widget.input).to_be_editable()
    expect(widget.send).to_be_enabled()
    expect(retry).not_to_have_attribute("aria-disabled", "true")
    expect(announcer).to_contain_text("You can send messages again.")
    assert widget.input.get_attribute("aria-describedby") is None
    assert widget.stored()["value"]["pausedUntil"] == 0
    retry.click()
    expect(not_sent).to_have_count(0)
    expect(page.locator(".kw-msg--bot", has_text="set up a consultation")).to_have_count(1, timeout=30_000)
    expect(widget.user).to_have_count(3)  # sent again, not added again


def test_every_question_the_server_dropped_after_a_refusal_is_marked_not_sent(new_page, limited_page_url):
    """Four questions sent in one go (2 at once per 12 s): the first two are answered, the third is refused
    with retry_after and the fourth, sent before the refusal arrived, is dropped in the silence that
    follows. Both are marked "not sent", not just the latest."""
    from playwright.sync_api import expect

    widget = Widget(new_page(url=limited_page_url))
    page = widget.page
    widget.open()
    questions = ["how long is an infusion session", "what are the side effects",
                 "how do i book a consultation", "can i drive home after"]
    # All four in one script task: each is handed to the connection before any reply can arrive.
    widget.input.evaluate("""(input, questions) => {
        for (const question of questions) {
            input.value = question;
            input.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}));
        }
    }""", questions)
    expect(widget.user).to_have_count(4)
    expect(page.locator(".kw-msg--bot.kw-route--error")).to_have_count(1, timeout=30_000)
    not_sent = page.locator(".kw-not-sent")
    expect(not_sent).to_have_count(2)
    failed = page.locator(".kw-msg--user.kw-msg--failed .kw-text")
    expect(failed).to_have_text(questions[2:])
    expect(page.locator(".kw-msg--bot.kw-route--answer")).to_have_count(2)  # the first two were answered
    stored = widget.stored()["value"]["messages"]
    assert [m["text"] for m in stored if m.get("failed") == "refused"] == questions[2:]
    page.screenshot(path=str(PROJECT / "docs" / "img" / "widget-refused.png"))


def test_it_works_with_the_keyboard_alone(widget):
    from playwright.sync_api import expect

    page = widget.page
    for _ in range(30):  # Tab through the page's links to the launcher
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('kw-launcher')"):
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    outline = widget.launcher.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # a visible focus ring

    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()

    page.keyboard.press("Enter")  # empty: nothing is sent
    page.keyboard.type("   ")
    page.keyboard.press("Enter")
    expect(widget.messages).to_have_count(0)

    before = widget.bot.count()
    page.keyboard.type("how long is an infusion session")
    page.keyboard.press("Enter")
    expect(widget.user.last).to_contain_text("how long is an infusion session")
    expect(widget.input).to_have_value("")
    widget.wait_for_turn(before)
    assert "hours" in widget.text_of(widget.bot.nth(before))

    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.launcher).to_be_focused()


def test_screenshot_of_a_short_conversation(new_page):
    widget = Widget(new_page(1024, 768))
    widget.open()
    before = widget.ask("what are the side effects")
    widget.wait_for_turn(before)
    widget.page.get_by_role("button", name="Tell me more").focus()  # show the focus ring too
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    widget.page.screenshot(path=str(SCREENSHOT))
    header = SCREENSHOT.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (1024, 768)


SCREENSHOT_ES = PROJECT / "docs" / "img" / "widget-es.png"


def test_a_spanish_browser_gets_the_widget_and_the_answers_in_spanish(new_page):
    from playwright.sync_api import expect

    widget = Widget(new_page(locale="es-MX"))
    expect(widget.launcher).to_contain_text("Haga una pregunta")
    widget.open()
    notice = widget.notice.inner_text()
    assert "no es un consejo médico" in notice.lower() and "llame al 911" in notice
    expect(widget.input).to_have_attribute("placeholder", re.compile("Escriba su pregunta"))
    before = widget.ask("q efectos secundarios tiene la ketamina")
    widget.wait_for_turn(before)
    assert "mareo" in widget.text_of(widget.bot.nth(before)).lower()
    expect(widget.bot.nth(before).locator(".kw-sr-only").first).to_have_text("Asistente: ")
    widget.page.get_by_role("button", name="Cuénteme más").focus()
    widget.page.screenshot(path=str(SCREENSHOT_ES))


def test_the_language_switch_changes_the_interface_and_the_replies(widget):
    from playwright.sync_api import expect

    widget.open()
    switch = widget.page.locator(".kw-lang")
    expect(switch).to_have_text("Español")
    expect(switch).to_have_attribute("lang", "es")
    before = widget.bot.count()
    switch.click()
    expect(switch).to_have_text("English")
    expect(widget.page.locator(".kw-send")).to_have_text("Enviar")
    widget.wait_for_turn(before)
    assert "español" in widget.text_of(widget.bot.nth(before))
    before = widget.ask("ok")  # too short to tell: the conversation stays in Spanish
    widget.wait_for_turn(before)
    assert "De acuerdo" in widget.text_of(widget.bot.nth(before))
    assert widget.stored()["value"]["lang"] == "es"
    widget.page.reload()
    expect(widget.page.locator(".kw-lang")).to_have_text("English")  # the choice is kept in the tab
    expect(widget.page.locator(".kw-launcher-text")).to_have_text("Haga una pregunta")


# The demo page's tag with every setting away from its default, changed as the parser adds it (a module
# runs only once the page is parsed): the page's own server, origin and Content-Security-Policy stay.
RETAG = """(settings => new MutationObserver((records, observer) => {
  const tag = document.querySelector('script[src="widget.js"]');
  if (!tag) return;
  observer.disconnect();
  for (const name of Object.keys(tag.dataset)) delete tag.dataset[name];
  Object.assign(tag.dataset, settings);
}).observe(document, {childList: true, subtree: true}))(%s);"""


def test_the_script_tags_data_attributes_reach_the_widget(new_page, web_page_url):
    from playwright.sync_api import expect

    socket = urllib.parse.parse_qs(urllib.parse.urlsplit(web_page_url).query)["socket"][0]
    settings = {"socketUrl": socket, "socketPath": "/socket.io", "lang": "es",
                "title": "Questions for the test clinic", "titleEs": "Preguntas para la clinica de prueba",
                "emergencyNumber": "112", "clinicPhone": "(555) 010-0100"}
    page = new_page(url="about:blank")
    page.add_init_script(RETAG % json.dumps(settings))
    page.goto(web_page_url.split("?")[0])  # no ?socket=: data-socket-url alone names the server
    widget = Widget(page)
    assert page.evaluate("() => document.documentElement.lang") == "en"
    expect(widget.launcher).to_contain_text("Haga una pregunta")  # data-lang, on an English page
    widget.open()
    expect(page.locator(".kw-title")).to_have_text(settings["titleEs"])
    assert links_in(widget.notice) == [["112", "tel:112"]]  # data-emergency-number
    expect(page.locator(".kw-footer")).to_contain_text("llame al 112")
    before = widget.bot.count()
    page.locator(".kw-lang").click()  # tells the assistant: through data-socket-url and data-socket-path
    expect(page.locator(".kw-title")).to_have_text(settings["title"])
    widget.wait_for_turn(before)
    assert widget.stored()["key"] == "clinic-chat:" + socket.rstrip("/")


# --- web/serve.py ------------------------------------------------------------------------------------

def test_the_static_server_refuses_path_traversal_and_sets_security_headers():
    port = free_port()
    with static_server(env={"WEB_PORT": str(port)}):
        ok = raw_get(port, "/widget.js")
        assert ok.status == 200
        assert ok.body == (WEB / "widget.js").read_bytes()
        assert ok.getheader("X-Content-Type-Options") == "nosniff"
        assert ok.getheader("Referrer-Policy") == "no-referrer"
        assert ok.getheader("Content-Type").startswith("text/javascript")
        csp = {d.split()[0]: d.split()[1:] for d in ok.getheader("Content-Security-Policy").split("; ")}
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
        assert csp["default-src"] == ["'none'"]
        assert set(csp["connect-src"]) == {"'self'", "http://localhost:*", "http://127.0.0.1:*",
                                           "ws://localhost:*", "ws://127.0.0.1:*"}

        index = raw_get(port, "/")
        assert index.status == 200 and b'<script type="module" src="widget.js"' in index.body
        for module in ("config", "connection", "constants", "render", "state", "strings"):
            served = raw_get(port, f"/widget/{module}.js")  # browsers run a module only if served as JavaScript
            assert served.status == 200 and served.getheader("Content-Type").startswith("text/javascript"), module
        assert index.getheader("Content-Security-Policy") == ok.getheader("Content-Security-Policy")

        readme = (PROJECT / "README.md").read_bytes()[:40]
        for path in ("/../README.md", "/%2e%2e/README.md", "/..%2fREADME.md", "/vendor/../../README.md",
                     "/vendor/%2e%2e/%2e%2e/README.md", "/..%5cREADME.md", "/../../../../../../etc/passwd",
                     "//etc/passwd", "/%2fetc%2fpasswd"):
            refused = raw_get(port, path)
            assert refused.status in (400, 403, 404), path
            assert readme not in refused.body and b"root:" not in refused.body, path
            assert refused.getheader("X-Content-Type-Options") == "nosniff", path

        for path in ("/vendor/", "/vendor", "/serve.py", "/.hidden"):  # no listings, no source
            assert raw_get(port, path).status == 404, path

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/vendor/socket.io.min.js", timeout=10) as r:
            assert r.status == 200 and b"Socket.IO v4." in r.read(200)
