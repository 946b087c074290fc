// The channel's messages, with day dividers and ephemeral ones for their owner.

import { renderBlocks } from "./blockkit.js";
import { $, ICON_EYE, ICON_HASH, fill, h, svgIcon } from "./dom.js";
import { hashText } from "./modals.js";
import { DAYS, MONTHS, cap, channelById, mrkdwn, ordinal, personName, plain, prettyDay, timeOf } from "./mrkdwn.js";
import { store } from "./store.js";

export function visibleMessages(channelId) {
  return (store.state?.messages || []).filter(
    (m) => m.channel === channelId && (!m.ephemeral_to || m.ephemeral_to === store.me),
  );
}

export function tsNumber(ts) {
  const n = parseFloat(ts);
  return Number.isFinite(n) ? n : 0;
}

function isBotMessage(m) {
  return Boolean(m.bot_id || m.app_id || m.bot_profile) || !personName(m.user);
}

function avatar(m) {
  if (isBotMessage(m)) return h("div", { class: "avatar avatar-bot", "aria-hidden": "true" }, "VT");
  const name = personName(m.user) || "?";
  return h("div", { class: "avatar avatar-person", "data-hue": hueOf(m.user), "aria-hidden": "true" }, name[0].toUpperCase());
}

export function hueOf(id) {
  return String(parseInt(hashText(String(id)), 36) % 6);
}

function renderMessage(m) {
  const bot = isBotMessage(m);
  const date = new Date(tsNumber(m.ts) * 1000);
  const ctx = {
    surface: "message",
    target: m.ts,
    uid: makeUid(m.ts),
    onAct: () => {
      store.stickToBottom = isNearBottom(); // the answer lands below: follow it if at the bottom
    },
  };
  const body = h("div", { class: "message-body" });
  if (Array.isArray(m.blocks) && m.blocks.length) body.append(renderBlocks(m.blocks, ctx));
  else body.append(h("div", { class: "bk-text" }, mrkdwn(m.text || "")));
  for (const att of Array.isArray(m.attachments) ? m.attachments : []) {
    body.append(
      h(
        "div",
        { class: "attachment", style: /^#?[0-9a-f]{6}$/i.test(att.color || "") ? `--bar:${att.color.startsWith("#") ? att.color : "#" + att.color}` : null },
        att.title ? h("div", { class: "attachment-title" }, plain(att.title)) : null,
        att.text ? h("div", { class: "bk-text" }, mrkdwn(att.text)) : null,
        Array.isArray(att.blocks) ? renderBlocks(att.blocks, ctx) : null,
      ),
    );
  }
  if (m.edited) body.append(h("span", { class: "edited", title: m.edited.ts ? "Edited " + new Date(tsNumber(m.edited.ts) * 1000).toLocaleString() : "Edited" }, "(edited)"));
  const reply = m.thread_ts && m.thread_ts !== m.ts;
  return h(
    "div",
    {
      class: "message" + (m.ephemeral_to ? " message-ephemeral" : "") + (reply ? " message-reply" : ""),
      "data-testid": "message",
      "data-ts": m.ts,
      "data-ephemeral": m.ephemeral_to ? "true" : null,
      "data-channel": m.channel,
    },
    h("div", { class: "message-gutter" }, avatar(m)),
    h(
      "div",
      { class: "message-content" },
      h(
        "div",
        { class: "message-meta" },
        h("span", { class: "message-author" }, bot ? "vpc-test" : personName(m.user)),
        bot ? h("span", { class: "app-tag" }, "APP") : null,
        h("time", { class: "message-time", datetime: date.toISOString(), title: date.toLocaleString() }, timeOf(date)),
        reply ? h("span", { class: "thread-note" }, "replied in a thread") : null,
      ),
      m.ephemeral_to
        ? h("div", { class: "ephemeral-note" }, svgIcon(ICON_EYE, 13), " Only visible to you")
        : null,
      body,
    ),
  );
}

function makeUid(prefix) {
  let n = 0;
  return () => `u-${prefix.replace(/\W/g, "")}-${n++}`;
}

function isNearBottom() {
  const box = $("messages");
  return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
}

function dayLabel(date) {
  const pretty = prettyDay(date);
  if (pretty) return cap(pretty);
  return `${DAYS[date.getDay()]}, ${MONTHS[date.getMonth()]} ${ordinal(date.getDate())}`;
}

export function renderMessages() {
  const channel = channelById(store.channel);
  const inner = $("messages-inner");
  const box = $("messages");
  const forWhom = `${store.me}|${store.channel}`;
  const rebuilt = store.renderedFor !== forWhom;
  if (rebuilt) {
    store.messageNodes = new Map();
    store.renderedFor = forWhom;
    fill(inner);
  }
  const stick = rebuilt || store.stickToBottom || isNearBottom();
  const shown = visibleMessages(store.channel);
  const nodes = [];
  nodes.push(channelIntro(channel));
  let lastDay = null;
  const seen = new Map();
  for (const m of shown) {
    const date = new Date(tsNumber(m.ts) * 1000);
    const day = date.toDateString();
    if (day !== lastDay) {
      lastDay = day;
      const label = dayLabel(date);
      const cached = store.messageNodes.get("day:" + day);
      const node = cached && cached.sig === label ? cached.node
        : h("div", { class: "day-divider" }, h("span", null, label));
      seen.set("day:" + day, { sig: label, node });
      nodes.push(node);
    }
    const sig = JSON.stringify(m);
    const cached = store.messageNodes.get(m.ts);
    let node;
    if (cached && cached.sig === sig) node = cached.node;
    else {
      node = renderMessage(m);
      if (cached && !rebuilt) node.classList.add("flash");
      else if (!rebuilt && store.lastSeen) node.classList.add("arrive");
    }
    seen.set(m.ts, { sig, node });
    nodes.push(node);
  }
  store.messageNodes = seen;
  const keep = new Set(nodes);
  for (const child of [...inner.children]) if (!keep.has(child)) child.remove();
  let cursor = inner.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
      continue;
    }
    inner.insertBefore(node, cursor);
  }
  if (stick) box.scrollTop = box.scrollHeight;
  store.stickToBottom = false;
}

const introCache = { key: "", node: null };

function channelIntro(channel) {
  const key = JSON.stringify(channel);
  if (introCache.key === key && introCache.node) return introCache.node;
  const node = h(
    "div",
    { class: "channel-intro" },
    h("div", { class: "channel-intro-icon", "aria-hidden": "true" }, svgIcon(ICON_HASH, 26)),
    h("div", { class: "channel-intro-title" }, "This is the very beginning of ", h("b", null, "#" + (channel?.name || ""))),
    h("div", { class: "channel-intro-text" }, channel?.purpose || ""),
    h(
      "div",
      { class: "channel-intro-text channel-intro-tip" },
      channel?.digest
        ? "Press “Run digest now” above to post the digest here, or type /vpc-test digest list."
        : "Type a slash command below, such as /vpc-test billing-backend, and press Enter.",
    ),
  );
  introCache.key = key;
  introCache.node = node;
  return node;
}
