/*
 * The chat widget's state machine: no DOM, no socket, no clock of its own, so node can test it
 * (tests/web/unit/). All of the widget's state is in one object, made by createState(). Everything
 * that happens (the person types, sends, opens the panel; the connection connects, the server replies;
 * time passes) is an event given to update(state, event), which changes the state and returns a list of
 * effects: what the page should now do (show a message, emit a socket.io event, save, announce...).
 * The entry (widget.js) applies them with render.js and connection.js. Events carry `now` (ms since
 * 1970); without it, Date.now() is used.
 *
 * Reaching a person: "Talk to a person" in the header shows the clinic's number at once (no server round trip)
 * and sends TALK_PAYLOAD without showing it as the person's message; the server answers with whether the
 * office is open now and a "Call me back" button, which starts its callback request (a form of questions).
 * While the latest bot message expects a phone number or a first name (`expect`), the text box is set up
 * for it (inputMode effects); it returns to normal with the next bot message or when the person sends.
 *
 * The messages the person sends are numbered (`id`, 1, 2, 3... kept across reloads in the tab); the
 * server puts that number in every reply to it (`reply_to`), so a reply that says a message was not
 * kept (`stored: false`) marks exactly the right questions "not sent".
 */

import {
  EVENTS,
  COUNTER_FROM,
  MAX_BUTTONS,
  MAX_CHARS,
  MAX_MESSAGE_ID,
  MAX_STORED_MESSAGES,
  MAX_WAIT_SECONDS,
  NOT_SENT_AFTER_MS,
} from "./constants.js";
import { LANGUAGES, STRINGS } from "./strings.js";

// --- language ------------------------------------------------------------------------------------

// "es", "es-MX", "ES" -> "es"; anything else -> "en" (only English and Spanish are offered).
export function languageOf(value) {
  return String(value || "").toLowerCase().startsWith("es") ? "es" : "en";
}

// The interface's language at first: the person's earlier choice in this tab, else the script tag's
// data-lang, else Spanish when the page or the browser says Spanish (a Spanish-speaking visitor on the
// clinic's English page, or the clinic's Spanish page), else English.
export function chooseLanguage({ saved, dataLang, pageLang, browserLang } = {}) {
  if (LANGUAGES.includes(saved)) {
    return saved;
  }
  if (dataLang) {
    return languageOf(dataLang);
  }
  return languageOf(pageLang) === "es" || languageOf(browserLang) === "es" ? "es" : "en";
}

// --- the length of a message ---------------------------------------------------------------------

// As the server counts it: code points, after trimming.
export function lengthOf(text) {
  return Array.from(String(text).trim()).length;
}

// The first MAX_CHARS characters of `text`, counted as the server counts them (code points: an emoji is
// one character, though two UTF-16 units).
export function clip(text) {
  text = String(text);
  return text.length <= MAX_CHARS ? text : Array.from(text).slice(0, MAX_CHARS).join("");
}

// hidden: no counter; near: "3,612 / 4,000 characters"; over: too long to send.
export function counterLevel(length) {
  return length > MAX_CHARS ? "over" : length >= COUNTER_FROM ? "near" : "hidden";
}

// --- the wait the server asks for ----------------------------------------------------------------

// The note for `ms` left: "42 s" on screen, "42 seconds" for screen readers; in minutes from 90 s on.
// Returns the text's key and its number.
export function waitMessage(ms, spoken) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds >= 90) {
    return { key: spoken ? "waitSaidMinutes" : "waitNoteMinutes", count: Math.ceil(seconds / 60) };
  }
  return { key: spoken ? "waitSaid" : "waitNote", count: seconds };
}

export function isPaused(state, now = Date.now()) {
  return state.pausedUntil > now;
}

// --- what the server sends -------------------------------------------------------------------------

// What the person is asked to type, as the server says in a bot message's metadata (`expect`): a phone
// number or a first name; anything else is an ordinary question.
export const EXPECTS = Object.freeze(["phone", "name"]);

