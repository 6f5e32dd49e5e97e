// Helpers for the widget's unit tests (not a test file itself: node --test runs *.test.mjs only).
import { createState, update } from "../../../web/widget/state.js";

export const T0 = Date.UTC(2026, 0, 1, 12); // a fixed "now" for the events

export function ofType(effects, type) {
  return effects.filter((effect) => effect.type === type);
}

export function types(effects) {
  return effects.map((effect) => effect.type);
}

// A widget whose panel is open and whose session the server confirmed (token "tok").
export function connectedState({ lang = "en", open = true, now = T0 } = {}) {
  const state = createState({ lang });
  update(state, { type: "open", now });
  update(state, { type: "libraryReady", now });
  update(state, { type: "connected", now });
  update(state, { type: "sessionConfirmed", reply: "tok", now });
  if (!open) {
    update(state, { type: "close", now });
  }
  return state;
}

// The person types `text` and presses Enter: {effects, id (the number it was sent with), record}.
export function ask(state, text, now = T0) {
  const effects = update(state, { type: "submit", text, now });
  const emit = ofType(effects, "emit")[0];
  const record = state.messages.filter((m) => m.from === "user").at(-1);
  return { effects, id: emit ? emit.data.id : undefined, record };
}

// A bot_uttered event from the server.
export function reply(state, fields = {}, now = T0) {
  return update(state, { type: "botUttered", reply: { text: "An answer.", route: "answer", ...fields }, now });
}

// The texts of the person's messages marked "not sent".
export function notSent(state) {
  return state.messages.filter((m) => m.from === "user" && m.failed).map((m) => m.text);
}
