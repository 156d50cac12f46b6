// botlens embed: the same card as the extension, for internal tools.
//
//   <script src=".../embed/botlens.js" data-api-base="https://botlens-proxy.example" defer></script>
//   <botlens-card bot-id="600dca11-0001-4b07-8000-000000000001"></botlens-card>
//   <botlens-triage bot-ids="600dca11-… 10bbee00-…"></botlens-triage>
//   import { mount, mountTriage } from ".../embed/botlens.mjs";  mount(element, botId, options)
//
// The Rust card (pkg/botlens_embed.js + .wasm, next to this file) renders in a
// shadow root, so page styles do not reach it. Pages whose CSP forbids
// 'wasm-unsafe-eval' get frame mode: the card runs in card.html, served by the
// botlens proxy, and this page only sends it bot IDs and geometry.
// The key lives in the proxy; nothing here ever sees it.

// The hover layer the extension's content script uses too (reach.js and hover.js, next to this file).
import "./reach.js";
import "./hover.js";

const layer = globalThis.botlensHover;
const BASE = new URL(".", import.meta.url);
// The embed's own elements: never read as page text.
const OWN = "botlens-card,botlens-triage,[data-botlens-host],[data-botlens-frame]";

/** Defaults; a page overrides them with window.botlensConfig or the script's data-* attributes. */
export const defaults = Object.freeze({
  apiBase: "", // where the botlens proxy answers; "" = the origin that serves these files
  token: "", // sent as X-Botlens-Token when the proxy was started with one
  mode: "auto", // "auto" (wasm, else frame) | "wasm" | "frame"
  hover: true, // show the card when the pointer rests on a bot ID
  theme: "auto", // "auto" | "light" | "dark"
  restMs: 250, // pointer still this long = intent to hover
  closeMs: 300, // grace period to travel from the ID to the card
  zIndex: 2147483000,
});

// The tag that loaded this file (classic botlens.js hands itself over; a module
// tag is found by its URL). Read before <botlens-card> elements upgrade, so
// they see the page's configuration.
const ownTag = window.__botlensScript || [...document.querySelectorAll("script[type=module][src]")].find((s) => {
  try {
    return new URL(s.getAttribute("src"), document.baseURI).href === import.meta.url;
  } catch {
    return false;
  }
});
let pageConfig = ownTag ? configFromScript(ownTag) : null;

function bool(value) {
  if (typeof value === "boolean") return value;
  return !/^(off|false|no|0)$/i.test(String(value).trim());
}

/** Merge defaults < window.botlensConfig < `overrides`, with types and the API base resolved. */
export function resolveConfig(overrides = {}) {
  const global = typeof window.botlensConfig === "object" && window.botlensConfig ? window.botlensConfig : {};
  const merged = { ...defaults, ...global, ...(pageConfig || {}), ...clean(overrides) };
  const config = {
    ...merged,
    hover: bool(merged.hover),
    restMs: Math.max(0, Number(merged.restMs) || defaults.restMs),
    closeMs: Math.max(0, Number(merged.closeMs) || defaults.closeMs),
    zIndex: Number(merged.zIndex) || defaults.zIndex,
    mode: ["auto", "wasm", "frame"].includes(merged.mode) ? merged.mode : "auto",
    token: typeof merged.token === "string" ? merged.token : "",
  };
  // Relative to the page, like any URL written in it; empty = the proxy serving this file.
  const base = String(merged.apiBase || "").trim();
  config.apiBase = (base ? new URL(base, document.baseURI) : new URL("../", BASE)).href.replace(/\/$/, "");
  return config;
}

function clean(object) {
  return Object.fromEntries(Object.entries(object || {}).filter(([, v]) => v !== undefined && v !== null));
}

/** The configuration a script tag carries: data-api-base, data-token, data-mode, data-hover, data-theme. */
export function configFromScript(script) {
  const d = (script && script.dataset) || {};
  return clean({ apiBase: d.apiBase, token: d.token, mode: d.mode, hover: d.hover, theme: d.theme, restMs: d.restMs, closeMs: d.closeMs });
}

// ---------------------------------------------------------------- engines

let wasm = null;

/** The Rust card, loaded once. Rejects where the page's CSP forbids WebAssembly. */
export function loadWasm() {
  wasm ??= (async () => {
    const glue = await import(new URL("pkg/botlens_embed.js", BASE).href);
    await glue.default({ module_or_path: new URL("pkg/botlens_embed_bg.wasm", BASE) });
    return glue;
  })();
  return wasm;
}