// The payload "Talk to a person" sends (the server's talk_to_human intent).
export const TALK_PAYLOAD = "/talk_to_human";
// ... with the interface's language, as the server accepts it (clinic_faq.core.sanitize.PAYLOAD_RE).
export function talkPayload(lang) {
  return lang === "es" || lang === "en" ? `${TALK_PAYLOAD}{"language":"${lang}"}` : TALK_PAYLOAD;
}

// `expect` of a bot_uttered event (top level, or in `metadata` as Rasa puts it), or null.
export function expectOf(reply) {
  const value = reply && (typeof reply.expect === "string" ? reply.expect
    : reply.metadata && typeof reply.metadata === "object" ? reply.metadata.expect : null);
  return EXPECTS.includes(value) ? value : null;
}

// A message number as the server takes it: a whole number from 0 to MAX_MESSAGE_ID; anything else null.
export function messageId(value) {
  return Number.isInteger(value) && value >= 0 && value <= MAX_MESSAGE_ID ? value : null;
}

export function normalizeButtons(list) {
  if (!Array.isArray(list)) {
    return [];
  }
  return list
    .filter((b) => b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload)
    .slice(0, MAX_BUTTONS)
    .map((b) => ({ title: b.title, payload: clip(b.payload) }));
}

// A `bot_uttered` event as the widget understands it, or null when there is nothing to show:
// {record: the message to show, replyTo: the message it is for (null: not said, or not a valid number),
//  stored: false when the message it is for was not kept, retryAfter: seconds to wait (0: none)}.
// Also accepts Rasa's stock `quick_replies` and `metadata.route`, and a bare string.
export function readReply(reply) {
  if (typeof reply === "string") {
    reply = { text: reply };
  }
  if (!reply || typeof reply !== "object") {
    return null;
  }
  const text = typeof reply.text === "string" ? reply.text : "";
  const buttons = normalizeButtons(reply.buttons || reply.quick_replies);
  if (!text && !buttons.length) {
    return null;
  }
  const route = typeof reply.route === "string" ? reply.route
    : reply.metadata && typeof reply.metadata.route === "string" ? reply.metadata.route : "answer";
  const record = { from: "bot", text, route, buttons };
  const expect = expectOf(reply);
  if (expect) {
    record.expect = expect; // the text box is set up for a phone number or a first name
  }
  if (route === "answer" && text) {
    record.feedback = "ask"; // "Was this helpful?" under the latest answer
  }
  const wait = Number(reply.retry_after);
  return {
    record,
    replyTo: messageId(reply.reply_to),
    stored: reply.stored !== false,
    retryAfter: wait > 0 ? Math.min(wait, MAX_WAIT_SECONDS) : 0,
  };
}

// --- the state -------------------------------------------------------------------------------------

// `lang`: the interface's language at first; `canConnect`: whether the socket URL is valid.
export function createState({ lang = "en", canConnect = true } = {}) {
  return {
    // Kept in sessionStorage (snapshot()):
    token: null, // the session token the server issued
    messages: [], // the transcript: {from: "user"|"bot", text, route?, buttons?, feedback?, failed?, payload?}
    open: false, // the panel
    chosenLang: null, // the language the person chose with the switch (null: none chosen)
    pausedUntil: 0, // when the server's abuse limits let the person send again (ms; 0: not paused)
    nextId: 1, // the number of the next message sent
    talk: false, // "Talk to a person" is open: the clinic's number is shown under the header
    // For this page only:
    lang, // the interface's language now
    unread: 0, // bot messages that arrived while the panel was closed
    counter: "hidden", // the character counter: hidden | near | over
    pauseShown: false, // the pause is on screen (its start was said, or it was restored after a reload)
    expect: null, // what the latest bot message asks the person to type: "phone" | "name" | null (a question)
    connection: {
      url: canConnect, // false: no valid server address, nothing to connect to
      library: "none", // the socket.io client: none | loading | ready | failed
      socket: false, // a socket was made (socket.io then reconnects by itself)
      connected: false, // the socket is connected
      confirmed: false, // the server confirmed the session: messages can be sent
      // When the current attempt to connect started (0: none). Only a wait between attempts is cut short
      // by a new question: tearing down a connection that is still being made would close its engine.io
      // session in the middle and start another for nothing. An attempt that has gone on for
      // NOT_SENT_AFTER_MS is no longer waited for.
      connectingSince: 0,
    },
    pending: [], // messages waiting for the session: {message, shown, record?}
    awaiting: new Map(), // messages sent and not yet answered, by number: {message, shown, record?}
    lastSent: null, // the latest message handed over for sending (for a server that does not send reply_to)
  };
}

