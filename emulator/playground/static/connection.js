// The state from the server (server-sent events) and wiring the page up.

import { hideBanner, post, report } from "./api.js";
import { closeMenus } from "./blockkit.js";
import { exampleChip, hideHint, send, updateSuggest } from "./composer.js";
import { $ } from "./dom.js";
import { renderMessages } from "./messages.js";
import { renderModal } from "./modals.js";
import { renderDeliveries, selectTab } from "./requests.js";
import { ensureSelection, renderHeader, renderSidebar, restartBot, selectUser, updateSeen } from "./sidebar.js";
import { EXAMPLES, SLASH, store } from "./store.js";
import { setWorld } from "./world.js";

export function applyState(state) {
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

export function setConnection(state, text) {
  store.connection = state;
  const node = $("connection");
  node.dataset.state = state;
  node.querySelector(".connection-text").textContent = text;
}

export let source = null;
export let retry = null;

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

export function wire() {
  $("composer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  const input = $("composer");
  input.addEventListener("input", () => {
    hideHint();
    updateSuggest();
  });
  input.addEventListener("keydown", (event) => {
    const suggesting = document.querySelector(".suggest");
    if (suggesting && (event.key === "Tab" || event.key === "Enter")) {
      event.preventDefault();
      input.value = SLASH + " ";
      updateSuggest();
      return;
    }
    if (event.key === "ArrowUp" && (!input.value || store.historyAt >= 0) && store.history.length) {
      event.preventDefault();
      store.historyAt = store.historyAt < 0 ? store.history.length - 1 : Math.max(0, store.historyAt - 1);
      input.value = store.history[store.historyAt];
    } else if (event.key === "ArrowDown" && store.historyAt >= 0) {
      event.preventDefault();
      store.historyAt += 1;
      if (store.historyAt >= store.history.length) {
        store.historyAt = -1;
        input.value = "";
      } else input.value = store.history[store.historyAt];
    } else if (event.key === "Escape") {
      hideHint();
    }
  });
  const help = $("composer-help");
  EXAMPLES.forEach((text, i) => help.append(i ? " " : " ", exampleChip(text)));
  $("delivery-error-dismiss").addEventListener("click", hideBanner);
  $("identity").addEventListener("change", (event) => selectUser(event.target.value));
  $("bot-restart").addEventListener("click", restartBot);
  $("tab-cloud").addEventListener("click", () => selectTab("cloud"));
  $("tab-requests").addEventListener("click", () => selectTab("requests"));
  $("run-digest").addEventListener("click", async (event) => {
    const btn = event.currentTarget;
    btn.disabled = true;
    btn.classList.add("is-busy");
    store.stickToBottom = true;
    const result = await post("/api/digest/run", { user: store.me });
    btn.disabled = false;
    btn.classList.remove("is-busy");
    report(result);
  });
  $("messages").addEventListener("scroll", closeMenus, { passive: true });
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(".menu")) closeMenus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeMenus();
  });
  window.addEventListener("resize", closeMenus);
}