async function engine(config) {
  if (config.mode === "frame") return null;
  try {
    return await loadWasm();
  } catch (error) {
    if (config.mode === "wasm") throw error;
    console.info("botlens: this page does not allow WebAssembly ('wasm-unsafe-eval'); using frame mode", String(error));
    return null;
  }
}

function frameUrl() {
  return new URL("card.html", BASE);
}

/** An iframe of card.html and a queue for messages sent before it is ready. */
function cardFrame(onMessage) {
  const frame = document.createElement("iframe");
  frame.src = frameUrl().href;
  frame.title = "botlens card";
  frame.setAttribute("data-botlens-frame", "");
  frame.allow = "clipboard-write"; // the card's "Copy report" button
  const origin = frameUrl().origin;
  let ready = false;
  const queue = [];
  const listener = (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin) return;
    const m = event.data;
    if (!m || typeof m.botlens !== "string") return;
    if (m.botlens === "ready") {
      ready = true;
      for (const q of queue.splice(0)) frame.contentWindow.postMessage(q, origin);
    } else {
      onMessage(m);
    }
  };
  addEventListener("message", listener);
  return {
    frame,
    post(message) {
      if (ready && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
      else queue.push(message);
    },
    dispose() {
      removeEventListener("message", listener);
      frame.remove();
    },
  };
}

function frameOptions(config) {
  return { apiBase: config.apiBase, token: config.token, theme: config.theme };
}

// ---------------------------------------------------------------- inline cards

/**
 * Where an inline view renders in `target` (an element or a selector): the element's own
 * shadow root (a botlens element), else a new host in it with an open shadow root of its own,
 * which `unmount` removes.
 */
function shadowIn(target, kind) {
  const el = typeof target === "string" ? document.querySelector(target) : target;
  if (!el) throw new Error(`botlens: nothing matches ${target}`);
  if (el.shadowRoot) return { host: null, root: el.shadowRoot };
  const host = document.createElement("div");
  host.setAttribute("data-botlens-host", kind);
  host.style.setProperty("display", "block");
  el.appendChild(host);
  return { host, root: host.attachShadow({ mode: "open" }) };
}

/**
 * A card frame inline in `root` (frame mode), first `size` px, then as big as what it
 * shows says; its other messages go to `onMessage`.
 */
function inlineFrame(root, size, onMessage = () => {}) {
  const f = cardFrame((m) => {
    if (m.botlens === "size") {
      f.frame.style.setProperty("height", `${Math.ceil(m.height)}px`);
      f.frame.style.setProperty("width", `${Math.ceil(m.width)}px`);
    } else {
      onMessage(m);
    }
  });
  const style = { border: "0", width: `${size.width}px`, height: `${size.height}px`, display: "block", background: "transparent", "color-scheme": "normal" };
  for (const [k, v] of Object.entries(style)) f.frame.style.setProperty(k, v);
  root.appendChild(f.frame);
  return f;
}

/**
 * Mount an inline card for `botId` into `target` (an element or a selector).
 * Returns a handle: show(id), clear(), refresh(), unmount(), mode.
 */
export async function mount(target, botId, options = {}) {
  const { host, root } = shadowIn(target, "inline");
  const config = resolveConfig(options);
  const glue = await engine(config);
  if (glue) {
    const point = document.createElement("div");
    root.appendChild(point);
    const card = glue.mount(point, botId || undefined, {
      apiBase: config.apiBase,
      token: config.token,
      theme: config.theme,
      view: options.view,
      onClose: options.onClose,
    });
    return {
      mode: "wasm",
      show: (id) => card.show(String(id)),
      clear: () => card.clear(),
      refresh: () => card.refresh(),
      unmount: () => {
        card.unmount();
        point.remove();
        if (host) host.remove();
      },
    };
  }
  const f = inlineFrame(root, { width: 400, height: 120 }, (m) => {
    if (m.botlens === "close" && options.onClose) options.onClose();
  });
  let current = "";
  const show = (id) => {
    current = String(id);
    f.post({ botlens: "show", id: current, ...frameOptions(config) });
  };
  if (botId) show(botId);
  return {
    mode: "frame",
    show,
    clear: () => {
      current = "";
      f.post({ botlens: "clear" });
    },
    refresh: () => current && show(current),
    unmount: () => {
      f.dispose();
      if (host) host.remove();
    },
  };
}

