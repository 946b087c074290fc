// The playground page: plays Slack's client for the vpc-test bot (docs/playground.md).
// Plain ES module, no framework, no build step. Everything the bot sends is untrusted: the page
// builds DOM nodes and sets textContent; it never puts the bot's text into innerHTML.

"use strict";

const SLASH = "/vpc-test";
const EXAMPLES = ["/vpc-test help", "/vpc-test list", "/vpc-test billing-backend", "/vpc-test all"];
const ACK_DEADLINE_MS = 3000;

// --- the page's memory ---------------------------------------------------------------------------

const store = {
  state: null,
  world: null,
  prevWorld: null,
  baselineRules: null, // identities of the security-group rules the world had when loaded
  knownPorts: new Map(), // instance id -> Set of ports it ever listened on (to offer "listen")
  me: readLocal("pg.user"),
  channel: readLocal("pg.channel"),
  tab: "cloud",
  lastSeen: null, // channel id -> highest ts seen there
  pending: new Set(), // keys of interactive elements whose request is in flight
  closing: new Set(), // view ids closed here, until the state says so
  worldErrors: {}, // section key -> sentence from a refused op
  drafts: {}, // world form field key -> typed value
  modal: null, // {key, viewId, node, inputs: Map, errorNode}
  parkedModals: new Map(), // user id -> their modal while someone else is "you" (typed text kept)
  messageNodes: new Map(), // ts -> {sig, node}
  renderedFor: "", // user|channel the message list was built for
  stickToBottom: true,
  connection: "reconnecting",
  everOpen: false,
  sseState: false, // a state came over SSE: GET answers no longer apply
  history: [],
  historyAt: -1,
};

function readLocal(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeLocal(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts until reload */
  }
}

const $ = (id) => document.getElementById(id);

// --- DOM helpers -----------------------------------------------------------------------------------

const PROPS = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "type"]);

/** h("div", {class: "x", "data-testid": "y", onclick: fn}, child, [children], "text") */
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (PROPS.has(key)) node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Replace a node's children (null, false and undefined are skipped, unlike replaceChildren). */
function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.append(child);
    else node.append(document.createTextNode(String(child)));
  }
  return node;
}

function svgIcon(path, size = 14) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  p.setAttribute("fill", "currentColor");
  svg.append(p);
  return svg;
}

const ICON_EYE =
  "M10 4C5.5 4 2.3 7.3 1 10c1.3 2.7 4.5 6 9 6s7.7-3.3 9-6c-1.3-2.7-4.5-6-9-6zm0 10a4 4 0 1 1 0-8 4 4 0 0 1 0 8zm0-6.3a2.3 2.3 0 1 0 0 4.6 2.3 2.3 0 0 0 0-4.6z";
const ICON_HASH =
  "M7.5 2 6.8 6H3.5v1.8h3l-.6 4.4H2.5V14h3.1l-.7 4h1.9l.7-4h4.3l-.7 4h1.9l.7-4h3.3v-1.8h-3l.6-4.4h3.4V6h-3.1l.7-4h-1.9l-.7 4H8.1l.7-4H7.5zm.3 5.8h4.4l-.6 4.4H7.2l.6-4.4z";

// --- emoji and mrkdwn -------------------------------------------------------------------------------

const EMOJI = {
  white_check_mark: "✅", x: "❌", warning: "⚠️", large_green_circle: "🟢", red_circle: "🔴",
  grey_question: "❔", grey_exclamation: "❕", question: "❓", exclamation: "❗",
  heavy_exclamation_mark: "❗", hourglass_flowing_sand: "⏳", hourglass: "⌛", wrench: "🔧",
  arrows_counterclockwise: "🔄", lock: "🔒", unlock: "🔓", closed_lock_with_key: "🔐", key: "🔑",
  mag: "🔍", mag_right: "🔎", heavy_check_mark: "✔️", ballot_box_with_check: "☑️", no_entry: "⛔",
  no_entry_sign: "🚫", clipboard: "📋", bell: "🔔", no_bell: "🔕", white_circle: "⚪",
  large_yellow_circle: "🟡", large_orange_circle: "🟠", large_blue_circle: "🔵",
  large_purple_circle: "🟣", black_circle: "⚫", information_source: "ℹ️", gear: "⚙️",
  clock3: "🕒", clock9: "🕘", alarm_clock: "⏰", stopwatch: "⏱️", timer_clock: "⏲️",
  leftwards_arrow_with_hook: "↩️", arrow_right_hook: "↪️", rotating_light: "🚨", new: "🆕",
  heavy_minus_sign: "➖", heavy_plus_sign: "➕", heavy_multiplication_x: "✖️",
  arrow_right: "➡️", arrow_left: "⬅️", arrow_up: "⬆️", arrow_down: "⬇️", arrow_forward: "▶️",
  repeat: "🔁", recycle: "♻️", tada: "🎉", rocket: "🚀", eyes: "👀", "+1": "👍",
  thumbsup: "👍", "-1": "👎", thumbsdown: "👎", fire: "🔥", bulb: "💡", link: "🔗",
  calendar: "📅", date: "📅", spiral_calendar_pad: "🗓️", zap: "⚡", shield: "🛡️",
  globe_with_meridians: "🌐", cloud: "☁️", satellite: "📡", construction: "🚧", broom: "🧹",
  pushpin: "📌", memo: "📝", pencil: "📝", pencil2: "✏️", page_facing_up: "📄",
  bar_chart: "📊", chart_with_upwards_trend: "📈", chart_with_downwards_trend: "📉",
  robot_face: "🤖", sparkles: "✨", checkered_flag: "🏁", package: "📦",
  hammer_and_wrench: "🛠️", hammer: "🔨", stop_sign: "🛑", octagonal_sign: "🛑",
  white_large_square: "⬜", black_large_square: "⬛", small_blue_diamond: "🔹",
  small_orange_diamond: "🔸", large_blue_diamond: "🔷", bookmark: "🔖", books: "📚",
  inbox_tray: "📥", outbox_tray: "📤", email: "📧", envelope: "✉️", speech_balloon: "💬",
  thinking_face: "🤔", slightly_smiling_face: "🙂", smile: "😄", wave: "👋", ok: "🆗",
  sos: "🆘", heavy_dollar_sign: "💲", moneybag: "💰", busts_in_silhouette: "👥",
  bust_in_silhouette: "👤", point_right: "👉", point_left: "👈", raised_hand: "✋",
  white_flag: "🏳️", triangular_flag_on_post: "🚩", dart: "🎯", trophy: "🏆",
  electric_plug: "🔌", computer: "💻", desktop_computer: "🖥️", floppy_disk: "💾",
  file_folder: "📁", open_file_folder: "📂", card_index: "📇", label: "🏷️", scroll: "📜",
  skull: "💀", boom: "💥", ghost: "👻", see_no_evil: "🙈", sunny: "☀️", zzz: "💤",
  arrows_clockwise: "🔃", twisted_rightwards_arrows: "🔀", left_right_arrow: "↔️",
  arrow_up_down: "↕️", heavy_check: "✔️", checkmark: "✔️", wastebasket: "🗑️",
  door: "🚪", traffic_light: "🚥", vertical_traffic_light: "🚦", building_construction: "🏗️",
};

