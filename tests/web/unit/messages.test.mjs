// Message numbers (`id`) and the server's `reply_to`: which questions are marked "not sent".
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { EVENTS, MAX_MESSAGE_ID } from "../../../web/widget/constants.js";
import { createState, messageId, restore, snapshot, update } from "../../../web/widget/state.js";
import { T0, ask, connectedState, notSent, ofType, reply } from "./helpers.mjs";

const REFUSAL = { text: "You are sending messages faster than I can answer.", route: "error", stored: false,
  retry_after: 6 };
const NOT_STORED = { text: "Your message could not be saved.", route: "error", stored: false };

describe("message numbers", () => {
  test("each message is sent with the session token and the next number, from 1", () => {
    const state = connectedState();
    const first = ask(state, "how long is a session");
    const second = ask(state, "what are the side effects");
    const [emit] = ofType(first.effects, "emit");
    assert.deepEqual(emit, { type: "emit", event: EVENTS.userUttered,
      data: { message: "how long is a session", session_id: "tok", id: 1 } });
    assert.equal(second.id, 2);
    assert.deepEqual([...state.awaiting.keys()], [1, 2]);
  });

  test("numbering goes on after a reload, so a late reply cannot name a new message", () => {
    const state = connectedState();
    ask(state, "one");
    ask(state, "two");
    const reloaded = restore(createState(), JSON.parse(JSON.stringify(snapshot(state))), T0);
    assert.equal(reloaded.nextId, 3);
  });

  test("the number wraps round before it leaves the range the server takes", () => {
    const state = connectedState();
    state.nextId = MAX_MESSAGE_ID;
    assert.equal(ask(state, "one").id, MAX_MESSAGE_ID);
    assert.equal(ask(state, "two").id, 1);
  });

  test("a stored number the server would not take is not used", () => {
    for (const bad of [0, -1, 1.5, "5", MAX_MESSAGE_ID + 1, null]) {
      assert.equal(restore(createState(), { nextId: bad }, T0).nextId, 1, String(bad));
    }
  });

  test("messageId takes whole numbers from 0 to 2**53 - 1 only", () => {
    assert.equal(messageId(0), 0);
    assert.equal(messageId(7), 7);
    assert.equal(messageId(MAX_MESSAGE_ID), MAX_MESSAGE_ID);
    for (const bad of [-1, 1.5, "7", NaN, Infinity, MAX_MESSAGE_ID + 1, null, undefined, true, [7], { id: 7 }]) {
      assert.equal(messageId(bad), null, String(bad));
    }
  });
});

