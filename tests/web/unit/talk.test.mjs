// Reaching a person: the "Talk to a person" control, and the text box set up for what the callback request
// asks (a phone number, a first name) and back to normal afterwards.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { EVENTS } from "../../../web/widget/constants.js";
import { STRINGS } from "../../../web/widget/strings.js";
import {
  TALK_PAYLOAD,
  talkPayload,
  createState,
  expectOf,
  readReply,
  restore,
  snapshot,
  update,
} from "../../../web/widget/state.js";
import { T0, ask, connectedState, ofType, reply, types } from "./helpers.mjs";

const CALL_ME_BACK = { text: "To talk with someone at the clinic, call (555) 010-0100. We're open now, until 5 pm.",
  route: "callback", buttons: [{ title: "Call me back", payload: "/request_callback" }] };
const ASK_PHONE = { text: "What number should the team call? Please type it with the area code.", route: "callback",
  metadata: { route: "callback", expect: "phone" } };
const PHONE_INVALID = { text: "I couldn't read a phone number there. Please type the number with the area code, or " +
  "say cancel to stop.", route: "callback" };
const ASK_TIME = { text: "When is a good time to call?", route: "callback",
  buttons: [{ title: "Morning", payload: "morning" }, { title: "Afternoon", payload: "afternoon" }] };
const ASK_NAME = { text: "What first name should the team ask for? You can skip this.", route: "callback",
  metadata: { route: "callback", expect: "name" }, buttons: [{ title: "Skip", payload: "/deny" }] };

function talk(state, now = T0) {
  return update(state, { type: "talk", now });
}

function emitted(effects) {
  return ofType(effects, "emit").map((effect) => effect.data.message);
}

function modes(effects) {
  return ofType(effects, "inputMode").map((effect) => effect.expect);
}

describe("Talk to a person", () => {
  test("opens the part with the clinic's number and asks the assistant, showing nothing as the person's", () => {
    const state = connectedState();
    const effects = talk(state);
    assert.deepEqual(ofType(effects, "talk"), [{ type: "talk", open: true }]);
    assert.deepEqual(ofType(effects, "emit"), [{ type: "emit", event: EVENTS.userUttered,
      data: { message: talkPayload("en"), session_id: "tok", id: 1 } }]);
    assert.equal(talkPayload("en"), '/talk_to_human{"language":"en"}');
    assert.equal(talkPayload("es"), '/talk_to_human{"language":"es"}');
    assert.equal(talkPayload("fr"), TALK_PAYLOAD);
    assert.deepEqual(state.messages, []); // not shown as the person's message
    assert.deepEqual(ofType(effects, "added"), []);
    assert.deepEqual(ofType(effects, "typing"), [{ type: "typing", show: true }]);
    assert.ok(types(effects).includes("save") && state.talk);
    assert.deepEqual(ofType(effects, "focusInput"), []); // focus stays on the control (a disclosure button)
  });

  test("the assistant's answer arrives as any reply, with its Call me back button", () => {
    const state = connectedState();
    talk(state);
    const effects = reply(state, { ...CALL_ME_BACK, reply_to: 1 });
    const [added] = ofType(effects, "added");
    assert.equal(added.record.route, "callback");
    assert.deepEqual(added.record.buttons, CALL_ME_BACK.buttons);
    assert.equal(added.announce, "polite");
    const button = update(state, { type: "button", payload: "/request_callback", title: "Call me back", now: T0 });
    assert.deepEqual(emitted(button), ["/request_callback"]);
    assert.equal(state.messages.at(-1).text, "Call me back"); // a button shows its title as the person's
  });

  test("a second press closes it and sends nothing; a third opens it and asks again", () => {
    const state = connectedState();
    talk(state);
    const closing = talk(state);
    assert.deepEqual(ofType(closing, "talk"), [{ type: "talk", open: false }]);
    assert.deepEqual(emitted(closing), []);
    assert.equal(state.talk, false);
    assert.deepEqual(emitted(talk(state)), [talkPayload("en")]);
  });

  test("like anything the person says, it ends the turn: earlier suggested replies go", () => {
    const state = connectedState();
    ask(state, "what are the side effects");
    reply(state, { buttons: [{ title: "Tell me more", payload: "/more_info" }] });
    const effects = talk(state);
    assert.ok(types(effects).includes("turnOver"));
    assert.equal(state.messages.at(-1).buttons, undefined);
    assert.equal(state.messages.at(-1).feedback, undefined);
  });

  test("before the session is confirmed the request waits and is sent then; the number is shown at once", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    const effects = talk(state);
    assert.deepEqual(ofType(effects, "talk"), [{ type: "talk", open: true }]);
    assert.deepEqual(emitted(effects), []);
    assert.ok(types(effects).includes("notSentTimer"));
    update(state, { type: "libraryReady", now: T0 });
    update(state, { type: "connected", now: T0 });
    const confirmed = update(state, { type: "sessionConfirmed", reply: "tok", now: T0 });
    assert.deepEqual(emitted(confirmed), [talkPayload("en")]);
  });

  test("when the assistant cannot be reached, nothing is marked 'not sent': there is no question of the person's", () => {
    const state = createState();
    update(state, { type: "open", now: T0 });
    talk(state);
    const effects = update(state, { type: "connectError", now: T0 });
    assert.deepEqual(ofType(effects, "notSent"), []);
    assert.deepEqual(state.pending, []);
    assert.equal(state.talk, true); // the number stays shown
  });

  test("while sending is paused the number is shown and nothing is sent", () => {
    const state = connectedState();
    ask(state, "one");
    reply(state, { text: "Please wait.", route: "error", stored: false, retry_after: 30, reply_to: 1 });
    const effects = talk(state, T0 + 1000);
    assert.deepEqual(ofType(effects, "talk"), [{ type: "talk", open: true }]);
    assert.deepEqual(emitted(effects), []);
    assert.deepEqual(ofType(effects, "typing"), []);
  });

  test("it stays open across a reload, and is not sent again then", () => {
    const state = connectedState();
    talk(state);
    const reloaded = restore(createState(), JSON.parse(JSON.stringify(snapshot(state))), T0);
    assert.equal(reloaded.talk, true);
    assert.equal(restore(createState(), { talk: "yes" }, T0).talk, false);
  });

  test("its texts exist in English and Spanish", () => {
    assert.equal(STRINGS.en.talk, "Talk to a person");
    assert.equal(STRINGS.es.talk, "Hablar con una persona");
  });
});

