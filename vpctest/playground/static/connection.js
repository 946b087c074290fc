// The state from the server (server-sent events, or GET at load) and rendering all of it.

import { $ } from "./dom.js";
import { renderMessages } from "./messages.js";
import { renderModal } from "./modals.js";
import { renderDeliveries } from "./requests.js";
import { ensureSelection, renderHeader, renderSidebar, updateSeen } from "./sidebar.js";
import { store } from "./store.js";
import { setWorld } from "./world.js";

function applyState(state) {
  if (!state || typeof state !== "object") return;
  store.state = state;
  const open = new Set((state.views || []).filter((v) => v.is_open !== false).map((v) => v.id));
  for (const id of [...store.closing]) if (!open.has(id)) store.closing.delete(id);
  renderAll();
}

export function renderAll() {
  if (!store.state) return;
  ensureSelection();
  renderMessages();
  updateSeen();
  renderSidebar();
  renderHeader();
  renderModal();
  renderDeliveries();
}

function setConnection(state, text) {
  store.connection = state;
  const node = $("connection");
  node.dataset.state = state;
  node.querySelector(".connection-text").textContent = text;
}

let source = null;
let retry = null;

export function connect() {
  if (retry) {
    clearTimeout(retry);
    retry = null;
  }
  if (source) source.close();
  source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    store.everOpen = true;
    setConnection("open", "Connected");
  });
  source.addEventListener("error", () => {
    setConnection("reconnecting", "Reconnecting to the playground…");
    if (source.readyState === EventSource.CLOSED) retry = setTimeout(connect, 2000);
  });
  source.addEventListener("state", (event) => {
    try {
      store.sseState = true;
      applyState(JSON.parse(event.data));
    } catch (error) {
      console.error("bad state event", error);
    }
  });
  source.addEventListener("world", (event) => {
    try {
      setWorld(JSON.parse(event.data));
    } catch (error) {
      console.error("bad world event", error);
    }
  });
}

export async function load() {
  try {
    const [state, world] = await Promise.all([
      fetch("/api/state").then((r) => r.json()),
      fetch("/api/world").then((r) => r.json()),
    ]);
    if (!store.sseState) applyState(state);
    if (!store.world) setWorld(world);
  } catch {
    /* the event stream brings it when the server answers */
  }
}
