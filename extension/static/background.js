// Background worker glue. Listeners are registered synchronously so a message
// that wakes the worker is never missed; the wasm answers once it is ready.
// The browser, not the message, says who is asking: the card frame in a tab
// ("card"), the extension's other pages ("page": popup, options, full view) or
// its content scripts in a tab ("content"). The Rust side allows each only its
// own message kinds, and answers a card frame only with its tab's token.
// Web pages cannot reach this listener at all (no externally_connectable).
import init, { handle_message } from "./pkg/botlens_worker.js";

const ready = init({ module_or_path: new URL("./pkg/botlens_worker_bg.wasm", import.meta.url) });
const ownPages = chrome.runtime.getURL("");
const cardPage = chrome.runtime.getURL("card.html");

// The key lives in storage.local: where the browser supports it, keep that
// area out of content scripts' reach altogether (they only need storage.sync).
if (chrome.storage.local.setAccessLevel) {
  chrome.storage.local.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }).catch(() => {});
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  const tabId = sender.tab && Number.isInteger(sender.tab.id) ? sender.tab.id : undefined;
  let from;
  if (sender.url && sender.url.startsWith(cardPage)) {
    from = "card";
  } else if (sender.url && sender.url.startsWith(ownPages)) {
    from = "page";
  } else if (tabId !== undefined) {
    from = "content";
  } else {
    return false;
  }
  ready
    .then(() => handle_message(message, from, tabId))
    .then(sendResponse, () => sendResponse(null));
  return true; // the answer comes asynchronously
});
