// The page's constants and memory: what it knows, kept across re-renders. Every module that
// reads or changes it imports it from here; nothing else is shared.

export const SLASH = "/vpc-test";
export const EXAMPLES = ["/vpc-test help", "/vpc-test list", "/vpc-test billing-backend", "/vpc-test all"];
export const ACK_DEADLINE_MS = 3000;

export const store = {
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

export function writeLocal(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts until reload */
  }
}

/**
 * Calls that go up the import tree, filled in by main.js: a channel link in a message switches
 * channels (sidebar.js), which re-renders the whole page (connection.js). Through here, no module
 * imports one that imports it back.
 */
export const hooks = {
  renderAll: () => {},
  selectChannel: (_id) => {},
};
