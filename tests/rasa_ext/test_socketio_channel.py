"""The website widget's socket.io channel (clinic_faq.rasa_ext.channels.socketio) without a server: signed
session ids, the origin check, and what a session is sent for a turn (only once it was stored)."""

import pytest
from rasa.shared.core.events import UserUttered

from clinic_faq.core.rate_limit import MemoryBackend, RateLimiter, RateLimits, Rule
from clinic_faq.rasa_ext.channels.socketio import (
    DEFAULT_ORIGIN,
    NOT_STORED_TEXT,
    ClinicSocketIOInput,
    OriginCheck,
    SessionSigner,
    allowed_origins,
    bot_event,
    turn_language,
)
from tests.rasa_ext.fake_rasa import break_store, fake_rasa, repair_store, sqlite_store

# --- signed session ids --------------------------------------------------------------------------------


def test_a_session_id_issued_by_the_signer_verifies():
    signer = SessionSigner(b"key")
    token = signer.issue()
    assert signer.verify(token)
    assert token != signer.issue()  # each visitor gets their own


def test_a_tampered_session_id_is_refused():
    signer = SessionSigner(b"key")
    nonce, mac = signer.issue().split(".")
    flipped = "0" if mac[0] != "0" else "1"
    assert not signer.verify(f"{nonce}.{flipped}{mac[1:]}")  # changed signature
    assert not signer.verify(f"{nonce[:-1]}x.{mac}")  # changed nonce
    assert not signer.verify(nonce)  # no signature
    assert not signer.verify(f"{nonce}.{mac}.{mac}")


def test_a_session_id_signed_with_another_key_is_refused():
    assert not SessionSigner(b"key").verify(SessionSigner(b"other key").issue())


@pytest.mark.parametrize("token", [None, 42, 4.2, ["a.b"], {"session_id": "a.b"}, b"a.b", ""])
def test_anything_but_a_string_is_refused(token):
    assert not SessionSigner(b"key").verify(token)


def test_an_overlong_session_id_is_refused_even_when_correctly_signed():
    signer = SessionSigner(b"key")
    nonce = "a" * 80
    assert signer.verify(f"{'a' * 40}.{signer._mac('a' * 40)}")  # a shorter nonce of ours would pass
    assert not signer.verify(f"{nonce}.{signer._mac(nonce)}")


def test_a_non_ascii_session_id_is_refused_not_an_error():
    assert not SessionSigner(b"key").verify("é.é")
    assert not SessionSigner(b"key").verify("\ud800.x")


def test_the_key_comes_from_the_environment_or_a_private_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SOCKET_SESSION_SECRET", "shared by every replica")
    token = SessionSigner.from_environment(tmp_path / "unused.key").issue()
    assert SessionSigner(b"shared by every replica").verify(token)
    assert not (tmp_path / "unused.key").exists()
    monkeypatch.delenv("SOCKET_SESSION_SECRET")
    key_file = tmp_path / "var" / "socket_session.key"
    first = SessionSigner.from_environment(key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_bytes()) == 32
    assert SessionSigner.from_environment(key_file).verify(first.issue())  # kept across restarts


# --- which pages may connect -------------------------------------------------------------------------


def test_allowed_origins_come_from_the_environment_first(monkeypatch):
    monkeypatch.setenv("WEBSITE_ORIGINS", " https://clinic.example , https://www.clinic.example,,")
    assert allowed_origins(["https://configured.example"]) == ["https://clinic.example", "https://www.clinic.example"]


def test_allowed_origins_then_credentials_then_clinic_yml(monkeypatch):
    from clinic_faq.core.clinic_config import load_clinic_config

    monkeypatch.delenv("WEBSITE_ORIGINS", raising=False)
    assert allowed_origins(["https://configured.example"]) == ["https://configured.example"]
    assert allowed_origins() == list(load_clinic_config().website_origins)


def test_only_the_listed_origins_may_connect():
    check = OriginCheck(["https://clinic.example", "https://www.clinic.example"])
    assert check("https://clinic.example") and check("https://www.clinic.example", {})
    for origin in ("https://evil.example", "http://clinic.example", "https://clinic.example.evil.example",
                   "https://clinic.example/", "null", "", None):
        assert not check(origin), origin


def test_the_origin_check_is_never_switched_off():
    # python-engineio switches its check off for an empty list and allows every page for "*".
    assert OriginCheck([]).origins == {DEFAULT_ORIGIN}
    assert not OriginCheck(["*"])("https://evil.example")
    assert OriginCheck(["*"]).origins == {DEFAULT_ORIGIN}


