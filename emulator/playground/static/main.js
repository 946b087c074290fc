// The playground page: plays Slack's client for the vpc-test bot (docs/playground.md).
// Plain ES module, no framework, no build step. Everything the bot sends is untrusted: the page
// builds DOM nodes and sets textContent; it never puts the bot's text into innerHTML.
// Each module holds one part of it; this one starts the page.

import { connect, load, wire } from "./connection.js";
import { selectTab } from "./requests.js";

wire();
selectTab("cloud");
connect();
load();
