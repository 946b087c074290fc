// Block Kit blocks and elements, rendered as Slack's client shows them, and what a click on one
// sends (POST /api/click, after its confirm dialog when it has one).

import { post, report } from "./api.js";
import { confirmDialog } from "./confirm.js";
import { $, fill, h } from "./dom.js";
import { EMOJI, channelById, formatSlackDate, mrkdwn, personName, plain, safeUrl, textObject } from "./mrkdwn.js";
import { store } from "./store.js";

/**
 * Blocks as nodes. ctx says where they are shown: {surface: "message" | "modal", target: the
 * message's ts or the view's id, uid(): a fresh element id, onAct(): called as a click is sent;
 * in a modal also inputs: Map block_id -> {get, value, error, …} filled here, and carry: the
 * values typed before a re-render, kept when the same input comes back}.
 */
export function renderBlocks(blocks, ctx) {
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

export function closeMenus() {
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
  ctx.onAct?.();
  const result = await post("/api/click", body);
  setPending(key, false);
  if (control && control.isConnected) setBusy(control, false);
  report(result, ctx.surface === "modal");
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

export function setBusy(control, busy) {
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