function emojify(text) {
  return text.replace(/:([a-z0-9_+'-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

function decodeEntities(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Plain text as the person reads it: Slack's three entities decoded, shortcodes as emoji. */
function plain(obj) {
  if (!obj) return "";
  if (typeof obj === "string") return obj;
  const text = String(obj.text ?? "");
  return obj.type === "mrkdwn" || obj.emoji !== false ? emojify(text) : text;
}

/** Slack mrkdwn as DOM nodes (a DocumentFragment). */
function mrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text ?? "").split("```");
  if (parts.length % 2 === 0) {
    // an unclosed ``` is text
    const last = parts.pop();
    parts[parts.length - 1] += "```" + last;
  }
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      frag.append(h("pre", { class: "mk-pre" }, decodeEntities(part.replace(/^\n/, ""))));
      return;
    }
    let chunk = part;
    if (i > 0) chunk = chunk.replace(/^\n/, "");
    if (i < parts.length - 1) chunk = chunk.replace(/\n$/, "");
    if (chunk) frag.append(mrkdwnLines(chunk));
  });
  return frag;
}

function mrkdwnLines(text) {
  const frag = document.createDocumentFragment();
  const lines = text.split("\n");
  let quote = null;
  let first = true;
  for (const line of lines) {
    const q = /^(?:&gt;|>)\s?(.*)$/.exec(line);
    if (q) {
      if (!quote) {
        quote = h("blockquote", { class: "mk-quote" });
        frag.append(quote);
      } else {
        quote.append(h("br"));
      }
      quote.append(inline(q[1]));
      first = true;
      continue;
    }
    quote = null;
    if (!first) frag.append(h("br"));
    frag.append(inline(line));
    first = false;
  }
  return frag;
}

const EMPHASIS = [
  { re: /(?<![\w*])\*(?=\S)([^\n]*?\S)?\*(?![\w*])/, tag: "b" },
  { re: /(?<![\w_])_(?=\S)([^\n]*?\S)?_(?!\w)/, tag: "i" },
  { re: /(?<![\w~])~(?=\S)([^\n]*?\S)?~(?![\w~])/, tag: "s" },
];
const TOKEN_BASE = 0xe000;

