/*!
 * Clinic FAQ chat widget for the ketamine infusion therapy assistant (Rasa 3.6, socket.io).
 * Embed with one tag (see docs/widget.md):
 *   <script type="module" src="https://widget.example/widget.js" data-socket-url="https://chat.example"
 *           data-title="Questions about ketamine therapy" data-title-es="Preguntas sobre la ketamina"></script>
 * The interface is in English or Spanish: data-lang, else the page's lang, else the browser's language;
 * a button in the header switches it (and tells the assistant).
 *
 * This file is the entry: it reads the script tag, keeps the state in sessionStorage, and applies the
 * state machine's effects. The rest is in widget/ (ES modules, loaded by the browser as they are):
 *   widget/config.js      the settings, from the script tag's data- attributes
 *   widget/constants.js   limits, routes and event names (those shared with the server are checked
 *                          against the Python values by tests/web/test_widget_constants.py)
 *   widget/strings.js     every text, in English and Spanish
 *   widget/state.js       the state machine (no DOM: tests/web/unit/ runs it in node)
 *   widget/render.js      the DOM; never parses user or bot text as HTML
 *   widget/connection.js  socket.io
 */

import { readConfig } from "./widget/config.js";
import { WAIT_UPDATE_MS } from "./widget/constants.js";
import { format } from "./widget/strings.js";
import { chooseLanguage, createState, restore, snapshot, update } from "./widget/state.js";
import { createView } from "./widget/render.js";
import { createConnection } from "./widget/connection.js";

// The script tag that loaded this module (document.currentScript is null in modules).
function scriptTag() {
  for (const script of document.querySelectorAll("script[src]")) {
    if (script.src === import.meta.url) {
      return script;
    }
  }
  return document.querySelector('script[type="module"][src$="widget.js"]');
}

function readStorage(key) {
  try {
    return JSON.parse(window.sessionStorage.getItem(key) || "null");
  } catch (e) {
    return null; // unreadable or blocked storage: start afresh
  }
}

function writeStorage(key, value) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch (e) {
    // storage full or blocked: the conversation still works, it just won't survive a reload
  }
}

function main() {
  if (window.__clinicChatWidget) {
    return; // embedded twice: keep the first one
  }
  window.__clinicChatWidget = true;

  const config = readConfig((scriptTag() || {}).dataset || {},
    { pageUrl: window.location.href, moduleUrl: import.meta.url });

  // --- the state --------------------------------------------------------------------------------------

  const saved = readStorage(config.storageKey);
  const state = createState({
    lang: chooseLanguage({
      saved: saved && saved.lang, dataLang: config.lang,
      pageLang: document.documentElement.lang, browserLang: navigator.language,
    }),
    canConnect: !!config.socketUrl,
  });
  restore(state, saved, Date.now());

  const t = (key, count) => format(state.lang, key, count, config);
  const timers = { notSent: null, pause: null };

  function fire(event) {
    apply(update(state, { ...event, now: Date.now() }));
  }

  const view = createView({
    config,
    t,
    lang: () => state.lang,
    handlers: {
      toggle: () => fire({ type: state.open ? "close" : "open", moveFocus: true }),
      close: () => fire({ type: "close", moveFocus: true }),
      switchLanguage: () => fire({ type: "switchLanguage" }),
      talk: () => fire({ type: "talk" }),
      submit: (text) => fire({ type: "submit", text }),
      typed: (text) => fire({ type: "typed", text }),
      button: (choice) => fire({ type: "button", payload: choice.payload, title: choice.title }),
      retry: (record) => fire({ type: "retry", record }),
      feedback: (record, helpful) => fire({ type: "feedback", record, helpful }),
    },
  });

  const connection = createConnection({
    url: config.socketUrl,
    path: config.socketPath,
    library: config.library,
    onEvent: fire,
  });

  // --- the effects ------------------------------------------------------------------------------------

  function apply(effects) {
    let save = false;
    for (const effect of effects) {
      switch (effect.type) {
        case "save": save = true; break;
        case "added": view.addMessage(effect.record, effect.announce); break;
        case "cleared": view.clearLog(); break;
        case "turnOver": view.clearSuggestions(); break;
        case "unread": view.showUnread(state.unread, effect.fresh); break;
        case "opened": view.setOpen(true, effect.moveFocus); break;
        case "closed": view.setOpen(false, effect.moveFocus); break;
        case "language": view.applyLanguage(); break;
        case "talk": view.showTalk(effect.open); break;
        case "inputMode": view.setInputMode(effect.expect); break;
        case "counter": view.showCounter(effect.level, effect.length, effect.say); break;
        case "clearInput": view.clearInput(); break;
        case "focusInput": view.focusInput(); break;
        case "typing": view.showTyping(effect.show); break;
        case "status": view.setStatus(effect.key ? t(effect.key) : ""); break;
        case "feedbackGiven": view.removeFeedback(effect.record); break;
        case "retrying": view.unmarkNotSent(effect.record); break;
        case "notSent":
          effect.records.forEach(view.markNotSent);
          if (effect.announce) {
            view.say(t("notSentAnnounce"));
            view.scrollToEnd();
          }
          break;
        case "notSentTimer":
          window.clearTimeout(timers.notSent);
          timers.notSent = window.setTimeout(() => fire({ type: "notSentTimeout" }), effect.ms);
          break;
        case "notSentTimerCancel": window.clearTimeout(timers.notSent); break;
        case "pause":
          view.showPause(effect.left, effect.announce);
          window.clearTimeout(timers.pause);
          timers.pause = window.setTimeout(() => fire({ type: "tick" }), Math.min(WAIT_UPDATE_MS, effect.left));
          break;
        case "pauseOver":
          window.clearTimeout(timers.pause);
          view.hidePause(effect.announce);
          break;
        case "loadLibrary": connection.loadLibrary(); break;
        case "openSocket": connection.openSocket(); break;
        case "reconnect": connection.reconnect(); break;
        case "emit": connection.emit(effect.event, effect.data); break;
        default: throw new Error(`unknown effect: ${effect.type}`);
      }
    }
    if (save) {
      writeStorage(config.storageKey, snapshot(state));
    }
  }

  // --- start ------------------------------------------------------------------------------------------

  // The restored conversation is shown (not announced again); a pause still running after a reload is
  // shown (its Try again buttons too). Once widget.css has loaded, the panel reopens if it was open:
  // same conversation, focus left where it is (unless the panel is a full-screen dialog covering the
  // page: then focus goes into it).
  view.start(state.messages, () => {
    if (state.open) {
      fire({ type: "open", moveFocus: false });
    }
  });
  view.showTalk(state.talk); // "Talk to a person" open, and the text box as the latest message asks
  view.setInputMode(state.expect);
  fire({ type: "tick" });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", main);
} else {
  main();
}
