/*
 * The widget's settings, from its script tag's data- attributes (docs/widget.md, "Embedding it").
 * No DOM: widget.js hands over the tag's dataset and the page's and module's addresses.
 */

import { SOCKET_PATH, STORAGE_PREFIX } from "./constants.js";

// `value` as an http(s) URL without a trailing slash (relative to `base`), or null if it is not one.
export function httpUrl(value, base) {
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href.replace(/\/$/, "") : null;
  } catch (e) {
    return null;
  }
}

/**
 * data: the script tag's dataset ({socketUrl, socketPath, socketUrlParam, title, titleEs, lang,
 * emergencyNumber, crisisLine, clinicPhone}); pageUrl: the page's address; moduleUrl: widget.js's address
 * (widget.css and vendor/ are beside it).
 */
export function readConfig(data, { pageUrl, moduleUrl }) {
  let socketUrl = httpUrl(data.socketUrl || "http://localhost:5005", pageUrl);
  // Demo and test pages only: a query parameter of the page may choose the server.
  if (data.socketUrlParam) {
    const fromPage = new URL(pageUrl).searchParams.get(data.socketUrlParam);
    if (fromPage && httpUrl(fromPage, pageUrl)) {
      socketUrl = httpUrl(fromPage, pageUrl);
    }
  }
  const base = new URL(".", moduleUrl).href;
  return {
    socketUrl, // null: no valid server address
    socketPath: data.socketPath || SOCKET_PATH,
    storageKey: STORAGE_PREFIX + (socketUrl || "invalid"),
    stylesheet: base + "widget.css",
    library: base + "vendor/socket.io.min.js",
    lang: data.lang || "", // chooseLanguage() decides
    title: data.title || "",
    titleEs: data.titleEs || "",
    emergencyNumber: data.emergencyNumber || "911",
    crisisLine: data.crisisLine || "988", // call or text: gets an sms: link in emergency guidance
    clinicPhone: data.clinicPhone || "", // offered when the assistant cannot be reached
  };
}
