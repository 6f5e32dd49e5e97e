// The connection state: questions asked before the session exists, failures, a new session, unread
// replies while the panel is closed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { EVENTS, NOT_SENT_AFTER_MS } from "../../../web/widget/constants.js";
import { createState, update } from "../../../web/widget/state.js";
import { T0, ask, connectedState, notSent, ofType, reply, types } from "./helpers.mjs";

describe("connecting", () => {
  test("the widget connects only when the panel is first opened, and loads socket.io once", () => {
    const state = createState();
    assert.deepEqual(ofType(update(state, { type: "open", now: T0 }), "loadLibrary").length, 1);
    update(state, { type: "close", now: T0 });
    assert.deepEqual(ofType(update(state, { type: "open", now: T0 }), "loadLibrary"), []); // still loading
    assert.deepEqual(types(update(state, { type: "libraryReady", now: T0 })), ["openSocket"]);
    update(state, { type: "close", now: T0 });
    const again = update(state, { type: "open", now: T0 });
    assert.deepEqual(ofType(again, "openSocket").concat(ofType(again, "loadLibrary")), []); // socket.io reconnects by itself
  });

  test("on connect the widget asks for its session with the token it has", () => {
    const state = createState();
    state.token = "old.token";
    update(state, { type: "open", now: T0 });
    update(state, { type: "libraryReady", now: T0 });
    assert.deepEqual(update(state, { type: "connected", now: T0 }),
      [{ type: "emit", event: EVENTS.sessionRequest, data: { session_id: "old.token" } }]);
  });

  test("a question asked before the session is confirmed waits for it, then goes with a number", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    const asked = ask(state, "how long is a session");
    assert.equal(asked.id, undefined); // not sent yet
    assert.deepEqual(ofType(asked.effects, "status"), [{ type: "status", key: "connecting" }]);
    assert.deepEqual(ofType(asked.effects, "notSentTimer"), [{ type: "notSentTimer", ms: NOT_SENT_AFTER_MS }]);
    assert.equal(state.pending.length, 1);
    update(state, { type: "libraryReady", now: T0 });
    update(state, { type: "connected", now: T0 });
    const confirmed = update(state, { type: "sessionConfirmed", reply: { session_id: "tok" }, now: T0 });
    const [emit] = ofType(confirmed, "emit");
    assert.deepEqual(emit.data, { message: "how long is a session", session_id: "tok", id: 1 });
    assert.ok(types(confirmed).includes("notSentTimerCancel"));
    assert.equal(state.pending.length, 0);
    assert.equal(state.token, "tok");
  });

  test("a question asked while a connection is being made does not tear it down", () => {
    const state = connectedState();
    update(state, { type: "disconnected", reason: "transport close", now: T0 });
    update(state, { type: "reconnectAttempt", now: T0 + 1000 });
    const during = ask(state, "one", T0 + 2000);
    assert.deepEqual(ofType(during.effects, "reconnect"), []);
    // An attempt that has gone on for NOT_SENT_AFTER_MS is no longer waited for.
    const later = ask(state, "two", T0 + 1000 + NOT_SENT_AFTER_MS);
    assert.deepEqual(ofType(later.effects, "reconnect"), [{ type: "reconnect" }]);
  });

  test("a question asked while socket.io waits between attempts makes it try at once", () => {
    const state = connectedState();
    update(state, { type: "disconnected", reason: "transport close", now: T0 });
    const asked = ask(state, "one", T0 + 5000);
    assert.deepEqual(ofType(asked.effects, "reconnect"), [{ type: "reconnect" }]);
    assert.equal(state.connection.connectingSince, T0 + 5000);
    assert.deepEqual(ofType(ask(state, "two", T0 + 5001).effects, "reconnect"), []); // that attempt is under way now
  });

  test("questions still waiting after NOT_SENT_AFTER_MS are marked not sent, and that is said", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    ask(state, "one");
    ask(state, "two");
    const effects = update(state, { type: "notSentTimeout", now: T0 + NOT_SENT_AFTER_MS });
    assert.deepEqual(notSent(state), ["one", "two"]);
    assert.ok(state.messages.every((m) => m.failed === true));
    const [mark] = ofType(effects, "notSent");
    assert.equal(mark.announce, true);
    assert.deepEqual(ofType(effects, "typing"), [{ type: "typing", show: false }]);
    assert.equal(state.pending.length, 0);
  });

  test("a connection error marks the waiting questions and says the assistant cannot be reached", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    update(state, { type: "libraryReady", now: T0 });
    ask(state, "one");
    const effects = update(state, { type: "connectError", now: T0 });
    assert.deepEqual(ofType(effects, "status"), [{ type: "status", key: "unreachable" }]);
    assert.deepEqual(notSent(state), ["one"]);
  });

  test("when socket.io cannot be loaded, a question is marked not sent at once", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    const failed = update(state, { type: "libraryFailed", reason: "noStart", now: T0 });
    assert.deepEqual(ofType(failed, "status"), [{ type: "status", key: "noStart" }]);
    ask(state, "one");
    assert.deepEqual(notSent(state), ["one"]);
  });

  test("without a valid server address the widget says so and marks questions at once", () => {
    const state = createState({ canConnect: false });
    assert.deepEqual(ofType(update(state, { type: "open", now: T0 }), "status"), [{ type: "status", key: "badUrl" }]);
    ask(state, "one");
    assert.deepEqual(notSent(state), ["one"]);
  });

  test("a session the server does not continue: the old transcript goes, waiting questions stay and are sent", () => {
    const state = connectedState();
    const { id } = ask(state, "an old question");
    reply(state, { reply_to: id });
    update(state, { type: "disconnected", reason: "transport close", now: T0 });
    ask(state, "a new question", T0 + 20000);
    update(state, { type: "connected", now: T0 + 20001 });
    const effects = update(state, { type: "sessionConfirmed", reply: "another", now: T0 + 20002 });
    assert.deepEqual(types(effects).slice(0, 2), ["cleared", "added"]);
    assert.equal(ofType(effects, "added")[0].record.from, "system"); // "Your earlier conversation could not be continued"
    assert.deepEqual(state.messages.map((m) => m.text), ["a new question"]);
    assert.equal(ofType(effects, "emit")[0].data.session_id, "another");
    assert.equal(state.token, "another");
  });

  test("a session_confirm without a token is refused", () => {
    const state = createState();
    for (const reply of [null, "", 5, { session_id: 5 }, {}]) {
      assert.deepEqual(update(state, { type: "sessionConfirmed", reply, now: T0 }),
        [{ type: "status", key: "noSession" }]);
      assert.equal(state.connection.confirmed, false);
    }
  });

  test("a disconnection by the server is final, by the network it is retried", () => {
    const state = connectedState();
    assert.deepEqual(update(state, { type: "disconnected", reason: "io server disconnect", now: T0 }),
      [{ type: "status", key: "closed" }]);
    assert.deepEqual(update(state, { type: "disconnected", reason: "ping timeout", now: T0 }),
      [{ type: "status", key: "reconnecting" }]);
    assert.deepEqual(update(state, { type: "disconnected", reason: "io client disconnect", now: T0 }), []);
    assert.equal(state.connection.confirmed, false);
  });
});