function validRecord(m) {
  if (!m || (m.from !== "bot" && m.from !== "user") || typeof m.text !== "string") {
    return null;
  }
  const record = { from: m.from, text: m.text };
  if (m.from === "bot") {
    record.route = typeof m.route === "string" ? m.route : "answer";
    const buttons = normalizeButtons(m.buttons);
    if (buttons.length) {
      record.buttons = buttons;
    }
    if (m.feedback === "ask" || m.feedback === "given") {
      record.feedback = m.feedback;
    }
    if (EXPECTS.includes(m.expect)) {
      record.expect = m.expect;
    }
  } else {
    if (m.failed === true || m.failed === "refused") {
      record.failed = m.failed;
    }
    if (typeof m.payload === "string" && m.payload) {
      record.payload = clip(m.payload);
    }
  }
  return record;
}

// Takes back what snapshot() stored (after a reload), checking every part of it.
export function restore(state, saved, now = Date.now()) {
  if (!saved || typeof saved !== "object") {
    return state;
  }
  state.token = typeof saved.token === "string" && saved.token ? saved.token : null;
  state.messages = Array.isArray(saved.messages) ?
    saved.messages.map(validRecord).filter(Boolean).slice(-MAX_STORED_MESSAGES) : [];
  state.open = saved.open === true;
  state.pausedUntil = typeof saved.pausedUntil === "number" && saved.pausedUntil > now ?
    Math.min(saved.pausedUntil, now + MAX_WAIT_SECONDS * 1000) : 0;
  if (LANGUAGES.includes(saved.lang)) {
    state.chosenLang = saved.lang;
    state.lang = saved.lang;
  }
  if (messageId(saved.nextId) !== null && saved.nextId > 0) {
    state.nextId = saved.nextId;
  }
  state.talk = saved.talk === true;
  // The text box is set up as the latest message asks, if the person has not answered it yet.
  const latest = state.messages[state.messages.length - 1];
  state.expect = latest && latest.from === "bot" && latest.expect ? latest.expect : null;
  return state;
}

// What is kept in sessionStorage.
export function snapshot(state) {
  return {
    token: state.token,
    messages: state.messages.slice(-MAX_STORED_MESSAGES),
    open: state.open,
    lang: state.chosenLang,
    pausedUntil: state.pausedUntil,
    nextId: state.nextId,
    talk: state.talk,
  };
}

// --- effects -----------------------------------------------------------------------------------------

const SAVE = Object.freeze({ type: "save" });
const FOCUS_INPUT = Object.freeze({ type: "focusInput" });

function status(key) {
  return { type: "status", key }; // key: a text of strings.js, or null for none
}

function typing(show) {
  return { type: "typing", show }; // true | false | "settle" (hide a moment after the last message)
}

// --- events ------------------------------------------------------------------------------------------

