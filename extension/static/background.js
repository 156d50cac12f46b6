// Background worker glue. Listeners are registered synchronously so a message
// that wakes the worker is never missed; the wasm answers once it is ready.
// The browser, not the message, says who is asking: the card frame in a tab
// ("card"), the extension's other pages ("page": popup, options, full view) or
// its content scripts in a tab ("content"). The Rust side allows each only its
// own message kinds, and answers a card frame only with its tab's token.
// Web pages cannot reach this listener at all (no externally_connectable).
import init, { bot_in, forget_tab, handle_message } from "./pkg/botlens_worker.js";

const ready = init({ module_or_path: new URL("./pkg/botlens_worker_bg.wasm", import.meta.url) });

// The key lives in storage.local: where the browser supports it, keep that
// area out of content scripts' reach altogether (they only need storage.sync).
// Firefox has no setAccessLevel: docs/security.md says what that means there.
if (chrome.storage.local.setAccessLevel) {
  chrome.storage.local.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }).catch(() => {});
}

/** "card", "page" or "content"; null for anyone else. */
function senderKind(sender, tabId) {
  if (sender.id !== chrome.runtime.id) return null;
  // The card frame may be loaded from a per-session URL (use_dynamic_url), so
  // it is told by its path on an extension origin, not by one fixed URL.
  const url = sender.url ? new URL(sender.url) : null;
  const own = url && (url.protocol === "chrome-extension:" || url.protocol === "moz-extension:");
  if (own) return url.pathname === "/card.html" ? "card" : "page";
  return tabId !== undefined ? "content" : null;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const tabId = sender.tab && Number.isInteger(sender.tab.id) ? sender.tab.id : undefined;
  const from = senderKind(sender, tabId);
  if (!from) return false;
  const frameId = Number.isInteger(sender.frameId) ? sender.frameId : undefined;
  ready
    .then(() => handle_message(message, from, tabId, frameId))
    .then(sendResponse, () => sendResponse(null));
  return true; // the answer comes asynchronously
});

// A closed tab's card tokens and budget share go with it.
chrome.tabs.onRemoved.addListener((tabId) => {
  ready.then(() => forget_tab(tabId)).catch(() => {});
});

// Ways in where hovering cannot reach: "Look up with botlens" on a selection
// or a link, the keyboard shortcut on a selection, the omnibox keyword `bot`.
// A selection's card opens at the selection, in the frame that holds it; a
// link, an omnibox entry or a selection no sensor can show opens the full view.
const MENU = "botlens-lookup";
chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: MENU, title: "Look up with botlens", contexts: ["selection", "link"] }, () => void chrome.runtime.lastError);
});

async function openFullView(text, disposition = "newForegroundTab") {
  await ready;
  const id = bot_in(String(text || "").slice(0, 4096));
  const url = chrome.runtime.getURL(id ? `explorer.html#${id}` : "explorer.html");
  if (disposition === "currentTab") await chrome.tabs.update({ url });
  else await chrome.tabs.create({ url, active: disposition !== "newBackgroundTab" });
}

/** Ask the tab's sensor(s) to open the card at the selection; `true` when one did. */
async function lookUpSelection(tabId, frameId) {
  const options = Number.isInteger(frameId) ? { frameId } : undefined;
  const reply = await chrome.tabs.sendMessage(tabId, { kind: "lookup_selection" }, options).catch(() => null);
  return Boolean(reply && reply.shown);
}

const waysIn = {
  async menu(info, tab) {
    if (info.menuItemId !== MENU) return;
    const shown = info.selectionText && tab && Number.isInteger(tab.id) && (await lookUpSelection(tab.id, info.frameId));
    if (!shown) await openFullView(info.selectionText || info.linkUrl);
  },
  async command(command, tab) {
    if (command === "lookup-selection" && tab && Number.isInteger(tab.id)) await lookUpSelection(tab.id);
  },
  async omnibox(text, disposition) {
    await openFullView(text, disposition);
  },
};
chrome.contextMenus.onClicked.addListener((info, tab) => { waysIn.menu(info, tab).catch(() => {}); });
chrome.commands.onCommand.addListener((command, tab) => { waysIn.command(command, tab).catch(() => {}); });
chrome.omnibox.setDefaultSuggestion({ description: "Look up a bot ID or Explorer URL with botlens" });
chrome.omnibox.onInputEntered.addListener((text, disposition) => { waysIn.omnibox(text, disposition).catch(() => {}); });
// The end-to-end tests call these as the browser would (no page can reach the worker).
globalThis.botlensWaysIn = waysIn;