/** One line: `code` and <entities> are set aside first, then *bold*, _italic_, ~strike~. */
function inline(line) {
  const tokens = [];
  const marked = line.replace(/`([^`\n]+)`|<([^<>\n]+)>/g, (whole, code, entity) => {
    if (tokens.length >= 6000) return whole;
    tokens.push(code !== undefined ? { code } : { entity });
    return String.fromCharCode(TOKEN_BASE + tokens.length - 1);
  });
  const frag = document.createDocumentFragment();
  append(frag, emphasis(marked, tokens));
  return frag;
}

function emphasis(text, tokens) {
  let best = null;
  for (const rule of EMPHASIS) {
    const m = rule.re.exec(text);
    if (m && m[1] !== undefined && (!best || m.index < best.m.index)) best = { m, rule };
  }
  if (!best) return textWithTokens(text, tokens);
  const { m, rule } = best;
  return [
    ...textWithTokens(text.slice(0, m.index), tokens),
    h(rule.tag, null, emphasis(m[1], tokens)),
    ...emphasis(text.slice(m.index + m[0].length), tokens),
  ];
}

function textWithTokens(text, tokens) {
  const out = [];
  let buffer = "";
  for (const ch of text) {
    const code = ch.charCodeAt(0) - TOKEN_BASE;
    if (code >= 0 && code < tokens.length) {
      if (buffer) out.push(document.createTextNode(emojify(decodeEntities(buffer))));
      buffer = "";
      const token = tokens[code];
      out.push(
        token.code !== undefined
          ? h("code", { class: "mk-code" }, decodeEntities(token.code))
          : entity(token.entity),
      );
    } else {
      buffer += ch;
    }
  }
  if (buffer) out.push(document.createTextNode(emojify(decodeEntities(buffer))));
  return out;
}

function personName(id) {
  const person = (store.state?.people || []).find((p) => p.id === id);
  if (person) return person.name;
  if (id === store.state?.bot?.user_id) return "vpc-test";
  return null;
}

function channelById(id) {
  return (store.state?.channels || []).find((c) => c.id === id) || null;
}

function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

/** <@U…>, <#C…|name>, <!here>, <!date^…|fallback>, <url|text> */
function entity(body) {
  const bar = body.indexOf("|");
  const target = bar >= 0 ? body.slice(0, bar) : body;
  const label = bar >= 0 ? decodeEntities(body.slice(bar + 1)) : null;
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = personName(id) || (label ? label.replace(/^@/, "") : id);
    return h(
      "span",
      { class: id === store.me ? "mk-mention mk-mention-me" : "mk-mention", title: id },
      "@" + name,
    );
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const known = channelById(id);
    const name = known ? known.name : label || id;
    return h(
      "a",
      {
        class: "mk-channel",
        href: "#",
        title: id,
        onclick: (event) => {
          event.preventDefault();
          if (known) selectChannel(id);
        },
      },
      "#" + name,
    );
  }
  if (target.startsWith("!")) {
    const parts = target.slice(1).split("^");
    const kind = parts[0];
    if (kind === "here" || kind === "channel" || kind === "everyone") {
      return h("span", { class: "mk-mention mk-mention-me" }, "@" + kind);
    }
    if (kind === "date") {
      const when = Number(parts[1]);
      const fallback = label ?? "";
      if (!Number.isFinite(when) || !parts[2]) return document.createTextNode(fallback);
      const shown = formatSlackDate(when, parts[2]);
      const date = new Date(when * 1000);
      const link = parts[3] ? safeUrl(decodeEntities(parts[3])) : null;
      const props = { class: "mk-date", title: date.toString(), "data-epoch": String(when) };
      if (link) return h("a", { ...props, href: link, target: "_blank", rel: "noopener noreferrer" }, shown);
      return h("time", { ...props, datetime: date.toISOString() }, shown);
    }
    if (kind === "subteam") {
      return h("span", { class: "mk-mention" }, label || "@" + (parts[1] || "team"));
    }
    return document.createTextNode(label ?? "<" + target + ">");
  }
  const url = decodeEntities(target);
  const href = safeUrl(url);
  const text = label !== null && label !== "" ? emojify(label) : url;
  if (!href) return document.createTextNode(text);
  return h("a", { class: "mk-link", href, target: "_blank", rel: "noopener noreferrer" }, text);
}

function ordinal(n) {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate();
}

function prettyDay(date) {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  const tomorrow = new Date(today);
  tomorrow.setDate(today.getDate() + 1);
  if (sameDay(date, today)) return "today";
  if (sameDay(date, yesterday)) return "yesterday";
  if (sameDay(date, tomorrow)) return "tomorrow";
  return null;
}

function timeOf(date, seconds = false) {
  return date.toLocaleTimeString([], {
    hour: "numeric", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}),
  });
}

function ago(date) {
  const s = Math.round((Date.now() - date.getTime()) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const [n, unit] = a < 60 ? [a, "second"] : a < 3600 ? [Math.round(a / 60), "minute"]
    : a < 86400 ? [Math.round(a / 3600), "hour"] : [Math.round(a / 86400), "day"];
  const words = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return future ? `in ${words}` : `${words} ago`;
}

/** Slack's <!date^…^format> tokens, in the reader's time zone. */
function formatSlackDate(epoch, format) {
  const d = new Date(epoch * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  const dateLong = `${DAYS[d.getDay()]}, ${MONTHS[d.getMonth()]} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const dateMid = `${MONTHS[d.getMonth()]} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const dateShort = `${MONTHS[d.getMonth()].slice(0, 3)} ${d.getDate()}, ${d.getFullYear()}`;
  const pretty = prettyDay(d);
  const values = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date: dateMid,
    date_short: dateShort,
    date_long: dateLong,
    date_pretty: pretty ? cap(pretty) : dateMid,
    date_short_pretty: pretty ? cap(pretty) : dateShort,
    date_long_pretty: pretty ? cap(pretty) : dateLong,
    time: timeOf(d),
    time_secs: timeOf(d, true),
    ago: ago(d),
  };
  return format.replace(/\{([a-z_]+)\}/g, (whole, key) => values[key] ?? whole);
}

function cap(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// --- Block Kit --------------------------------------------------------------------------------------

/** A text object (mrkdwn or plain_text) as nodes. */
function textObject(obj, cls) {
  if (!obj) return null;
  if (obj.type === "mrkdwn") return h("div", { class: cls || "bk-text" }, mrkdwn(obj.text));
  return h("div", { class: (cls || "bk-text") + " bk-plain" }, plain(obj));
}

function renderBlocks(blocks, ctx) {
  const frag = document.createDocumentFragment();
  for (const block of Array.isArray(blocks) ? blocks : []) {
    try {
      frag.append(renderBlock(block, ctx));
    } catch (error) {
      frag.append(h("div", { class: "bk-unknown" }, `Could not show a ${block?.type} block: ${error.message}`));
    }
  }
  return frag;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case "header":
      return h("div", { class: "bk-header", "data-block-type": "header" }, plain(block.text));
    case "section":
      return renderSection(block, ctx);
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "context":
      return h(
        "div",
        { class: "bk-context", "data-block-type": "context" },
        (block.elements || []).map((el) =>
          el.type === "image"
            ? image(el, "bk-context-img")
            : h("span", { class: "bk-context-item" }, el.type === "mrkdwn" ? mrkdwn(el.text) : plain(el)),
        ),
      );
    case "actions":
      return h(
        "div",
        { class: "bk-actions", "data-block-type": "actions" },
        (block.elements || []).map((el) => renderElement(el, block, ctx)),
      );
    case "image":
      return h(
        "figure",
        { class: "bk-image" },
        block.title ? h("figcaption", null, plain(block.title)) : null,
        image(block, "bk-image-img"),
      );
    case "input":
      return renderInput(block, ctx);
    case "rich_text":
      return renderRichText(block);
    default:
      return h("div", { class: "bk-unknown" }, `[${block.type} block: not shown in the playground]`);
  }
}

function image(el, cls) {
  const src = safeUrl(String(el.image_url || ""));
  if (!src) return h("span", { class: "bk-image-missing" }, el.alt_text || "image");
  return h("img", { class: cls, src, alt: el.alt_text || "", loading: "lazy", referrerpolicy: "no-referrer" });
}

function renderSection(block, ctx) {
  const body = h("div", { class: "bk-section-body" });
  if (block.text) body.append(textObject(block.text));
  if (Array.isArray(block.fields) && block.fields.length) {
    body.append(h("div", { class: "bk-fields" }, block.fields.map((f) => textObject(f, "bk-field"))));
  }
  const accessory = block.accessory ? renderElement(block.accessory, block, ctx, true) : null;
  return h(
    "div",
    { class: "bk-section", "data-block-type": "section" },
    body,
    accessory ? h("div", { class: "bk-accessory" }, accessory) : null,
  );
}

function interactiveProps(el, block) {
  return { "data-action-id": el.action_id ?? "", "data-block-id": block.block_id ?? "" };
}

/** In an input block the wrapper alone carries data-block-id (so it names one element). */
function inputProps(el) {
  return { "data-action-id": el.action_id ?? "" };
}

function optionsOf(el) {
  if (Array.isArray(el.option_groups)) return el.option_groups.flatMap((g) => g.options || []);
  return el.options || [];
}

function selectControl(el, block, { multiple = false, onchange, inInput = false } = {}) {
  const props = inInput ? inputProps(el) : interactiveProps(el, block);
  const select = h("select", { class: "bk-select", ...props, multiple, onchange });
  const choices = selectChoices(el);
  if (!multiple) {
    select.append(h("option", { value: "", disabled: true, selected: true }, plain(el.placeholder) || "Select an option"));
  }
  const initial = new Set(
    [el.initial_option?.value, ...(el.initial_options || []).map((o) => o.value),
      el.initial_user, el.initial_conversation, el.initial_channel,
      ...(el.initial_users || []), ...(el.initial_conversations || []), ...(el.initial_channels || [])]
      .filter((v) => v !== undefined && v !== null),
  );
  const add = (parent, options) => {
    for (const o of options) {
      parent.append(h("option", { value: o.value, selected: initial.has(o.value) }, o.label));
    }
  };
  if (Array.isArray(el.option_groups)) {
    for (const group of el.option_groups) {
      const og = h("optgroup", { label: plain(group.label) });
      add(og, (group.options || []).map((o) => ({ value: o.value, label: plain(o.text) })));
      select.append(og);
    }
  } else {
    add(select, choices);
  }
  return select;
}

function selectChoices(el) {
  const kind = el.type.replace(/^multi_/, "");
  if (kind === "users_select") {
    return (store.state?.people || []).map((p) => ({ value: p.id, label: `${p.name} (${p.real_name || p.role})` }));
  }
  if (kind === "conversations_select" || kind === "channels_select") {
    return (store.state?.channels || []).map((c) => ({ value: c.id, label: "#" + c.name }));
  }
  return optionsOf(el).map((o) => ({ value: o.value, label: plain(o.text) }));
}

/** An interactive element in a message, or in a modal outside an input block. */
function renderElement(el, block, ctx, isAccessory = false) {
  const props = interactiveProps(el, block);
  switch (el.type) {
    case "button": {
      const cls = ["bk-button"];
      if (el.style === "primary") cls.push("bk-primary");
      if (el.style === "danger") cls.push("bk-danger");
      const btn = h("button", { type: "button", class: cls.join(" "), ...props }, plain(el.text));
      if (el.url) btn.title = el.url;
      btn.addEventListener("click", () => {
        const url = el.url ? safeUrl(String(el.url)) : null;
        if (url) window.open(url, "_blank", "noopener,noreferrer");
        act(ctx, el, block, el.value, btn);
      });
      return pendingAware(btn, ctx, el, block);
    }
    case "static_select":
    case "external_select":
    case "users_select":
    case "conversations_select":
    case "channels_select":
    case "multi_static_select":
    case "multi_users_select":
    case "multi_conversations_select":
    case "multi_channels_select": {
      const select = selectControl(el, block, {
        onchange: () => {
          if (select.value) act(ctx, el, block, select.value, select);
        },
      });
      return pendingAware(select, ctx, el, block);
    }
    case "overflow":
      return pendingAware(overflowMenu(el, block, ctx), ctx, el, block);
    case "datepicker":
    case "timepicker": {
      const input = h("input", {
        class: "bk-date",
        type: el.type === "datepicker" ? "date" : "time",
        value: el.initial_date || el.initial_time || "",
        ...props,
      });
      input.addEventListener("change", () => input.value && act(ctx, el, block, input.value, input));
      return pendingAware(input, ctx, el, block);
    }
    case "radio_buttons":
    case "checkboxes": {
      const group = choiceGroup(el, block, ctx.uid());
      group.addEventListener("change", (event) => {
        const target = event.target;
        if (target instanceof HTMLInputElement) act(ctx, el, block, target.value, group);
      });
      return pendingAware(group, ctx, el, block);
    }
    case "image":
      return image(el, isAccessory ? "bk-accessory-img" : "bk-context-img");
    default:
      return h("span", { class: "bk-unknown", ...props }, `[${el.type}]`);
  }
}

function overflowMenu(el, block, ctx) {
  const btn = h(
    "button",
    { type: "button", class: "bk-button bk-overflow", "aria-label": "More actions", ...interactiveProps(el, block) },
    "⋯",
  );
  btn.addEventListener("click", (event) => {
    event.stopPropagation();
    openMenu(btn, optionsOf(el).map((o) => ({
      label: plain(o.text),
      description: o.description ? plain(o.description) : null,
      value: o.value,
      run: () => {
        const url = o.url ? safeUrl(String(o.url)) : null;
        if (url) window.open(url, "_blank", "noopener,noreferrer");
        act(ctx, el, block, o.value, btn);
      },
    })));
  });
  return btn;
}

function openMenu(anchor, items) {
  closeMenus();
  const layer = $("menus");
  const menu = h(
    "div",
    { class: "menu", role: "menu", "data-testid": "overflow-menu" },
    items.map((item) =>
      h(
        "button",
        {
          type: "button",
          class: "menu-item",
          role: "menuitem",
          "data-testid": "overflow-option",
          "data-value": item.value,
          onclick: () => {
            closeMenus();
            item.run();
          },
        },
        item.label,
        item.description ? h("span", { class: "menu-desc" }, item.description) : null,
      ),
    ),
  );
  layer.append(menu);
  const rect = anchor.getBoundingClientRect();
  const width = menu.offsetWidth;
  menu.style.left = Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8)) + "px";
  const below = rect.bottom + 4;
  menu.style.top = (below + menu.offsetHeight > window.innerHeight ? rect.top - menu.offsetHeight - 4 : below) + "px";
}

function closeMenus() {
  fill($("menus"));
}

function choiceGroup(el, block, uid, inInput = false) {
  const multi = el.type === "checkboxes";
  const props = inInput ? inputProps(el) : interactiveProps(el, block);
  const initial = new Set(
    [el.initial_option?.value, ...(el.initial_options || []).map((o) => o.value)].filter(Boolean),
  );
  return h(
    "div",
    { class: "bk-choices", role: multi ? "group" : "radiogroup", ...props },
    optionsOf(el).map((o) =>
      h(
        "label",
        { class: "bk-choice" },
        h("input", {
          type: multi ? "checkbox" : "radio",
          name: uid,
          value: o.value,
          checked: initial.has(o.value),
        }),
        h(
          "span",
          { class: "bk-choice-text" },
          o.text?.type === "mrkdwn" ? mrkdwn(o.text.text) : plain(o.text),
          o.description ? h("span", { class: "bk-choice-desc" }, plain(o.description)) : null,
        ),
      ),
    ),
  );
}

function pendingKey(ctx, el, block) {
  return `${ctx.target}|${block.block_id ?? ""}|${el.action_id ?? ""}`;
}

function pendingAware(control, ctx, el, block) {
  const key = pendingKey(ctx, el, block);
  control.dataset.pendingKey = key;
  if (store.pending.has(key)) setBusy(control, true);
  return control;
}

function setBusy(control, busy) {
  control.disabled = busy;
  control.classList.toggle("is-busy", busy);
  for (const inner of control.querySelectorAll("input")) inner.disabled = busy;
}

function setPending(key, busy) {
  if (busy) store.pending.add(key);
  else store.pending.delete(key);
  for (const node of document.querySelectorAll("[data-pending-key]")) {
    if (node.dataset.pendingKey === key) setBusy(node, busy);
  }
}

/** Input blocks (modals): the wrapper carries data-block-id; ctx.inputs learns how to read it. */
function renderInput(block, ctx) {
  const el = block.element || {};
  const id = ctx.uid();
  const control = inputControl(el, block, id, ctx);
  const error = h("div", { class: "bk-input-error-slot" }); // holds [data-testid=input-error] when there is one
  const wrapper = h(
    "div",
    { class: "bk-input", "data-block-id": block.block_id ?? "", "data-block-type": "input" },
    h(
      "label",
      { class: "bk-input-label", for: id },
      plain(block.label),
      block.optional ? h("span", { class: "bk-optional" }, " (optional)") : null,
    ),
    control.node,
    block.hint ? h("div", { class: "bk-hint" }, plain(block.hint)) : null,
    error,
  );
  if (ctx.inputs && block.block_id !== undefined) {
    ctx.inputs.set(block.block_id, { ...control, error, actionId: el.action_id, type: el.type });
  }
  return wrapper;
}

function inputControl(el, block, id, ctx) {
  const props = { id, ...inputProps(el) };
  const carried = ctx.carry?.get(block.block_id);
  const keep = carried && carried.actionId === el.action_id && carried.type === el.type ? carried.value : undefined;
  switch (el.type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const type = { email_text_input: "email", url_text_input: "url", number_input: "number" }[el.type] || "text";
      const attrs = {
        ...props,
        class: "bk-text-input",
        placeholder: plain(el.placeholder) || null,
        maxlength: el.max_length ?? null,
        minlength: el.min_length ?? null,
      };
      const node = el.multiline
        ? h("textarea", { ...attrs, rows: 4 })
        : h("input", { ...attrs, type, step: el.type === "number_input" && el.is_decimal_allowed ? "any" : null });
      node.value = keep ?? el.initial_value ?? "";
      if (el.focus_on_load) node.dataset.autofocus = "true";
      return { node, get: () => node.value, value: () => node.value };
    }
    case "static_select":
    case "external_select":
    case "users_select":
    case "conversations_select":
    case "channels_select": {
      const node = selectControl(el, block, { inInput: true });
      node.id = id;
      if (keep !== undefined && keep !== null) node.value = keep;
      return { node, get: () => node.value || null, value: () => node.value || null };
    }
    case "multi_static_select":
    case "multi_users_select":
    case "multi_conversations_select":
    case "multi_channels_select": {
      const node = selectControl(el, block, { multiple: true, inInput: true });
      node.id = id;
      node.size = Math.min(6, Math.max(3, node.options.length));
      if (Array.isArray(keep)) for (const o of node.options) o.selected = keep.includes(o.value);
      const get = () => [...node.selectedOptions].map((o) => o.value);
      return { node, get, value: get };
    }
    case "radio_buttons":
    case "checkboxes": {
      const node = choiceGroup(el, block, id, true);
      node.id = id;
      const boxes = () => [...node.querySelectorAll("input")];
      if (keep !== undefined) {
        const wanted = new Set(Array.isArray(keep) ? keep : [keep]);
        for (const box of boxes()) box.checked = wanted.has(box.value);
      }
      const get = el.type === "checkboxes"
        ? () => boxes().filter((b) => b.checked).map((b) => b.value)
        : () => boxes().find((b) => b.checked)?.value ?? null;
      return { node, get, value: get };
    }
    case "datepicker":
    case "timepicker": {
      const node = h("input", {
        ...props,
        class: "bk-text-input bk-date",
        type: el.type === "datepicker" ? "date" : "time",
      });
      node.value = keep ?? el.initial_date ?? el.initial_time ?? "";
      return { node, get: () => node.value || null, value: () => node.value || null };
    }
    default: {
      const node = h("div", { class: "bk-unknown", ...props }, `[${el.type} input: not supported here]`);
      return { node, get: () => null, value: () => null };
    }
  }
}

function renderRichText(block) {
  const wrap = h("div", { class: "bk-rich", "data-block-type": "rich_text" });
  const inlineEls = (elements) =>
    (elements || []).map((e) => {
      switch (e.type) {
        case "text": {
          let node = document.createTextNode(e.text ?? "");
          const s = e.style || {};
          if (s.code) node = h("code", { class: "mk-code" }, node);
          if (s.bold) node = h("b", null, node);
          if (s.italic) node = h("i", null, node);
          if (s.strike) node = h("s", null, node);
          return node;
        }
        case "link": {
          const href = safeUrl(String(e.url || ""));
          const text = e.text || e.url || "";
          return href ? h("a", { class: "mk-link", href, target: "_blank", rel: "noopener noreferrer" }, text) : text;
        }
        case "user":
          return h("span", { class: "mk-mention" }, "@" + (personName(e.user_id) || e.user_id));
        case "channel":
          return h("span", { class: "mk-channel" }, "#" + (channelById(e.channel_id)?.name || e.channel_id));
        case "emoji":
          return e.unicode
            ? String.fromCodePoint(...String(e.unicode).split("-").map((x) => parseInt(x, 16)))
            : EMOJI[e.name] || `:${e.name}:`;
        case "broadcast":
          return h("span", { class: "mk-mention mk-mention-me" }, "@" + e.range);
        case "date":
          return formatSlackDate(Number(e.timestamp), e.format || "{date_short} {time}");
        default:
          return e.text || "";
      }
    });
  for (const el of block.elements || []) {
    if (el.type === "rich_text_section") wrap.append(h("div", null, inlineEls(el.elements)));
    else if (el.type === "rich_text_preformatted") wrap.append(h("pre", { class: "mk-pre" }, inlineEls(el.elements)));
    else if (el.type === "rich_text_quote") wrap.append(h("blockquote", { class: "mk-quote" }, inlineEls(el.elements)));
    else if (el.type === "rich_text_list") {
      wrap.append(
        h(el.style === "ordered" ? "ol" : "ul", { class: "bk-rich-list" },
          (el.elements || []).map((item) => h("li", null, inlineEls(item.elements)))),
      );
    }
  }
  return wrap;
}

// --- talking to the playground -------------------------------------------------------------------------

async function post(path, body) {
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
async function act(ctx, el, block, value, control) {
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
function report(result, fromModal = false) {
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

function hideBanner() {
  $("delivery-error").hidden = true;
  $("delivery-error-text").textContent = "";
}

// --- confirm dialog -----------------------------------------------------------------------------------

function confirmDialog(confirm) {
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

// --- modals -------------------------------------------------------------------------------------------

function hashText(text) {
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

function renderModal() {
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

function showModalError(text) {
  const node = store.modal?.errorNode;
  if (!node) return;
  fill(node, text ? h("div", { class: "modal-error", "data-testid": "modal-error", role: "alert" }, text) : null);
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

// --- messages -------------------------------------------------------------------------------------------

function visibleMessages(channelId) {
  return (store.state?.messages || []).filter(
    (m) => m.channel === channelId && (!m.ephemeral_to || m.ephemeral_to === store.me),
  );
}

function tsNumber(ts) {
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

function hueOf(id) {
  return String(parseInt(hashText(String(id)), 36) % 6);
}

function renderMessage(m) {
  const bot = isBotMessage(m);
  const date = new Date(tsNumber(m.ts) * 1000);
  const ctx = { surface: "message", target: m.ts, uid: makeUid(m.ts) };
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

function renderMessages() {
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

// --- sidebar, header, status --------------------------------------------------------------------------

function ensureSelection() {
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

function updateSeen() {
  const channels = store.state?.channels || [];
  if (!store.lastSeen) {
    store.lastSeen = {};
    for (const c of channels) store.lastSeen[c.id] = maxTs(c.id);
  }
  if (store.channel) store.lastSeen[store.channel] = Math.max(store.lastSeen[store.channel] ?? 0, maxTs(store.channel));
}

function renderSidebar() {
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

async function restartBot() {
  for (const b of [$("bot-restart"), document.querySelector("[data-testid=bot-restart-banner]")]) if (b) b.disabled = true;
  const result = await post("/api/bot/restart", {});
  for (const b of [$("bot-restart"), document.querySelector("[data-testid=bot-restart-banner]")]) if (b) b.disabled = false;
  if (result.data?.bot && store.state) {
    store.state.bot = result.data.bot;
    renderBot();
  }
  report(result);
}

function renderHeader() {
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

function selectChannel(id) {
  if (!channelById(id)) return;
  store.channel = id;
  writeLocal("pg.channel", id);
  hideHint();
  renderAll();
  $("composer").focus();
}

function selectUser(id) {
  if (store.modal) store.parkedModals.set(store.me, store.modal);
  store.modal = store.parkedModals.get(id) || null;
  store.parkedModals.delete(id);
  fill($("modal-layer"));
  $("modal-layer").hidden = true;
  store.me = id;
  writeLocal("pg.user", id);
  hideBanner();
  renderAll();
}

// --- requests tab --------------------------------------------------------------------------------------

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

function renderDeliveries() {
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

function selectTab(tab) {
  store.tab = tab;
  $("tab-cloud").setAttribute("aria-selected", String(tab === "cloud"));
  $("tab-requests").setAttribute("aria-selected", String(tab === "requests"));
  $("cloud-body").hidden = tab !== "cloud";
  $("requests-body").hidden = tab !== "requests";
  if (tab === "cloud") $("tab-cloud").classList.remove("has-news");
  if (tab === "requests") $("requests-body").scrollTop = $("requests-body").scrollHeight;
}

// --- the cloud panel -------------------------------------------------------------------------------------

function ruleIdentity(groupId, r) {
  return [groupId, r.policy, r.priority, r.protocol, r.port_range, r.source].join("|");
}

function worldRows(world) {
  const rows = new Map();
  if (!world) return rows;
  for (const g of world.gateways || []) rows.set("gw:" + g.id, JSON.stringify(g));
  for (const a of world.authorizations || []) rows.set("va:" + a.id, JSON.stringify(a));
  for (const i of world.ecs || []) rows.set("ecs:" + i.id, JSON.stringify(i));
  for (const g of world.security_groups || []) {
    for (const r of g.rules || []) rows.set(`rule:${g.id}:${r.id}`, JSON.stringify(r));
  }
  for (const lb of world.clbs || []) {
    for (const l of lb.listeners || []) rows.set(`lis:${lb.id}:${l.port}`, JSON.stringify(l));
  }
  for (const a of world.acls || []) {
    for (const e of a.entries || []) rows.set(`acl:${a.id}:${e.cidr}`, JSON.stringify(e));
  }
  for (const p of world.prefix_lists || []) rows.set("pl:" + p.id, JSON.stringify(p));
  return rows;
}

function setWorld(world, { rebaseline = false } = {}) {
  if (!world) return;
  const first = !store.world;
  store.prevWorld = store.world;
  store.world = world;
  if (first || rebaseline || !store.baselineRules) {
    store.baselineRules = new Set();
    for (const g of world.security_groups || []) {
      for (const r of g.rules || []) store.baselineRules.add(ruleIdentity(g.id, r));
    }
  }
  for (const i of world.ecs || []) {
    const ports = store.knownPorts.get(i.id) || new Set();
    for (const p of i.listening || []) ports.add(p);
    for (const a of world.authorizations || []) {
      if (a.instance_id === i.id || a.instance_id === i.private_ip) ports.add(a.port);
    }
    for (const lb of world.clbs || []) {
      for (const l of lb.listeners || []) {
        for (const b of l.backends || []) if (b.server_id === i.id) ports.add(b.port);
      }
    }
    store.knownPorts.set(i.id, ports);
  }
  const before = worldRows(store.prevWorld);
  const after = worldRows(world);
  store.changed = new Set();
  if (store.prevWorld) {
    for (const [key, sig] of after) if (before.get(key) !== sig) store.changed.add(key);
  }
  renderWorld();
  if (store.changed.size) showChange();
  store.changed = new Set(); // a later re-render (an error, a draft) does not flash again
}

/** Bring the first changed row into view (a fix the bot applied), or mark the Cloud tab. */
function showChange() {
  if (store.tab !== "cloud") {
    $("tab-cloud").classList.add("has-news");
    return;
  }
  const root = $("world");
  if (root.contains(document.activeElement) && document.activeElement.matches("input, select, textarea")) return;
  const row = root.querySelector(".flash");
  if (!row) return;
  const scroller = $("cloud-body");
  const box = scroller.getBoundingClientRect();
  const at = row.getBoundingClientRect();
  if (at.top < box.top || at.bottom > box.bottom) {
    scroller.scrollTop += at.top - box.top - (box.height - at.height) / 2;
  }
}

async function worldOp(op, { errorKey, button, onDone } = {}) {
  if (button) setBusy(button, true);
  const result = await post("/api/world", op);
  if (button && button.isConnected) setBusy(button, false);
  if (result.status >= 200 && result.status < 300 && result.data?.world) {
    if (errorKey) delete store.worldErrors[errorKey];
    if (onDone) onDone();
    setWorld(result.data.world, { rebaseline: op.op === "reset" });
    return true;
  }
  if (errorKey) store.worldErrors[errorKey] = result.error || "The change was refused.";
  renderWorld();
  return false;
}

function worldError(key) {
  const text = store.worldErrors[key];
  return text
    ? h("div", { class: "world-error", "data-testid": "world-error", "data-for": key, role: "alert" },
      text,
      h("button", { type: "button", class: "banner-dismiss", "aria-label": "Dismiss", onclick: () => { delete store.worldErrors[key]; renderWorld(); } }, "×"))
    : null;
}

function flashIf(key, node) {
  if (store.changed?.has(key)) node.classList.add("flash");
  return node;
}

function draftInput(key, { tag = "input", options = [], initial, ...props }) {
  const node = h(tag, { ...props, "data-draft": key });
  for (const opt of options) node.append(h("option", { value: opt }, opt));
  const saved = store.drafts[key];
  if (saved !== undefined) node.value = saved;
  else if (initial !== undefined) node.value = initial;
  node.addEventListener("input", () => {
    store.drafts[key] = node.value;
  });
  node.addEventListener("change", () => {
    store.drafts[key] = node.value;
  });
  return node;
}

function clearDrafts(prefix) {
  for (const key of Object.keys(store.drafts)) if (key.startsWith(prefix)) delete store.drafts[key];
}

function card(title, sub, ...children) {
  return h(
    "section",
    { class: "card" },
    h("div", { class: "card-head" }, h("h3", { class: "card-title" }, title), sub ? h("span", { class: "card-sub" }, sub) : null),
    ...children,
  );
}

function pill(text, kind) {
  return h("span", { class: "pill pill-" + kind }, text);
}

function renderWorld() {
  const root = $("world");
  const world = store.world;
  if (!world) return;
  const scroller = $("cloud-body");
  const scrollTop = scroller.scrollTop;
  const active = document.activeElement;
  const focusKey = active && root.contains(active) ? active.dataset.draft : null;
  const selection = focusKey && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;

  const byId = (list) => new Map((list || []).map((x) => [x.id, x]));
  const ecsById = byId(world.ecs);
  const sgUsers = new Map();
  for (const i of world.ecs || []) for (const g of i.security_groups || []) {
    if (!sgUsers.has(g)) sgUsers.set(g, []);
    sgUsers.get(g).push(i.id);
  }
  const aclUsers = new Map();
  for (const lb of world.clbs || []) for (const l of lb.listeners || []) {
    if (l.acl?.id) {
      if (!aclUsers.has(l.acl.id)) aclUsers.set(l.acl.id, []);
      aclUsers.get(l.acl.id).push(`${lb.id}:${l.port}`);
    }
  }

  const head = h(
    "div",
    { class: "world-head" },
    h("div", null, h("div", { class: "world-title" }, "Alibaba Cloud (emulated)"),
      h("div", { class: "world-sub" }, "Region ", h("code", null, world.region || "?"),
        " · change it here, then ask the bot again")),
    h("button", {
      type: "button",
      class: "btn btn-small",
      "data-testid": "world-reset",
      onclick: async (event) => {
        if (!window.confirm("Reset the world to how it was loaded? Every change made here or by the bot is undone.")) return;
        store.worldErrors = {};
        store.drafts = {};
        await worldOp({ op: "reset" }, { errorKey: "reset", button: event.currentTarget });
      },
    }, "Reset world"),
  );

  const gateways = card(
    "API gateways", null,
    ...(world.gateways || []).map((g) =>
      flashIf("gw:" + g.id, h(
        "div",
        { class: "row", "data-testid": "gateway", "data-gateway": g.id },
        h("div", { class: "row-main" }, h("b", null, g.name || g.id), h("span", { class: "muted" }, " ", g.id)),
        h("div", { class: "row-sub" }, "egress ", h("code", null, g.egress || "—"),
          g.new_egress ? [" · new egress ", h("code", null, g.new_egress)] : null),
      ))),
  );

  const auths = card(
    "VPC authorizations", "what the bot tests",
    h("div", { class: "auth-list" },
      (world.authorizations || []).map((a) =>
        flashIf("va:" + a.id, h(
          "div",
          { class: "auth", "data-testid": "authorization", "data-authorization": a.id, title: `${a.id} in ${a.vpc_id}` },
          h("span", { class: "auth-name" }, a.name),
          h("span", { class: "auth-arrow" }, "→"),
          h("code", null, `${a.instance_id}:${a.port}`),
          h("span", { class: "muted auth-vpc" }, a.vpc_id),
        )))),
  );

  const ecs = card(
    "ECS instances", null,
    worldError("ecs"),
    ...(world.ecs || []).map((i) => {
      const running = i.status === "Running";
      const ports = [...(store.knownPorts.get(i.id) || [])].sort((a, b) => a - b);
      return flashIf("ecs:" + i.id, h(
        "div",
        { class: "row ecs", "data-testid": "ecs", "data-instance": i.id, "data-status": i.status },
        h(
          "div",
          { class: "row-main" },
          h("b", null, i.id),
          h("span", { class: "muted" }, " ", i.private_ip),
          pill(i.status, running ? "ok" : "off"),
          i.health ? pill(i.health, i.health === "Ok" ? "soft" : "warn") : null,
          h("span", { class: "grow" }),
          h("button", {
            type: "button",
            class: "btn btn-tiny" + (running ? "" : " btn-primary"),
            "data-testid": "ecs-toggle",
            onclick: (event) => worldOp(
              { op: "ecs.status", instance: i.id, status: running ? "Stopped" : "Running" },
              { errorKey: "ecs", button: event.currentTarget },
            ),
          }, running ? "Stop" : "Start"),
        ),
        h(
          "div",
          { class: "row-sub" },
          "listening ",
          ports.length
            ? ports.map((p) => {
              const on = (i.listening || []).includes(p);
              return h("button", {
                type: "button",
                class: "port" + (on ? " on" : ""),
                "data-testid": "port-toggle",
                "data-port": p,
                "data-listening": on ? "true" : "false",
                title: on ? `Stop listening on ${p}` : `Listen on ${p}`,
                onclick: (event) => worldOp(
                  { op: "ecs.listening", instance: i.id, port: p, listening: !on },
                  { errorKey: "ecs", button: event.currentTarget },
                ),
              }, String(p), h("span", { class: "port-action" }, on ? " · stop listening" : " · listen"));
            })
            : h("span", { class: "muted" }, "nothing"),
          " · ",
          h("span", { class: "muted" }, (i.security_groups || []).join(", ")),
        ),
      ));
    }),
  );

  const sgs = (world.security_groups || []).map((g) => {
    const users = sgUsers.get(g.id) || [];
    const formKey = "sg:" + g.id;
    const rows = (g.rules || []).map((r) => {
      const isNew = store.baselineRules && !store.baselineRules.has(ruleIdentity(g.id, r));
      return flashIf(`rule:${g.id}:${r.id}`, h(
        "div",
        {
          class: "rule" + (isNew ? " is-new" : ""),
          "data-testid": "sg-rule",
          "data-group": g.id,
          "data-rule": r.id,
          "data-new": isNew ? "true" : null,
          title: r.id,
        },
        h("span", null, pill(r.policy, r.policy === "accept" ? "ok" : "bad")),
        h("span", { class: "num", title: "priority" }, String(r.priority)),
        h("span", null, r.protocol),
        h("code", null, r.port_range),
        h("code", { class: "src" }, r.source || "—"),
        h("span", { class: "x" }, h("button", {
          type: "button",
          class: "icon-btn",
          "data-testid": "remove-rule",
          "aria-label": `Remove rule ${r.id}`,
          title: "Remove this rule",
          onclick: (event) => worldOp({ op: "sg.remove_rule", group: g.id, rule: r.id },
            { errorKey: formKey, button: event.currentTarget }),
        }, "×")),
        isNew || r.description
          ? h("span", { class: "desc" }, isNew ? h("span", { class: "new-tag" }, "new") : null, r.description || "")
          : null,
      ));
    });
    const field = (name, props) => draftInput(`${formKey}:${name}`, { name, ...props });
    const form = h(
      "form",
      {
        class: "add-form add-rule",
        "data-testid": "add-rule",
        "data-group": g.id,
        onsubmit: (event) => {
          event.preventDefault();
          const f = event.currentTarget;
          const read = (n) => f.elements[n].value.trim();
          worldOp({
            op: "sg.add_rule",
            group: g.id,
            policy: read("policy"),
            priority: Number(read("priority")),
            protocol: read("protocol"),
            port_range: read("port_range"),
            source_cidr: read("source_cidr"),
            description: read("description"),
          }, { errorKey: formKey, button: f.querySelector("button[type=submit]"), onDone: () => clearDrafts(formKey + ":") });
        },
      },
      field("policy", { tag: "select", options: ["accept", "drop"], "aria-label": "policy", initial: "accept" }),
      field("priority", { type: "number", min: 1, max: 100, initial: "1", "aria-label": "priority", class: "w-num" }),
      field("protocol", { tag: "select", options: ["TCP", "UDP", "ALL"], "aria-label": "protocol", initial: "TCP" }),
      field("port_range", { placeholder: "8080/8080", "aria-label": "port range", class: "w-port" }),
      field("source_cidr", { placeholder: "100.104.13.0/26", "aria-label": "source CIDR", class: "w-cidr" }),
      field("description", { placeholder: "description", "aria-label": "description", class: "w-desc" }),
      h("button", { type: "submit", class: "btn btn-tiny btn-primary", "data-testid": "add-rule-submit" }, "Add rule"),
    );
    return card(
      h("span", null, "Security group ", h("code", null, g.id)),
      users.length ? "on " + users.join(", ") : g.vpc_id,
      h("div", { class: "rules", "data-testid": "sg", "data-group": g.id },
        h("div", { class: "rule rule-head", "aria-hidden": "true" },
          ...["policy", "prio", "proto", "ports", "source", ""].map((t) => h("span", null, t))),
        rows.length ? rows : h("div", { class: "muted rule-none" }, "no inbound rules")),
      form,
      worldError(formKey),
    );
  });

  const clbs = (world.clbs || []).map((lb) => card(
    h("span", null, "Load balancer ", h("code", null, lb.id)),
    lb.address,
    worldError("clb:" + lb.id),
    ...(lb.listeners || []).map((l) => {
      const running = l.status === "running";
      const aclOn = l.acl?.status === "on";
      return flashIf(`lis:${lb.id}:${l.port}`, h(
        "div",
        { class: "row listener", "data-testid": "listener", "data-lb": lb.id, "data-port": l.port, "data-status": l.status },
        h(
          "div",
          { class: "row-main" },
          h("b", null, `${l.port}/${String(l.protocol || "").toUpperCase()}`),
          pill(l.status, running ? "ok" : "off"),
          h("span", { class: "grow" }),
          h("button", {
            type: "button",
            class: "btn btn-tiny" + (running ? "" : " btn-primary"),
            "data-testid": "listener-toggle",
            onclick: (event) => worldOp({ op: "clb.listener_status", lb: lb.id, port: l.port, status: running ? "stopped" : "running" },
              { errorKey: "clb:" + lb.id, button: event.currentTarget }),
          }, running ? "Stop" : "Start"),
          h("button", {
            type: "button",
            class: "btn btn-tiny",
            "data-testid": "acl-toggle",
            onclick: (event) => worldOp({ op: "clb.acl_status", lb: lb.id, port: l.port, status: aclOn ? "off" : "on" },
              { errorKey: "clb:" + lb.id, button: event.currentTarget }),
          }, aclOn ? "ACL off" : "ACL on"),
        ),
        h("div", { class: "row-sub" },
          pill(l.acl?.id ? `ACL ${l.acl.status} · ${l.acl.type}list ${l.acl.id}` : `ACL ${l.acl?.status || "off"} · none attached`, aclOn ? "soft" : "off"),
          " backends ",
          (l.backends || []).length
            ? (l.backends || []).map((b, k) => [k ? ", " : "", h("code", null, `${b.server_id}:${b.port}`),
              ecsById.get(b.server_id) && ecsById.get(b.server_id).status !== "Running" ? h("span", { class: "muted" }, " (stopped)") : null])
            : h("span", { class: "muted" }, "none")),
      ));
    }),
  ));

  const acls = (world.acls || []).map((a) => {
    const formKey = "acl:" + a.id;
    const field = (name, props) => draftInput(`${formKey}:${name}`, { name, ...props });
    return card(
      h("span", null, "CLB ACL ", h("code", null, a.id)),
      (aclUsers.get(a.id) || []).join(", ") || "not attached",
      h("div", { class: "entries" },
        (a.entries || []).length ? (a.entries || []).map((e) => flashIf(`acl:${a.id}:${e.cidr}`, h(
          "div",
          { class: "entry", "data-testid": "acl-entry", "data-acl": a.id, "data-cidr": e.cidr },
          h("code", null, e.cidr),
          h("span", { class: "muted grow" }, e.comment || ""),
          h("button", {
            type: "button",
            class: "icon-btn",
            "data-testid": "remove-entry",
            "aria-label": `Remove ${e.cidr}`,
            title: "Remove this entry",
            onclick: (event) => worldOp({ op: "acl.remove_entry", acl: a.id, cidr: e.cidr },
              { errorKey: formKey, button: event.currentTarget }),
          }, "×"),
        ))) : h("div", { class: "muted" }, "no entries")),
      h(
        "form",
        {
          class: "add-form add-entry",
          "data-testid": "add-entry",
          "data-acl": a.id,
          onsubmit: (event) => {
            event.preventDefault();
            const f = event.currentTarget;
            worldOp({ op: "acl.add_entry", acl: a.id, cidr: f.elements.cidr.value.trim(), comment: f.elements.comment.value.trim() },
              { errorKey: formKey, button: f.querySelector("button[type=submit]"), onDone: () => clearDrafts(formKey + ":") });
          },
        },
        field("cidr", { placeholder: "100.104.13.0/26", "aria-label": "CIDR", class: "w-cidr" }),
        field("comment", { placeholder: "comment", "aria-label": "comment", class: "w-desc" }),
        h("button", { type: "submit", class: "btn btn-tiny btn-primary", "data-testid": "add-entry-submit" }, "Add entry"),
      ),
      worldError(formKey),
    );
  });

  const prefixes = card(
    "Prefix lists", "read-only",
    ...(world.prefix_lists || []).map((p) => flashIf("pl:" + p.id, h(
      "div",
      { class: "row", "data-testid": "prefix-list", "data-prefix-list": p.id },
      h("div", { class: "row-main" }, h("code", null, p.id)),
      h("div", { class: "row-sub" }, (p.entries || []).map((e, k) => [k ? ", " : "", h("code", null, e)])),
    ))),
  );

  fill(root, 
    head,
    worldError("reset"),
    gateways,
    auths,
    ecs,
    h("div", { class: "group-title" }, "Security groups"),
    ...sgs,
    h("div", { class: "group-title" }, "Load balancers (CLB)"),
    ...clbs,
    ...acls,
    prefixes,
  );
  scroller.scrollTop = scrollTop;
  if (focusKey) {
    const again = root.querySelector(`[data-draft="${CSS.escape(focusKey)}"]`);
    if (again) {
      again.focus();
      if (selection && "setSelectionRange" in again) {
        try {
          again.setSelectionRange(selection[0], selection[1]);
        } catch {
          /* number inputs have no selection */
        }
      }
    }
  }
}

// --- composer --------------------------------------------------------------------------------------------

function showHint(content) {
  const hint = $("composer-hint");
  fill(hint, content);
  hint.hidden = false;
}

function hideHint() {
  $("composer-hint").hidden = true;
}

async function send() {
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

function exampleChip(text) {
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

function updateSuggest() {
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

// --- state --------------------------------------------------------------------------------------------

function applyState(state) {
  if (!state || typeof state !== "object") return;
  store.state = state;
  const open = new Set((state.views || []).filter((v) => v.is_open !== false).map((v) => v.id));
  for (const id of [...store.closing]) if (!open.has(id)) store.closing.delete(id);
  renderAll();
}

function renderAll() {
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

function connect() {
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

async function load() {
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

function wire() {
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

wire();
selectTab("cloud");
connect();
load();