const HANDLERS = {
  // The person: the panel, the text box, the buttons.
  open(state, event, now) {
    state.open = true;
    state.unread = 0;
    return [{ type: "opened", moveFocus: !!event.moveFocus }, { type: "unread", fresh: false }, SAVE,
      ...connect(state, now)];
  },
  close(state, event) {
    state.open = false;
    return [{ type: "closed", moveFocus: !!event.moveFocus }, SAVE];
  },
  typed(state, event) {
    return counter(state, event.text);
  },
  // The text box's content, on Enter or Send.
  submit(state, event, now) {
    const text = String(event.text).trim();
    if (!text || isPaused(state, now)) {
      return [FOCUS_INPUT];
    }
    if (lengthOf(text) > MAX_CHARS) {
      state.counter = "hidden"; // say it again, now that the person tried to send
      return [...counter(state, event.text), FOCUS_INPUT];
    }
    return [...send(state, text, text, now), { type: "clearInput" }, ...counter(state, ""), FOCUS_INPUT];
  },
  // A suggested reply: sends its payload, shows its title.
  button(state, event, now) {
    return [...send(state, event.payload, event.title, now), FOCUS_INPUT];
  },
  retry(state, event, now) {
    const record = event.record;
    if (isPaused(state, now) || !record || !record.failed || !state.messages.includes(record)) {
      return [];
    }
    delete record.failed;
    const message = record.payload || record.text;
    delete record.payload;
    return [{ type: "retrying", record }, SAVE, typing(true),
      ...dispatch(state, { message, shown: record.text, record }, now), FOCUS_INPUT];
  },
  // "Was this helpful?": sends /feedback_helpful or /feedback_not_helpful, shows nothing as the person's.
  feedback(state, event, now) {
    if (isPaused(state, now)) {
      return [];
    }
    const c = state.connection;
    if (!c.confirmed) { // not connected: nothing is sent; the buttons stay for another try
      return [status("connecting"), ...(c.socket ? reconnectIfWaiting(state, now) : connect(state, now))];
    }
    state.lastSent = null; // a refusal of this click has no question to mark
    const effects = emitMessage(state, { message: event.helpful ? "/feedback_helpful" : "/feedback_not_helpful" });
    if (event.record) {
      event.record.feedback = "given";
      effects.push({ type: "feedbackGiven", record: event.record });
    }
    return [...effects, SAVE, typing(true), FOCUS_INPUT];
  },
  // "Talk to a person" (in the header, in every state): opens or closes the part under the header with the
  // clinic's number, which needs nothing from the server. Opening it also asks the assistant (TALK_PAYLOAD,
  // not shown as the person's message), which answers with whether the office is open now and the offer of
  // a callback. Like anything the person says, it ends the turn. While sending is paused, or when the
  // assistant cannot be reached, the number is still shown; a request that cannot be delivered is dropped
  // (there is no question of the person's to mark "not sent").
  talk(state, event, now) {
    state.talk = typeof event.open === "boolean" ? event.open : !state.talk;
    const effects = [{ type: "talk", open: state.talk }, SAVE];
    if (!state.talk || isPaused(state, now)) {
      return effects;
    }
    // The interface's language goes with it, so the first reply of a Spanish page is in Spanish.
    const request = { message: talkPayload(state.lang), shown: null }; // no record: nothing of the person's is shown
    return [...effects, ...endTurn(state), typing(true), ...dispatch(state, request, now)];
  },
  // The language switch: the interface changes at once, and the assistant is asked to follow (not while
  // sending is paused: the server would drop the request).
  switchLanguage(state, event, now) {
    const request = STRINGS[state.lang].switchMessage;
    const shown = STRINGS[state.lang].switchTo;
    state.lang = state.lang === "es" ? "en" : "es";
    state.chosenLang = state.lang;
    const effects = [{ type: "language" }, ...refreshPause(state, now, false), SAVE];
    if (!isPaused(state, now)) {
      effects.push(...send(state, request, shown, now));
    }
    return [...effects, FOCUS_INPUT];
  },

  // Time.
  tick(state, event, now) {
    return refreshPause(state, now, false);
  },
  notSentTimeout(state) {
    return failPending(state);
  },

  // The connection (connection.js).
  libraryReady(state, event, now) {
    state.connection.library = "ready";
    return connect(state, now);
  },
  libraryFailed(state, event) {
    state.connection.library = "failed";
    return [status(event.reason || "noStart"), ...failPending(state)];
  },
  reconnectAttempt(state, event, now) {
    state.connection.connectingSince = now;
    return [];
  },
  connected(state) {
    const c = state.connection;
    c.connectingSince = 0;
    c.connected = true;
    c.confirmed = false;
    return [{ type: "emit", event: EVENTS.sessionRequest, data: { session_id: state.token } }];
  },
  sessionConfirmed(state, event) {
    const reply = event.reply;
    const token = typeof reply === "string" ? reply : reply && reply.session_id;
    if (typeof token !== "string" || !token) {
      return [status("noSession")];
    }
    const effects = [];
    if (state.token !== token) {
      if (state.token !== null) {
        // A different token than the one sent: the old conversation cannot be continued. The questions
        // waiting to be sent stay, in the new conversation.
        const hadConversation = state.messages.length > state.pending.length;
        state.messages = [];
        effects.push({ type: "cleared" });
        if (hadConversation) {
          effects.push(...addRecord(state, { from: "system", text: STRINGS[state.lang].lost }));
        }
        for (const item of state.pending) {
          if (item.record) {
            effects.push(...addRecord(state, item.record));
          }
        }
      }
      state.token = token;
      effects.push(SAVE);
    }
    state.connection.confirmed = true;
    effects.push(status(null), { type: "notSentTimerCancel" });
    const queued = state.pending;
    state.pending = [];
    for (const item of queued) {
      effects.push(...emitMessage(state, item));
    }
    return effects;
  },
  botUttered(state, event, now) {
    const reply = readReply(event.reply);
    if (!reply) {
      return [];
    }
    const effects = [status(null), ...addRecord(state, reply.record), typing("settle"),
      ...replyArrived(state, reply), ...inputMode(state, reply.record.expect || null)];
    if (reply.retryAfter > 0) {
      effects.push(...pauseFor(state, reply.retryAfter, now));
    }
    return effects;
  },
  disconnected(state, event) {
    const c = state.connection;
    c.connectingSince = 0;
    c.connected = false;
    c.confirmed = false;
    if (event.reason === "io client disconnect") {
      return [];
    }
    // socket.io reconnects by itself, except when the server itself closed the connection.
    return [status(event.reason === "io server disconnect" ? "closed" : "reconnecting")];
  },
  connectError(state) {
    state.connection.connectingSince = 0;
    return [status("unreachable"), ...failPending(state)];
  },
};

