// The composer: slash commands, their suggestions and history.

import { post, report } from "./api.js";
import { $, fill, h } from "./dom.js";
import { SLASH, store } from "./store.js";

function showHint(content) {
  const hint = $("composer-hint");
  fill(hint, content);
  hint.hidden = false;
}

export function hideHint() {
  $("composer-hint").hidden = true;
}

export async function send() {
  const input = $("composer");
  const raw = input.value.trim();
  if (!raw) return;
  const m = /^\/vpc-test(?:\s+([\s\S]*))?$/i.exec(raw);
  if (!m) {
    showHint(h("span", null,
      raw.startsWith("/")
        ? ["Only ", h("code", null, "/vpc-test"), " is installed in this workspace. Try ", exampleChip("/vpc-test help"), "."]
        : ["This playground sends slash commands only: start with ", h("code", null, "/vpc-test"), ", e.g. ", exampleChip("/vpc-test billing-backend"), "."]));
    return;
  }
  hideHint();
  store.history.push(raw);
  store.historyAt = -1;
  input.value = "";
  updateSuggest();
  const btn = $("composer-send");
  btn.disabled = true;
  store.stickToBottom = true;
  const result = await post("/api/slash", { user: store.me, channel: store.channel, text: (m[1] || "").trim() });
  btn.disabled = false;
  if (result.status === 0 || (result.status >= 400 && !result.data?.delivery)) {
    if (!input.value) input.value = raw;
  }
  store.stickToBottom = true;
  report(result);
}

export function exampleChip(text) {
  return h("button", {
    type: "button",
    class: "chip",
    "data-example": text,
    onclick: () => {
      const input = $("composer");
      input.value = text;
      hideHint();
      updateSuggest();
      input.focus();
    },
  }, text);
}

export function updateSuggest() {
  const input = $("composer");
  const value = input.value;
  let box = document.querySelector(".suggest");
  const show = value.startsWith("/") && SLASH.startsWith(value.toLowerCase()) && value.length < SLASH.length;
  if (!show) {
    box?.remove();
    return;
  }
  if (box) return;
  box = h(
    "button",
    {
      type: "button",
      class: "suggest",
      onmousedown: (event) => event.preventDefault(),
      onclick: () => {
        input.value = SLASH + " ";
        updateSuggest();
        input.focus();
      },
    },
    h("span", { class: "suggest-cmd" }, SLASH),
    h("span", { class: "suggest-args" }, "[authorization | all | list | digest … | help]"),
    h("span", { class: "suggest-app" }, "vpc-test"),
  );
  $("composer-form").append(box);
}
