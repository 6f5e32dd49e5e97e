"""The insights report on conversations sent through the real server (SQLite and PostgreSQL), and the staff
page that serves it: the groups and counts are found, and no personal detail that was sent is in any file."""

import json
import time
import urllib.parse
import uuid

import pytest
import requests

from clinic_faq.insights.cli import main
from clinic_faq.paths import project_dir
from clinic_faq_dev.harness import RunningAssistant, contains_phi
from clinic_faq_dev.postgres import PG, scratch_database, tracker_store

pytestmark = [pytest.mark.integration, pytest.mark.services]

TOKEN = "staff-token-" + uuid.uuid4().hex
PHONE_SENDER = "+15552018841"  # an SMS-like conversation id: a phone number
# What was sent that must never come out: names, phone numbers, dates of birth, e-mail, the sender id,
# an emergency, and a name the redaction does not catch (written in one conversation only).
SECRETS = ["Dana Whitfield", "03/14/1962", "(555) 201-8841", "555-201-8841", "5552018841", "dana.w@example.com",
           "Marisol Quintana", "07/02/1958", "(555) 310-7723", "i took all my pills", "whitcombe", "jonathan"]


def fill(assistant, run):
    """Conversations as people have them: unanswered questions (some asked by several people), answers
    marked helpful or not with the widget's payloads, personal details, an emergency."""
    def send(sender, *texts):
        for text in texts:
            assert assistant.send(f"{sender}-{run}" if not sender.startswith("+") else sender, text)

    for n in range(3):  # out of scope, three people
        send(f"game{n}", "hello", "who won the game last night")
    for n in range(2):  # not understood, two people
        send(f"blue{n}", "is it the blue one")
    for n in range(2):
        send(f"pizza{n}", "can you recommend a good pizza place")
    for n in range(2):  # answered, and marked not helpful with the widget's button
        send(f"side{n}", "what are the side effects", "/feedback_not_helpful")
    send("session", "how long is a session", "/feedback_helpful", "tell me more")
    send("dana", "My name is Dana Whitfield, DOB 03/14/1962, where do i park",
         "call me at (555) 201-8841 or dana.w@example.com about parking")
    send("marisol", "Marisol Quintana here, born 07/02/1958, my number is (555) 310-7723, what are the side effects",
         "/feedback_not_helpful")
    send(PHONE_SENDER, "ask for jonathan whitcombe about the raffle", "i took all my pills")


def report_files(folder):
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


def check(folder):
    summary = json.loads((folder / "summary.json").read_text())
    topics = {t["topic"]: t for t in summary["topics"]}
    assert topics["side_effects"]["not_helpful"] == 2 and topics["session_length"]["helpful"] == 1
    # Marisol's message got the privacy warning, not an answer: her click belongs to no answer.
    assert summary["totals"]["feedback_clicks"] == 4 and summary["feedback_unattributed"] == 1
    assert sum(r["emergencies"] for r in summary["safety"]) == 1
    groups = summary["groups"]
    examples = {e["text"]: g for g in groups for e in g["examples"]}
    game = examples["who won the game last night"]
    assert game["messages"] >= 3 and game["conversations"] >= 3
    assert examples["can you recommend a good pizza place"]["messages"] >= 2
    assert examples["is it the blue one"]["reasons"].get("fallback", 0) >= 2
    side = examples["what are the side effects"]
    assert side["closest_topic"] == "side_effects" and side["reasons"]["not_helpful"] >= 2
    assert [g["messages"] for g in groups] == sorted((g["messages"] for g in groups), reverse=True)
    assert any(g["hidden_messages"] for g in groups)  # the single-conversation messages: counted, not shown
    nlu = (folder / "clusters" / f"group-{game['group']:03d}.nlu.yml").read_text()
    assert "- who won the game last night" in nlu
    files = report_files(folder)
    assert {"report.html", "summary.json", "clusters.csv", "unanswered.csv", "topics.csv", "safety.csv"} <= set(files)
    for name, text in files.items():
        for secret in SECRETS + [PHONE_SENDER]:
            assert not contains_phi(text.lower(), secret.lower()), (name, secret)
    return summary


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """A server with the staff page on (its report folder of its own) and a private SQLite store, filled."""
    folder = tmp_path_factory.mktemp("staffed")
    env = {"STAFF_TOKEN": TOKEN, "INSIGHTS_DIR": str(folder / "staff-report")}
    with RunningAssistant(folder / "servers", extra_env=env) as assistant:
        fill(assistant, uuid.uuid4().hex[:6])
        yield assistant, folder / "staff-report"


def test_the_report_on_sqlite(staffed, tmp_path):
    assistant, _ = staffed
    assert main(["--store-url", f"sqlite:///{assistant.db_path}", "--out-dir", str(tmp_path / "report"),
                 "--period", "7d"]) == 0
    check(tmp_path / "report")
    stored = assistant.stored_text()
    assert "[NAME]" in stored and "[PHONE]" in stored  # what was sent really is in the store, redacted
    # The name the redaction missed is kept out only by the single-conversation rule: a clinic that turns
    # the rule off sees it.
    assert main(["--store-url", f"sqlite:///{assistant.db_path}", "--out-dir", str(tmp_path / "all"),
                 "--period", "7d", "--show-single-conversation-messages"]) == 0
    assert "ask for jonathan whitcombe about the raffle" in (tmp_path / "all" / "summary.json").read_text()