// The one entry: changes `state` for `event` ({type, now?, ...}) and returns the effects to apply.
export function update(state, event) {
  const handler = HANDLERS[event && event.type];
  if (!handler) {
    throw new Error(`unknown event: ${event && event.type}`);
  }
  return handler(state, event, typeof event.now === "number" ? event.now : Date.now());
}

export const EVENT_TYPES = Object.freeze(Object.keys(HANDLERS));

// --- the transcript ----------------------------------------------------------------------------------

// Adds a message (system messages, such as "your earlier conversation could not be continued", are shown
// but not kept). Says how it is announced: emergency guidance at once, whether the panel is open or not;
// anything else only while the panel is open, and counted as unread while it is closed.
function addRecord(state, record) {
  const effects = [];
  if (record.from !== "system") {
    state.messages.push(record);
    if (state.messages.length > MAX_STORED_MESSAGES) {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    }
    effects.push(SAVE);
  }
  let announce = null;
  if (record.from !== "user") {
    announce = record.from === "bot" && record.route === "emergency" ? "urgent" : state.open ? "polite" : null;
  }
  effects.push({ type: "added", record, announce });
  if (record.from === "bot" && !state.open) {
    state.unread += 1;
    effects.push({ type: "unread", fresh: true });
  }
  return effects;
}

