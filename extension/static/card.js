// The sensor hands over its end of a MessageChannel as soon as the frame
// loads, which may be before the wasm is ready: catch it first. Any page can
// frame card.html and post an offer too, so an offer is taken only once the
// worker confirms its token is the one this tab's sensor registered; until
// then the frame keeps listening (a racing page cannot lock the sensor out).
import init, { start_card } from "./pkg/botlens_card.js";

// A click counts only while the card is seen whole: a page that lays a
// see-through overlay over it (pointer-events: none) or fades it out to make
// the user press "Copy report" unknowingly gets nothing. Where the browser can
// tell (IntersectionObserver v2: Chromium), clicks on an occluded card are dropped
// before the card's own handlers see them.
const canTell = "isVisible" in (globalThis.IntersectionObserverEntry?.prototype ?? {});
let seenWhole = !canTell;
// Written on the frame's own root (the page cannot read it): tests wait for it.
document.documentElement.dataset.seen = String(seenWhole);
if (canTell) {
  new IntersectionObserver((entries) => {
    for (const entry of entries) seenWhole = entry.isVisible;
    document.documentElement.dataset.seen = String(seenWhole);
  }, { trackVisibility: true, delay: 100 }).observe(document.documentElement);
  addEventListener("click", (event) => {
    if (!seenWhole) {
      event.stopImmediatePropagation();
      event.preventDefault();
    }
  }, true);
}

const offer = new Promise((resolve) => {
  let taken = false;
  addEventListener("message", async function onOffer(event) {
    const data = event.data;
    if (taken || !data || data.botlens !== "init" || typeof data.token !== "string" || !event.ports[0]) return;
    const port = event.ports[0];
    const reply = await chrome.runtime.sendMessage({ kind: "frame_check", frame_token: data.token }).catch(() => null);
    if (taken || reply !== "frame_confirmed") return;
    taken = true;
    removeEventListener("message", onOffer);
    resolve({ port, token: data.token });
  });
});
await init({ module_or_path: new URL("./pkg/botlens_card_bg.wasm", import.meta.url) });
const { port, token } = await offer;
start_card(port, token);