def test_the_server_is_built_with_the_check(monkeypatch):
    monkeypatch.setenv("WEBSITE_ORIGINS", "https://clinic.example")
    channel = ClinicSocketIOInput(signer=SessionSigner(b"key"))
    channel.blueprint(lambda message: None)
    assert channel.sio.eio.cors_allowed_origins is channel.origin_check
    assert channel.origin_check("https://clinic.example") and not channel.origin_check("https://evil.example")


# --- what the widget receives --------------------------------------------------------------------------


def test_bot_events_carry_text_buttons_and_route_only():
    message = {"text": "Answer", "buttons": [{"title": "More", "payload": "/more_info", "type": "postback"}],
               "metadata": {"route": "answer", "lang": "en", "utter_action": "utter_x"}}
    assert bot_event(message) == {"text": "Answer", "buttons": [{"title": "More", "payload": "/more_info"}],
                                  "route": "answer"}
    assert bot_event({"text": None, "quick_replies": [{"title": "A", "payload": "/a"}]}) == \
        {"text": "", "buttons": [{"title": "A", "payload": "/a"}]}
    assert bot_event({"text": "x", "metadata": {"route": "error", "stored": False}})["stored"] is False


def test_the_language_of_a_turn():
    assert turn_language([{"metadata": {"lang": "es"}}, {"metadata": {"lang": "es"}}]) == "es"
    assert turn_language([{"metadata": {"lang": "es"}}, {"metadata": {}}]) == "en"
    assert turn_language([]) == "en"


class Socket:
    """The channel's handlers on a real python-socketio server, with what it emits recorded."""

    def __init__(self, monkeypatch, on_new_message, max_message_chars=4000, limiter=None):
        monkeypatch.setenv("WEBSITE_ORIGINS", "https://clinic.example")
        self.channel = ClinicSocketIOInput(signer=SessionSigner(b"key"), max_message_chars=max_message_chars,
                                           limiter=limiter)
        self.channel.blueprint(on_new_message)
        self.sio = self.channel.sio
        self.emitted = []
        self.rooms = {}

        async def emit(event, data, room=None, **kwargs):
            self.emitted.append((event, data, room))

        async def enter_room(sid, room, namespace=None):
            self.rooms[sid] = room

        monkeypatch.setattr(self.sio, "emit", emit)
        monkeypatch.setattr(self.sio, "enter_room", enter_room)

    async def trigger(self, event, *args):
        return await self.sio.handlers["/"][event](*args)

    async def start(self, sid="sock-1", session_id=None):
        await self.trigger("session_request", sid, {"session_id": session_id})
        return self.rooms[sid]

    def bot_messages(self):
        return [(data, room) for event, data, room in self.emitted if event == "bot_uttered"]


@pytest.fixture
def store(rasa_patched):
    return sqlite_store()


@pytest.fixture
def broken_store(store):
    return break_store(store)


ANSWER = {"text": "About 4 hours.", "metadata": {"route": "answer"}}
DISCLAIMER = {"text": "Not medical advice.", "metadata": {"route": "disclaimer"}}
EMERGENCY = {"text": "Call 911.", "metadata": {"route": "emergency"}}


async def test_session_ids_are_issued_and_resumed_only_with_a_valid_token(monkeypatch, store):
    socket = Socket(monkeypatch, fake_rasa(store, []))
    issued = await socket.start("sock-1")
    assert SessionSigner(b"key").verify(issued)
    assert ("session_confirm", issued, "sock-1") in socket.emitted
    assert await socket.start("sock-2", issued) == issued
    assert await socket.start("sock-3", "victims-session-id") != "victims-session-id"
    await socket.trigger("session_request", "sock-4", "not a dict")
    assert SessionSigner(b"key").verify(socket.rooms["sock-4"])


async def test_the_replies_are_sent_in_order_once_the_turn_was_stored(monkeypatch, store):
    sent_during_the_turn = []
    handler = fake_rasa(store, [EMERGENCY, ANSWER, DISCLAIMER],
                        during=lambda: sent_during_the_turn.append(len(socket.bot_messages())))
    socket = Socket(monkeypatch, handler)
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "how long", "session_id": session})
    assert sent_during_the_turn == [0, 0, 0]  # nothing went out before the turn was stored
    assert socket.bot_messages() == [({"text": "Call 911.", "route": "emergency"}, session),
                                     ({"text": "About 4 hours.", "route": "answer"}, session),
                                     ({"text": "Not medical advice.", "route": "disclaimer"}, session)]
    stored = await store.retrieve(session)
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["how long"]


async def test_a_turn_that_was_not_stored_gets_one_error_and_no_reply(monkeypatch, broken_store):
    socket = Socket(monkeypatch, fake_rasa(broken_store, [ANSWER, DISCLAIMER]))
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "how long", "session_id": session})
    assert socket.bot_messages() == [({"text": NOT_STORED_TEXT["en"], "route": "error", "stored": False}, session)]


