"""Three Rasa replicas behind nginx: one conversation's messages spread over them keep every event, in
order; hammering one conversation from all replicas never interleaves two turns; the website's session
ids and the phone tree's message ids are shared by every replica."""

import asyncio
import collections
import uuid

import aiohttp
import pytest
import requests
from twilio.request_validator import RequestValidator

from clinic_faq_dev.cluster import turn_problems, turns, user_texts
from tests.integration.test_socketio import Visitor

pytestmark = pytest.mark.integration

QUESTIONS = ["what are the side effects", "tell me more", "how long is a session", "how is the infusion given"]


def test_a_conversation_spread_over_the_replicas_keeps_every_event_in_order(cluster):
    # 5 conversations over 3 replicas in turn: each conversation meets several replicas.
    senders = [f"spread-{uuid.uuid4().hex[:8]}" for _ in range(5)]
    before = len(cluster.upstreams())
    for text in QUESTIONS:
        for sender in senders:
            assert cluster.send(sender, text), text
    used = cluster.upstreams(at_least=before + len(senders) * len(QUESTIONS))[before:]
    assert len(used) == len(senders) * len(QUESTIONS)
    # Round robin: every replica served messages, and each conversation was served by more than one.
    assert len(set(used)) == 3, collections.Counter(used)
    for index, sender in enumerate(senders):
        served_by = {used[turn * len(senders) + index] for turn in range(len(QUESTIONS))}
        assert len(served_by) >= 2, sender  # (nginx skips a replica for 3 s after a failed attempt)
        events = cluster.events(sender)
        assert user_texts(events) == QUESTIONS
        assert turn_problems(events) == []
        # "tell me more" continued the topic of the turn before, which another replica had answered.
        more = turns(events)[1]
        assert any(e.get("name") == "utter_more_side_effects" for e in more), [e.get("name") for e in more]


async def _hammer(url, sender, count, concurrency):
    semaphore = asyncio.Semaphore(concurrency)

    async def one(n):
        async with semaphore:
            async with session.post(url, json={"sender": sender, "message": f"{QUESTIONS[n % 4]}"},
                                    timeout=aiohttp.ClientTimeout(total=120)) as response:
                return response.status, await response.json(content_type=None)

    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(one(n) for n in range(count)))


def test_hammering_one_conversation_from_every_replica_never_interleaves_turns(cluster):
    sender = f"hammer-{uuid.uuid4().hex[:8]}"
    results = asyncio.run(_hammer(cluster.webhook, sender, count=36, concurrency=12))
    # Every message waited for the conversation's lock and was answered: none was refused because
    # another turn had saved in between (which is what happens when two replicas run it at once).
    assert [status for status, _ in results] == [200] * 36, [body for _, body in results if isinstance(body, dict)]
    events = cluster.events(sender)
    assert len(user_texts(events)) == 36
    assert turn_problems(events) == []


def test_a_website_session_continues_on_another_replica(cluster):
    first = Visitor(type("Replica", (), {"url": cluster.replica_url(0), "web_port": cluster.web_port})())
    try:
        session = first.start()
        first.say("what are the side effects", session, expect=2)
    finally:
        first.close()
    second = Visitor(type("Replica", (), {"url": cluster.replica_url(1), "web_port": cluster.web_port})())
    try:
        assert second.start(session_id=session) == session  # signed by replica 0, accepted by replica 1
        [more, _] = second.say("tell me more", session, expect=2)
        assert more["route"] == "answer"
    finally:
        second.close()
    assert user_texts(cluster.events(session)) == ["what are the side effects", "tell me more"]


def test_a_retried_text_message_is_recognised_by_another_replica(cluster):
    number = f"+1555{uuid.uuid4().int % 10**7:07d}"
    form = {"From": number, "To": "+15550100100", "Body": "how long is a session", "MessageSid": f"SM{uuid.uuid4().hex}"}
    replies = []
    for index in (0, 1):
        # Twilio signs the public URL (PUBLIC_BASE_URL), whichever replica the request reaches.
        public = f"{cluster.url}/webhooks/phone_tree/webhook"
        signature = RequestValidator("test-twilio-token").compute_signature(public, form)
        reply = requests.post(f"{cluster.replica_url(index)}/webhooks/phone_tree/webhook", data=form,
                              headers={"X-Twilio-Signature": signature}, timeout=30)
        assert reply.status_code == 200, reply.text
        replies.append(reply.text)
    assert replies[0] == replies[1] and "hours" in replies[0]
    stored = cluster.all_events()
    handled = [s for s, events in stored.items() if "how long is a session" in user_texts(events)
               and s.startswith("sms-")]
    assert handled, "the text conversation was not stored"
    assert sum(user_texts(stored[s]).count("how long is a session") for s in handled) == 1


def test_the_http_api_is_off_and_the_action_server_needs_the_token(cluster):
    # No RASA_API_TOKEN / RASA_JWT_SECRET was set: Rasa's HTTP API does not exist on any replica.
    for index in range(3):
        assert requests.get(f"{cluster.replica_url(index)}/conversations/x/tracker", timeout=10).status_code == 404
    webhook = f"http://127.0.0.1:{cluster.action_port}/webhook"
    call = {"next_action": "action_safety_notes", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.2"}
    assert requests.post(webhook, json=call, timeout=10).status_code == 401
    wrong = requests.post(webhook, json=call, headers={"Authorization": "Bearer wrong"}, timeout=10)
    assert wrong.status_code == 401
    assert requests.get(f"http://127.0.0.1:{cluster.action_port}/health", timeout=10).status_code == 200


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": b"\xff\xfe invalid utf-8", "headers": {"Content-Type": "application/json"}}, 400),
        ({"data": {"sender": "x", "message": "hi"}}, 400),
        ({"json": {"sender": "ok", "message": "a" * 100_000}}, 413),  # refused by the channel
        ({"data": b'{"sender": "ok", "message": "' + b"a" * 400_000 + b'"}',
          "headers": {"Content-Type": "application/json"}}, 413),  # refused by nginx before Rasa
    ],
)
def test_bad_input_through_the_load_balancer_gets_a_clear_json_4xx(cluster, kwargs, status):
    response = requests.post(cluster.webhook, timeout=30, **kwargs)
    assert response.status_code == status, response.text[:200]
    assert response.json()["error"]
    assert cluster.send(f"after-{uuid.uuid4().hex[:8]}", "how long is a session")  # still serving
