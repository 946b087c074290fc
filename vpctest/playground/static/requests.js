// The Requests tab: what was sent to the bot, and what Slack would have refused.

import { $, fill, h } from "./dom.js";
import { personName } from "./mrkdwn.js";
import { ACK_DEADLINE_MS, store } from "./store.js";

const KINDS = {
  slash_command: "slash",
  block_actions: "click",
  view_submission: "submit",
  view_closed: "close",
  event: "event",
};

// What the bot sent that Slack would have refused (Block Kit limits, text too long): a bot bug.
function renderRefused() {
  const refused = store.state?.refused || [];
  const box = $("refused");
  const sig = JSON.stringify(refused);
  if (box.dataset.sig === sig) return;
  box.dataset.sig = sig;
  box.hidden = refused.length === 0;
  fill(
    box,
    h("div", { class: "refused-title" },
      `Slack would have refused ${refused.length} payload${refused.length === 1 ? "" : "s"} the bot sent`),
    ...refused.map((r) =>
      h("div", { class: "refused-item", "data-testid": "refused-item" },
        h("code", null, r.method), " → ", h("b", null, r.error),
        h("ul", null, ...(r.messages || []).map((m) => h("li", null, m))),
      ),
    ),
  );
}

export function renderDeliveries() {
  renderRefused();
  const deliveries = store.state?.deliveries || [];
  const list = $("deliveries");
  const scroller = $("requests-body");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 60;
  const known = list.dataset.sig;
  const sig = JSON.stringify(deliveries);
  if (known !== sig) {
    list.dataset.sig = sig;
    if (!deliveries.length) {
      fill(list, h("div", { class: "empty" }, "Nothing sent yet. Run a command: its request shows here."));
    } else {
      fill(list, ...deliveries.map(deliveryRow));
    }
    if (atBottom || !known) scroller.scrollTop = scroller.scrollHeight;
  }
  const bad = deliveries.filter((d) => d.late || !d.ok).length + (store.state?.refused || []).length;
  const badge = $("requests-badge");
  badge.hidden = deliveries.length === 0;
  badge.textContent = bad ? `${bad} ⚠` : String(deliveries.length);
  badge.classList.toggle("bad", bad > 0);
}

function deliveryRow(d) {
  const flagged = d.late || !d.ok;
  const who = personName(d.user) || d.user;
  const ms = typeof d.elapsed_ms === "number" ? d.elapsed_ms : null;
  const pct = ms === null ? 0 : Math.min(100, (ms / ACK_DEADLINE_MS) * 100);
  return h(
    "div",
    {
      class: "delivery" + (flagged ? " bad" : ""),
      "data-testid": "delivery",
      "data-id": d.id,
      "data-kind": d.kind,
      "data-ok": d.ok ? "true" : "false",
      "data-late": d.late ? "true" : "false",
    },
    h(
      "div",
      { class: "delivery-top" },
      h("span", { class: "kind-badge kind-" + (KINDS[d.kind] || "other") }, KINDS[d.kind] || d.kind),
      h("span", { class: "delivery-summary", title: d.summary }, d.summary),
      h("span", { class: "delivery-status" + (d.status >= 200 && d.status < 300 ? "" : " bad") },
        d.status ? `HTTP ${d.status}` : "no answer"),
    ),
    h(
      "div",
      { class: "delivery-meta" },
      h("span", null, `by ${who}`),
      h(
        "span",
        { class: "elapsed" + (d.late ? " late" : ""), title: "Slack waits 3 s for the acknowledgement" },
        h("span", { class: "elapsed-bar" }, h("span", { class: "elapsed-fill", style: `width:${pct}%` })),
        ms === null ? "—" : `${ms} ms`,
        d.late ? h("b", null, " · late (over 3 s)") : null,
      ),
    ),
    d.error ? h("div", { class: "delivery-error-text" }, d.error) : null,
  );
}

export function selectTab(tab) {
  store.tab = tab;
  $("tab-cloud").setAttribute("aria-selected", String(tab === "cloud"));
  $("tab-requests").setAttribute("aria-selected", String(tab === "requests"));
  $("cloud-body").hidden = tab !== "cloud";
  $("requests-body").hidden = tab !== "requests";
  if (tab === "cloud") $("tab-cloud").classList.remove("has-news");
  if (tab === "requests") $("requests-body").scrollTop = $("requests-body").scrollHeight;
}
