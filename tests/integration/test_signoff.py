"""Clinician sign-off end to end: an answer whose text changed since it was signed is not served (the clinic's
policy is `refer`); a clinician re-signs it on the staff page and the next person gets it; the audit trail
records which text and which sign-off each reply was."""

import json
import uuid
from datetime import date, timedelta

import pytest
import requests
import yaml

from clinic_faq.core.signoff import SignOff, load_domain_answers, text_hash
from clinic_faq.paths import project_file
from clinic_faq.stores.signoffs import SignOffStore

pytestmark = pytest.mark.integration
TOKEN = "staff-token-for-the-signoff-tests"
ANSWER = "utter_answer_side_effects"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    from clinic_faq_dev.harness import RunningAssistant

    folder = tmp_path_factory.mktemp("signoff")
    config = yaml.safe_load(project_file("clinic.yml").read_text(encoding="utf-8"))
    config["content"] = {"unsigned_answers": "refer"}
    (folder / "clinic.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    env = {"STAFF_TOKEN": TOKEN, "CLINIC_CONFIG": str(folder / "clinic.yml")}
    with RunningAssistant(folder, extra_env=env) as assistant:
        yield assistant


def current_text(lang="en"):
    return next(a.text for a in load_domain_answers(project_file("domain.yml")) if a.name == ANSWER and a.lang == lang)


def ask(running, text="what are the side effects of ketamine"):
    from clinic_faq.core.turns import last_turn

    sender = f"so-{uuid.uuid4().hex[:8]}"
    replies = running.send(sender, text)
    return sender, last_turn(running.events(sender)).routes, " ".join(m.get("text", "") for m in replies)


def test_a_changed_answer_is_referred_until_a_clinician_signs_it_again(running):
    today = date.today()
    words = current_text().split()
    old_text = " ".join(words[:3] + ["certainly"] + words[4:])
    assert old_text != current_text()  # the signed text differs by one word from what the model would say
    store = SignOffStore(str(running.workdir / "clinic.db"))
    store.add([SignOff(ANSWER, "en", text_hash(old_text), "Dr. A. Rivera", "Pain physician", today, today + timedelta(days=365))])

    _, routes, text = ask(running)
    assert routes[0] == "referral" and "care team" in text  # changed since its sign-off: not served

    page = requests.get(f"{running.url}/webhooks/staff/review/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=20)
    assert page.status_code == 200 and "the text changed since its sign-off" in page.text
    signed = requests.post(f"{running.url}/webhooks/staff/review/sign", timeout=20, allow_redirects=False,
                           headers={"Authorization": f"Bearer {TOKEN}"},
                           data={"signer": "Dr. A. Rivera", "role": "Pain physician",
                                 "review_by": (today + timedelta(days=365)).isoformat(), "key": f"{ANSWER}:en"})
    assert signed.status_code == 303

    sender, routes, text = ask(running)
    assert routes[0] == "answer" and "not medical advice" in text
    served = [e["metadata"]["metadata"]["served"] for e in running.events(sender)
              if e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == ANSWER]
    assert served[0]["text_hash"] == text_hash(current_text()) and served[0]["signoff"] == "signed"
    assert served[0]["signed_by"] == "Dr. A. Rivera (Pain physician)"

    export = requests.get(f"{running.url}/webhooks/staff/review/export", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=20)
    records = yaml.safe_load(export.text)["signoffs"]
    assert {"answer": ANSWER, "lang": "en", "text_hash": text_hash(current_text())}.items() <= records[-1].items()


def test_an_unsigned_spanish_answer_is_referred_in_spanish(running):
    _, routes, text = ask(running, "cuáles son los efectos secundarios de la ketamina")
    assert routes[0] == "referral" and "equipo de atención" in text


def test_the_audit_export_names_the_text_and_signoff_of_each_answer(running, tmp_path):
    import subprocess
    import sys

    ask(running)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(running.db_path)}}))
    out = tmp_path / "audit.json"
    subprocess.run([sys.executable, "-m", "clinic_faq.ops.audit", "--format", "json", "--out", str(out),
                    "--endpoints", str(endpoints)], check=True, capture_output=True, timeout=120)
    rows = json.loads(out.read_text())
    answers = [a for row in rows for a in row["answers"]]
    assert any(a.startswith(f"{ANSWER}:en #{text_hash(current_text())[:16]} signed by Dr. A. Rivera") for a in answers)
    assert any(f"{ANSWER}:es" in w and "never signed" in w for row in rows for w in row["unsigned_withheld"])
