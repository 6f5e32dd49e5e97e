// The wait the server asks for (retry_after): the pause, its countdown, its cap, its end.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MAX_WAIT_SECONDS, WAIT_UPDATE_MS } from "../../../web/widget/constants.js";
import { createState, isPaused, restore, snapshot, update, waitMessage } from "../../../web/widget/state.js";
import { T0, ask, connectedState, ofType, reply, types } from "./helpers.mjs";

function refuse(state, retryAfter, now = T0) {
  return reply(state, { text: "Please wait.", route: "error", stored: false, retry_after: retryAfter }, now);
}

describe("the pause", () => {
  test("a refusal with retry_after pauses sending for that long, and says so once", () => {
    const state = connectedState();
    ask(state, "one");
    const effects = refuse(state, 42);
    assert.equal(state.pausedUntil, T0 + 42000);
    assert.deepEqual(ofType(effects, "pause"), [{ type: "pause", left: 42000, announce: true }]);
    const again = refuse(state, 42, T0 + 1000); // refused again meanwhile
    assert.deepEqual(ofType(again, "pause"), [{ type: "pause", left: 42000, announce: false }]);
  });

  test("nothing can be sent meanwhile: Enter, suggested replies, Try again, 'Was this helpful?'", () => {
    const state = connectedState();
    const { record } = ask(state, "one");
    refuse(state, 10);
    const now = T0 + 5000;
    const before = state.messages.length;
    assert.deepEqual(update(state, { type: "submit", text: "hello?", now }), [{ type: "focusInput" }]);
    assert.deepEqual(ofType(update(state, { type: "button", title: "Yes", payload: "/yes", now }), "emit"), []);
    assert.deepEqual(update(state, { type: "retry", record, now }), []);
    assert.deepEqual(update(state, { type: "feedback", record: state.messages[0], helpful: true, now }), []);
    assert.equal(state.messages.length, before);
    assert.equal(record.failed, "refused");
  });

  test("the language switch changes the interface during the pause but does not tell the assistant", () => {
    const state = connectedState();
    refuse(state, 10);
    const effects = update(state, { type: "switchLanguage", now: T0 + 1000 });
    assert.equal(state.lang, "es");
    assert.deepEqual(ofType(effects, "emit"), []);
    assert.deepEqual(ofType(effects, "pause"), [{ type: "pause", left: 9000, announce: false }]); // the note, in Spanish
  });

  test("the countdown: updated silently by ticks, then sending is back, and that is said once", () => {
    const state = connectedState();
    refuse(state, 12);
    assert.deepEqual(update(state, { type: "tick", now: T0 + WAIT_UPDATE_MS }),
      [{ type: "pause", left: 12000 - WAIT_UPDATE_MS, announce: false }]);
    assert.ok(isPaused(state, T0 + 11999));
    const over = update(state, { type: "tick", now: T0 + 12000 });
    assert.deepEqual(types(over), ["save", "pauseOver"]);
    assert.deepEqual(ofType(over, "pauseOver"), [{ type: "pauseOver", announce: true }]);
    assert.equal(state.pausedUntil, 0);
    assert.deepEqual(update(state, { type: "tick", now: T0 + 13000 }), [{ type: "pauseOver", announce: false }]);
    assert.equal(ask(state, "again", T0 + 13000).id, 1); // sends again
  });

  test("the wait is capped at MAX_WAIT_SECONDS, rounded up to whole seconds, never shortened", () => {
    const capped = connectedState();
    refuse(capped, 10 * MAX_WAIT_SECONDS);
    assert.equal(capped.pausedUntil, T0 + MAX_WAIT_SECONDS * 1000);

    const rounded = connectedState();
    refuse(rounded, 2.2);
    assert.equal(rounded.pausedUntil, T0 + 3000);

    const longer = connectedState();
    refuse(longer, 60);
    refuse(longer, 5, T0 + 1000);
    assert.equal(longer.pausedUntil, T0 + 60000);
  });

  test("a retry_after that is not a positive number is no pause", () => {
    for (const value of [0, -5, "soon", null, undefined, NaN]) {
      const state = connectedState();
      const effects = refuse(state, value);
      assert.equal(state.pausedUntil, 0, String(value));
      assert.deepEqual(ofType(effects, "pause"), []);
    }
  });

  test("after a reload the pause goes on (capped), shown but not announced again; its end is", () => {
    const state = connectedState();
    refuse(state, 30);
    const saved = JSON.parse(JSON.stringify(snapshot(state)));
    const reloaded = restore(createState(), saved, T0 + 10000);
    assert.deepEqual(update(reloaded, { type: "tick", now: T0 + 10000 }),
      [{ type: "pause", left: 20000, announce: false }]);
    assert.deepEqual(ofType(update(reloaded, { type: "tick", now: T0 + 30000 }), "pauseOver"),
      [{ type: "pauseOver", announce: true }]);

    const tampered = restore(createState(), { pausedUntil: T0 + 365 * 86400000 }, T0);
    assert.equal(tampered.pausedUntil, T0 + MAX_WAIT_SECONDS * 1000);
    assert.equal(restore(createState(), { pausedUntil: T0 - 1 }, T0).pausedUntil, 0);
    assert.equal(restore(createState(), { pausedUntil: "later" }, T0).pausedUntil, 0);
  });
});

describe("the note", () => {
  test("seconds on screen and for screen readers, in minutes from 90 s, never 0", () => {
    assert.deepEqual(waitMessage(42000, false), { key: "waitNote", count: 42 });
    assert.deepEqual(waitMessage(41001, false), { key: "waitNote", count: 42 }); // rounded up
    assert.deepEqual(waitMessage(42000, true), { key: "waitSaid", count: 42 });
    assert.deepEqual(waitMessage(1, false), { key: "waitNote", count: 1 });
    assert.deepEqual(waitMessage(0, false), { key: "waitNote", count: 1 });
    assert.deepEqual(waitMessage(89000, false), { key: "waitNote", count: 89 });
    assert.deepEqual(waitMessage(90000, false), { key: "waitNoteMinutes", count: 2 });
    assert.deepEqual(waitMessage(90000, true), { key: "waitSaidMinutes", count: 2 });
    assert.deepEqual(waitMessage(MAX_WAIT_SECONDS * 1000, false), { key: "waitNoteMinutes", count: 60 });
  });
});
