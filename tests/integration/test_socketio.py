"""The website widget's socket.io channel, through a real socket.io client."""

import queue

import pytest
import socketio

pytestmark = pytest.mark.integration


class Visitor:
    """A socket.io client as the widget uses it."""

    def __init__(self, assistant, origin=None):
        origin = origin or f"http://localhost:{assistant.web_port}"
        # The websocket handshake carries the page's origin, as a browser's does.
        self.client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
        self.session = queue.Queue()
        self.messages = queue.Queue()
        self.client.on("session_confirm", self.session.put)
        self.client.on("bot_uttered", self.messages.put)
        self.client.connect(assistant.url, transports=["websocket"], wait_timeout=10)

    def start(self, session_id=None):
        self.client.emit("session_request", {"session_id": session_id})
        return self.session.get(timeout=10)

    def say(self, text, session_id, expect=1):
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        replies = [self.messages.get(timeout=30) for _ in range(expect)]
        return replies

    def close(self):
        self.client.disconnect()


@pytest.fixture
def visitor(assistant):
    v = Visitor(assistant)
    yield v
    v.close()


def test_a_page_from_another_origin_cannot_connect(assistant):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Visitor(assistant, origin="https://evil.example")


def test_replies_carry_their_route(visitor):
    session = visitor.start()
    answer, disclaimer = visitor.say("how long is an infusion session", session, expect=2)
    assert "hours" in answer["text"] and answer["route"] == "answer"
    assert disclaimer["route"] == "disclaimer"


def test_emergency_guidance_is_the_first_reply(visitor):
    session = visitor.start()
    [first] = visitor.say("i want to end my life", session, expect=1)
    assert first["route"] == "emergency" and "911" in first["text"]


def test_buttons_are_sent_with_their_payload(visitor):
    session = visitor.start()
    [answer, _] = visitor.say("what are the side effects", session, expect=2)
    assert answer["buttons"] == [{"title": "Tell me more", "payload": "/more_info"}]


def test_the_server_issues_signed_session_ids_and_refuses_made_up_ones(assistant, visitor):
    issued = visitor.start()
    assert "." in issued
    other = Visitor(assistant)
    try:
        assert other.start(session_id="victims-session-id") != "victims-session-id"
        assert other.start(session_id=issued.split(".")[0] + ".0000") != issued
    finally:
        other.close()


def test_a_returning_visitor_resumes_with_the_token_it_was_given(assistant, visitor):
    session = visitor.start()
    visitor.say("what are the side effects", session, expect=2)
    visitor.close()
    again = Visitor(assistant)
    try:
        assert again.start(session_id=session) == session
        [more, _] = again.say("tell me more", session, expect=2)
        assert more["route"] == "answer"  # the topic was remembered: "tell me more" continued it
        assert len([e for e in assistant.events(session) if e["event"] == "user"]) == 2
    finally:
        again.close()


def test_an_oversized_message_gets_a_polite_reply(visitor):
    session = visitor.start()
    [reply] = visitor.say("a" * 5000, session, expect=1)
    assert reply["route"] == "error" and "too long" in reply["text"]
