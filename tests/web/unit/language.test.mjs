// The interface's language: the first choice (data-lang, the page, the browser), the switch, a reload.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { chooseLanguage, createState, languageOf, restore, snapshot, update } from "../../../web/widget/state.js";
import { T0, connectedState, ofType } from "./helpers.mjs";

describe("the first language", () => {
  test("data-lang decides when it is there", () => {
    assert.equal(chooseLanguage({ dataLang: "es", pageLang: "en", browserLang: "en-US" }), "es");
    assert.equal(chooseLanguage({ dataLang: "es-MX" }), "es");
    assert.equal(chooseLanguage({ dataLang: "ES" }), "es");
    assert.equal(chooseLanguage({ dataLang: "en", pageLang: "es", browserLang: "es-MX" }), "en");
    assert.equal(chooseLanguage({ dataLang: "fr", browserLang: "es" }), "en"); // only English and Spanish
  });

  test("without data-lang: Spanish when the page or the browser says Spanish, else English", () => {
    assert.equal(chooseLanguage({ pageLang: "es", browserLang: "en-US" }), "es"); // the clinic's Spanish page
    assert.equal(chooseLanguage({ pageLang: "en", browserLang: "es-MX" }), "es"); // a Spanish-speaking visitor
    assert.equal(chooseLanguage({ pageLang: "en", browserLang: "en-GB" }), "en");
    assert.equal(chooseLanguage({ pageLang: "", browserLang: "de" }), "en");
    assert.equal(chooseLanguage({}), "en");
    assert.equal(chooseLanguage(), "en");
  });

  test("the person's own choice in this tab comes first", () => {
    assert.equal(chooseLanguage({ saved: "es", dataLang: "en", pageLang: "en" }), "es");
    assert.equal(chooseLanguage({ saved: "en", pageLang: "es" }), "en");
    assert.equal(chooseLanguage({ saved: "fr", pageLang: "es" }), "es"); // not a choice it offers
  });

  test("languageOf", () => {
    assert.equal(languageOf("es"), "es");
    assert.equal(languageOf("es-419"), "es");
    assert.equal(languageOf("en"), "en");
    assert.equal(languageOf("et"), "en");
    assert.equal(languageOf(undefined), "en");
    assert.equal(languageOf(null), "en");
  });
});

describe("the language switch", () => {
  test("changes the interface and asks the assistant, in the words of the language it leaves", () => {
    const state = connectedState();
    const effects = update(state, { type: "switchLanguage", now: T0 });
    assert.equal(state.lang, "es");
    assert.equal(ofType(effects, "language").length, 1);
    assert.equal(ofType(effects, "emit")[0].data.message, "en español por favor");
    assert.equal(state.messages.at(-1).text, "Español"); // shown as the person's message
    const back = update(state, { type: "switchLanguage", now: T0 });
    assert.equal(state.lang, "en");
    assert.equal(ofType(back, "emit")[0].data.message, "English please");
  });

  test("the choice is kept in the tab; a language nobody chose is not", () => {
    const untouched = createState({ lang: "es" });
    assert.equal(snapshot(untouched).lang, null); // decided by the page: another page may decide otherwise

    const state = connectedState();
    update(state, { type: "switchLanguage", now: T0 });
    const saved = JSON.parse(JSON.stringify(snapshot(state)));
    assert.equal(saved.lang, "es");
    const reloaded = restore(createState({ lang: "en" }), saved, T0);
    assert.equal(reloaded.lang, "es");
    assert.equal(restore(createState({ lang: "en" }), { lang: "de" }, T0).lang, "en");
  });

  test("a conversation that could not be continued is said in the current language", () => {
    const state = connectedState({ lang: "es" });
    state.messages.push({ from: "user", text: "hola" });
    update(state, { type: "connected", now: T0 });
    const effects = update(state, { type: "sessionConfirmed", reply: "new", now: T0 });
    assert.match(ofType(effects, "added")[0].record.text, /No se pudo continuar/);
  });
});
