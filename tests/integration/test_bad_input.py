"""Bad input gets a clear 4xx or a polite reply, never a 5xx, and nothing stored is lost."""

import uuid

import pytest
import requests

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def earlier(assistant):
    """A conversation stored before the bad input arrives."""
    sender = f"keep-{uuid.uuid4().hex[:8]}"
    assistant.send(sender, "what is ketamine infusion therapy")
    return sender, assistant.events(sender)


def post(assistant, **kwargs):
    return requests.post(assistant.webhook, timeout=30, **kwargs)


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": b"\xff\xfe\xfa invalid utf-8", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": {"sender": "x", "message": "hi"}}, 400),  # form data, not JSON
        ({"json": ["a", "list"]}, 400),
        ({"json": {"message": "no sender"}}, 400),
        ({"json": {"sender": "s" * 500, "message": "hi"}}, 400),
        ({"json": {"sender": "ok", "message": 12345}}, 400),
        ({"json": {"sender": "ok", "message": {"nested": True}}}, 400),
        ({"json": {"sender": "ok", "message": "hi", "metadata": "not an object"}}, 400),
        ({"json": {"sender": "ok", "message": "hi", "message_id": "x" * 65}}, 400),
        ({"json": {"sender": "ok", "message": "hi", "message_id": 42}}, 400),
        ({"json": {"sender": "ok", "message": "a" * 100_000}}, 413),
    ],
)
def test_malformed_requests_get_a_clear_4xx(assistant, earlier, kwargs, status):
    response = post(assistant, **kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]  # a JSON reason, never an HTML page
    assert response.text


@pytest.mark.parametrize("message", ["", "   \n\t", "\x00\x01\x02", "<script>alert(1)</script>",
                                     "<img src=x onerror=alert(1)>", "🙂" * 50, "/", "/greet{\"x\": 1}"])
def test_odd_messages_get_a_polite_reply(assistant, message):
    response = post(assistant, json={"sender": f"odd-{uuid.uuid4().hex[:8]}", "message": message,
                                     "unknown_field": [1, 2, 3]})
    assert response.status_code == 200
    replies = response.json()
    assert isinstance(replies, list)
    for reply in replies:
        assert "<script>" not in reply.get("text", "") and "onerror" not in reply.get("text", "")


def test_the_server_keeps_serving_and_nothing_stored_is_lost(assistant, earlier):
    sender, events_before = earlier
    assert assistant.send(sender, "how long does relief last")[0]["text"]
    events_after = assistant.events(sender)
    assert events_after[: len(events_before)] == events_before
    assert len(events_after) > len(events_before)
