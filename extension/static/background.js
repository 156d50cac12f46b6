// Background worker glue. Listeners are registered synchronously so a message
// that wakes the worker is never missed; the wasm answers once it is ready.
import init, { handle_message } from "./pkg/botlens_worker.js";

const ready = init({ module_or_path: new URL("./pkg/botlens_worker_bg.wasm", import.meta.url) });
const ownPages = chrome.runtime.getURL("");

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only our own extension pages may ask; content scripts and web pages may not.
  if (sender.id !== chrome.runtime.id || !sender.url || !sender.url.startsWith(ownPages)) return false;
  ready.then(() => handle_message(message)).then(sendResponse, () => sendResponse(null));
  return true; // the answer comes asynchronously
});
