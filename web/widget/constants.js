/*
 * The chat widget's constants.
 *
 * The first group is shared with the server: each must equal a value defined in Python, and
 * tests/web/test_widget_constants.py reads this file and compares them, so the two cannot drift apart.
 * Keep each of these an `export const NAME = <JSON>;` line (or `Object.freeze(<JSON>)`): the test reads
 * the file as text.
 */

// --- shared with the server (tests/web/test_widget_constants.py) -----------------------------------

// The longest message the server accepts, in characters as Python counts them (code points):
// clinic_faq.core.sanitize.DEFAULT_MAX_MESSAGE_CHARS, and max_message_chars of the socket.io channel in
// credentials.yml.
export const MAX_CHARS = 4000;

// The routes a bot message can carry: clinic_faq.core.contract.Route, then "error", which the socket.io
// channel itself sends (a message that was not stored, was refused, or was malformed).
export const ROUTES = Object.freeze(["answer", "disclaimer", "referral", "emergency", "out_of_scope", "smalltalk",
  "fallback", "phi_warning", "callback", "error"]);

// The largest message number (`id`) the server takes: clinic_faq.rasa_ext.channels.socketio.MAX_MESSAGE_ID
// (2**53 - 1, Number.MAX_SAFE_INTEGER).
export const MAX_MESSAGE_ID = 9007199254740991;

// The socket.io events: the session handshake of the channel, and the message events of credentials.yml
// (user_message_evt, bot_message_evt).
export const EVENTS = Object.freeze({"sessionRequest": "session_request", "sessionConfirm": "session_confirm",
  "userUttered": "user_uttered", "botUttered": "bot_uttered"});

// The socket.io path, unless data-socket-path says otherwise (the channel's socketio_path).
export const SOCKET_PATH = "/socket.io/";

// --- the widget's own ------------------------------------------------------------------------------

export const COUNTER_FROM = 3600; // the character counter shows from here on
export const NOT_SENT_AFTER_MS = 10000; // a question still waiting for the connection by then is "not sent"
export const MAX_STORED_MESSAGES = 200; // the transcript kept in sessionStorage
export const MAX_BUTTONS = 10;
export const TYPING_HIDE_AFTER_LAST_MS = 800;
export const TYPING_GIVE_UP_MS = 15000;
export const ANNOUNCEMENT_KEPT_MS = 15000; // then removed, so reading the page later does not meet it again
export const CLOSED_ANNOUNCE_DELAY_MS = 500; // one "new messages" announcement for a reply of several messages
export const WAIT_UPDATE_MS = 5000; // the "You can send again in 42 s" note is updated this often (silently)
export const MAX_WAIT_SECONDS = 3600; // a longer retry_after from the server is taken as this
export const RECONNECTION_DELAY_MAX_MS = 10000; // socket.io's longest back-off between attempts
export const STORAGE_PREFIX = "clinic-chat:"; // sessionStorage key: this, then the socket URL

// Phones (portrait or landscape), short windows and large text or zoom: the open panel fills the window
// and is a modal dialog. The same query as the full-screen layout in widget.css (em: the reader's text
// size counts); tests/web/unit/constants.test.mjs checks that they match.
export const FULL_SCREEN_QUERY = "(max-width: 29.99em), (max-height: 31.24em)";
