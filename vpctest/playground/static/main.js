// The playground page: plays Slack's client for the vpc-test bot (docs/playground.md).
// Plain ES modules, no framework, no build step. Everything the bot sends is untrusted: the page
// builds DOM nodes and sets textContent; it never puts the bot's text into innerHTML.
//
// Each module holds one part, and imports only the ones below it:
//   store.js      constants, the page's memory, and the hooks that call back up
//   dom.js        building nodes (h, fill), icons
//   mrkdwn.js     Slack text: text objects, mrkdwn, emoji, <@U…>, <#C…>, links, <!date>
//   api.js        POSTs to the playground; a refusal shown in the banner or the modal
//   confirm.js    the confirm dialog of an element with a `confirm` object
//   blockkit.js   blocks and elements, and what a click on one sends
//   modals.js     the person's open modal: inputs, submit, close
//   messages.js   the channel's messages
//   requests.js   the Requests tab
//   world.js      the Cloud tab: the emulated cloud, one function per card
//   composer.js   the slash-command box
//   sidebar.js    channels, who you are, the bot's status, the channel header
//   connection.js the state from the server (server-sent events) and rendering it all
//   main.js       this: wires the page's controls and starts it

import { hideBanner, post, report } from "./api.js";
import { closeMenus } from "./blockkit.js";
import { exampleChip, hideHint, send, updateSuggest } from "./composer.js";
import { connect, load, renderAll } from "./connection.js";
import { $ } from "./dom.js";
import { selectTab } from "./requests.js";
import { restartBot, selectChannel, selectUser } from "./sidebar.js";
import { EXAMPLES, SLASH, hooks, store } from "./store.js";

hooks.renderAll = renderAll;
hooks.selectChannel = selectChannel;

/** The page's own controls: the composer, the sidebar, the tabs, the banners, the menus. */
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