// Suggested replies and "Was this helpful?" belong to the current turn: once the person says anything,
// they go, and the text box is an ordinary one again (the question that asked for a number is answered).
function endTurn(state) {
  for (const m of state.messages) {
    delete m.buttons;
    if (m.feedback === "ask") {
      delete m.feedback;
    }
  }
  return [{ type: "turnOver" }, ...inputMode(state, null)];
}

// The text box as the conversation now asks: for a phone number, a first name, or a question (null). An
// effect only when that changes.
function inputMode(state, expect) {
  if (state.expect === expect) {
    return [];
  }
  state.expect = expect;
  return [{ type: "inputMode", expect }];
}

// Sends `message`; shows `shown` (a button's title) as the person's message.
function send(state, message, shown, now) {
  message = clip(message);
  shown = shown === undefined ? message : String(shown);
  if (!message.trim() || isPaused(state, now)) {
    return [];
  }
  const record = { from: "user", text: shown };
  return [...endTurn(state), ...addRecord(state, record), typing(true),
    ...dispatch(state, { message, shown, record }, now)];
}

// --- sending -----------------------------------------------------------------------------------------

function emitMessage(state, item) {
  const id = state.nextId;
  state.nextId = id >= MAX_MESSAGE_ID ? 1 : id + 1;
  state.awaiting.set(id, item);
  return [{ type: "emit", event: EVENTS.userUttered, data: { message: item.message, session_id: state.token, id } },
    SAVE];
}

// Emits now if the session is confirmed; otherwise queues the message, (re)connects at once and marks
// it "not sent" if the assistant cannot be reached within NOT_SENT_AFTER_MS.
function dispatch(state, item, now) {
  state.lastSent = item;
  const c = state.connection;
  if (c.confirmed) {
    return emitMessage(state, item);
  }
  state.pending.push(item);
  if (c.library === "failed" || !c.url) {
    return failPending(state);
  }
  const effects = c.socket ? reconnectIfWaiting(state, now) : connect(state, now);
  return [...effects, status("connecting"), { type: "notSentTimer", ms: NOT_SENT_AFTER_MS }];
}

// Makes the connection: loads the socket.io client first if needed. Nothing while it is loading, failed,
// or once a socket exists (socket.io reconnects by itself).
function connect(state, now) {
  const c = state.connection;
  if (!c.url) {
    return [status("badUrl")];
  }
  if (c.socket || c.library === "loading" || c.library === "failed") {
    return [];
  }
  if (c.library === "ready") {
    c.socket = true;
    c.connectingSince = now;
    return [{ type: "openSocket" }];
  }
  c.library = "loading";
  return [{ type: "loadLibrary" }];
}

// The socket is waiting out socket.io's back-off between attempts: try now instead. An attempt under way
// (for less than NOT_SENT_AFTER_MS) is left to finish.
function reconnectIfWaiting(state, now) {
  const c = state.connection;
  const attemptUnderWay = c.connectingSince > 0 && now - c.connectingSince < NOT_SENT_AFTER_MS;
  if (c.connected || attemptUnderWay) {
    return [];
  }
  c.connectingSince = now;
  return [{ type: "reconnect" }];
}

// The messages waiting for the session could not be sent: each is marked "not sent", with Try again.
function failPending(state) {
  const effects = [{ type: "notSentTimerCancel" }];
  const failed = state.pending.filter((item) => item.record);
  state.pending = [];
  if (!failed.length) {
    return effects;
  }
  for (const item of failed) {
    item.record.failed = true;
    if (item.message !== item.shown) {
      item.record.payload = item.message;
    }
  }
  return [...effects, typing(false), { type: "notSent", records: failed.map((item) => item.record), announce: true },
    SAVE];
}