async def test_the_error_is_in_spanish_when_the_replies_were(monkeypatch, broken_store):
    spanish = [{"text": "Unas 4 horas.", "metadata": {"route": "answer", "lang": "es"}},
               {"text": "No es consejo médico.", "metadata": {"route": "disclaimer", "lang": "es"}}]
    socket = Socket(monkeypatch, fake_rasa(broken_store, spanish))
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "cuanto dura", "session_id": session})
    [(event, _)] = socket.bot_messages()
    assert event["text"] == NOT_STORED_TEXT["es"] and event["stored"] is False


async def test_a_turn_that_failed_gets_one_error_and_no_reply(monkeypatch, store):
    socket = Socket(monkeypatch, fake_rasa(store, [ANSWER], error=RuntimeError("boom")))
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "how long", "session_id": session})
    assert [event for event, _ in socket.bot_messages()] == [
        {"text": NOT_STORED_TEXT["en"], "route": "error", "stored": False}]


async def test_after_a_failed_turn_the_next_stored_one_is_answered(monkeypatch, store, broken_store):
    replies = [ANSWER]
    socket = Socket(monkeypatch, fake_rasa(broken_store, replies))
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "one", "session_id": session})
    repair_store(broken_store)  # the database is back
    await socket.trigger("user_uttered", "sock-1", {"message": "two", "session_id": session})
    assert [event["route"] for event, _ in socket.bot_messages()] == ["error", "answer"]


async def test_every_event_for_a_numbered_message_names_it(monkeypatch, store):
    """The widget numbers its messages; the replies, the "not stored" message and a refusal carry the number
    of the message they are for, so the widget marks exactly the messages that were not kept."""
    two_a_minute = RateLimiter(RateLimits(conversation=Rule(2, 60)), MemoryBackend())
    socket = Socket(monkeypatch, fake_rasa(store, [ANSWER, DISCLAIMER]), limiter=two_a_minute)
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "how long", "session_id": session, "id": 7})
    assert [(e["route"], e["reply_to"]) for e, _ in socket.bot_messages()] == [("answer", 7), ("disclaimer", 7)]
    break_store(store)
    await socket.trigger("user_uttered", "sock-1", {"message": "and after", "session_id": session, "id": 8})
    assert socket.bot_messages()[-1][0] == {"text": NOT_STORED_TEXT["en"], "route": "error", "stored": False,
                                            "reply_to": 8}
    await socket.trigger("user_uttered", "sock-1", {"message": "too fast", "session_id": session, "id": 9})
    refusal = socket.bot_messages()[-1][0]
    assert refusal["stored"] is False and refusal["retry_after"] >= 1 and refusal["reply_to"] == 9
    count = len(socket.bot_messages())
    await socket.trigger("user_uttered", "sock-1", {"message": "still too fast", "session_id": session, "id": 10})
    assert len(socket.bot_messages()) == count  # silence after the one refusal


@pytest.mark.parametrize("number", ["7", 7.0, True, -1, 2**53, None, [7]])
async def test_a_message_number_that_is_not_a_small_whole_number_is_ignored(monkeypatch, store, number):
    socket = Socket(monkeypatch, fake_rasa(store, [ANSWER]))
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "how long", "session_id": session, "id": number})
    [(event, _)] = socket.bot_messages()
    assert event["route"] == "answer" and "reply_to" not in event


async def test_a_socket_without_a_session_is_asked_to_reload(monkeypatch, store):
    handler = fake_rasa(store, [ANSWER])
    socket = Socket(monkeypatch, handler)
    await socket.trigger("user_uttered", "sock-9", {"message": "hello"})
    assert socket.bot_messages() == [({"text": "Please reload the page to start a conversation.", "route": "error"},
                                      "sock-9")]
    assert handler.calls == []


async def test_an_oversized_message_is_refused_politely_and_not_processed(monkeypatch, store):
    handler = fake_rasa(store, [ANSWER])
    socket = Socket(monkeypatch, handler, max_message_chars=50)
    session = await socket.start()
    await socket.trigger("user_uttered", "sock-1", {"message": "a" * 51, "session_id": session})
    [(event, room)] = socket.bot_messages()
    assert event["route"] == "error" and "too long" in event["text"] and room == session
    assert handler.calls == []
    await socket.trigger("user_uttered", "sock-1", "a bare string is a message too")
    assert handler.calls == ["a bare string is a message too"]


async def test_a_disconnected_socket_loses_its_session(monkeypatch, store):
    handler = fake_rasa(store, [ANSWER])
    socket = Socket(monkeypatch, handler)
    await socket.start()
    await socket.trigger("disconnect", "sock-1")
    await socket.trigger("user_uttered", "sock-1", {"message": "hello"})
    assert handler.calls == []
