// The modules' smaller parts: texts, constants that must match widget.css, what is kept after a reload,
// safe links, and the rule that no text is ever parsed as HTML.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, test } from "node:test";

import * as constants from "../../../web/widget/constants.js";
import { httpUrl, readConfig } from "../../../web/widget/config.js";
import { linkTarget, phonePattern } from "../../../web/widget/render.js";
import { createState, restore } from "../../../web/widget/state.js";
import { STRINGS, format } from "../../../web/widget/strings.js";

const WEB = new URL("../../../web/", import.meta.url);

describe("strings", () => {
  test("English and Spanish have the same texts, none missing", () => {
    assert.deepEqual(Object.keys(STRINGS.es).sort(), Object.keys(STRINGS.en).sort());
    for (const [lang, table] of Object.entries(STRINGS)) {
      for (const [key, text] of Object.entries(table)) {
        assert.equal(typeof text, "string", `${lang}.${key}`);
        if (key !== "textCrisisBody") {
          assert.ok(text.trim(), `${lang}.${key} is empty`);
        }
      }
    }
  });

  test("texts are filled in with the configured numbers and the language's numbers", () => {
    const numbers = { emergencyNumber: "112", crisisLine: "$&988" };
    assert.equal(format("en", "emergencyLine", undefined, numbers), "In an emergency, call 112 now.");
    assert.equal(format("en", "textCrisisLine", undefined, numbers), "Text $&988"); // no replacement patterns
    assert.equal(format("en", "counter", 3612), "3,612 / 4,000");
    assert.equal(format("en", "emergencyLine"), "In an emergency, call 911 now.");
    assert.throws(() => format("en", "noSuchText"), /noSuchText/);
  });
});

describe("constants", () => {
  test("the full-screen query is the one widget.css uses for its full-screen layout", () => {
    const css = readFileSync(new URL("widget.css", WEB), "utf8");
    assert.ok(css.includes(`@media ${constants.FULL_SCREEN_QUERY} {`), constants.FULL_SCREEN_QUERY);
  });

  test("the largest message number is the largest whole number JavaScript holds exactly", () => {
    assert.equal(constants.MAX_MESSAGE_ID, Number.MAX_SAFE_INTEGER);
  });

  test("routes are unique, and the shared constants cannot be changed at run time", () => {
    assert.equal(new Set(constants.ROUTES).size, constants.ROUTES.length);
    assert.ok(Object.isFrozen(constants.ROUTES) && Object.isFrozen(constants.EVENTS));
    assert.ok(constants.COUNTER_FROM < constants.MAX_CHARS);
  });
});

describe("what is kept after a reload", () => {
  test("every stored part is checked; anything malformed is dropped", () => {
    const state = restore(createState(), {
      token: 5,
      open: "yes",
      messages: [
        { from: "user", text: "kept", failed: "refused", payload: "/more_info", extra: "dropped" },
        { from: "user", text: "failed?", failed: "maybe" },
        { from: "bot", text: "answer", buttons: "not a list", feedback: "ask" },
        { from: "bot", text: "with buttons", route: "referral", buttons: [{ title: "T", payload: "/p" }, { title: 1 }] },
        { from: "system", text: "not kept" },
        { from: "user", text: 5 },
        null,
        "junk",
      ],
    }, 0);
    assert.equal(state.token, null);
    assert.equal(state.open, false);
    assert.deepEqual(state.messages, [
      { from: "user", text: "kept", failed: "refused", payload: "/more_info" },
      { from: "user", text: "failed?" },
      { from: "bot", text: "answer", route: "answer", feedback: "ask" },
      { from: "bot", text: "with buttons", route: "referral", buttons: [{ title: "T", payload: "/p" }] },
    ]);
    for (const junk of [null, "text", 5, []]) {
      assert.deepEqual(restore(createState(), junk, 0).messages, []);
    }
  });

  test("at most the last 200 messages are kept", () => {
    const messages = Array.from({ length: 250 }, (_, i) => ({ from: "user", text: String(i) }));
    const state = restore(createState(), { messages }, 0);
    assert.equal(state.messages.length, constants.MAX_STORED_MESSAGES);
    assert.equal(state.messages[0].text, "50");
  });
});

