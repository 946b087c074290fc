// Talking to the playground's server, and the banner that reports what went wrong.

import { pendingKey, setBusy, setPending } from "./blockkit.js";
import { confirmDialog } from "./confirm.js";
import { $ } from "./dom.js";
import { isNearBottom } from "./messages.js";
import { showModalError } from "./modals.js";
import { store } from "./store.js";

export async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { ok: false, status: 0, data: null, error: `Could not reach the playground server (${error.message}). Is vpc-test playground still running?` };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const why = data && typeof data.error === "string" ? data.error : `HTTP ${response.status} ${response.statusText}`;
    return { ok: false, status: response.status, data, error: why };
  }
  const deliveryError = data?.delivery?.error;
  return { ok: !deliveryError, status: response.status, data, error: deliveryError || null };
}

/** A person acts on an element: confirm first when it asks, then POST /api/click. */
export async function act(ctx, el, block, value, control) {
  if (el.confirm) {
    const yes = await confirmDialog(el.confirm);
    if (!yes) return;
  }
  const key = pendingKey(ctx, el, block);
  setPending(key, true);
  if (control) setBusy(control, true);
  const body = { user: store.me, target: ctx.target, action_id: el.action_id, block_id: block.block_id ?? null };
  if (value !== undefined && value !== null) body.value = String(value);
  if (ctx.surface === "message") store.stickToBottom = isNearBottom();
  const result = await post("/api/click", body);
  setPending(key, false);
  if (control && control.isConnected) setBusy(control, false);
  report(result, ctx.surface === "modal");
}

/** Show a failed action's sentence (banner, and the modal's error line), or clear them. */
export function report(result, fromModal = false) {
  if (result.error) {
    showBanner(result.error);
    if (fromModal) showModalError(result.error);
  } else {
    hideBanner();
    if (fromModal) showModalError(null);
  }
}

export function showBanner(text) {
  $("delivery-error-text").textContent = text;
  $("delivery-error").hidden = false;
}

export function hideBanner() {
  $("delivery-error").hidden = true;
  $("delivery-error-text").textContent = "";
}
