/*
 * The chat widget's DOM: builds the launcher and the panel, shows messages, announces them to screen
 * readers, and turns the person's clicks and keys into calls of `handlers` (which give them to the state
 * machine as events). It keeps no conversation state of its own: the state machine says what to show.
 *
 * Security rule kept throughout this file: no user or bot text is ever parsed as HTML. Every node is
 * made with createElement / createTextNode / textContent; links are built only for http(s) URLs, and
 * tel:/sms: links only from the digits of a recognised phone number.
 */

import {
  ANNOUNCEMENT_KEPT_MS,
  CLOSED_ANNOUNCE_DELAY_MS,
  FULL_SCREEN_QUERY,
  MAX_CHARS,
  ROUTES,
  TYPING_GIVE_UP_MS,
  TYPING_HIDE_AFTER_LAST_MS,
} from "./constants.js";
import { waitMessage } from "./state.js";

// Routes that carry a visible label (besides their colours); the others look like a plain answer.
const LABELS = {
  emergency: { icon: "warning", text: "labelEmergency" },
  referral: { icon: "phone", text: "labelReferral" },
  phi_warning: { icon: "lock", text: "labelPrivacy" },
  error: { icon: "info", text: "labelError" },
};
// Icons as SVG paths (24x24, even-odd fill), so they never depend on the visitor's fonts.
const ICONS = {
  chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
  warning: "M12 1.5 0.8 21.5h22.4L12 1.5zM11 9h2v6h-2zM11 16.5h2v2h-2z",
  phone: "M6.6 10.8c1.4 2.8 3.8 5.1 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 " +
    ".6-.4 1-1 1C10.6 21 3 13.4 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1L6.6 10.8z",
  lock: "M7 10V7a5 5 0 0 1 10 0v3h1.5c.3 0 .5.2.5.5v11c0 .3-.2.5-.5.5h-13c-.3 0-.5-.2-.5-.5v-11c0-.3.2-.5" +
    " .5-.5H7zM9 10h6V7a3 3 0 0 0-6 0v3z",
  info: "M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zM11 6.5h2v7h-2zM11 15.5h2v2h-2z",
};
const SVG_NS = "http://www.w3.org/2000/svg";
const IDS = {
  panel: "kw-chat-panel", title: "kw-chat-title", input: "kw-chat-input", notice: "kw-chat-notice",
  counter: "kw-chat-counter", wait: "kw-chat-wait", talk: "kw-chat-talk", hint: "kw-chat-hint",
};
// Routes whose phone numbers become tel: links: emergency guidance, and the replies about reaching a person
// (the clinic's number, the callback request).
const CALLABLE_ROUTES = ["emergency", "callback"];
// The text box for what the conversation asks (state.js `expect`): the keyboard a phone shows, what the
// browser may fill in, and the label, placeholder and hint (texts of strings.js). null: a question.
const INPUT_MODES = {
  phone: { inputMode: "tel", autocomplete: "tel", label: "phoneLabel", placeholder: "phonePlaceholder",
    hint: "phoneHint" },
  name: { inputMode: null, autocomplete: "given-name", autocapitalize: "words", label: "nameLabel",
    placeholder: "namePlaceholder", hint: "nameHint" },
};

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