describe("links and addresses", () => {
  test("only http and https become links", () => {
    assert.equal(linkTarget("https://clinic.example/book"), "https://clinic.example/book");
    assert.equal(linkTarget("http://clinic.example"), "http://clinic.example/");
    for (const bad of ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://x.example", "not a url", ""]) {
      assert.equal(linkTarget(bad), null, bad);
    }
  });

  test("phone numbers in emergency guidance: whole numbers only", () => {
    const pattern = phonePattern({ clinicPhone: "(555) 010-0100", emergencyNumber: "911", crisisLine: "988" });
    const found = (text) => [...text.matchAll(pattern)].map((m) => m[2]);
    assert.deepEqual(found("Call 911 or 988, or the clinic at (555) 010-0100."), ["911", "988", "(555) 010-0100"]);
    assert.deepEqual(found("Room 9110, code 19880"), []);
    assert.deepEqual(found("+1 555 010 0199 or 555-010-0199"), ["+1 555 010 0199", "555-010-0199"]);
  });

  test("the server address must be http or https; relative ones are resolved, the end slash dropped", () => {
    assert.equal(httpUrl("https://chat.clinic.example/", "https://www.clinic.example/"), "https://chat.clinic.example");
    assert.equal(httpUrl("/rasa", "https://www.clinic.example/page"), "https://www.clinic.example/rasa");
    assert.equal(httpUrl("javascript:alert(1)", "https://www.clinic.example/"), null);
    assert.equal(httpUrl("http://[bad", "https://www.clinic.example/"), null);
  });
});

describe("the script tag's data- attributes", () => {
  const where = { pageUrl: "https://www.clinic.example/visit?socket=https://other.example", moduleUrl:
    "https://widget.clinic.example/v2/widget.js" };

  test("every attribute is read", () => {
    const config = readConfig({
      socketUrl: "https://chat.clinic.example/", socketPath: "/chat/socket.io/", title: "Questions",
      titleEs: "Preguntas", lang: "es", emergencyNumber: "112", crisisLine: "024", clinicPhone: "(555) 010-0199",
    }, where);
    assert.deepEqual(config, {
      socketUrl: "https://chat.clinic.example",
      socketPath: "/chat/socket.io/",
      storageKey: "clinic-chat:https://chat.clinic.example",
      stylesheet: "https://widget.clinic.example/v2/widget.css",
      library: "https://widget.clinic.example/v2/vendor/socket.io.min.js",
      lang: "es", title: "Questions", titleEs: "Preguntas",
      emergencyNumber: "112", crisisLine: "024", clinicPhone: "(555) 010-0199",
    });
  });

  test("without attributes: the defaults", () => {
    const config = readConfig({}, where);
    assert.equal(config.socketUrl, "http://localhost:5005");
    assert.equal(config.socketPath, constants.SOCKET_PATH);
    assert.deepEqual([config.emergencyNumber, config.crisisLine, config.clinicPhone, config.lang, config.title],
      ["911", "988", "", "", ""]);
  });

  test("data-socket-url-param lets the page's address choose the server, only when present and valid", () => {
    assert.equal(readConfig({ socketUrlParam: "socket" }, where).socketUrl, "https://other.example");
    assert.equal(readConfig({}, where).socketUrl, "http://localhost:5005"); // off without the attribute
    const bad = { ...where, pageUrl: "https://www.clinic.example/?socket=javascript:alert(1)" };
    assert.equal(readConfig({ socketUrl: "https://chat.clinic.example", socketUrlParam: "socket" }, bad).socketUrl,
      "https://chat.clinic.example");
  });

  test("an address that is not http(s) leaves the widget without a server", () => {
    const config = readConfig({ socketUrl: "ftp://chat.clinic.example" }, where);
    assert.equal(config.socketUrl, null);
    assert.equal(config.storageKey, "clinic-chat:invalid");
  });
});

describe("no HTML", () => {
  test("no module of the widget parses text as HTML or runs text as code", () => {
    const files = ["widget.js", ...readdirSync(new URL("widget/", WEB)).map((name) => `widget/${name}`)];
    assert.ok(files.includes("widget/render.js"));
    for (const file of files) {
      const source = readFileSync(new URL(file, WEB), "utf8");
      for (const api of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
        "createContextualFragment", "DOMParser"]) {
        assert.ok(!source.includes(api), `${file} uses ${api}`);
      }
    }
  });
});