describe("unread replies", () => {
  test("replies that arrive while the panel is closed are counted; opening it clears the count", () => {
    const state = connectedState({ open: false });
    ask(state, "one");
    const answer = reply(state, { reply_to: 1 });
    reply(state, { route: "disclaimer", reply_to: 1 });
    assert.equal(state.unread, 2);
    assert.deepEqual(ofType(answer, "unread"), [{ type: "unread", fresh: true }]);
    assert.equal(ofType(answer, "added")[0].announce, null); // counted on the launcher, not read out
    const opened = update(state, { type: "open", now: T0 });
    assert.equal(state.unread, 0);
    assert.deepEqual(ofType(opened, "unread"), [{ type: "unread", fresh: false }]);
  });

  test("emergency guidance is announced at once, open or closed", () => {
    const closed = connectedState({ open: false });
    assert.equal(ofType(reply(closed, { route: "emergency" }), "added")[0].announce, "urgent");
    assert.equal(closed.unread, 1);
    const open = connectedState();
    assert.equal(ofType(reply(open, { route: "emergency" }), "added")[0].announce, "urgent");
  });

  test("while the panel is open nothing is counted and each reply is announced politely", () => {
    const state = connectedState();
    assert.equal(ofType(reply(state), "added")[0].announce, "polite");
    assert.equal(state.unread, 0);
  });

  test("the person's own messages are never counted or announced", () => {
    const state = connectedState({ open: false });
    const { effects } = ask(state, "one");
    assert.equal(state.unread, 0);
    assert.equal(ofType(effects, "added")[0].announce, null);
  });
});

describe("what the server sends", () => {
  test("an event with nothing to show is ignored", () => {
    const state = connectedState();
    for (const event of [null, 5, "", {}, { text: 5 }, { text: "", buttons: [{ title: "x" }] }]) {
      assert.deepEqual(update(state, { type: "botUttered", reply: event, now: T0 }), [], JSON.stringify(event));
    }
    assert.deepEqual(state.messages, []);
  });

  test("Rasa's stock fields are understood: a bare string, quick_replies, metadata.route", () => {
    const state = connectedState();
    update(state, { type: "botUttered", reply: "hello", now: T0 });
    update(state, { type: "botUttered", now: T0, reply: { text: "Take care.", metadata: { route: "referral" },
      quick_replies: [{ title: "Tell me more", payload: "/more_info" }, { title: "", payload: "/x" }, "junk"] } });
    assert.deepEqual(state.messages, [
      { from: "bot", text: "hello", route: "answer", buttons: [], feedback: "ask" },
      { from: "bot", text: "Take care.", route: "referral", buttons: [{ title: "Tell me more", payload: "/more_info" }] },
    ]);
  });
});
