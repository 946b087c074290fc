// Talking to the playground's server, and where a refusal is shown: the banner above the
// composer, and the open modal's error line.

import { $, fill, h } from "./dom.js";
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

function showBanner(text) {
  $("delivery-error-text").textContent = text;
  $("delivery-error").hidden = false;
}

export function hideBanner() {
  $("delivery-error").hidden = true;
  $("delivery-error-text").textContent = "";
}

function showModalError(text) {
  const node = store.modal?.errorNode;
  if (!node) return;
  fill(node, text ? h("div", { class: "modal-error", "data-testid": "modal-error", role: "alert" }, text) : null);
}
