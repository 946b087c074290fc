// The confirm dialog of a button that carries a `confirm` object.

import { $, fill, h } from "./dom.js";
import { plain, textObject } from "./mrkdwn.js";

export function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $("confirm-layer");
    const finish = (answer) => {
      document.removeEventListener("keydown", onKey, true);
      layer.hidden = true;
      fill(layer);
      resolve(answer);
    };
    const onKey = (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        finish(false);
      }
    };
    const ok = h(
      "button",
      {
        type: "button",
        class: "btn " + (confirm.style === "danger" ? "btn-danger" : "btn-primary"),
        "data-testid": "confirm-ok",
        onclick: () => finish(true),
      },
      plain(confirm.confirm) || "Yes",
    );
    const dialog = h(
      "div",
      { class: "dialog confirm", "data-testid": "confirm", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "confirm-title" },
      h("div", { class: "dialog-header" }, h("h2", { class: "dialog-title", id: "confirm-title" }, plain(confirm.title) || "Are you sure?")),
      h("div", { class: "dialog-body" }, confirm.text ? textObject(confirm.text) : null),
      h(
        "div",
        { class: "dialog-footer" },
        h("button", { type: "button", class: "btn", "data-testid": "confirm-cancel", onclick: () => finish(false) },
          plain(confirm.deny) || "Cancel"),
        ok,
      ),
    );
    fill(layer, dialog);
    layer.hidden = false;
    layer.onclick = (event) => {
      if (event.target === layer) finish(false);
    };
    document.addEventListener("keydown", onKey, true);
    ok.focus();
  });
}
