// Background worker glue. Listeners are registered synchronously so a message
// that wakes the worker is never missed; the wasm answers once it is ready.
// The browser, not the message, says who is asking: the extension's own pages
// ("page": card frame, popup, options, full view) or its content scripts in a
// tab ("content"). The Rust side allows each only its own message kinds.
// Web pages cannot reach this listener at all (no externally_connectable).
import init, { handle_message } from "./pkg/botlens_worker.js";

const ready = init({ module_or_path: new URL("./pkg/botlens_worker_bg.wasm", import.meta.url) });
const ownPages = chrome.runtime.getURL("");
const cardPage = chrome.runtime.getURL("card.html");
const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Card frames: a page may frame card.html itself, so a frame is answered only
// with the token its tab's content script registered (kept in session storage,
// which content scripts cannot read, and which survives worker restarts).
async function registerFrame(token, tabId) {
  if (typeof token !== "string" || !TOKEN.test(token)) return { outcome: "refused" };
  await chrome.storage.session.set({ [`frame:${token}`]: tabId });
  return { outcome: "done" };
}
async function frameAllowed(token, tabId) {
  if (typeof token !== "string" || !TOKEN.test(token) || !Number.isInteger(tabId)) return false;
  const key = `frame:${token}`;
  return (await chrome.storage.session.get(key))[key] === tabId;
}

// The key lives in storage.local: where the browser supports it, keep that
// area out of content scripts' reach altogether (they only need storage.sync).
if (chrome.storage.local.setAccessLevel) {
  chrome.storage.local.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }).catch(() => {});
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return false;
  let from;
  let tabId;
  if (sender.url && sender.url.startsWith(ownPages)) {
    from = "page";
  } else if (sender.tab && Number.isInteger(sender.tab.id)) {
    from = "content";
    tabId = sender.tab.id;
  } else {
    return false;
  }
  if (from === "content" && message && message.kind === "frame_token") {
    registerFrame(message.token, tabId).then(sendResponse, () => sendResponse(null));
    return true;
  }
  let allowed = Promise.resolve(true);
  if (from === "page" && sender.url.startsWith(cardPage)) {
    const { frame_token: token, ...rest } = message || {};
    message = rest;
    allowed = frameAllowed(token, sender.tab && sender.tab.id);
  }
  allowed
    .then((ok) => (ok ? ready.then(() => handle_message(message, from, tabId)) : { failed: { error: { kind: "not_permitted" } } }))
    .then(sendResponse, () => sendResponse(null));
  return true; // the answer comes asynchronously
});