// A reply to message `replyTo`. A conversation's turns are answered in order, so a reply that was stored
// means every earlier message has had its replies. With `stored: false` that message was not kept; after
// a refusal that asks to wait, the server drops in silence the messages sent after it too, so they are
// not kept either (a refusal is sent at once, so it may arrive before the answers to earlier messages).
// A reply without a valid `reply_to` (an older server): the latest message is the one not kept. A valid
// number the widget is not waiting on (already answered or marked, or never sent) marks nothing.
function replyArrived(state, reply) {
  const { replyTo, stored } = reply;
  const refusal = reply.retryAfter > 0;
  if (stored) {
    if (replyTo !== null) {
      for (const id of [...state.awaiting.keys()]) {
        if (id < replyTo) {
          state.awaiting.delete(id);
        }
      }
    }
    return [];
  }
  const notKept = [];
  if (replyTo === null) {
    notKept.push(state.lastSent);
  } else if (state.awaiting.has(replyTo)) {
    for (const [id, item] of [...state.awaiting]) {
      if (id === replyTo || (refusal && id > replyTo)) {
        notKept.push(item);
      }
      if (id <= replyTo || refusal) {
        state.awaiting.delete(id);
      }
    }
  }
  state.lastSent = null;
  return markNotKept(state, notKept);
}

// Marks the person's messages that were not kept "not sent" (with Try again).
function markNotKept(state, items) {
  const records = [];
  for (const item of items) {
    const record = item && item.record;
    if (!record || record.failed || !state.messages.includes(record)) {
      continue;
    }
    record.failed = "refused";
    if (item.message !== item.shown) {
      record.payload = item.message;
    }
    records.push(record);
  }
  if (!records.length) {
    return [];
  }
  state.pending = state.pending.filter((item) => !records.includes(item.record));
  return [{ type: "notSent", records, announce: false }, SAVE];
}

// --- a pause asked for by the server -------------------------------------------------------------------

// When the server's abuse limits refuse a message, the session gets one reply with `retry_after` (in
// seconds), then silence until that time: anything sent meanwhile would vanish. So sending pauses until
// then (never for longer than MAX_WAIT_SECONDS; a shorter wait never shortens a longer one).
function pauseFor(state, seconds, now) {
  const until = now + Math.ceil(Math.min(seconds, MAX_WAIT_SECONDS)) * 1000;
  const effects = [];
  if (until > state.pausedUntil) {
    state.pausedUntil = until;
    effects.push(SAVE);
  }
  return [...effects, ...refreshPause(state, now, true)];
}

// The pause as it stands now: {type: "pause", left} while it lasts (with `announce` for its start, said
// once), then {type: "pauseOver"} (with `announce` when a pause was on screen).
function refreshPause(state, now, announceStart) {
  const left = state.pausedUntil - now;
  if (left > 0) {
    const announce = announceStart && !state.pauseShown;
    state.pauseShown = true;
    return [{ type: "pause", left, announce }];
  }
  const effects = [];
  if (state.pausedUntil) {
    state.pausedUntil = 0;
    effects.push(SAVE);
  }
  effects.push({ type: "pauseOver", announce: state.pauseShown });
  state.pauseShown = false;
  return effects;
}

// --- the character counter ---------------------------------------------------------------------------

// The counter for the text `text`; `say` is what screen readers are told, only when its level changes:
// nearing the limit, over it, short enough again.
function counter(state, text) {
  const length = lengthOf(text);
  const level = counterLevel(length);
  let say = null;
  if (level !== state.counter) {
    if (level === "near" && state.counter === "hidden") {
      say = { key: "counterLeft", count: MAX_CHARS - length };
    } else if (level === "over") {
      say = { key: "counterOver", count: length - MAX_CHARS };
    } else if (state.counter === "over") {
      say = { key: "counterFits" };
    }
    state.counter = level;
  }
  return [{ type: "counter", level, length, say }];
}