def test_the_report_on_postgresql_through_the_production_endpoints(tmp_path, monkeypatch):
    """As `ENDPOINTS=endpoints.production.yml make insights` reads it: ${DB_...} from the environment."""
    with scratch_database("clinic_insights") as name:
        with RunningAssistant(tmp_path / "servers", tracker_store=tracker_store(name)) as assistant:
            fill(assistant, uuid.uuid4().hex[:6])
        for key, value in {"DB_HOST": PG["host"], "DB_PORT": str(PG["port"]), "DB_NAME": name,
                           "DB_USER": PG["user"], "DB_PASSWORD": ""}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("INSIGHTS_STORE_URL", raising=False)
        assert main(["--endpoints", str(project_dir() / "endpoints.production.yml"), "--out-dir",
                     str(tmp_path / "report"), "--period", "all"]) == 0
    summary = check(tmp_path / "report")
    assert summary["store"] == f"postgresql ({name})"


def test_the_staff_page_refuses_every_request_without_the_token(staffed):
    assistant, _ = staffed
    base = f"{assistant.url}/webhooks/staff"
    for method, path, kwargs in [("get", "/", {}), ("get", "/status", {}), ("post", "/regenerate", {}),
                                 ("get", "/file/summary.json", {}), ("post", "/", {"data": {"action": "regenerate"}}),
                                 ("get", "/", {"headers": {"Authorization": "Bearer wrong-token-1234567890"}}),
                                 ("post", "/", {"data": {"token": "wrong-token-1234567890"}}),
                                 ("get", "/", {"cookies": {"clinic_staff": TOKEN[:-1]}})]:
        response = getattr(requests, method)(base + path, timeout=10, allow_redirects=False, **kwargs)
        assert response.status_code == 401, (method, path, kwargs)
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "Whitfield" not in response.text and "who won the game last night" not in response.text
    signin = requests.get(base + "/", timeout=10)
    assert signin.status_code == 401 and 'name="token"' in signin.text and "<script" not in signin.text


def test_the_staff_page_makes_and_serves_the_report_with_the_token(staffed):
    assistant, folder = staffed
    base = f"{assistant.url}/webhooks/staff"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    started = requests.post(base + "/regenerate", headers=auth, timeout=10)
    assert started.status_code == 202 and started.json()["started"] is True
    deadline = time.monotonic() + 180
    while requests.get(base + "/status", headers=auth, timeout=10).json()["running"]:
        assert time.monotonic() < deadline, "the report was not made in time"
        time.sleep(0.5)
    status = requests.get(base + "/status", headers=auth, timeout=10).json()
    assert status["last"]["ok"] is True and status["report"]
    check(folder)
    page = requests.get(base + "/", headers=auth, timeout=10)
    assert page.status_code == 200 and "who won the game last night" in page.text and "Regenerate the report" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'") and page.headers["Cache-Control"] == "no-store"
    assert "<script" not in page.text.lower() and TOKEN not in page.text
    download = requests.get(base + "/file/clusters.csv", headers=auth, timeout=10)
    assert download.status_code == 200 and "who won the game last night" in download.text
    assert requests.get(base + "/file/../endpoints.yml", headers=auth, timeout=10).status_code in (400, 404)
    # A browser signs in with the form once; its cookie carries the token on the next requests.
    session = requests.Session()
    signed = session.post(base + "/", data={"token": TOKEN}, timeout=10, allow_redirects=False)
    assert signed.status_code == 303 and "HttpOnly" in signed.headers["Set-Cookie"]
    assert "SameSite=Strict" in signed.headers["Set-Cookie"]
    assert session.get(base + "/", timeout=10).status_code == 200
    session.post(base + "/", data={"action": "signout"}, timeout=10, allow_redirects=False)
    assert session.get(base + "/", timeout=10).status_code == 401


def test_the_staff_page_is_off_without_a_token(assistant):
    """The session's server runs without STAFF_TOKEN: the page does not exist."""
    for path in ("/", "/status", "/file/summary.json"):
        assert requests.get(f"{assistant.url}/webhooks/staff{path}", timeout=10,
                            headers={"Authorization": "Bearer "}).status_code == 404
    assert requests.post(f"{assistant.url}/webhooks/staff/regenerate", timeout=10).status_code == 404


def test_the_staff_page_in_a_real_browser(staffed):
    """Chromium signs in with the form; the page's own style passes its CSP, nothing is requested from
    anywhere else, and no script or CSP error appears."""
    import os

    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import expect, sync_playwright

    assistant, _ = staffed
    base = f"{assistant.url}/webhooks/staff/"
    requests.post(base + "regenerate", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    while requests.get(base + "status", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()["running"]:
        time.sleep(0.5)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        problems, origins = [], set()
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: origins.add(urllib.parse.urlsplit(r.url).netloc))
        page.goto(base)
        page.get_by_label("Staff token").fill(TOKEN)
        page.get_by_role("button", name="Open the report").click()
        expect(page.get_by_role("heading", name="Assistant insights")).to_be_visible()
        expect(page.get_by_role("heading", name="Unanswered questions")).to_be_visible()
        assert page.evaluate("() => getComputedStyle(document.querySelector('.toolbar')).display") == "flex"
        expect(page.get_by_text("who won the game last night").first).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("Staff token")).to_be_visible()
        browser.close()
    assert origins == {urllib.parse.urlsplit(assistant.url).netloc}
    assert [p for p in problems if "status of 401" not in p] == []  # the sign-in page itself is a 401