/**
 * Mount the grouped view of many bots (`ids`: an array or a string of IDs) into `target`:
 * each looked up through the proxy and grouped by verdict, reason and whose move, as the
 * extension's popup groups a page's bots. Returns a handle: unmount(), mode.
 */
export async function mountTriage(target, ids, options = {}) {
  const { host, root } = shadowIn(target, "triage");
  const list = (Array.isArray(ids) ? ids.map(String) : String(ids || "").split(/[\s,;]+/)).filter(Boolean);
  const config = resolveConfig(options);
  const glue = await engine(config);
  if (glue) {
    const point = document.createElement("div");
    root.appendChild(point);
    const view = glue.mountTriage(point, list, { apiBase: config.apiBase, token: config.token });
    return {
      mode: "wasm",
      unmount: () => {
        view.unmount();
        point.remove();
        if (host) host.remove();
      },
    };
  }
  const f = inlineFrame(root, { width: 480, height: 60 });
  f.post({ botlens: "triage", ids: list, ...frameOptions(config) });
  return {
    mode: "frame",
    unmount: () => {
      f.dispose();
      if (host) host.remove();
    },
  };
}

/** What <botlens-card> and <botlens-triage> share: options from attributes, their own shadow root, unmounted on removal. */
class BotlensElement extends HTMLElement {
  connectedCallback() {
    if (this._handle) return;
    const root = this.shadowRoot || this.attachShadow({ mode: "open" });
    const options = clean({
      apiBase: this.getAttribute("api-base") ?? undefined,
      token: this.getAttribute("token") ?? undefined,
      theme: this.getAttribute("theme") ?? undefined,
      mode: this.getAttribute("mode") ?? undefined,
      view: this.getAttribute("view") ?? undefined,
    });
    if (!this.style.display) this.style.display = "block";
    this._handle = this.mountWith(options);
    this._handle.catch((error) => {
      root.textContent = `botlens: ${error}`;
    });
  }

  disconnectedCallback() {
    const handle = this._handle;
    this._handle = null;
    if (handle) handle.then((h) => h.unmount(), () => {});
  }
}

/** <botlens-triage bot-ids="… …" [api-base] [token] [mode]>: many bots grouped by why. */
class BotlensTriage extends BotlensElement {
  mountWith(options) {
    return mountTriage(this, this.getAttribute("bot-ids") || "", options);
  }
}

if (!customElements.get("botlens-triage")) customElements.define("botlens-triage", BotlensTriage);

/** <botlens-card bot-id="…" [api-base] [token] [theme] [mode] [view=full]>: an inline card, or its full view. */
class BotlensCard extends BotlensElement {
  static get observedAttributes() {
    return ["bot-id"];
  }

  mountWith(options) {
    return mount(this, this.getAttribute("bot-id") || "", options);
  }

  attributeChangedCallback(name, old, value) {
    if (name === "bot-id" && old !== null && old !== value && this._handle) {
      this._handle.then((h) => (value ? h.show(value) : h.clear()));
    }
  }
}

if (!customElements.get("botlens-card")) customElements.define("botlens-card", BotlensCard);

// ---------------------------------------------------------------- hover on the page

let hover = null;

/** Start the page-wide hover card (what the script tag does). Idempotent. */
export async function start(options = {}) {
  pageConfig = { ...(pageConfig || {}), ...clean(options) };
  const config = resolveConfig();
  if (!config.hover || hover) return hover;
  hover = "starting";
  const glue = await engine(config);
  hover = glue ? wasmPopover(glue, config) : framePopover(config);
  listen(config, hover);
  return hover;
}

function fixedStyle(el, zIndex) {
  const style = {
    position: "fixed", top: "0", left: "0", margin: "0", padding: "0", border: "0", "z-index": String(zIndex),
    visibility: "hidden", display: "block", opacity: "1", transform: "none", "max-width": "none", "max-height": "none",
    "pointer-events": "auto", background: "transparent",
  };
  for (const [k, v] of Object.entries(style)) el.style.setProperty(k, v, "important");
}

