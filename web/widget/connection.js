/*
 * The chat widget's connection to the Rasa server's socket.io channel: loads the vendored socket.io
 * client, makes the socket, and reports what happens as events for the state machine (state.js), which
 * decides what to do. It keeps no state of its own besides the socket.
 */

import { EVENTS, RECONNECTION_DELAY_MAX_MS } from "./constants.js";

/**
 * url: the Rasa server; path: the socket.io path; library: the URL of the vendored socket.io client;
 * onEvent(event): each event for the state machine ({type: "libraryReady"}, {type: "connected"}, ...).
 * The methods carry out the state machine's effects: loadLibrary, openSocket, reconnect, emit.
 */
export function createConnection({ url, path, library, onEvent }) {
  let io = null; // the socket.io client's io()
  let socket = null;

  // Loads the vendored client as a classic script (it is not a module). A page that has its own
  // window.io keeps it.
  function loadLibrary() {
    const previousIo = window.io;
    const tag = document.createElement("script");
    tag.src = library;
    tag.async = true;
    tag.onload = () => {
      const loaded = window.io;
      if (previousIo !== undefined) {
        window.io = previousIo;
      }
      if (typeof loaded !== "function") {
        onEvent({ type: "libraryFailed", reason: "noLibrary" });
        return;
      }
      io = loaded;
      onEvent({ type: "libraryReady" });
    };
    tag.onerror = () => onEvent({ type: "libraryFailed", reason: "noStart" });
    document.head.appendChild(tag);
  }

  function openSocket() {
    socket = io(url, { path, reconnectionDelayMax: RECONNECTION_DELAY_MAX_MS });
    socket.io.on("reconnect_attempt", () => onEvent({ type: "reconnectAttempt" }));
    socket.on("connect", () => onEvent({ type: "connected" }));
    socket.on(EVENTS.sessionConfirm, (reply) => onEvent({ type: "sessionConfirmed", reply }));
    socket.on(EVENTS.botUttered, (reply) => onEvent({ type: "botUttered", reply }));
    socket.on("disconnect", (reason) => onEvent({ type: "disconnected", reason }));
    socket.on("connect_error", () => onEvent({ type: "connectError" }));
  }

  // Tries now rather than at the end of socket.io's back-off.
  function reconnect() {
    socket.disconnect();
    socket.connect();
  }

  function emit(event, data) {
    socket.emit(event, data);
  }

  return { loadLibrary, openSocket, reconnect, emit };
}