function escapeRegExp(value) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The address of an http(s) link, or null for anything else (javascript:, data:, ...).
export function linkTarget(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

// The phone numbers recognised in emergency guidance and the callback replies: the clinic's number as
// configured, any North American number as usually written ("(555) 010-0100", "555-010-0100", "+1 555 010
// 0100"), and the emergency and crisis numbers as whole words (911 but not 9110).
export function phonePattern({ clinicPhone, emergencyNumber, crisisLine }) {
  return new RegExp("(^|[^\\w+])(" + [
    clinicPhone ? escapeRegExp(clinicPhone) : null,
    "(?:\\+1[ .-]?)?\\(?\\d{3}\\)?[ .-]?\\d{3}[ .-]\\d{4}",
    escapeRegExp(emergencyNumber),
    escapeRegExp(crisisLine),
  ].filter(Boolean).join("|") + ")(?![\\w])", "g");
}

/**
 * Builds the widget (not yet on the page: start() puts it there once its stylesheet has loaded).
 *   config: {title, titleEs, emergencyNumber, crisisLine, clinicPhone, stylesheet}
 *   t(key, count): a text of strings.js in the current language; lang(): the current language
 *   handlers: {toggle, close, switchLanguage, talk, submit(text), typed(text), button(button),
 *              retry(record), feedback(record, helpful)}
 */
export function createView({ config, t, lang, handlers }) {
  const PHONES = phonePattern(config);
  const bubbles = new WeakMap(); // message record -> its bubble
  const timers = { typingHide: null, typingGiveUp: null, closedAnnounce: null };
  let lastQuestion = null; // the person's latest bubble
  let noticeDescribes = false; // the notice is the text box's description (until a first message)
  let unreadShown = 0;
  let feedbackCount = 0;
  let inputModeShown = null; // what the text box is set up for: null (a question), "phone" or "name"

  // --- helpers ---------------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function icon(name, className) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", className);
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    svg.appendChild(path);
    return svg;
  }

  function srOnly(text) {
    return el("span", "kw-sr-only", text);
  }

  function button(className, text) {
    const node = el("button", className, text);
    node.type = "button";
    return node;
  }

  // A tel: link for a phone number as written ("(555) 010-0100" -> tel:5550100100).
  function phoneLink(shown, className) {
    const link = el("a", className || "kw-link kw-tel", shown);
    link.href = "tel:" + shown.replace(/[^\d+]/g, "");
    return link;
  }

  // Appends `text`, with the recognised phone numbers as tel: links (CALLABLE_ROUTES only: a tap calls).
  function appendPhones(parent, text) {
    let last = 0;
    let match;
    PHONES.lastIndex = 0;
    while ((match = PHONES.exec(text)) !== null) {
      const start = match.index + match[1].length;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      parent.appendChild(phoneLink(match[2]));
      last = start + match[2].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Appends `text` to `parent` as text nodes, with http(s) URLs as links (and, with `phones`, phone
  // numbers as tel: links). Never parses HTML.
  function appendText(parent, text, phones) {
    const plain = phones ? appendPhones : (node, part) => node.appendChild(document.createTextNode(part));
    let last = 0;
    let match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      const raw = match[0].replace(TRAILING_PUNCTUATION, "");
      const href = raw ? linkTarget(raw) : null;
      if (!href) {
        continue;
      }
      plain(parent, text.slice(last, match.index));
      const link = el("a", "kw-link", raw);
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(srOnly(" (opens in a new tab)"));
      parent.appendChild(link);
      last = match.index + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    plain(parent, text.slice(last));
  }

  // --- the DOM -----------------------------------------------------------------------------------------

  const root = el("div", "kw-root");
  root.hidden = true; // until widget.css has loaded, so the page never shows it unstyled

  const launcher = button("kw-launcher");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", IDS.panel);
  launcher.appendChild(icon("chat", "kw-launcher-icon"));
  const launcherText = el("span", "kw-launcher-text");
  launcher.appendChild(launcherText);
  // The unread badge: how many replies came while the panel was closed (the number is shown; screen
  // readers hear "(2 new messages)" as part of the launcher's name).
  const unread = el("span", "kw-unread");
  unread.hidden = true;
  const unreadCount = el("span", "kw-unread-count");
  unreadCount.setAttribute("aria-hidden", "true");
  const unreadText = srOnly("");
  unread.appendChild(unreadCount);
  unread.appendChild(unreadText);
  launcher.appendChild(unread);

  // What screen readers hear as messages arrive: every new message exactly once, through these two
  // visually hidden live regions outside the panel (so they also speak while it is closed). The
  // conversation itself is not a live region, so nothing is read twice.
  const announcer = el("div", "kw-sr-only kw-announcer");
  announcer.setAttribute("role", "status");
  const urgentAnnouncer = el("div", "kw-sr-only kw-announcer-urgent");
  urgentAnnouncer.setAttribute("role", "alert");

  const panel = el("section", "kw-panel");
  panel.id = IDS.panel;
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", IDS.title);

  // The header, the same in every state (beside the page or full screen, in either language): the title,
  // then "Talk to a person", the language switch and close, always in this order (WCAG 2.2 3.2.6,
  // Consistent Help). On narrow panels the title has its own row and the three controls share the next.
  const header = el("div", "kw-header");
  const heading = el("h2", "kw-title");
  heading.id = IDS.title;
  const tools = el("div", "kw-tools");
  // "Talk to a person": a disclosure button; what it shows (the clinic's number) is right under the header.
  const talkButton = button("kw-talk");
  talkButton.setAttribute("aria-expanded", "false");
  talkButton.setAttribute("aria-controls", IDS.talk);
  talkButton.appendChild(icon("phone", "kw-talk-icon"));
  const talkText = el("span", "kw-talk-text");
  talkButton.appendChild(talkText);
  // The language switch: names the other language in that language (and marks it as such).
  const langButton = button("kw-lang");
  const closeButton = button("kw-close");
  const closeIcon = el("span", null, "\u00D7");
  closeIcon.setAttribute("aria-hidden", "true");
  closeButton.appendChild(closeIcon);
  tools.append(talkButton, langButton, closeButton);
  header.append(heading, tools);

  // What "Talk to a person" shows at once, without asking the server: the clinic's number as a tel: link
  // (and the emergency number). The assistant's answer (open now or not, "Call me back") follows in the
  // conversation.
  const talkPanel = el("div", "kw-talk-panel");
  talkPanel.id = IDS.talk;
  talkPanel.hidden = true;
  talkPanel.setAttribute("role", "region");
  const talkCall = el("p", "kw-talk-call");
  const talkEmergency = el("p", "kw-talk-emergency");
  talkPanel.append(talkCall, talkEmergency);

  // The scrolling part of the panel: focusable and named, so a keyboard can scroll it even when it holds
  // no link or button (a conversation of plain answers).
  const body = el("div", "kw-body");
  body.setAttribute("role", "region");
  body.tabIndex = 0;
  const notice = el("div", "kw-notice");
  notice.id = IDS.notice;
  const noticeLead = el("p", "kw-notice-lead");
  const noticePrivacy = el("p", null);
  const emergencyLine = el("p", "kw-notice-emergency");
  notice.append(noticeLead, noticePrivacy, emergencyLine);

  // The messages, oldest first. Not a live region: the announcers above speak each new one once.
  const log = el("div", "kw-log");

  // The typing indicator is shown, not spoken: the reply itself is announced a moment later.
  const typing = el("div", "kw-typing");
  typing.hidden = true;
  for (let i = 0; i < 3; i++) {
    typing.appendChild(el("span", "kw-dot")).setAttribute("aria-hidden", "true");
  }
  const typingText = srOnly("");
  typing.appendChild(typingText);
  body.append(notice, log, typing);

  const status = el("p", "kw-status");
  status.setAttribute("role", "status");
  status.hidden = true;

  const form = el("form", "kw-form");
  form.setAttribute("novalidate", "");
  const label = el("label", "kw-sr-only");
  label.htmlFor = IDS.input;
  const input = el("textarea", "kw-input");
  input.id = IDS.input;
  input.rows = 1;
  // No maxlength: it would cut a pasted text silently. The counter says how long the message is near
  // the limit, and a message over it is not sent (and the person is told why).
  input.setAttribute("aria-invalid", "false");
  input.autocomplete = "off";
  const sendButton = el("button", "kw-send");
  sendButton.type = "submit";
  const counter = el("p", "kw-counter");
  counter.id = IDS.counter;
  counter.hidden = true;
  // What to type when the conversation asks for a phone number or a first name (shown above the text box,
  // and its description meanwhile).
  const hint = el("p", "kw-hint");
  hint.id = IDS.hint;
  hint.hidden = true;
  // "You can send again in 42 s": above the text box while the server's abuse limits pause sending. Not a
  // live region (it changes every few seconds): said once through the announcer, and it is the text box's
  // description meanwhile.
  const waitNote = el("p", "kw-wait");
  waitNote.id = IDS.wait;
  waitNote.hidden = true;
  form.append(waitNote, hint, label, input, sendButton, counter);

  const footer = el("p", "kw-footer");
  panel.append(header, talkPanel, body, status, form, footer);
  // Room at the end of the page as tall as the launcher's corner, so the fixed launcher never hides the
  // page's last lines (a phone number in the footer) for good: scrolled to the end, they sit above it.
  const spacer = el("div", "kw-spacer");
  spacer.setAttribute("aria-hidden", "true");

  root.append(launcher, panel, announcer, urgentAnnouncer, spacer); // the launcher first: Tab goes on into the panel

  // --- the language ------------------------------------------------------------------------------------

  // Puts every interface text in the current language (at start and when the person switches).
  function applyLanguage() {
    root.lang = lang();
    launcherText.textContent = t("launcher");
    showUnread(unreadShown, false);
    heading.textContent = (lang() === "es" ? config.titleEs : config.title) || t("title");
    talkText.textContent = t("talk");
    talkPanel.setAttribute("aria-label", t("talkPanel"));
    talkCall.textContent = "";
    if (config.clinicPhone) {
      talkCall.appendChild(document.createTextNode(t("callClinic")));
      talkCall.appendChild(phoneLink(config.clinicPhone, "kw-link kw-tel kw-talk-tel"));
      talkCall.appendChild(document.createTextNode("."));
    } else {
      talkCall.textContent = t("callClinicPlain");
    }
    talkEmergency.textContent = "";
    appendPhones(talkEmergency, t("emergencyLine"));
    langButton.textContent = t("switchTo");
    langButton.lang = lang() === "es" ? "en" : "es";
    langButton.setAttribute("aria-label", t("switchLabel"));
    closeButton.setAttribute("aria-label", t("close"));
    noticeLead.textContent = t("lead");
    noticePrivacy.textContent = t("privacy");
    emergencyLine.textContent = "";
    appendPhones(emergencyLine, t("emergencyLine"));
    body.setAttribute("aria-label", t("conversation"));
    typingText.textContent = t("typingDots");
    setInputMode(inputModeShown);
    sendButton.textContent = t("send");
    footer.textContent = t("footer");
  }

  // --- messages ----------------------------------------------------------------------------------------

  function renderMessage(record) {
    const bubble = el("div", "kw-msg kw-msg--" + record.from);
    let emergency = false;
    let callable = false; // phone numbers become tel: links
    if (record.from === "user") {
      bubble.appendChild(srOnly(t("you")));
    } else if (record.from === "system") {
      bubble.appendChild(srOnly(t("notice")));
    } else {
      const route = ROUTES.includes(record.route) ? record.route : "answer";
      emergency = route === "emergency";
      callable = CALLABLE_ROUTES.includes(route);
      bubble.classList.add("kw-route--" + route);
      bubble.setAttribute("data-route", route);
      bubble.appendChild(srOnly(t("assistant")));
      const tag = LABELS[route];
      if (tag) {
        const labelNode = el("span", "kw-label");
        labelNode.appendChild(icon(tag.icon, "kw-label-icon"));
        labelNode.appendChild(document.createTextNode(t(tag.text)));
        labelNode.appendChild(srOnly(": "));
        bubble.appendChild(labelNode);
      }
    }
    const text = el("div", "kw-text");
    appendText(text, record.text, callable);
    bubble.appendChild(text);
    if (emergency && new RegExp("(^|\\D)" + escapeRegExp(config.crisisLine) + "(?!\\d)").test(record.text)) {
      bubble.appendChild(textCrisisLink());
    }
    if (record.from === "bot" && record.buttons && record.buttons.length) {
      bubble.appendChild(renderButtons(record.buttons));
    }
    log.appendChild(bubble);
    bubbles.set(record, bubble);
    if (record.from === "bot" && record.feedback === "ask") {
      log.appendChild(renderFeedback(record));
    }
    if (record.from === "user" && record.failed) {
      markNotSent(record);
    }
    return bubble;
  }

  // "Text 988" under emergency guidance: an sms: link to the crisis line (in Spanish, with AYUDA typed in,
  // which reaches the line's Spanish-speaking counsellors).
  function textCrisisLink() {
    const line = el("p", "kw-sms");
    const link = el("a", "kw-link kw-sms-link", t("textCrisisLine"));
    const smsBody = t("textCrisisBody");
    link.href = "sms:" + config.crisisLine.replace(/[^\d+]/g, "") + (smsBody ? "?body=" + encodeURIComponent(smsBody) : "");
    line.appendChild(link);
    return line;
  }

  function renderButtons(buttons) {
    const group = el("div", "kw-buttons");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("suggested"));
    for (const choice of buttons) {
      const node = button("kw-button", choice.title);
      node.addEventListener("click", () => handlers.button(choice));
      group.appendChild(node);
    }
    return group;
  }

  // "Was this helpful?" under the latest answer (route "answer"): two buttons send /feedback_helpful or
  // /feedback_not_helpful; nothing is shown as the person's message (the assistant's thank-you is the
  // reply). The question goes once the person says anything, so a click always belongs to the answer
  // just before it (docs/insights.md).
  function renderFeedback(record) {
    const box = el("div", "kw-feedback");
    const question = el("p", "kw-feedback-question", t("feedbackQuestion"));
    question.id = "kw-feedback-" + (++feedbackCount);
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", question.id);
    box.appendChild(question);
    for (const [helpful, key] of [[true, "feedbackYes"], [false, "feedbackNo"]]) {
      const node = button("kw-button kw-feedback-button", t(key));
      node.setAttribute("data-helpful", helpful ? "yes" : "no");
      node.addEventListener("click", () => handlers.feedback(record, helpful));
      box.appendChild(node);
    }
    return box;
  }

  function feedbackBox(record) {
    const bubble = bubbles.get(record);
    const next = bubble && bubble.nextSibling;
    return next && next.classList.contains("kw-feedback") ? next : null;
  }

  function removeFeedback(record) {
    const box = feedbackBox(record);
    if (box) {
      box.remove();
    }
  }

  // Suggested replies and "Was this helpful?" belong to the current turn.
  function clearSuggestions() {
    for (const node of log.querySelectorAll(".kw-buttons, .kw-feedback")) {
      node.remove();
    }
  }

  function clearLog() {
    log.replaceChildren();
    lastQuestion = null;
  }

  // A message added to the conversation: shown, scrolled to, and (`announce`: "urgent" | "polite" | null)
  // said once.
  function addMessage(record, announceAs) {
    const bubble = renderMessage(record);
    if (record.from === "user") {
      lastQuestion = bubble;
      scrollToEnd();
      describeInputByNotice(false); // the privacy notice has been read once; not again at every return
      return;
    }
    scrollToTurn();
    if (announceAs) {
      announce(announceAs === "urgent" ? urgentAnnouncer : announcer, spokenText(bubble, record));
    }
  }

  // --- questions that could not be sent ----------------------------------------------------------------

  // The question stays in the conversation, marked "not sent", with a button that sends it again and
  // the clinic's phone number (and the emergency number) for whoever cannot wait.
  function markNotSent(record) {
    const bubble = bubbles.get(record);
    if (!bubble || notSentNote(record)) {
      return;
    }
    bubble.classList.add("kw-msg--failed");
    const note = el("div", "kw-not-sent");
    note.appendChild(el("p", "kw-not-sent-title", t(record.failed === "refused" ? "notSentKept" : "notSent")));
    const retryButton = button("kw-retry", t("retry"));
    retryButton.addEventListener("click", () => handlers.retry(record));
    note.appendChild(retryButton);
    const call = el("p", "kw-not-sent-call");
    if (config.clinicPhone) {
      call.appendChild(document.createTextNode(t("callClinic")));
      call.appendChild(phoneLink(config.clinicPhone));
      call.appendChild(document.createTextNode(". "));
    } else {
      call.appendChild(document.createTextNode(t("callClinicPlain") + " "));
    }
    appendPhones(call, t("emergencyLine"));
    note.appendChild(call);
    bubble.after(note);
  }

  function notSentNote(record) {
    const bubble = bubbles.get(record);
    const next = bubble && bubble.nextSibling;
    return next && next.classList.contains("kw-not-sent") ? next : null;
  }

  function unmarkNotSent(record) {
    const note = notSentNote(record);
    if (note) {
      note.remove();
    }
    const bubble = bubbles.get(record);
    if (bubble) {
      bubble.classList.remove("kw-msg--failed");
    }
  }

  // --- announcements -----------------------------------------------------------------------------------

  function announce(region, text) {
    const line = el("p", null, text);
    region.appendChild(line);
    window.setTimeout(() => line.remove(), ANNOUNCEMENT_KEPT_MS);
  }

  function say(text) {
    announce(announcer, text);
  }

  // The bubble as a screen reader should hear it: "Assistant: Emergency: ...", then its suggested replies.
  function spokenText(bubble, record) {
    let text = bubble.textContent.replace(/\s+/g, " ").trim();
    const buttons = bubble.querySelectorAll(".kw-button");
    if (buttons.length) {
      text = text.slice(0, text.length - bubble.querySelector(".kw-buttons").textContent.length).trim();
      text += " " + t("suggestedAnnounce") + Array.from(buttons, (b) => b.textContent).join(", ");
    }
    return text || record.text;
  }

  // The launcher's badge; with `fresh` (a reply arrived while the panel is closed), one short "new
  // messages" announcement for the whole reply.
  function showUnread(count, fresh) {
    unreadShown = count;
    unread.hidden = count === 0;
    root.classList.toggle("kw-has-unread", count > 0);
    unreadCount.textContent = count > 9 ? "9+" : String(count);
    unreadText.textContent = count === 1 ? t("unreadOne") : t("unreadMany", count);
    if (fresh) {
      window.clearTimeout(timers.closedAnnounce);
      timers.closedAnnounce = window.setTimeout(() => {
        if (panel.hidden && unreadShown) {
          say(unreadShown === 1 ? t("newOne") : t("newMany", unreadShown));
        }
      }, CLOSED_ANNOUNCE_DELAY_MS);
    }
  }

  // The privacy notice is the text box's description until the person sends a first message: read once
  // when they first reach the box, not at every return to it.
  function describeInputByNotice(on) {
    noticeDescribes = on;
    describeInput();
  }

  // The text box's description: the notice (before the first message), the hint for a phone number or a
  // name, the counter and the wait note (when shown).
  function describeInput() {
    const described = [];
    if (noticeDescribes) {
      described.push(IDS.notice);
    }
    if (!hint.hidden) {
      described.push(IDS.hint);
    }
    if (!counter.hidden) {
      described.push(IDS.counter);
    }
    if (!waitNote.hidden) {
      described.push(IDS.wait);
    }
    if (described.length) {
      input.setAttribute("aria-describedby", described.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  // --- the length of the message -----------------------------------------------------------------------

  // level: hidden | near | over; `sayNow`: {key, count} to announce, or null.
  function showCounter(level, length, sayNow) {
    counter.hidden = level === "hidden";
    counter.textContent = "";
    if (level !== "hidden") {
      counter.appendChild(document.createTextNode(t("counter", length)));
      counter.appendChild(srOnly(" " + t("counterLabel")));
      if (level === "over") {
        counter.appendChild(document.createTextNode(". " + t("counterOver", length - MAX_CHARS)));
      }
    }
    counter.classList.toggle("kw-counter--over", level === "over");
    input.setAttribute("aria-invalid", level === "over" ? "true" : "false");
    if (sayNow) {
      say(t(sayNow.key, sayNow.count));
    }
    describeInput();
  }

  // --- what the text box asks for ---------------------------------------------------------------------

  // The text box as the conversation asks (state.js `expect`): for a phone number, the phone's number pad
  // (inputmode tel) and the browser's own number (autocomplete tel); for a first name, autocomplete
  // given-name; a label, a placeholder and a visible hint that say what to type. null: back to a question.
  function setInputMode(expect) {
    const mode = INPUT_MODES[expect] || null;
    inputModeShown = mode ? expect : null;
    label.textContent = t(mode ? mode.label : "yourQuestion");
    input.placeholder = t(mode ? mode.placeholder : "placeholder");
    input.autocomplete = mode ? mode.autocomplete : "off";
    const attributes = [["inputmode", mode && mode.inputMode], ["autocapitalize", mode && mode.autocapitalize],
      ["spellcheck", mode ? "false" : null]];
    for (const [attribute, value] of attributes) {
      if (value) {
        input.setAttribute(attribute, value);
      } else {
        input.removeAttribute(attribute);
      }
    }
    if (inputModeShown) {
      input.setAttribute("data-expect", inputModeShown);
    } else {
      input.removeAttribute("data-expect");
    }
    hint.hidden = !mode;
    hint.textContent = mode ? t(mode.hint) : "";
    describeInput();
  }

  // --- talk to a person ----------------------------------------------------------------------------------

  function showTalk(open) {
    talkPanel.hidden = !open;
    talkButton.setAttribute("aria-expanded", open ? "true" : "false");
  }

  // The text box grows with its text, up to its CSS max-height (smaller on short screens).
  function resizeInput() {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + input.offsetHeight - input.clientHeight + "px";
  }

  function clearInput() {
    input.value = "";
    resizeInput();
  }

  // --- scrolling, typing, status -----------------------------------------------------------------------

  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  // Shows the newest replies, but never scrolls the person's question out of view: a long answer is
  // then read from its start.
  function scrollToTurn() {
    const end = body.scrollHeight - body.clientHeight;
    body.scrollTop = lastQuestion && lastQuestion.parentNode === log ? Math.min(end, lastQuestion.offsetTop - 8) : end;
  }

  function hideTyping() {
    window.clearTimeout(timers.typingHide);
    window.clearTimeout(timers.typingGiveUp);
    typing.hidden = true;
  }

  // true: the dots, for at most TYPING_GIVE_UP_MS; "settle": a bot message arrived, hide them shortly
  // after the last one; false: hide them.
  function showTyping(show) {
    if (show === "settle") {
      window.clearTimeout(timers.typingHide);
      timers.typingHide = window.setTimeout(hideTyping, TYPING_HIDE_AFTER_LAST_MS);
    } else if (show) {
      typing.hidden = false;
      window.clearTimeout(timers.typingHide);
      window.clearTimeout(timers.typingGiveUp);
      timers.typingGiveUp = window.setTimeout(hideTyping, TYPING_GIVE_UP_MS);
      scrollToEnd();
    } else {
      hideTyping();
    }
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // --- a pause asked for by the server -----------------------------------------------------------------

  // While sending is paused: the text box (aria-disabled, read-only, so focus stays in it) and Send
  // (disabled) are unavailable, and so are suggested replies, "Was this helpful?" and Try again; a note
  // above the text box says for how long. Its start and its end are each said once.
  function showPause(left, announceStart) {
    enableSending(false);
    const note = waitMessage(left, false);
    waitNote.hidden = false;
    waitNote.textContent = t(note.key, note.count);
    describeInput();
    if (announceStart) {
      const spoken = waitMessage(left, true);
      say(t(spoken.key, spoken.count));
    }
  }

  function hidePause(announceEnd) {
    enableSending(true);
    waitNote.hidden = true;
    waitNote.textContent = "";
    describeInput();
    if (announceEnd) {
      say(t("waitOver"));
    }
  }

  function enableSending(on) {
    if (!on && document.activeElement === sendButton) {
      input.focus(); // a disabled button would drop the focus
    }
    input.readOnly = !on;
    sendButton.disabled = !on;
    for (const control of [input, sendButton, ...log.querySelectorAll(".kw-button, .kw-retry")]) {
      if (on) {
        control.removeAttribute("aria-disabled");
      } else {
        control.setAttribute("aria-disabled", "true");
      }
    }
  }

  // --- open, close, keyboard ---------------------------------------------------------------------------

  const fullScreen = window.matchMedia ? window.matchMedia(FULL_SCREEN_QUERY) : { matches: false };

  // Full screen, the open panel is modal: it covers the page, so focus stays inside it.
  function isModal() {
    return !panel.hidden && fullScreen.matches;
  }

  function updateModal() {
    panel.setAttribute("aria-modal", isModal() ? "true" : "false");
  }

  if (fullScreen.addEventListener) {
    fullScreen.addEventListener("change", () => {
      updateModal();
      if (isModal() && !panel.contains(document.activeElement)) {
        input.focus(); // turned into a phone's full-screen dialog (rotated, zoomed) while open
      }
    });
  }

  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("kw-open", open);
    updateModal();
    if (open) {
      scrollToEnd();
      if (moveFocus || isModal()) {
        input.focus();
      }
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  // What Tab can reach in the panel, in order (visible, enabled, not taken out of the tab order).
  function tabStops() {
    return Array.from(panel.querySelectorAll("a[href], button, textarea, input, select, [tabindex]"))
      .filter((node) => !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0);
  }

  // In the modal dialog Tab and Shift+Tab go round its controls and never reach the page behind.
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || !isModal()) {
      return;
    }
    const stops = tabStops();
    if (!stops.length) {
      return;
    }
    const first = stops[0];
    const last = stops[stops.length - 1];
    const at = document.activeElement;
    if (event.shiftKey && (at === first || !panel.contains(at))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (at === last || !panel.contains(at))) {
      event.preventDefault();
      first.focus();
    }
  });

  // Anything else that would put focus on the page behind the modal dialog brings it back inside.
  document.addEventListener("focusin", (event) => {
    if (isModal() && !panel.contains(event.target)) {
      input.focus();
    }
  });

  // Escape closes the panel from anywhere in it, and from anywhere at all while it is a modal dialog
  // (focus may be on the page's body after a click on the panel's text).
  document.addEventListener("keydown", (event) => {
    if ((event.key === "Escape" || event.key === "Esc") && !panel.hidden &&
        (isModal() || root.contains(document.activeElement))) {
      event.preventDefault();
      handlers.close();
    }
  });

  launcher.addEventListener("click", () => handlers.toggle());
  closeButton.addEventListener("click", () => handlers.close());
  talkButton.addEventListener("click", () => handlers.talk());
  langButton.addEventListener("click", () => handlers.switchLanguage());

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    handlers.submit(input.value);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    }
  });

  input.addEventListener("input", () => {
    resizeInput();
    handlers.typed(input.value);
  });

  // --- start ---------------------------------------------------------------------------------------------

  // Shows the restored conversation (not announced again), puts the widget on the page, and calls
  // `ready` once widget.css has loaded (or failed to): only then is it visible.
  function start(messages, ready) {
    applyLanguage();
    describeInputByNotice(!messages.some((m) => m.from === "user"));
    for (const record of messages) {
      renderMessage(record);
    }
    document.body.appendChild(root);
    const stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = config.stylesheet;
    stylesheet.onload = stylesheet.onerror = () => {
      root.hidden = false;
      ready();
    };
    document.head.appendChild(stylesheet);
  }

  return {
    start,
    applyLanguage,
    addMessage,
    clearLog,
    clearSuggestions,
    removeFeedback,
    markNotSent,
    unmarkNotSent,
    say,
    showUnread,
    showCounter,
    clearInput,
    showTyping,
    setStatus,
    showPause,
    hidePause,
    setInputMode,
    showTalk,
    setOpen,
    focusInput: () => input.focus(),
    scrollToEnd,
  };
}