// Wasm mode: the card in a shadow root in this document. Card and anchor share the document, so
// Floating UI (the Rust `float` export, www/src/float.rs) places the card from the live anchor
// and keeps it there while the page scrolls or resizes: below, else above (flip), shifted to stay
// inside the viewport (shift), capped to the room it has (size), closed when the anchor is gone.
function wasmPopover(glue, config) {
  const host = document.createElement("div");
  host.setAttribute("data-botlens-host", "hover");
  fixedStyle(host, config.zIndex);
  const root = host.attachShadow({ mode: "open" });
  const fit = document.createElement("style");
  // The room float.rs measured, as custom properties on the host: a taller card scrolls inside.
  fit.textContent = ":host .botlens-card{max-height:var(--botlens-max-height,none);max-width:var(--botlens-max-width,100%);overflow-y:auto}";
  const point = document.createElement("div");
  root.append(fit, point);
  document.documentElement.appendChild(host);
  let follow = null; // the running Float: one at a time, like the card
  const unfollow = () => {
    if (follow) follow.stop();
    follow = null;
  };
  const pop = { follows: true };
  const card = glue.mount(point, undefined, {
    apiBase: config.apiBase,
    token: config.token,
    theme: config.theme,
    onClose: () => pop.close(),
  });
  // Floating UI watches the host's size; the content can change while the host is capped.
  new ResizeObserver(() => follow && follow.update()).observe(point);
  Object.assign(pop, {
    element: host,
    hover(hit) {
      const id = glue.pick(hit.text, hit.offset, hit.attribute || undefined);
      if (!id) return false;
      unfollow();
      if (card.botId() !== id) card.show(id);
      // Called (later, once) when the anchor was scrolled out of sight or left the document.
      const mine = glue.float(host, hit.box, hit.context, () => follow === mine && pop.close());
      follow = mine;
      return true;
    },
    close() {
      unfollow();
      host.style.setProperty("visibility", "hidden", "important");
      card.clear();
      pop.onClosed && pop.onClosed();
    },
  });
  return pop;
}

// Frame mode: the card runs in card.html from the proxy; this page sends text and geometry.
function framePopover(config) {
  const pop = {};
  const f = cardFrame((m) => {
    if (m.botlens === "place") {
      const s = f.frame.style;
      s.setProperty("left", `${Math.round(m.x)}px`, "important");
      s.setProperty("top", `${Math.round(m.y)}px`, "important");
      s.setProperty("width", `${Math.ceil(m.width)}px`, "important");
      s.setProperty("height", `${Math.ceil(m.height)}px`, "important");
      s.setProperty("visibility", "visible", "important");
    } else if (m.botlens === "close") {
      pop.close();
    }
  });
  fixedStyle(f.frame, config.zIndex);
  f.frame.style.setProperty("width", "400px", "important");
  f.frame.style.setProperty("height", "40px", "important");
  document.documentElement.appendChild(f.frame);
  Object.assign(pop, {
    element: f.frame,
    hover(hit) {
      const anchor = layer.plainRect(hit.box.getBoundingClientRect());
      f.post({ botlens: "hover", text: hit.text, offset: hit.offset, attribute: hit.attribute, anchor, viewport: layer.viewport(), ...frameOptions(config) });
      return true;
    },
    close() {
      f.frame.style.setProperty("visibility", "hidden", "important");
      f.post({ botlens: "clear" });
      pop.onClosed && pop.onClosed();
    },
  });
  return pop;
}

// Hover intent, as the extension's sensor (hover.js); scrolling closes a card that does not
// follow its anchor (frame mode).
function listen(config, pop) {
  const intent = layer.intent({
    restMs: config.restMs,
    closeMs: config.closeMs,
    also: OWN,
    card: () => pop.element,
    open: (hit) => pop.hover(hit),
    close: () => pop.close(),
    scrollCloses: () => !pop.follows,
  });
  pop.onClosed = () => intent.closed();
  pop.element.addEventListener("mouseenter", () => intent.cardEntered());
  pop.element.addEventListener("mouseleave", () => intent.cardLeft());
}

/** Find the bot IDs in a text with the Rust rules: [{id, kind, start, end}] (UTF-16 offsets). Needs wasm. */
export async function scan(text) {
  return (await loadWasm()).scan(String(text));
}

// Loaded by a script tag (classic botlens.js or a module tag): start the page-wide hover card.
if (ownTag) start(configFromScript(ownTag));