describe("the text box follows what the conversation asks", () => {
  test("expect is read from the metadata as Rasa sends it, or from the top level; anything else is ignored", () => {
    assert.equal(expectOf({ metadata: { expect: "phone" } }), "phone");
    assert.equal(expectOf({ expect: "name" }), "name");
    for (const bad of [{}, { expect: "email" }, { metadata: { expect: ["phone"] } }, { metadata: "phone" }, null]) {
      assert.equal(expectOf(bad), null, JSON.stringify(bad));
    }
    assert.equal(readReply(ASK_PHONE).record.expect, "phone");
    assert.equal(readReply(ASK_TIME).record.expect, undefined);
  });

  test("a question for the number sets it up for a phone number; the next question returns it to normal", () => {
    const state = connectedState();
    assert.deepEqual(modes(reply(state, ASK_PHONE)), ["phone"]);
    assert.equal(state.expect, "phone");
    const sent = ask(state, "555-201-8841");
    assert.deepEqual(modes(sent.effects), [null]); // answered: an ordinary text box again
    assert.deepEqual(modes(reply(state, ASK_TIME)), []); // no change: already normal
    assert.equal(state.expect, null);
  });

  test("a wrong number: the error is announced like any reply, and the question asked again sets it up again", () => {
    const state = connectedState();
    reply(state, ASK_PHONE);
    ask(state, "my number is 555");
    const error = reply(state, PHONE_INVALID);
    assert.equal(ofType(error, "added")[0].announce, "polite");
    assert.deepEqual(modes(error), []); // still normal after the send
    assert.deepEqual(modes(reply(state, ASK_PHONE)), ["phone"]);
  });

  test("the latest bot message decides: a question without expect after it returns to normal", () => {
    const state = connectedState();
    reply(state, ASK_PHONE);
    assert.deepEqual(modes(reply(state, ASK_TIME)), [null]);
  });

  test("a first name: given-name; Skip (a button) returns it to normal", () => {
    const state = connectedState();
    assert.deepEqual(modes(reply(state, ASK_NAME)), ["name"]);
    const skip = update(state, { type: "button", payload: "/deny", title: "Skip", now: T0 });
    assert.deepEqual(modes(skip), [null]);
    assert.deepEqual(emitted(skip), ["/deny"]);
  });

  test("the language switch, Talk to a person and Try again: a switch or a talk ends the question", () => {
    const state = connectedState();
    reply(state, ASK_PHONE);
    assert.deepEqual(modes(update(state, { type: "switchLanguage", now: T0 })), [null]);
    reply(state, ASK_PHONE);
    assert.deepEqual(modes(talk(state)), [null]);
  });

  test("after a reload the text box is set up as the latest message asks, unless it was answered", () => {
    const state = connectedState();
    reply(state, ASK_PHONE);
    const saved = JSON.parse(JSON.stringify(snapshot(state)));
    assert.equal(saved.messages.at(-1).expect, "phone");
    assert.equal(restore(createState(), saved, T0).expect, "phone");
    ask(state, "555-201-8841");
    assert.equal(restore(createState(), JSON.parse(JSON.stringify(snapshot(state))), T0).expect, null);
    const forged = { messages: [{ from: "bot", text: "x", expect: "password" }] };
    assert.equal(restore(createState(), forged, T0).expect, null);
    assert.equal(restore(createState(), forged, T0).messages[0].expect, undefined);
  });

  test("the texts for a phone number and a first name exist in both languages and say what to type", () => {
    for (const lang of ["en", "es"]) {
      for (const key of ["phoneLabel", "phoneHint", "phonePlaceholder", "nameLabel", "nameHint", "namePlaceholder"]) {
        assert.ok(STRINGS[lang][key], `${lang}.${key}`);
      }
    }
    assert.match(STRINGS.en.phoneHint, /area code/);
    assert.match(STRINGS.es.phoneHint, /código de área/);
  });
});
