/*
 * Every text the chat widget shows, in English and Spanish, and how a text is filled in.
 * Placeholders: {n} the emergency number, {crisis} the crisis line, {count} a number, {max} MAX_CHARS.
 * The server's own texts (answers, the callback request's questions and its error messages) come from the
 * server in the person's language; these are only the widget's.
 * tests/web/unit/strings.test.mjs checks that both languages have the same texts.
 */

import { MAX_CHARS } from "./constants.js";

export const LANGUAGES = Object.freeze(["en", "es"]);

export const STRINGS = {
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
    talk: "Talk to a person", talkPanel: "Talk to a person: the clinic's number",
    phoneLabel: "Your phone number", phonePlaceholder: "Phone number with area code",
    phoneHint: "Type the number the team should call, with the area code (for example 555-123-4567). " +
      "Say cancel to stop.",
    nameLabel: "Your first name (optional)", namePlaceholder: "First name",
    nameHint: "Only a first name, for the team to ask for. You can choose Skip.",
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
    talk: "Hablar con una persona", talkPanel: "Hablar con una persona: el número de la clínica",
    phoneLabel: "Su número de teléfono", phonePlaceholder: "Número con código de área",
    phoneHint: "Escriba el número al que debe llamar el equipo, con el código de área (por ejemplo " +
      "555-123-4567). Diga cancelar para parar.",
    nameLabel: "Su nombre (opcional)", namePlaceholder: "Nombre",
    nameHint: "Solo su nombre, para que el equipo pregunte por usted. Puede elegir Saltar.",
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
for (const lang of LANGUAGES) {
  Object.freeze(STRINGS[lang]);
}
Object.freeze(STRINGS);

// A number as the language writes it ("4,000" in English).
export function formatNumber(n, lang) {
  return typeof n === "number" ? n.toLocaleString(lang) : String(n);
}

// The text `key` in `lang`, filled in. `numbers`: {emergencyNumber, crisisLine} from the script tag.
export function format(lang, key, count, numbers = {}) {
  const table = STRINGS[lang] || STRINGS.en;
  const text = key in table ? table[key] : STRINGS.en[key];
  if (typeof text !== "string") {
    throw new Error(`no text "${key}"`);
  }
  // Replaced by functions, so that a "$" in a configured number is never read as a replacement pattern.
  return text
    .replace("{n}", () => numbers.emergencyNumber || "911")
    .replace("{crisis}", () => numbers.crisisLine || "988")
    .replace("{count}", () => formatNumber(count, lang))
    .replace("{max}", () => formatNumber(MAX_CHARS, lang));
}
