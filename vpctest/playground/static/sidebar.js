// The sidebar (channels, who you are, the bot's status) and the channel header.

import { hideBanner, post, report } from "./api.js";
import { hideHint } from "./composer.js";
import { $, fill, h } from "./dom.js";
import { hueOf, tsNumber, visibleMessages } from "./messages.js";
import { channelById } from "./mrkdwn.js";
import { hooks, store, writeLocal } from "./store.js";

export function ensureSelection() {
  const people = store.state?.people || [];
  const channels = store.state?.channels || [];
  if (!people.some((p) => p.id === store.me)) store.me = people[0]?.id ?? null;
  if (!channels.some((c) => c.id === store.channel)) store.channel = channels[0]?.id ?? null;
}

function maxTs(channelId) {
  let max = 0;
  for (const m of visibleMessages(channelId)) max = Math.max(max, tsNumber(m.ts));
  return max;
}

export function updateSeen() {
  const channels = store.state?.channels || [];
  if (!store.lastSeen) {
    store.lastSeen = {};
    for (const c of channels) store.lastSeen[c.id] = maxTs(c.id);
  }
  if (store.channel) store.lastSeen[store.channel] = Math.max(store.lastSeen[store.channel] ?? 0, maxTs(store.channel));
}

export function renderSidebar() {
  const state = store.state;
  $("workspace-name").textContent = state.team?.name || "Playground";
  const list = $("channel-list");
  let unreadTotal = 0;
  const items = (state.channels || []).map((c) => {
    const unread = c.id !== store.channel && maxTs(c.id) > (store.lastSeen?.[c.id] ?? 0);
    if (unread) unreadTotal++;
    return h(
      "li",
      null,
      h(
        "a",
        {
          href: "#",
          class: "channel-link" + (c.id === store.channel ? " active" : "") + (unread ? " unread" : ""),
          "data-testid": "channel",
          "data-channel": c.id,
          "data-unread": unread ? "true" : null,
          "aria-current": c.id === store.channel ? "page" : null,
          title: c.purpose || "",
          onclick: (event) => {
            event.preventDefault();
            selectChannel(c.id);
          },
        },
        h("span", { class: "channel-hash" }, "#"),
        h("span", { class: "channel-name" }, c.name),
        unread ? h("span", { class: "unread-dot", "data-testid": "unread", "aria-label": "new messages" }) : null,
      ),
    );
  });
  fill(list, ...items);
  document.title = (unreadTotal ? `(${unreadTotal}) ` : "") + "vpc-test playground";

  const select = $("identity");
  const wanted = JSON.stringify(state.people);
  if (select.dataset.people !== wanted) {
    fill(select, 
      ...(state.people || []).map((p) => h("option", { value: p.id }, `${p.name} — ${p.role}`)),
    );
    select.dataset.people = wanted;
  }
  select.value = store.me || "";
  const me = (state.people || []).find((p) => p.id === store.me);
  const av = $("identity-avatar");
  av.textContent = me ? me.name[0].toUpperCase() : "?";
  av.dataset.hue = hueOf(store.me);
  $("identity-title").textContent = me ? `${me.real_name || me.name}: ${me.title || me.role}` : "";
  renderBot();
}

function renderBot() {
  const bot = store.state?.bot || { status: "starting" };
  const box = $("bot-status");
  box.dataset.status = bot.status;
  const words = {
    starting: "starting…",
    up: "up",
    down: "down",
    external: "external (--bot-url)",
  };
  box.querySelector(".bot-status-text").textContent = words[bot.status] || bot.status;
  box.title = bot.url ? `The bot's events URL: ${bot.url}` : "";
  const detail = $("bot-status-detail");
  const text = bot.detail ? String(bot.detail) : "";
  detail.hidden = !(bot.status === "down" && text);
  detail.textContent = bot.status === "down" ? text : "";
  const restart = $("bot-restart");
  restart.hidden = !(bot.managed && bot.status === "down");

  const banner = $("bot-down");
  if (bot.status === "down") {
    const [first, ...rest] = text.split("\n");
    fill(banner, 
      h("div", { class: "bot-down-main" },
        h("span", { class: "bot-down-icon", "aria-hidden": "true" }, "⛔"),
        h("span", null, h("b", null, "The bot is down: "), first || "it is not running."),
        bot.managed
          ? h("button", { type: "button", class: "btn btn-small btn-danger", "data-testid": "bot-restart-banner", onclick: restartBot }, "Restart bot")
          : null),
      rest.length ? h("details", { class: "bot-down-log" }, h("summary", null, "What it logged"), h("pre", null, rest.join("\n"))) : null,
    );
    banner.hidden = false;
  } else {
    banner.hidden = true;
    fill(banner);
  }
}

export async function restartBot() {
  for (const b of [$("bot-restart"), document.querySelector("[data-testid=bot-restart-banner]")]) if (b) b.disabled = true;
  const result = await post("/api/bot/restart", {});
  for (const b of [$("bot-restart"), document.querySelector("[data-testid=bot-restart-banner]")]) if (b) b.disabled = false;
  if (result.data?.bot && store.state) {
    store.state.bot = result.data.bot;
    renderBot();
  }
  report(result);
}

export function renderHeader() {
  const channel = channelById(store.channel);
  fill($("channel-title"), h("span", { class: "channel-title-hash" }, "#"), channel?.name || "");
  const purpose = $("channel-purpose");
  const digest = store.state?.digest?.id;
  fill(purpose, 
    channel?.purpose || "",
    channel?.digest && digest ? h("span", { class: "digest-id" }, " · digest ", h("code", null, digest)) : null,
  );
  $("run-digest").hidden = !channel?.digest;
}

export function selectChannel(id) {
  if (!channelById(id)) return;
  store.channel = id;
  writeLocal("pg.channel", id);
  hideHint();
  hooks.renderAll();
  $("composer").focus();
}

export function selectUser(id) {
  if (store.modal) store.parkedModals.set(store.me, store.modal);
  store.modal = store.parkedModals.get(id) || null;
  store.parkedModals.delete(id);
  fill($("modal-layer"));
  $("modal-layer").hidden = true;
  store.me = id;
  writeLocal("pg.user", id);
  hideBanner();
  hooks.renderAll();
}
