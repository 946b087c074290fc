// Modals: the person's topmost open view, its inputs, submit and close.

import { hideBanner, post, report } from "./api.js";
import { renderBlocks } from "./blockkit.js";
import { $, fill, h } from "./dom.js";
import { plain } from "./mrkdwn.js";
import { store } from "./store.js";

export function hashText(text) {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0).toString(36);
}

function myView() {
  const views = (store.state?.views || []).filter(
    (v) => v.user === store.me && v.is_open !== false && !store.closing.has(v.id),
  );
  return views.length ? views[views.length - 1] : null;
}

export function renderModal() {
  const layer = $("modal-layer");
  const view = myView();
  if (!view) {
    if (store.modal) {
      store.modal = null;
      fill(layer);
      layer.hidden = true;
    }
    return;
  }
  const key = view.id + "|" + hashText(JSON.stringify([view.blocks, view.title, view.submit, view.close]));
  if (store.modal && store.modal.key === key) {
    if (layer.firstChild !== store.modal.node) fill(layer, store.modal.node);
    layer.hidden = false;
    return;
  }
  const carry = new Map();
  if (store.modal && store.modal.viewId === view.id) {
    for (const [blockId, input] of store.modal.inputs) {
      carry.set(blockId, { actionId: input.actionId, type: input.type, value: input.value() });
    }
  }
  let n = 0;
  const ctx = {
    surface: "modal",
    target: view.id,
    inputs: new Map(),
    carry,
    uid: () => `m-${view.id}-${n++}`,
  };
  const errorNode = h("div", { class: "modal-error-slot" }); // holds [data-testid=modal-error] when there is one
  const close = () => closeModal(view.id);
  const submitBtn = view.submit
    ? h("button", { type: "submit", class: "btn btn-primary", "data-testid": "modal-submit" }, plain(view.submit))
    : null;
  const form = h(
    "form",
    {
      class: "dialog modal",
      "data-testid": "modal",
      "data-view-id": view.id,
      "data-callback-id": view.callback_id || null,
      role: "dialog",
      "aria-modal": "true",
      "aria-label": plain(view.title),
      novalidate: true,
    },
    h(
      "div",
      { class: "dialog-header" },
      view.previous_view_id ? h("span", { class: "modal-stack", title: "A view stacked on another" }, "‹") : null,
      h("span", { class: "modal-app-icon", "aria-hidden": "true" }, "VT"),
      h("h2", { class: "dialog-title" }, plain(view.title)),
      h("button", { type: "button", class: "dialog-x", "aria-label": "Close", title: "Close", onclick: close }, "×"),
    ),
    errorNode,
    h("div", { class: "dialog-body modal-body" }, renderBlocks(view.blocks, ctx)),
    h(
      "div",
      { class: "dialog-footer" },
      h("button", { type: "button", class: "btn", "data-testid": "modal-close", onclick: close },
        plain(view.close) || "Cancel"),
      submitBtn,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (submitBtn) submitModal(view, ctx, submitBtn);
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  store.modal = { key, viewId: view.id, node: form, inputs: ctx.inputs, errorNode };
  fill(layer, form);
  layer.hidden = false;
  const focus = form.querySelector("[data-autofocus]") || form.querySelector("textarea, input, select");
  if (focus && !carry.size) setTimeout(() => focus.focus(), 0);
}


function showInputErrors(errors) {
  if (!store.modal) return;
  for (const [blockId, input] of store.modal.inputs) {
    const text = errors?.[blockId];
    fill(input.error, text ? h("div", { class: "bk-input-error", "data-testid": "input-error", role: "alert" }, text) : null);
    input.error.closest(".bk-input")?.classList.toggle("has-error", Boolean(text));
  }
}

async function submitModal(view, ctx, button) {
  const values = {};
  for (const [blockId, input] of ctx.inputs) values[blockId] = input.get();
  button.disabled = true;
  button.classList.add("is-busy");
  const result = await post("/api/submit", { user: store.me, view_id: view.id, values });
  button.disabled = false;
  button.classList.remove("is-busy");
  const errors = result.data?.errors;
  if (result.status >= 400 && result.error) {
    // Slack's client refuses before sending: name the input when the sentence does
    const named = /input '([^']+)'/.exec(result.error);
    showInputErrors(named ? { [named[1]]: inputSentence(result.error) } : {});
  } else {
    showInputErrors(errors || {});
  }
  report(result, true);
}

function inputSentence(error) {
  if (/is required/.test(error)) return "Please complete this required field.";
  if (/shorter than min_length/.test(error)) return "This is too short.";
  if (/longer than max_length/.test(error)) return "This is too long.";
  return error;
}

async function closeModal(viewId) {
  store.closing.add(viewId);
  renderModal();
  const result = await post("/api/close", { user: store.me, view_id: viewId });
  if (!result.ok && result.status !== 404) {
    store.closing.delete(viewId);
    renderModal();
    report(result, true);
    return;
  }
  if (result.ok) hideBanner();
}
