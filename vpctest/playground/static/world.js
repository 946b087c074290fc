// The Cloud tab: the emulated cloud, and the changes a person may make to it.

import { post } from "./api.js";
import { setBusy } from "./blockkit.js";
import { $, fill, h } from "./dom.js";
import { store } from "./store.js";

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
    for (const g of lb.server_groups || []) rows.set(`rsp:${lb.id}:${g.id}`, JSON.stringify(g));
  }
  for (const e of world.network_interfaces || []) rows.set("eni:" + e.id, JSON.stringify(e));
  for (const a of world.acls || []) {
    for (const e of a.entries || []) rows.set(`acl:${a.id}:${e.cidr}`, JSON.stringify(e));
  }
  for (const p of world.prefix_lists || []) rows.set("pl:" + p.id, JSON.stringify(p));
  return rows;
}

export function setWorld(world, { rebaseline = false } = {}) {
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
      for (const g of lb.server_groups || []) {
        for (const b of g.backends || []) if (b.server_id === i.id) ports.add(b.port);
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

  const links = worldLinks(world);
  fill(
    root,
    worldHead(world),
    worldError("reset"),
    gatewaysCard(world),
    authorizationsCard(world),
    ecsCard(world),
    h("div", { class: "group-title" }, "Security groups"),
    ...securityGroupCards(world, links),
    h("div", { class: "group-title" }, "Load balancers (CLB)"),
    ...clbCards(world, links),
    interfacesCard(world),
    ...aclCards(world, links),
    prefixListsCard(world),
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

/** What points at what: instances by id, the instances in each group, the listeners using each ACL. */
function worldLinks(world) {
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
  return { ecsById, sgUsers, aclUsers };
}

/** The panel's title, with Reset world. */
function worldHead(world) {
  return h(
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
}

/** The API Gateway instances and their egress ranges. */
function gatewaysCard(world) {
  return card(
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
}

/** The VPC access authorizations the bot tests. */
function authorizationsCard(world) {
  return card(
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
}

/** ECS instances: state, health, listening ports, with Stop/Start. */
function ecsCard(world) {
  return card(
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
}

/** One card per security group: its rules, and a form to add one. */
function securityGroupCards(world, links) {
  const { sgUsers } = links;
  return (world.security_groups || []).map((g) => {
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
}

/** One card per CLB: its listeners, with Start/Stop and ACL on/off. */
function clbCards(world, links) {
  const { ecsById } = links;
  return (world.clbs || []).map((lb) => card(
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
          l.health_check === "off" ? [" ", pill("health check off", "warn")] : null,
          " → ",
          listenerGroup(lb, l, ecsById)),
      ));
    }),
    ...(lb.server_groups || []).map((g) => flashIf(`rsp:${lb.id}:${g.id}`, h(
      "div",
      { class: "row server-group", "data-testid": "server-group", "data-lb": lb.id, "data-group": g.id, "data-type": g.type },
      h("div", { class: "row-main" }, h("b", null, groupTitle(g)),
        h("span", { class: "muted" }, " used by ", usersOf(lb, g) || "no listener")),
      h("div", { class: "row-sub" }, backendList(g.backends, ecsById)),
    ))),
  ));
}

const GROUP_KINDS = { vserver: "vServer group", primary_secondary: "primary/secondary group" };

/** `vServer group rsp-1 (name)`, as the diagnosis names it. */
function groupTitle(g) {
  const named = g.name && g.name !== g.id ? ` (${g.name})` : "";
  return GROUP_KINDS[g.type] ? `${GROUP_KINDS[g.type]} ${g.id}${named}` : "the default server group";
}

function usersOf(lb, g) {
  return (lb.listeners || []).filter((l) => l.server_group?.id === g.id).map((l) => `${l.port}/${l.protocol}`).join(", ");
}

/** The group a listener forwards to, and (for the default group) its backends. */
function listenerGroup(lb, l, ecsById) {
  const used = l.server_group || { type: "default", id: "" };
  if (used.type === "default") return ["default group: ", backendList(l.backends, ecsById)];
  const group = (lb.server_groups || []).find((g) => g.id === used.id);
  return h("span", { "data-testid": "listener-group" }, group ? groupTitle(group) : `${GROUP_KINDS[used.type] || "group"} ${used.id} (missing)`);
}

/** `i-web-1:8080 w100`, `eni-x:9000 (ENI) w0`, `i-a:80 Master`, one chip each. */
function backendList(backends, ecsById) {
  if (!(backends || []).length) return h("span", { class: "muted" }, "no backends");
  return backends.map((b, k) => [
    k ? ", " : "",
    h("span", { class: "backend", "data-testid": "backend", "data-server": b.server_id, "data-port": b.port },
      h("code", null, `${b.server_id}:${b.port}`),
      b.type === "eni" ? h("span", { class: "muted" }, " (ENI)") : null,
      b.role ? h("span", { class: "muted" }, " " + b.role) : null,
      h("span", { class: b.weight > 0 ? "muted" : "muted warn" }, ` weight ${b.weight ?? 100}`),
      ecsById.get(b.server_id) && ecsById.get(b.server_id).status !== "Running" ? h("span", { class: "muted" }, " (stopped)") : null),
  ]);
}

/** Secondary network interfaces: address, instance, their own security groups (read-only). */
function interfacesCard(world) {
  const enis = world.network_interfaces || [];
  if (!enis.length) return null;
  return card(
    "Network interfaces", "read-only",
    ...enis.map((e) => flashIf("eni:" + e.id, h(
      "div",
      { class: "row", "data-testid": "eni", "data-eni": e.id, "data-status": e.status },
      h("div", { class: "row-main" }, h("b", null, e.id), h("span", { class: "muted" }, " ", e.private_ip),
        pill(e.status, e.status === "InUse" ? "ok" : "off")),
      h("div", { class: "row-sub" }, e.instance_id ? ["on ", h("code", null, e.instance_id), " · "] : "detached · ",
        h("span", { class: "muted" }, (e.security_groups || []).join(", ") || "no security group")),
    ))),
  );
}

/** One card per CLB ACL: its entries, and a form to add one. */
function aclCards(world, links) {
  const { aclUsers } = links;
  return (world.acls || []).map((a) => {
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
}

/** Prefix lists (read-only). */
function prefixListsCard(world) {
  return card(
    "Prefix lists", "read-only",
    ...(world.prefix_lists || []).map((p) => flashIf("pl:" + p.id, h(
      "div",
      { class: "row", "data-testid": "prefix-list", "data-prefix-list": p.id },
      h("div", { class: "row-main" }, h("code", null, p.id)),
      h("div", { class: "row-sub" }, (p.entries || []).map((e, k) => [k ? ", " : "", h("code", null, e)])),
    ))),
  );
}
