// Building DOM nodes: the only way the page shows anything (never innerHTML).

export const $ = (id) => document.getElementById(id);

const PROPS = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "type"]);

/** h("div", {class: "x", "data-testid": "y", onclick: fn}, child, [children], "text") */
export function h(tag, props, ...children) {
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
export function fill(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.append(child);
    else node.append(document.createTextNode(String(child)));
  }
  return node;
}

export function svgIcon(path, size = 14) {
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

export const ICON_EYE =
  "M10 4C5.5 4 2.3 7.3 1 10c1.3 2.7 4.5 6 9 6s7.7-3.3 9-6c-1.3-2.7-4.5-6-9-6zm0 10a4 4 0 1 1 0-8 4 4 0 0 1 0 8zm0-6.3a2.3 2.3 0 1 0 0 4.6 2.3 2.3 0 0 0 0-4.6z";
export const ICON_HASH =
  "M7.5 2 6.8 6H3.5v1.8h3l-.6 4.4H2.5V14h3.1l-.7 4h1.9l.7-4h4.3l-.7 4h1.9l.7-4h3.3v-1.8h-3l.6-4.4h3.4V6h-3.1l.7-4h-1.9l-.7 4H8.1l.7-4H7.5zm.3 5.8h4.4l-.6 4.4H7.2l.6-4.4z";