describe("reply_to", () => {
  test("a refusal marks the refused message and every later unanswered one, not the earlier ones", () => {
    const state = connectedState();
    const ids = ["one", "two", "three", "four"].map((text) => ask(state, text).id);
    reply(state, { reply_to: ids[0] });
    const effects = reply(state, { ...REFUSAL, reply_to: ids[2] });
    assert.deepEqual(notSent(state), ["three", "four"]);
    const [mark] = ofType(effects, "notSent");
    assert.deepEqual(mark.records.map((r) => r.text), ["three", "four"]);
    assert.equal(mark.announce, false); // the refusal itself is announced
    assert.ok(state.messages.filter((m) => m.failed).every((m) => m.failed === "refused"));
    reply(state, { reply_to: ids[1] }); // the answer to "two" comes after the refusal: two stays unmarked
    assert.deepEqual(notSent(state), ["three", "four"]);
  });

  test("a refusal may arrive before the answers to earlier messages", () => {
    const state = connectedState();
    const ids = ["one", "two", "three", "four"].map((text) => ask(state, text).id);
    reply(state, { ...REFUSAL, reply_to: ids[2] });
    reply(state, { reply_to: ids[0] });
    reply(state, { route: "disclaimer", reply_to: ids[0] });
    reply(state, { reply_to: ids[1] });
    assert.deepEqual(notSent(state), ["three", "four"]);
  });

  test("'not stored' without a refusal marks exactly its own message", () => {
    const state = connectedState();
    const ids = ["one", "two", "three"].map((text) => ask(state, text).id);
    reply(state, { reply_to: ids[0] });
    reply(state, { ...NOT_STORED, reply_to: ids[1] });
    assert.deepEqual(notSent(state), ["two"]);
    reply(state, { reply_to: ids[2] });
    assert.deepEqual(notSent(state), ["two"]);
    assert.equal(state.pausedUntil, 0); // no retry_after: no pause
  });

  test("an older server without reply_to: the latest question is the one marked", () => {
    const state = connectedState();
    ask(state, "one");
    ask(state, "two");
    ask(state, "three");
    reply(state, { ...NOT_STORED });
    assert.deepEqual(notSent(state), ["three"]);
    reply(state, { ...NOT_STORED }); // a second one has no latest question left to mark
    assert.deepEqual(notSent(state), ["three"]);
  });

  test("a reply_to that is not a whole number in range is ignored: treated as not given", () => {
    for (const bad of ["2", -1, 1.5, MAX_MESSAGE_ID + 1, null, { id: 2 }]) {
      const state = connectedState();
      ask(state, "one");
      ask(state, "two");
      ask(state, "three");
      reply(state, { ...NOT_STORED, reply_to: bad });
      assert.deepEqual(notSent(state), ["three"], JSON.stringify(bad));
    }
  });

  test("a valid number the widget is not waiting on marks nothing", () => {
    const state = connectedState();
    const ids = ["one", "two"].map((text) => ask(state, text).id);
    reply(state, { ...NOT_STORED, reply_to: 99 }); // never sent
    assert.deepEqual(notSent(state), []);
    reply(state, { reply_to: ids[1] }); // "two" answered: "one" has had its replies
    reply(state, { ...NOT_STORED, reply_to: ids[0] }); // a late, stray event for it
    assert.deepEqual(notSent(state), []);
  });

  test("a stored reply never marks anything", () => {
    const state = connectedState();
    const { id } = ask(state, "one");
    const effects = reply(state, { reply_to: id });
    assert.deepEqual(ofType(effects, "notSent"), []);
    assert.deepEqual(notSent(state), []);
  });

  test("a refused 'Was this helpful?' click has no question to mark", () => {
    const state = connectedState();
    const { id } = ask(state, "one");
    reply(state, { reply_to: id });
    const answer = state.messages.at(-1);
    assert.equal(answer.feedback, "ask");
    const effects = update(state, { type: "feedback", record: answer, helpful: true, now: T0 });
    assert.equal(ofType(effects, "emit")[0].data.message, "/feedback_helpful");
    assert.equal(answer.feedback, "given");
    reply(state, { ...NOT_STORED }); // an older server: no reply_to, and the latest question was answered
    assert.deepEqual(notSent(state), []);
  });

  test("a refused button keeps its payload: Try again sends the payload and shows the title once", () => {
    const state = connectedState();
    const { id } = ask(state, "what are the side effects");
    reply(state, { reply_to: id, buttons: [{ title: "Tell me more", payload: "/more_info" }] });
    const clicked = update(state, { type: "button", title: "Tell me more", payload: "/more_info", now: T0 });
    const sentId = ofType(clicked, "emit")[0].data.id;
    assert.deepEqual(state.messages.filter((m) => m.buttons), []); // suggested replies go once the person answers
    reply(state, { ...NOT_STORED, reply_to: sentId });
    const record = state.messages.at(-2);
    assert.deepEqual(record, { from: "user", text: "Tell me more", failed: "refused", payload: "/more_info" });

    const retried = update(state, { type: "retry", record, now: T0 });
    const [emit] = ofType(retried, "emit");
    assert.equal(emit.data.message, "/more_info");
    assert.ok(emit.data.id > sentId);
    assert.deepEqual(record, { from: "user", text: "Tell me more" });
    assert.equal(state.messages.filter((m) => m.text === "Tell me more").length, 1); // sent again, not added again
    assert.deepEqual(ofType(retried, "retrying"), [{ type: "retrying", record }]);
  });

  test("Try again on a message that is not marked does nothing", () => {
    const state = connectedState();
    const { record } = ask(state, "one");
    assert.deepEqual(update(state, { type: "retry", record, now: T0 }), []);
  });
});
