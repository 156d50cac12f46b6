// Frame mode: the card runs here, in a page the botlens proxy serves under its
// own CSP (with 'wasm-unsafe-eval'), for host pages whose CSP forbids wasm.
// The host page talks to it with postMessage: it sends bot IDs or the text
// under the pointer and geometry, never receives bot data; this page answers
// with sizes and positions only.
import init, { mount, mountTriage, pick, place } from "./pkg/botlens_embed.js";

const here = new URL(".", import.meta.url);
const ready = init({ module_or_path: new URL("pkg/botlens_embed_bg.wasm", here) });
const point = document.createElement("div");
document.body.appendChild(point);

let card = null;
let grouped = null; // the grouped view of many bots, when that is what this frame shows
let cardKey = "";
let anchor = null; // hover mode: the ID's rectangle in the host page
let viewport = null;

function post(type, extra = {}) {
  // Geometry only: nothing here is worth hiding from the embedding page.
  parent.postMessage({ botlens: type, ...extra }, "*");
}

// The API base the host asks for, if it is this proxy; else this proxy's root.
function apiFor(requested) {
  const own = new URL("../", location.href).href.replace(/\/$/, "");
  try {
    const url = new URL(requested);
    if (url.origin === location.origin) return url.href.replace(/\/$/, "");
  } catch {}
  return own;
}

function ensureCard(m) {
  const options = {
    apiBase: apiFor(m.apiBase),
    token: typeof m.token === "string" ? m.token : "",
    theme: typeof m.theme === "string" ? m.theme : "auto",
  };
  const key = JSON.stringify(options);
  if (card && key === cardKey) return card;
  if (card) card.unmount();
  card = mount(point, undefined, { ...options, onClose: () => post("close") });
  cardKey = key;
  return card;
}

function report() {
  const el = point.querySelector(".botlens-card, .botlens-triage");
  if (!el) return;
  const r = el.getBoundingClientRect();
  if (!anchor) {
    post("size", { width: r.width, height: r.height, state: el.dataset.state || "" });
    return;
  }
  // A card taller than the room gets the room and scrolls inside this frame.
  const [x, y, width, height] = place(anchor.left, anchor.top, anchor.width, anchor.height, r.width, r.height, viewport.width, viewport.height);
  post("place", { x, y, width, height, state: el.dataset.state || "" });
}

addEventListener("message", async (event) => {
  const m = event.data;
  if (event.source !== parent || !m || typeof m.botlens !== "string") return;
  await ready;
  if (m.botlens === "show") {
    anchor = null;
    ensureCard(m).show(String(m.id || ""));
  } else if (m.botlens === "hover") {
    const id = pick(String(m.text || ""), Number(m.offset) || 0, typeof m.attribute === "string" ? m.attribute : undefined);
    if (!id) return post("close");
    anchor = m.anchor;
    viewport = m.viewport;
    const c = ensureCard(m);
    if (c.botId() !== id) c.show(id);
    else report();
  } else if (m.botlens === "triage") {
    if (card) card.unmount();
    card = null;
    if (grouped) grouped.unmount();
    const ids = Array.isArray(m.ids) ? m.ids.map(String).slice(0, 500) : [];
    grouped = mountTriage(point, ids, { apiBase: apiFor(m.apiBase), token: typeof m.token === "string" ? m.token : "" });
  } else if (m.botlens === "clear") {
    if (card) card.clear();
  }
});

addEventListener("keydown", (event) => {
  if (event.key === "Escape") post("close");
});

new ResizeObserver(report).observe(point);
new MutationObserver(report).observe(point, { subtree: true, childList: true, attributes: true });
ready.then(() => post("ready"), (error) => post("failed", { message: String(error) }));
