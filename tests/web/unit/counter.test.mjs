// The character counter: its thresholds, what it says and when, and a message over the limit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { COUNTER_FROM, MAX_CHARS } from "../../../web/widget/constants.js";
import { clip, counterLevel, createState, lengthOf, update } from "../../../web/widget/state.js";
import { T0, connectedState, ofType } from "./helpers.mjs";

function typed(state, text) {
  const [effect] = update(state, { type: "typed", text, now: T0 });
  return effect;
}

describe("the character counter", () => {
  test("hidden below 3,600 characters, shown from 3,600, over the limit above 4,000", () => {
    assert.equal(COUNTER_FROM, 3600);
    assert.equal(counterLevel(0), "hidden");
    assert.equal(counterLevel(COUNTER_FROM - 1), "hidden");
    assert.equal(counterLevel(COUNTER_FROM), "near");
    assert.equal(counterLevel(MAX_CHARS), "near");
    assert.equal(counterLevel(MAX_CHARS + 1), "over");
  });

  test("length is counted as the server counts it: code points, without the spaces around", () => {
    assert.equal(lengthOf("  hello \n"), 5);
    assert.equal(lengthOf("\u{1F600}"), 1); // one emoji: two UTF-16 units, one character
    assert.equal(lengthOf("se\u00f1or"), 5);
  });

  test("it speaks only when its level changes: near, over, short enough again", () => {
    const state = createState();
    assert.deepEqual(typed(state, "a".repeat(3599)), { type: "counter", level: "hidden", length: 3599, say: null });
    assert.deepEqual(typed(state, "a".repeat(3600)).say, { key: "counterLeft", count: 400 });
    assert.equal(typed(state, "a".repeat(3700)).say, null);
    assert.deepEqual(typed(state, "a".repeat(4050)), { type: "counter", level: "over", length: 4050,
      say: { key: "counterOver", count: 50 } });
    assert.equal(typed(state, "a".repeat(4051)).say, null); // not at every key
    assert.deepEqual(typed(state, "a".repeat(3932)).say, { key: "counterFits" });
    assert.equal(typed(state, "a").say, null); // near -> hidden: nothing to say
    assert.deepEqual(typed(state, "a".repeat(5000)).say, { key: "counterOver", count: 1000 }); // hidden -> over
    assert.deepEqual(typed(state, "").say, { key: "counterFits" });
  });

  test("a message over the limit is not sent, not cut, and the excess is said again", () => {
    const state = connectedState();
    typed(state, "b".repeat(4051));
    const effects = update(state, { type: "submit", text: "b".repeat(4051), now: T0 });
    assert.deepEqual(ofType(effects, "emit"), []);
    assert.deepEqual(ofType(effects, "clearInput"), []); // the text stays
    assert.deepEqual(ofType(effects, "counter")[0].say, { key: "counterOver", count: 51 });
    assert.deepEqual(state.messages, []);
  });

  test("a message of exactly 4,000 characters (emoji count once) is sent whole, and the box emptied", () => {
    const state = connectedState();
    const text = "\u{1F600}".repeat(MAX_CHARS);
    const effects = update(state, { type: "submit", text, now: T0 });
    const sent = ofType(effects, "emit")[0].data.message;
    assert.equal(sent.length, text.length); // lengths, not the 8,000-unit strings, in a failure message
    assert.ok(sent === text);
    assert.equal(clip(text + "x"), text);
    assert.equal(ofType(effects, "clearInput").length, 1);
    assert.equal(ofType(effects, "counter")[0].level, "hidden");
  });

  test("blank input is not sent", () => {
    const state = connectedState();
    for (const text of ["", "   ", "\n\t"]) {
      assert.deepEqual(update(state, { type: "submit", text, now: T0 }), [{ type: "focusInput" }]);
    }
    assert.deepEqual(state.messages, []);
  });
});
