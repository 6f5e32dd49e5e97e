"""Reaching a person: the callback request end to end on the real servers (REST and the signed text line),
the number kept apart from the conversation, the staff inbox, and the emergency that interrupts the form."""

import re
import uuid

import pytest
import requests

from clinic_faq.stores.callbacks import CallbackStore
from clinic_faq_dev.harness import contains_phi
from tests.integration.test_phone_tree import Phone

pytestmark = pytest.mark.integration
TOKEN = "staff-token-for-the-callback-tests"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    from clinic_faq_dev.harness import RunningAssistant

    with RunningAssistant(tmp_path_factory.mktemp("callbacks"), extra_env={"STAFF_TOKEN": TOKEN}) as assistant:
        yield assistant


def store_of(assistant):
    return CallbackStore(str(assistant.workdir / "clinic.db"))


def say(assistant, sender, text):
    replies = assistant.send(sender, text)
    return replies, " ".join(m.get("text", "") for m in replies)


def routes(assistant, sender):
    """The routes of the latest turn's replies, as stored (REST replies carry no metadata)."""
    from clinic_faq.core.turns import last_turn

    return last_turn(assistant.events(sender)).routes


def test_a_callback_request_over_rest_is_kept_apart_and_reaches_the_inbox(running):
    sender = f"cb-{uuid.uuid4().hex[:8]}"
    _, text = say(running, sender, "can someone from the clinic call me back?")
    assert "kept apart" in text and "Is that okay?" in text
    _, text = say(running, sender, "yes")
    assert "What number" in text
    _, text = say(running, sender, "sure, it's (555) 010-0142")
    assert "good time" in text
    _, text = say(running, sender, "afternoon")
    assert "first name" in text
    _, text = say(running, sender, "Rosalind")
    assert "What is the call about?" in text
    _, text = say(running, sender, "billing")
    found = re.search(r"number (\d+)", text)
    assert found, text
    request_id = int(found.group(1))
    [request] = [r for r in store_of(running).requests() if r.id == request_id]
    assert (request.phone, request.name, request.best_time, request.reason, request.channel) == (
        "+15550100142", "Rosalind", "afternoon", "billing", "rest")
    stored, logs = running.stored_text(), running.log_text()
    for secret in ("555) 010-0142", "5550100142", "Rosalind"):
        assert not contains_phi(stored, secret) and not contains_phi(logs, secret), secret
    # The staff inbox shows it (with the number) only with the token, and marks it called.
    inbox = f"{running.url}/webhooks/staff/inbox/"
    assert requests.get(inbox, timeout=10).status_code in (401, 404) or "0142" not in requests.get(inbox, timeout=10).text
    page = requests.get(inbox, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert page.status_code == 200 and "+15550100142" in page.text and "Rosalind" in page.text
    marked = requests.post(f"{running.url}/webhooks/staff/inbox/mark", data={"request": request_id, "status": "called", "by": "Sam"},
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10, allow_redirects=False)
    assert marked.status_code == 303
    [request] = [r for r in store_of(running).requests() if r.id == request_id]
    assert request.status == "called" and request.history[0][1:] == ("called", "Sam")


def test_the_text_line_call_me_offers_the_sending_number(running):
    phone = Phone(running)
    messages = phone.text("CALL ME")
    assert any("kept apart" in m for m in messages)
    messages = phone.text("yes")
    assert any(phone.number[-4:] in m and "texting from" in m for m in messages), messages
    phone.text("yes")
    phone.text("morning")
    phone.text("1")  # the Skip button
    done = " ".join(phone.text("2"))  # the second listed reason: an appointment
    request_id = int(re.search(r"number (\d+)", done).group(1))
    [request] = [r for r in store_of(running).requests() if r.id == request_id]
    assert (request.phone, request.name, request.reason, request.channel) == (phone.number, None, "appointment", "phone_tree")
    assert not contains_phi(running.stored_text(), phone.number[2:])


def test_cancelling_keeps_nothing(running):
    sender = f"cb-{uuid.uuid4().hex[:8]}"
    say(running, sender, "please call me back")
    say(running, sender, "yes")
    say(running, sender, "555 010 0177")
    _, text = say(running, sender, "never mind, cancel that")
    assert "Nothing was kept" in text
    assert not any(r.phone.endswith("0177") for r in store_of(running).requests(include_closed=True))


def test_danger_during_the_form_gets_emergency_guidance_first(running):
    sender = f"cb-{uuid.uuid4().hex[:8]}"
    say(running, sender, "can you have a nurse call me")
    say(running, sender, "yes")
    replies, text = say(running, sender, "i took all my pills an hour ago")
    assert routes(running, sender)[0] == "emergency" and "911" in replies[0]["text"]
    assert "What number" not in text and "callback" not in text.lower()
    _, text = say(running, sender, "what are the side effects of ketamine")
    assert "kept apart" not in text and "What number" not in text  # the form is over


def test_asking_for_a_person_gets_the_number_open_now_and_the_offer(running):
    replies, text = say(running, f"cb-{uuid.uuid4().hex[:8]}", "can i talk to a real person")
    assert "(555) 010-0100" in text and re.search(r"open now|closed now", text)
    assert any(b.get("payload") == "/request_callback" for m in replies for b in m.get("buttons") or [])
    replies, text = say(running, f"cb-{uuid.uuid4().hex[:8]}", "quiero hablar con una persona")
    assert re.search(r"abiertos ahora|cerrados", text) and "Que me llamen" in str(replies)
