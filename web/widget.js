/*!
 * Clinic FAQ chat widget for the ketamine infusion therapy assistant (Rasa 3.6, socket.io).
 * Embed with one tag (see docs/widget.md):
 *   <script src="https://widget.example/widget.js" data-socket-url="https://chat.example"
 *           data-title="Questions about ketamine therapy" data-title-es="Preguntas sobre la ketamina" defer></script>
 * The interface is in English or Spanish: data-lang, else the page's lang, else the browser's language;
 * a button in the header switches it (and tells the assistant).
 *
 * Security rule kept throughout this file: no user or bot text is ever parsed as HTML. Every node is
 * made with createElement / createTextNode / textContent; links are built only for http(s) URLs, and
 * tel:/sms: links only from the digits of a recognised phone number.
 */
(function () {
  "use strict";

  if (window.__clinicChatWidget) {
    return; // embedded twice: keep the first one
  }
  window.__clinicChatWidget = true;

  var MAX_CHARS = 4000; // the server's limit (characters, as Python counts them: code points)
  var COUNTER_FROM = 3600; // the character counter shows from here on
  var NOT_SENT_AFTER_MS = 10000; // a question still waiting for the connection by then is marked "not sent"
  var MAX_STORED_MESSAGES = 200;
  var MAX_BUTTONS = 10;
  var TYPING_HIDE_AFTER_LAST_MS = 800;
  var TYPING_GIVE_UP_MS = 15000;
  var ANNOUNCEMENT_KEPT_MS = 15000; // then removed, so reading the page later does not meet it again
  var CLOSED_ANNOUNCE_DELAY_MS = 500; // one "new messages" announcement for a reply of several messages
  var WAIT_UPDATE_MS = 5000; // the "You can send again in 42 s" note is updated this often (silently)
  var MAX_WAIT_SECONDS = 3600; // a longer retry_after from the server is taken as this
  // Phones (portrait or landscape), short windows and large text or zoom: the open panel fills the window
  // and is a modal dialog. Must match the media query of the full-screen layout in widget.css (em: the
  // reader's text size counts).
  var FULL_SCREEN_QUERY = "(max-width: 29.99em), (max-height: 31.24em)";
  var ROUTES = ["answer", "disclaimer", "referral", "emergency", "phi_warning", "fallback", "out_of_scope",
    "smalltalk", "error"];
  // Routes that carry a visible label (besides their colours); the others look like a plain answer.
  var LABELS = {
    emergency: { icon: "warning", text: "labelEmergency" },
    referral: { icon: "phone", text: "labelReferral" },
    phi_warning: { icon: "lock", text: "labelPrivacy" },
    error: { icon: "info", text: "labelError" }
  };
  // Icons as SVG paths (24x24, even-odd fill), so they never depend on the visitor's fonts.
  var ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    warning: "M12 1.5 0.8 21.5h22.4L12 1.5zM11 9h2v6h-2zM11 16.5h2v2h-2z",
    phone: "M6.6 10.8c1.4 2.8 3.8 5.1 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 " +
      ".6-.4 1-1 1C10.6 21 3 13.4 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1L6.6 10.8z",
    lock: "M7 10V7a5 5 0 0 1 10 0v3h1.5c.3 0 .5.2.5.5v11c0 .3-.2.5-.5.5h-13c-.3 0-.5-.2-.5-.5v-11c0-.3.2-.5" +
      " .5-.5H7zM9 10h6V7a3 3 0 0 0-6 0v3z",
    info: "M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20zM11 6.5h2v7h-2zM11 15.5h2v2h-2z"
  };
  var SVG_NS = "http://www.w3.org/2000/svg";

  // Every text the widget shows, in English and Spanish. {n} is the emergency number.
  var STRINGS = {
    en: {
      title: "Questions about ketamine therapy", launcher: "Ask a question",
      unreadOne: " (1 new message)", unreadMany: " ({count} new messages)",
      newOne: "New message from the assistant. Open \u201cAsk a question\u201d to read it.",
      newMany: "{count} new messages from the assistant. Open \u201cAsk a question\u201d to read them.",
      suggestedAnnounce: "Suggested replies: ",
      textCrisisLine: "Text {crisis}", textCrisisBody: "",
      counter: "{count} / {max}", counterLabel: "characters", counterLeft: "You can type {count} more characters.",
      counterOver: "{count} characters too many. Please shorten your message to send it.",
      counterFits: "Your message is short enough to send now.",
      notSent: "Not sent: we can't reach the assistant right now.", retry: "Try again",
      callClinic: "To talk with someone, call the clinic at ", callClinicPlain: "To talk with someone, please call the clinic.",
      notSentAnnounce: "Your message was not sent: we can't reach the assistant right now. You can try again.",
      notSentKept: "Not sent: this message was not kept.",
      waitNote: "You can send again in {count} s.", waitNoteMinutes: "You can send again in {count} min.",
      waitSaid: "Sending is paused. You can send again in {count} seconds.",
      waitSaidMinutes: "Sending is paused. You can send again in {count} minutes.",
      waitOver: "You can send messages again.",
      close: "Close chat", switchTo: "Español", switchLabel: "Cambiar a español", switchMessage: "en español por favor",
      lead: "This assistant gives general information only. It is not medical advice.",
      privacy: "Please do not type personal health details: no names, dates of birth, phone numbers or " +
        "medical record numbers.",
      emergencyLine: "In an emergency, call {n} now.", conversation: "Conversation",
      typingDots: "The assistant is typing\u2026", yourQuestion: "Your question",
      placeholder: "Type your question\u2026", send: "Send",
      footer: "General information only, not medical advice. Emergency: call {n}.",
      you: "You: ", notice: "Notice: ", assistant: "Assistant: ", suggested: "Suggested replies",
      feedbackQuestion: "Was this helpful?", feedbackYes: "Yes", feedbackNo: "No",
      labelEmergency: "Emergency", labelReferral: "Ask your care team", labelPrivacy: "Privacy", labelError: "Problem",
      badUrl: "The chat is not set up correctly (no valid server address). Please call the clinic.",
      noLibrary: "The chat could not start. Please call the clinic.",
      noStart: "The chat could not start. Please try again later or call the clinic.",
      noSession: "The chat could not start a conversation. Please try again later.",
      lost: "Your earlier conversation could not be continued, so a new one has started.",
      closed: "The assistant closed the connection. Reload the page to continue.",
      reconnecting: "Connection lost. Reconnecting\u2026",
      unreachable: "We can't reach the assistant right now. We'll keep trying. In an emergency, call {n}.",
      connecting: "Connecting\u2026"
    },
    es: {
      title: "Preguntas sobre la terapia con ketamina", launcher: "Haga una pregunta",
      unreadOne: " (1 mensaje nuevo)", unreadMany: " ({count} mensajes nuevos)",
      newOne: "Mensaje nuevo del asistente. Abra \u201cHaga una pregunta\u201d para leerlo.",
      newMany: "{count} mensajes nuevos del asistente. Abra \u201cHaga una pregunta\u201d para leerlos.",
      suggestedAnnounce: "Respuestas sugeridas: ",
      textCrisisLine: "Enviar AYUDA por texto al {crisis}", textCrisisBody: "AYUDA",
      counter: "{count} / {max}", counterLabel: "caracteres", counterLeft: "Puede escribir {count} caracteres más.",
      counterOver: "{count} caracteres de más. Acorte su mensaje para poder enviarlo.",
      counterFits: "Su mensaje ya tiene un largo que se puede enviar.",
      notSent: "No se envió: no podemos comunicarnos con el asistente en este momento.", retry: "Intentar de nuevo",
      callClinic: "Para hablar con alguien, llame a la clínica al ",
      callClinicPlain: "Para hablar con alguien, llame a la clínica.",
      notSentAnnounce: "Su mensaje no se envió: no podemos comunicarnos con el asistente. Puede intentarlo de nuevo.",
      notSentKept: "No se envió: este mensaje no se conservó.",
      waitNote: "Puede volver a escribir en {count} s.", waitNoteMinutes: "Puede volver a escribir en {count} min.",
      waitSaid: "El envío está en pausa. Puede volver a escribir en {count} segundos.",
      waitSaidMinutes: "El envío está en pausa. Puede volver a escribir en {count} minutos.",
      waitOver: "Ya puede volver a escribir.",
      close: "Cerrar el chat", switchTo: "English", switchLabel: "Switch to English", switchMessage: "English please",
      lead: "Este asistente da solo información general. No es un consejo médico.",
      privacy: "Por favor no escriba datos personales de salud: ni nombres, ni fechas de nacimiento, ni números " +
        "de teléfono o de expediente médico.",
      emergencyLine: "En una emergencia, llame al {n} ahora.", conversation: "Conversación",
      typingDots: "El asistente está escribiendo\u2026",
      yourQuestion: "Su pregunta", placeholder: "Escriba su pregunta\u2026", send: "Enviar",
      footer: "Solo información general, no es un consejo médico. Emergencias: llame al {n}.",
      you: "Usted: ", notice: "Aviso: ", assistant: "Asistente: ", suggested: "Respuestas sugeridas",
      feedbackQuestion: "\u00bfLe fue \u00fatil?", feedbackYes: "S\u00ed", feedbackNo: "No",
      labelEmergency: "Emergencia", labelReferral: "Pregunte a su equipo de atención", labelPrivacy: "Privacidad",
      labelError: "Problema",
      badUrl: "El chat no está bien configurado (no hay una dirección de servidor válida). Por favor llame a la clínica.",
      noLibrary: "El chat no pudo iniciar. Por favor llame a la clínica.",
      noStart: "El chat no pudo iniciar. Inténtelo más tarde o llame a la clínica.",
      noSession: "El chat no pudo iniciar una conversación. Inténtelo más tarde.",
      lost: "No se pudo continuar su conversación anterior, así que empezó una nueva.",
      closed: "El asistente cerró la conexión. Vuelva a cargar la página para continuar.",
      reconnecting: "Se perdió la conexión. Reconectando\u2026",
      unreachable: "No podemos comunicarnos con el asistente en este momento. Seguiremos intentando. " +
        "En una emergencia, llame al {n}.",
      connecting: "Conectando\u2026"
    }
  };

  // --- configuration from the script tag ------------------------------------------------------

  var script = document.currentScript ||
    document.querySelector('script[src$="/widget.js"], script[src="widget.js"]');
  if (!script || !script.src) {
    return;
  }
  var base = new URL(".", script.src).href; // widget.css and vendor/ live beside widget.js
  var data = script.dataset;
  var emergencyNumber = data.emergencyNumber || "911";
  var clinicPhone = data.clinicPhone || ""; // offered when the assistant cannot be reached
  var crisisLine = data.crisisLine || "988"; // call or text: gets an sms: link in emergency guidance
  // The widget's language: the person's last choice, else the script tag's data-lang, else the page's
  // lang and the browser's language. Only English and Spanish are offered.
  function languageOf(value) {
    return String(value || "").toLowerCase().indexOf("es") === 0 ? "es" : "en";
  }
  // Without data-lang: Spanish when the page or the browser says Spanish (a Spanish-speaking visitor on
  // the clinic's English page, or the clinic's Spanish page), English otherwise.
  var lang = data.lang ? languageOf(data.lang) :
    (languageOf(document.documentElement.lang) === "es" || languageOf(navigator.language) === "es" ? "es" : "en");
  function t(key, count) {
    return String(STRINGS[lang][key]).replace("{n}", emergencyNumber).replace("{crisis}", crisisLine)
      .replace("{count}", number(count))
      .replace("{max}", number(MAX_CHARS));
  }
  function number(n) {
    return typeof n === "number" ? n.toLocaleString(lang) : String(n);
  }
  function titleText() {
    return (lang === "es" ? data.titleEs : data.title) || t("title");
  }
  var socketPath = data.socketPath || "/socket.io/";
  var socketUrl = httpUrl(data.socketUrl || "http://localhost:5005");
  // Demo and test pages only: let a query parameter of the page choose the server.
  if (data.socketUrlParam) {
    var fromPage = new URLSearchParams(window.location.search).get(data.socketUrlParam);
    if (fromPage && httpUrl(fromPage)) {
      socketUrl = httpUrl(fromPage);
    }
  }
  var storageKey = "clinic-chat:" + (socketUrl || "invalid");

  // --- helpers ------------------------------------------------------------------------------------

  function httpUrl(value) {
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href.replace(/\/$/, "") : null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function icon(name, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", className);
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    path.setAttribute("fill-rule", "evenodd");
    svg.appendChild(path);
    return svg;
  }

  function srOnly(text) {
    return el("span", "kw-sr-only", text);
  }

  // A tel: link for a phone number as written ("(555) 010-0100" -> tel:5550100100).
  function phoneLink(shown, className) {
    var link = el("a", className || "kw-link kw-tel", shown);
    link.href = "tel:" + shown.replace(/[^\d+]/g, "");
    return link;
  }

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  var TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

  function escapeRegExp(value) {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // The phone numbers recognised in emergency guidance: the clinic's number as configured, any North
  // American number as usually written ("(555) 010-0100", "555-010-0100", "+1 555 010 0100"), and the
  // emergency and crisis numbers as whole words (911 but not 9110).
  var PHONE_PATTERN = new RegExp("(^|[^\\w+])(" + [
    clinicPhone ? escapeRegExp(clinicPhone) : null,
    "(?:\\+1[ .-]?)?\\(?\\d{3}\\)?[ .-]?\\d{3}[ .-]\\d{4}",
    escapeRegExp(emergencyNumber),
    escapeRegExp(crisisLine)
  ].filter(Boolean).join("|") + ")(?![\\w])", "g");

  // Appends `text`, with the recognised phone numbers as tel: links (emergency guidance only: a tap calls).
  function appendPhones(parent, text) {
    var last = 0;
    var match;
    PHONE_PATTERN.lastIndex = 0;
    while ((match = PHONE_PATTERN.exec(text)) !== null) {
      var start = match.index + match[1].length;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      parent.appendChild(phoneLink(match[2]));
      last = start + match[2].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Appends `text` to `parent` as text nodes, with http(s) URLs as links (and, with `phones`, phone
  // numbers as tel: links). Never parses HTML.
  function appendText(parent, text, phones) {
    var plain = phones ? appendPhones : function (node, part) {
      node.appendChild(document.createTextNode(part));
    };
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var raw = match[0].replace(TRAILING_PUNCTUATION, "");
      var href = raw ? linkTarget(raw) : null;
      if (!href) {
        continue;
      }
      plain(parent, text.slice(last, match.index));
      var link = el("a", "kw-link", raw);
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

  function linkTarget(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // --- stored state (sessionStorage: gone when the tab closes) ------------------------------------

  // pausedUntil: when the server's abuse limits let the person send again (ms since 1970; 0: not paused).
  var state = { token: null, messages: [], open: false, lang: null, pausedUntil: 0 };

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
      if (saved && typeof saved === "object") {
        state.token = typeof saved.token === "string" ? saved.token : null;
        state.messages = Array.isArray(saved.messages) ? saved.messages.filter(validMessage) : [];
        state.open = saved.open === true;
        state.pausedUntil = typeof saved.pausedUntil === "number" ?
          Math.min(saved.pausedUntil, Date.now() + MAX_WAIT_SECONDS * 1000) : 0;
        if (saved.lang === "en" || saved.lang === "es") {
          state.lang = saved.lang;
          lang = saved.lang;
        }
      }
    } catch (e) {
      // unreadable or blocked storage: start afresh
    }
  }

  function save() {
    try {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
      window.sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      // storage full or blocked: the conversation still works, it just won't survive a reload
    }
  }

  function validMessage(m) {
    return m && (m.from === "bot" || m.from === "user") && typeof m.text === "string";
  }

  // --- the DOM ------------------------------------------------------------------------------------

  var ids = { panel: "kw-chat-panel", title: "kw-chat-title", input: "kw-chat-input", notice: "kw-chat-notice",
    counter: "kw-chat-counter", wait: "kw-chat-wait" };

  var root = el("div", "kw-root");
  root.hidden = true; // until widget.css has loaded, so the page never shows it unstyled

  var launcher = el("button", "kw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", ids.panel);
  launcher.appendChild(icon("chat", "kw-launcher-icon"));
  var launcherText = el("span", "kw-launcher-text");
  launcher.appendChild(launcherText);
  // The unread badge: how many replies came while the panel was closed (the number is shown; screen
  // readers hear "(2 new messages)" as part of the launcher's name).
  var unread = el("span", "kw-unread");
  unread.hidden = true;
  var unreadCount = el("span", "kw-unread-count");
  unreadCount.setAttribute("aria-hidden", "true");
  var unreadText = srOnly("");
  unread.appendChild(unreadCount);
  unread.appendChild(unreadText);
  launcher.appendChild(unread);
  var unreadMessages = 0;

  // What screen readers hear as messages arrive: every new message exactly once, through these two
  // visually hidden live regions outside the panel (so they also speak while it is closed). The
  // conversation itself is not a live region, so nothing is read twice.
  var announcer = el("div", "kw-sr-only kw-announcer");
  announcer.setAttribute("role", "status");
  var urgentAnnouncer = el("div", "kw-sr-only kw-announcer-urgent");
  urgentAnnouncer.setAttribute("role", "alert");

  var panel = el("section", "kw-panel");
  panel.id = ids.panel;
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", ids.title);

  var header = el("div", "kw-header");
  var heading = el("h2", "kw-title");
  heading.id = ids.title;
  // The language switch: names the other language in that language (and marks it as such).
  var langButton = el("button", "kw-lang");
  langButton.type = "button";
  var closeButton = el("button", "kw-close");
  closeButton.type = "button";
  var closeIcon = el("span", null, "\u00D7");
  closeIcon.setAttribute("aria-hidden", "true");
  closeButton.appendChild(closeIcon);
  header.appendChild(heading);
  header.appendChild(langButton);
  header.appendChild(closeButton);

  // The scrolling part of the panel: focusable and named, so a keyboard can scroll it even when it holds
  // no link or button (a conversation of plain answers).
  var body = el("div", "kw-body");
  body.setAttribute("role", "region");
  body.tabIndex = 0;
  var notice = el("div", "kw-notice");
  notice.id = ids.notice;
  var noticeLead = el("p", "kw-notice-lead");
  var noticePrivacy = el("p", null);
  notice.appendChild(noticeLead);
  notice.appendChild(noticePrivacy);
  var emergencyLine = el("p", "kw-notice-emergency");
  notice.appendChild(emergencyLine);

  // The messages, oldest first. Not a live region: the announcers above speak each new one once.
  var log = el("div", "kw-log");


  // The typing indicator is shown, not spoken: the reply itself is announced a moment later.
  var typing = el("div", "kw-typing");
  typing.hidden = true;
  for (var i = 0; i < 3; i++) {
    typing.appendChild(el("span", "kw-dot")).setAttribute("aria-hidden", "true");
  }
  var typingText = srOnly("");
  typing.appendChild(typingText);

  body.appendChild(notice);
  body.appendChild(log);
  body.appendChild(typing);

  var status = el("p", "kw-status");
  status.setAttribute("role", "status");
  status.hidden = true;

  var form = el("form", "kw-form");
  form.setAttribute("novalidate", "");
  var label = el("label", "kw-sr-only");
  label.htmlFor = ids.input;
  var input = el("textarea", "kw-input");
  input.id = ids.input;
  input.rows = 1;
  // No maxlength: it would cut a pasted text silently. The counter says how long the message is near
  // the limit, and a message over it is not sent (and the person is told why).
  input.setAttribute("aria-invalid", "false");
  input.autocomplete = "off";
  var sendButton = el("button", "kw-send");
  sendButton.type = "submit";
  var counter = el("p", "kw-counter");
  counter.id = ids.counter;
  counter.hidden = true;
  // "You can send again in 42 s": above the text box while the server's abuse limits pause sending. Not a
  // live region (it changes every few seconds): said once through the announcer, and it is the text box's
  // description meanwhile.
  var waitNote = el("p", "kw-wait");
  waitNote.id = ids.wait;
  waitNote.hidden = true;
  form.appendChild(waitNote);
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);
  form.appendChild(counter);

  var footer = el("p", "kw-footer");

  // Puts every interface text in the current language (at start and when the person switches).
  function applyLanguage() {
    root.lang = lang;
    launcherText.textContent = t("launcher");
    showUnread();
    heading.textContent = titleText();
    langButton.textContent = t("switchTo");
    langButton.lang = lang === "es" ? "en" : "es";
    langButton.setAttribute("aria-label", t("switchLabel"));
    closeButton.setAttribute("aria-label", t("close"));
    noticeLead.textContent = t("lead");
    noticePrivacy.textContent = t("privacy");
    emergencyLine.textContent = "";
    appendPhones(emergencyLine, t("emergencyLine"));
    body.setAttribute("aria-label", t("conversation"));
    typingText.textContent = t("typingDots");
    label.textContent = t("yourQuestion");
    input.placeholder = t("placeholder");
    sendButton.textContent = t("send");
    footer.textContent = t("footer");
    updatePause(false);
  }

  panel.appendChild(header);
  panel.appendChild(body);
  panel.appendChild(status);
  panel.appendChild(form);
  panel.appendChild(footer);
  // Room at the end of the page as tall as the launcher's corner, so the fixed launcher never hides the
  // page's last lines (a phone number in the footer) for good: scrolled to the end, they sit above it.
  var spacer = el("div", "kw-spacer");
  spacer.setAttribute("aria-hidden", "true");

  root.appendChild(launcher); // first, so Tab goes from the launcher into the open panel
  root.appendChild(panel);
  root.appendChild(announcer);
  root.appendChild(urgentAnnouncer);
  root.appendChild(spacer);

  // --- messages -----------------------------------------------------------------------------------

  function renderMessage(message) {
    var bubble = el("div", "kw-msg kw-msg--" + message.from);
    if (message.from === "user") {
      bubble.appendChild(srOnly(t("you")));
    } else if (message.from === "system") {
      bubble.appendChild(srOnly(t("notice")));
    } else {
      var route = ROUTES.indexOf(message.route) >= 0 ? message.route : "answer";
      bubble.className += " kw-route--" + route;
      bubble.setAttribute("data-route", route);
      bubble.appendChild(srOnly(t("assistant")));
      var tag = LABELS[route];
      if (tag) {
        var labelNode = el("span", "kw-label");
        labelNode.appendChild(icon(tag.icon, "kw-label-icon"));
        labelNode.appendChild(document.createTextNode(t(tag.text)));
        labelNode.appendChild(srOnly(": "));
        bubble.appendChild(labelNode);
      }
    }
    var text = el("div", "kw-text");
    var guidance = message.from === "bot" && bubble.getAttribute("data-route") === "emergency";
    appendText(text, message.text, guidance);
    bubble.appendChild(text);
    if (guidance && new RegExp("(^|\\D)" + escapeRegExp(crisisLine) + "(?!\\d)").test(message.text)) {
      bubble.appendChild(textCrisisLink());
    }
    if (message.from === "bot" && message.buttons && message.buttons.length) {
      bubble.appendChild(renderButtons(message.buttons));
    }
    log.appendChild(bubble);
    if (message.from === "bot" && message.feedback === "ask") {
      log.appendChild(renderFeedback(message));
    }
    if (message.from === "user" && message.failed) {
      markNotSent(message, bubble);
    }
    return bubble;
  }

  // "Text 988" under emergency guidance: an sms: link to the crisis line (in Spanish, with AYUDA typed in,
  // which reaches the line's Spanish-speaking counsellors).
  function textCrisisLink() {
    var line = el("p", "kw-sms");
    var link = el("a", "kw-link kw-sms-link", t("textCrisisLine"));
    var body = t("textCrisisBody");
    link.href = "sms:" + crisisLine.replace(/[^\d+]/g, "") + (body ? "?body=" + encodeURIComponent(body) : "");
    line.appendChild(link);
    return line;
  }

  // --- questions that could not be sent -----------------------------------------------------------

  // The question stays in the conversation, marked "not sent", with a button that sends it again and
  // the clinic's phone number (and the emergency number) for whoever cannot wait.
  function markNotSent(message, bubble) {
    bubble.classList.add("kw-msg--failed");
    var note = el("div", "kw-not-sent");
    note.appendChild(el("p", "kw-not-sent-title", t(message.failed === "refused" ? "notSentKept" : "notSent")));
    var retryButton = el("button", "kw-retry", t("retry"));
    retryButton.type = "button";
    retryButton.addEventListener("click", function () {
      retry(message, bubble, note);
    });
    note.appendChild(retryButton);
    var call = el("p", "kw-not-sent-call");
    if (clinicPhone) {
      call.appendChild(document.createTextNode(t("callClinic")));
      call.appendChild(phoneLink(clinicPhone));
      call.appendChild(document.createTextNode(". "));
    } else {
      call.appendChild(document.createTextNode(t("callClinicPlain") + " "));
    }
    appendPhones(call, t("emergencyLine"));
    note.appendChild(call);
    bubble.parentNode.insertBefore(note, bubble.nextSibling);
  }

  function failPending() {
    window.clearTimeout(notSentTimer);
    if (!pending.length) {
      return;
    }
    var failed = pending;
    pending = [];
    hideTyping();
    failed.forEach(function (m) {
      m.record.failed = true;
      if (m.message !== m.shown) {
        m.record.payload = m.message;
      }
      markNotSent(m.record, m.bubble);
    });
    save();
    announce(announcer, t("notSentAnnounce"));
    scrollToEnd();
  }

  function retry(message, bubble, note) {
    if (isPaused()) {
      return;
    }
    note.parentNode.removeChild(note);
    bubble.classList.remove("kw-msg--failed");
    delete message.failed;
    var payload = message.payload || message.text;
    delete message.payload;
    save();
    showTyping();
    dispatch({ message: payload, shown: message.text, record: message, bubble: bubble });
    input.focus();
  }

  function renderButtons(buttons) {
    var group = el("div", "kw-buttons");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("suggested"));
    buttons.forEach(function (button) {
      var node = el("button", "kw-button", button.title);
      node.type = "button";
      node.addEventListener("click", function () {
        send(button.payload, button.title);
        input.focus();
      });
      group.appendChild(node);
    });
    return group;
  }

  // --- "Was this helpful?" -----------------------------------------------------------------------

  // Under the latest answer (route "answer"), two buttons send /feedback_helpful or /feedback_not_helpful:
  // no text is asked for, and nothing is shown as the person's message (the assistant's thank-you is the
  // reply). Only the latest answer can be rated: the question goes once the person says anything, so the
  // click always belongs to the answer just before it (docs/insights.md).
  var feedbackCount = 0;

  function renderFeedback(message) {
    var box = el("div", "kw-feedback");
    var question = el("p", "kw-feedback-question", t("feedbackQuestion"));
    question.id = "kw-feedback-" + (++feedbackCount);
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", question.id);
    box.appendChild(question);
    [[true, "feedbackYes"], [false, "feedbackNo"]].forEach(function (choice) {
      var button = el("button", "kw-button kw-feedback-button", t(choice[1]));
      button.type = "button";
      button.setAttribute("data-helpful", choice[0] ? "yes" : "no");
      button.addEventListener("click", function () {
        sendFeedback(message, box, choice[0]);
      });
      box.appendChild(button);
    });
    return box;
  }

  function sendFeedback(message, box, helpful) {
    if (isPaused()) {
      return;
    }
    if (!socket || !confirmed) { // not connected: nothing is sent; the buttons stay for another try
      setStatus(t("connecting"));
      if (socket && !socket.connected) {
        socket.connect();
      }
      return;
    }
    lastSent = null; // a refusal of this click has no bubble to mark
    emitMessage({ message: helpful ? "/feedback_helpful" : "/feedback_not_helpful" });
    message.feedback = "given";
    save();
    if (box.parentNode) {
      box.parentNode.removeChild(box);
    }
    showTyping();
    input.focus();
  }

  function clearFeedback() {
    var boxes = log.querySelectorAll(".kw-feedback");
    for (var b = 0; b < boxes.length; b++) {
      boxes[b].parentNode.removeChild(boxes[b]);
    }
    state.messages.forEach(function (m) {
      if (m.feedback === "ask") {
        delete m.feedback;
      }
    });
  }

  // Suggested replies belong to the current turn: once the person says anything, they go.
  function clearButtons() {
    var groups = log.querySelectorAll(".kw-buttons");
    for (var g = 0; g < groups.length; g++) {
      groups[g].parentNode.removeChild(groups[g]);
    }
    state.messages.forEach(function (m) {
      delete m.buttons;
    });
  }

  function addMessage(message) {
    if (message.from !== "system") {
      state.messages.push(message);
      save();
    }
    var bubble = renderMessage(message);
    if (message.from === "user") {
      lastQuestion = bubble;
      scrollToEnd();
      describeInputByNotice(false); // the privacy notice has been read once; not again at every return
    } else {
      scrollToTurn();
      announceMessage(message, bubble);
    }
  }

  // --- announcements ------------------------------------------------------------------------------

  function announce(region, text) {
    var line = el("p", null, text);
    region.appendChild(line);
    window.setTimeout(function () {
      if (line.parentNode) {
        line.parentNode.removeChild(line);
      }
    }, ANNOUNCEMENT_KEPT_MS);
  }

  var closedAnnounceTimer = null;

  // A new message from the assistant (or the widget), said once. Emergency guidance interrupts, whether
  // the panel is open or closed; anything else is said politely when the panel is open, and counted on
  // the launcher's badge (with one short "new messages" announcement per reply) when it is closed.
  function announceMessage(message, bubble) {
    var route = bubble.getAttribute("data-route");
    if (route === "emergency") {
      announce(urgentAnnouncer, spokenText(bubble, message));
    } else if (!panel.hidden) {
      announce(announcer, spokenText(bubble, message));
    }
    if (panel.hidden && message.from === "bot") {
      unreadMessages += 1;
      showUnread();
      window.clearTimeout(closedAnnounceTimer);
      closedAnnounceTimer = window.setTimeout(function () {
        if (panel.hidden && unreadMessages) {
          announce(announcer, unreadMessages === 1 ? t("newOne") : t("newMany", unreadMessages));
        }
      }, CLOSED_ANNOUNCE_DELAY_MS);
    }
  }

  // The bubble as a screen reader should hear it: "Assistant: Emergency: ...", then its suggested replies.
  function spokenText(bubble, message) {
    var text = bubble.textContent.replace(/\s+/g, " ").trim();
    var buttons = bubble.querySelectorAll(".kw-button");
    if (buttons.length) {
      text = text.slice(0, text.length - bubble.querySelector(".kw-buttons").textContent.length).trim();
      text += " " + t("suggestedAnnounce") + Array.prototype.map.call(buttons, function (b) {
        return b.textContent;
      }).join(", ");
    }
    return text || message.text;
  }

  function showUnread() {
    unread.hidden = unreadMessages === 0;
    root.classList.toggle("kw-has-unread", unreadMessages > 0);
    unreadCount.textContent = unreadMessages > 9 ? "9+" : String(unreadMessages);
    unreadText.textContent = unreadMessages === 1 ? t("unreadOne") : t("unreadMany", unreadMessages);
  }

  // The privacy notice is the text box's description until the person sends a first message: read once
  // when they first reach the box, not at every return to it.
  var noticeDescribes = false;

  function describeInputByNotice(on) {
    noticeDescribes = on;
    describeInput();
  }

  // The text box's description: the notice (before the first message) and the counter (when shown).
  function describeInput() {
    var described = [];
    if (noticeDescribes) {
      described.push(ids.notice);
    }
    if (!counter.hidden) {
      described.push(ids.counter);
    }
    if (!waitNote.hidden) {
      described.push(ids.wait);
    }
    if (described.length) {
      input.setAttribute("aria-describedby", described.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  // --- the length of the message ------------------------------------------------------------------

  function lengthOf(text) {
    return Array.from(text.trim()).length; // code points, as the server counts
  }

  var counterState = "hidden"; // hidden | near | over: announced only when it changes

  // Shows the counter near the limit; over it, says by how much, before the person tries to send.
  function updateCounter() {
    var length = lengthOf(input.value);
    var next = length > MAX_CHARS ? "over" : length >= COUNTER_FROM ? "near" : "hidden";
    counter.hidden = next === "hidden";
    counter.textContent = "";
    if (next !== "hidden") {
      counter.appendChild(document.createTextNode(t("counter", length)));
      counter.appendChild(srOnly(" " + t("counterLabel")));
      if (next === "over") {
        counter.appendChild(document.createTextNode(". " + t("counterOver", length - MAX_CHARS)));
      }
    }
    counter.classList.toggle("kw-counter--over", next === "over");
    input.setAttribute("aria-invalid", next === "over" ? "true" : "false");
    if (next !== counterState) {
      if (next === "near" && counterState === "hidden") {
        announce(announcer, t("counterLeft", MAX_CHARS - length));
      } else if (next === "over") {
        announce(announcer, t("counterOver", length - MAX_CHARS));
      } else if (counterState === "over") {
        announce(announcer, t("counterFits"));
      }
      counterState = next;
    }
    describeInput();
  }

  function clearTranscript() {
    state.messages = [];
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    lastQuestion = null;
    save();
  }

  var lastQuestion = null; // the person's latest bubble

  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  // Shows the newest replies, but never scrolls the person's question out of view: a long answer is
  // then read from its start.
  function scrollToTurn() {
    var end = body.scrollHeight - body.clientHeight;
    if (lastQuestion && lastQuestion.parentNode === log) {
      body.scrollTop = Math.min(end, lastQuestion.offsetTop - 8);
    } else {
      body.scrollTop = end;
    }
  }

  function normalizeButtons(list) {
    if (!Array.isArray(list)) {
      return [];
    }
    return list.filter(function (b) {
      return b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload;
    }).slice(0, MAX_BUTTONS).map(function (b) {
      return { title: b.title, payload: b.payload.slice(0, MAX_CHARS) };
    });
  }

  // --- typing indicator ---------------------------------------------------------------------------

  var typingHideTimer = null;
  var typingGiveUpTimer = null;

  function showTyping() {
    typing.hidden = false;
    window.clearTimeout(typingHideTimer);
    window.clearTimeout(typingGiveUpTimer);
    typingGiveUpTimer = window.setTimeout(hideTyping, TYPING_GIVE_UP_MS);
    scrollToEnd();
  }

  function botMessageArrived() {
    window.clearTimeout(typingHideTimer);
    typingHideTimer = window.setTimeout(hideTyping, TYPING_HIDE_AFTER_LAST_MS);
  }

  function hideTyping() {
    window.clearTimeout(typingHideTimer);
    window.clearTimeout(typingGiveUpTimer);
    typing.hidden = true;
  }

  function setStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // --- the connection -----------------------------------------------------------------------------

  var socket = null;
  var confirmed = false;
  // socket.io is trying to connect right now (the first connection, or one of its reconnection attempts),
  // as opposed to waiting out its back-off between attempts. Only a wait is cut short by a new question:
  // tearing down a connection that is still being made would close its engine.io session in the middle
  // of the handshake or of the upgrade to WebSocket, and start another one for nothing. An attempt that
  // has gone on for NOT_SENT_AFTER_MS is no longer waited for.
  var connectingSince = 0; // when the current attempt started (0: none)

  function attemptUnderWay() {
    return connectingSince > 0 && Date.now() - connectingSince < NOT_SENT_AFTER_MS;
  }
  var pending = []; // messages typed before the session was confirmed
  var libraryState = "none"; // none | loading | ready | failed
  var ioLib = null; // the vendored socket.io client

  function connect() {
    if (socket || libraryState === "loading" || libraryState === "failed") {
      return;
    }
    if (!socketUrl) {
      setStatus(t("badUrl"));
      return;
    }
    if (libraryState === "ready") {
      openSocket();
      return;
    }
    libraryState = "loading";
    var previousIo = window.io; // the page may use its own socket.io: leave it as it was
    var tag = document.createElement("script");
    tag.src = base + "vendor/socket.io.min.js";
    tag.async = true;
    tag.onload = function () {
      var io = window.io;
      if (previousIo !== undefined) {
        window.io = previousIo;
      }
      if (typeof io !== "function") {
        libraryState = "failed";
        setStatus(t("noLibrary"));
        failPending();
        return;
      }
      libraryState = "ready";
      ioLib = io;
      openSocket();
    };
    tag.onerror = function () {
      libraryState = "failed";
      setStatus(t("noStart"));
      failPending();
    };
    document.head.appendChild(tag);
  }

  function openSocket() {
    connectingSince = Date.now();
    socket = ioLib(socketUrl, { path: socketPath, reconnectionDelayMax: 10000 });
    socket.io.on("reconnect_attempt", function () {
      connectingSince = Date.now();
    });

    socket.on("connect", function () {
      connectingSince = 0;
      confirmed = false;
      socket.emit("session_request", { session_id: state.token });
    });

    socket.on("session_confirm", function (reply) {
      var id = typeof reply === "string" ? reply : reply && reply.session_id;
      if (typeof id !== "string" || !id) {
        setStatus(t("noSession"));
        return;
      }
      if (state.token !== id) {
        if (state.token !== null) {
          // A different token than the one sent: the old conversation cannot be continued.
          var hadConversation = state.messages.length > pending.length;
          clearTranscript();
          if (hadConversation) {
            addMessage({ from: "system", text: t("lost") });
          }
          pending.forEach(function (m) {
            m.record = { from: "user", text: m.shown };
            addMessage(m.record);
            m.bubble = lastQuestion;
          });
        }
        state.token = id;
        save();
      }
      confirmed = true;
      setStatus("");
      var queued = pending;
      pending = [];
      window.clearTimeout(notSentTimer);
      queued.forEach(function (m) {
        emitMessage(m);
      });
    });

    socket.on("bot_uttered", function (reply) {
      if (typeof reply === "string") {
        reply = { text: reply };
      }
      if (!reply || typeof reply !== "object") {
        return;
      }
      var text = typeof reply.text === "string" ? reply.text : "";
      var buttons = normalizeButtons(reply.buttons || reply.quick_replies);
      var route = typeof reply.route === "string" ? reply.route
        : reply.metadata && typeof reply.metadata.route === "string" ? reply.metadata.route : "answer";
      if (!text && !buttons.length) {
        return;
      }
      setStatus("");
      var message = { from: "bot", text: text, route: route, buttons: buttons };
      if (route === "answer" && text) {
        message.feedback = "ask";
      }
      addMessage(message);
      botMessageArrived();
      var wait = Number(reply.retry_after);
      replyArrived(reply, wait > 0);
      if (wait > 0) {
        pauseSending(Math.min(wait, MAX_WAIT_SECONDS));
      }
    });

    socket.on("disconnect", function (reason) {
      connectingSince = 0;
      confirmed = false;
      if (reason === "io client disconnect") {
        return;
      }
      // socket.io reconnects by itself, except when the server itself closed the connection.
      setStatus(reason === "io server disconnect" ? t("closed") : t("reconnecting"));
    });

    socket.on("connect_error", function () {
      connectingSince = 0;
      setStatus(t("unreachable"));
      failPending();
    });
  }

  // `item`: {message, shown?, record?, bubble?} (only a question typed or clicked has a record to mark).
  function emitMessage(item) {
    var id = nextId++;
    awaiting[id] = item;
    socket.emit("user_uttered", { message: item.message, session_id: state.token, id: id });
  }

  // A reply to the message numbered `reply.reply_to`. A conversation's turns are answered in order, so an
  // answer means every earlier message has had its replies; a refusal is sent at once and may arrive before
  // the answers to earlier messages. With `stored: false` that message was not kept; after a refusal that
  // asks to wait (`refusal`), the server drops in silence the messages sent after it too, so they are not
  // kept either. A server that does not number its replies: the latest message is the one not kept.
  function replyArrived(reply, refusal) {
    var replyTo = Number(reply.reply_to);
    if (reply.stored !== false) {
      Object.keys(awaiting).forEach(function (key) {
        if (Number(key) < replyTo) {
          delete awaiting[key];
        }
      });
      return;
    }
    var notKept = [];
    if (reply.reply_to !== undefined && awaiting[replyTo] !== undefined) {
      Object.keys(awaiting).forEach(function (key) {
        var id = Number(key);
        if (id === replyTo || (refusal && id > replyTo)) {
          notKept.push(awaiting[key]);
        }
        if (id <= replyTo || refusal) {
          delete awaiting[key];
        }
      });
    } else {
      notKept.push(lastSent);
    }
    markNotKept(notKept);
    lastSent = null;
  }

  // Sends `message`; shows `shown` (a button's title) as the person's bubble, or the message itself.
  function send(message, shown) {
    message = String(message).slice(0, MAX_CHARS);
    shown = shown === undefined ? message : String(shown);
    if (!message.trim() || isPaused()) {
      return;
    }
    clearButtons();
    clearFeedback();
    var record = { from: "user", text: shown };
    addMessage(record);
    showTyping();
    dispatch({ message: message, shown: shown, record: record, bubble: lastQuestion });
  }

  var notSentTimer = null;

  // Emits now if the conversation is connected; otherwise queues the question, (re)connects at once
  // and marks it "not sent" if the assistant cannot be reached.
  function dispatch(item) {
    lastSent = item;
    if (socket && confirmed) {
      emitMessage(item);
      return;
    }
    pending.push(item);
    if (libraryState === "failed" || !socketUrl) {
      failPending();
      return;
    }
    if (!socket) {
      connect();
    } else if (!socket.connected && !attemptUnderWay()) {
      socket.disconnect(); // try now rather than at the end of socket.io's back-off
      connectingSince = Date.now();
      socket.connect();
    }
    setStatus(t("connecting"));
    window.clearTimeout(notSentTimer);
    notSentTimer = window.setTimeout(failPending, NOT_SENT_AFTER_MS);
  }

  // --- a pause asked for by the server ------------------------------------------------------------

  // When the server's abuse limits refuse a message, the session gets one reply with `retry_after` (in
  // seconds), then silence until that time: anything sent meanwhile would vanish. So sending pauses: the
  // text box (aria-disabled, read-only, so focus stays in it) and Send (disabled) with a note above them,
  // said once; suggested replies, "Was this helpful?" and Try again do nothing meanwhile. The pause
  // survives a reload; when it is over, everything is enabled again and that is said once too.
  var pauseTimer = null;
  var pauseShown = false;
  var lastSent = null; // the latest message handed to dispatch(): {message, shown, record, bubble}
  // Each message sent is numbered (`id`); the server puts that number in every reply to it (`reply_to`).
  // The messages sent that have had no reply yet, by number:
  var awaiting = {};
  var nextId = 1;

  function isPaused() {
    return state.pausedUntil > Date.now();
  }

  function pauseSending(seconds) {
    var until = Date.now() + Math.ceil(seconds) * 1000;
    if (until > state.pausedUntil) {
      state.pausedUntil = until;
      save();
    }
    updatePause(true);
  }

  // "42 s" on screen; "42 seconds" (or minutes, from 90 s on) for screen readers.
  function waitText(ms, spoken) {
    var seconds = Math.max(1, Math.ceil(ms / 1000));
    if (seconds >= 90) {
      return t(spoken ? "waitSaidMinutes" : "waitNoteMinutes", Math.ceil(seconds / 60));
    }
    return t(spoken ? "waitSaid" : "waitNote", seconds);
  }

  // Shows the pause as it stands now (and `announce`s its start); called again every WAIT_UPDATE_MS.
  function updatePause(announceStart) {
    window.clearTimeout(pauseTimer);
    var left = state.pausedUntil - Date.now();
    var paused = left > 0;
    if (!paused && state.pausedUntil) {
      state.pausedUntil = 0;
      save();
    }
    enableSending(!paused);
    waitNote.hidden = !paused;
    waitNote.textContent = paused ? waitText(left, false) : "";
    describeInput();
    if (paused) {
      if (announceStart && !pauseShown) {
        announce(announcer, waitText(left, true));
      }
      pauseTimer = window.setTimeout(function () {
        updatePause(false);
      }, Math.min(WAIT_UPDATE_MS, left));
    } else if (pauseShown) {
      announce(announcer, t("waitOver"));
    }
    pauseShown = paused;
  }

  function enableSending(on) {
    if (!on && document.activeElement === sendButton) {
      input.focus(); // a disabled button would drop the focus
    }
    input.readOnly = !on;
    sendButton.disabled = !on;
    var controls = [input, sendButton].concat(
      Array.prototype.slice.call(log.querySelectorAll(".kw-button, .kw-retry")));
    controls.forEach(function (control) {
      if (on) {
        control.removeAttribute("aria-disabled");
      } else {
        control.setAttribute("aria-disabled", "true");
      }
    });
  }

  // A reply with `stored: false` (the message was refused by the abuse limits, or could not be stored):
  // the person's messages that were not kept are marked "not sent", with Try again.
  function markNotKept(items) {
    var marked = false;
    items.forEach(function (item) {
      if (!item || !item.record || item.record.failed || !item.bubble || item.bubble.parentNode !== log) {
        return;
      }
      item.record.failed = "refused";
      if (item.message !== item.shown) {
        item.record.payload = item.message;
      }
      markNotSent(item.record, item.bubble);
      marked = true;
    });
    if (marked) {
      save();
    }
  }

  // --- open, close, keyboard ----------------------------------------------------------------------

  var fullScreen = window.matchMedia ? window.matchMedia(FULL_SCREEN_QUERY) : { matches: false };

  // Full screen, the open panel is modal: it covers the page, so focus stays inside it.
  function isModal() {
    return !panel.hidden && fullScreen.matches;
  }

  function updateModal() {
    panel.setAttribute("aria-modal", isModal() ? "true" : "false");
  }

  if (fullScreen.addEventListener) {
    fullScreen.addEventListener("change", function () {
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
    state.open = open;
    save();
    updateModal();
    if (open) {
      unreadMessages = 0;
      showUnread();
      scrollToEnd();
      connect();
      if (moveFocus || isModal()) {
        input.focus();
      }
    } else if (moveFocus) {
      launcher.focus();
    }
  }

  // What Tab can reach in the panel, in order (visible, enabled, not taken out of the tab order).
  function tabStops() {
    var nodes = panel.querySelectorAll("a[href], button, textarea, input, select, [tabindex]");
    return Array.prototype.filter.call(nodes, function (node) {
      return !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0;
    });
  }

  // In the modal dialog Tab and Shift+Tab go round its controls and never reach the page behind.
  panel.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || !isModal()) {
      return;
    }
    var stops = tabStops();
    if (!stops.length) {
      return;
    }
    var first = stops[0];
    var last = stops[stops.length - 1];
    var at = document.activeElement;
    if (event.shiftKey && (at === first || !panel.contains(at))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (at === last || !panel.contains(at))) {
      event.preventDefault();
      first.focus();
    }
  });

  // Anything else that would put focus on the page behind the modal dialog brings it back inside.
  document.addEventListener("focusin", function (event) {
    if (isModal() && !panel.contains(event.target)) {
      input.focus();
    }
  });

  launcher.addEventListener("click", function () {
    setOpen(panel.hidden, true);
  });

  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });

  // Switching language changes the interface at once and tells the assistant, whose replies follow.
  langButton.addEventListener("click", function () {
    var request = t("switchMessage");
    var shown = t("switchTo");
    lang = lang === "es" ? "en" : "es";
    state.lang = lang;
    applyLanguage();
    save();
    if (!isPaused()) { // while paused, only the interface changes: the server would drop the request
      send(request, shown);
    }
    input.focus();
  });

  // Escape closes the panel from anywhere in it, and from anywhere at all while it is a modal dialog
  // (focus may be on the page's body after a click on the panel's text).
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !panel.hidden &&
        (isModal() || root.contains(document.activeElement))) {
      event.preventDefault();
      setOpen(false, true);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || isPaused()) {
      input.focus();
      return;
    }
    if (lengthOf(text) > MAX_CHARS) {
      counterState = "hidden"; // say it again, now that the person tried to send
      updateCounter();
      input.focus();
      return;
    }
    send(text);
    input.value = "";
    resizeInput();
    updateCounter();
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    }
  });

  // The text box grows with its text, up to its CSS max-height (smaller on short screens).
  function resizeInput() {
    input.style.height = "auto";
    input.style.height = input.scrollHeight + input.offsetHeight - input.clientHeight + "px";
  }

  input.addEventListener("input", function () {
    resizeInput();
    updateCounter();
  });

  // --- start --------------------------------------------------------------------------------------

  function start() {
    load();
    applyLanguage();
    describeInputByNotice(!state.messages.some(function (m) {
      return m.from === "user";
    }));
    state.messages.forEach(function (m) {
      renderMessage(m); // restored after a reload: shown, not announced again
    });
    updatePause(false); // a pause still running after a reload (its Try again buttons too)
    document.body.appendChild(root);

    var stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = base + "widget.css";
    stylesheet.onload = stylesheet.onerror = function () {
      root.hidden = false;
      if (state.open) {
        // Reopened after a reload: same conversation, focus left where it is (unless the panel is a
        // full-screen dialog covering the page: then focus goes into it).
        setOpen(true, false);
      }
    };
    document.head.appendChild(stylesheet);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
