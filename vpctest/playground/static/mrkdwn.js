// Slack's text as DOM nodes: text objects, mrkdwn, emoji shortcodes, entities (<@U…>, <#C…>,
// <url|label>, only http, https and mailto links) and <!date> tokens, in the reader's time zone.

import { append, h } from "./dom.js";
import { hooks, store } from "./store.js";

export const EMOJI = {
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
export function plain(obj) {
  if (!obj) return "";
  if (typeof obj === "string") return obj;
  const text = String(obj.text ?? "");
  return obj.type === "mrkdwn" || obj.emoji !== false ? emojify(text) : text;
}

/** A text object (mrkdwn or plain_text) as nodes. */
export function textObject(obj, cls) {
  if (!obj) return null;
  if (obj.type === "mrkdwn") return h("div", { class: cls || "bk-text" }, mrkdwn(obj.text));
  return h("div", { class: (cls || "bk-text") + " bk-plain" }, plain(obj));
}

/** Slack mrkdwn as DOM nodes (a DocumentFragment). */
export function mrkdwn(text) {
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

export function personName(id) {
  const person = (store.state?.people || []).find((p) => p.id === id);
  if (person) return person.name;
  if (id === store.state?.bot?.user_id) return "vpc-test";
  return null;
}

export function channelById(id) {
  return (store.state?.channels || []).find((c) => c.id === id) || null;
}

export function safeUrl(url) {
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
          if (known) hooks.selectChannel(id);
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

export function ordinal(n) {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate();
}

export function prettyDay(date) {
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

export function timeOf(date, seconds = false) {
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
export function formatSlackDate(epoch, format) {
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

export function cap(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
