// botlens sensor: the content script. It holds no key, calls no API and
// renders no data. It notices a pointer resting on something ID-shaped, hands
// the text around it to the card frame (an extension page the site cannot
// read), and places that frame where the card asks. It never rewrites the
// page's DOM: the frame is the only node it adds.
(() => {
  "use strict";
  if (window.__botlensSensor) return; // injected once per document
  window.__botlensSensor = true;

  const REST_MS = 250; // pointer still this long = intent to hover
  const CLOSE_MS = 300; // grace period to travel from the ID to the card
  const CONTEXT = 120; // characters of text on each side sent for classification
  // Quick filter only: the card frame classifies with the Rust rules.
  const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
  const SKIP = "script,style,template,noscript,textarea,input,select,[contenteditable=''],[contenteditable=true],[data-botlens=off]";

  let frame = null; // the card's iframe, created on first need
  let port = null; // MessageChannel port to the card
  let frameReady = null; // resolves when the card has its port
  let restTimer = 0;
  let closeTimer = 0;
  let anchor = null; // {rect, id, focusReturn} of the ID the card is about
  let overFrame = false;

  // Per-site switch (options page or popup), kept in storage.sync with the
  // other non-secret prefs. Off until read, so a switched-off site never sees a card.
  let siteOff = true;
  const site = location.hostname.toLowerCase().replace(/\.$/, "");
  function readSwitch(sitesOff) {
    siteOff = Array.isArray(sitesOff) && sitesOff.includes(site);
    if (siteOff && anchor) close();
  }
  chrome.storage.sync.get("sites_off").then((items) => readSwitch(items.sites_off), () => readSwitch([]));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "sync" && changes.sites_off) readSwitch(changes.sites_off.newValue);
  });

  function optedOut(node) {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return siteOff || !el || el.closest(SKIP) !== null || document.documentElement.dataset.botlens === "off";
  }

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      return pos && { node: pos.offsetNode, offset: pos.offset };
    }
    const range = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return range && { node: range.startContainer, offset: range.startOffset };
  }

  function contains(rect, x, y) {
    return x >= rect.left - 1 && x <= rect.right + 1 && y >= rect.top - 1 && y <= rect.bottom + 1;
  }

  // The ID-shaped text under the pointer, with the text around it.
  function textHit(x, y) {
    const caret = caretAt(x, y);
    if (!caret || caret.node.nodeType !== Node.TEXT_NODE || optedOut(caret.node)) return null;
    const data = caret.node.data;
    const from = Math.max(0, caret.offset - CONTEXT);
    const to = Math.min(data.length, caret.offset + CONTEXT);
    const text = data.slice(from, to);
    for (const m of text.matchAll(UUID)) {
      const start = from + m.index;
      const end = start + m[0].length;
      if (caret.offset < start || caret.offset > end) continue;
      const range = document.createRange();
      range.setStart(caret.node, start);
      range.setEnd(caret.node, end);
      const rect = range.getBoundingClientRect();
      if (!contains(rect, x, y)) return null; // caret snapped to text far from the pointer
      return { text, offset: caret.offset - from, rect, id: m[0].toLowerCase() };
    }
    return null;
  }

  // An ID carried by the link or labelled element under the pointer.
  function attributeHit(x, y) {
    const el = document.elementFromPoint(x, y);
    if (!el || optedOut(el)) return null;
    const carrier = el.closest("a[href],[title],[aria-label]");
    return carrier && carrierHit(carrier, false);
  }

  // An ID in an element's link or labels (and, when focused, its own text).
  function carrierHit(el, withText) {
    const sources = ["href", "title", "aria-label"].map((name) => [name, el.getAttribute(name)]);
    if (withText) sources.push([null, (el.textContent || "").slice(0, 2000)]);
    for (const [name, value] of sources) {
      const m = value && value.match(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/);
      if (m) {
        const from = Math.max(0, m.index - CONTEXT);
        return { text: value.slice(from, m.index + 36 + CONTEXT), offset: m.index - from + 1, attribute: name, rect: el.getBoundingClientRect(), id: m[0].toLowerCase() };
      }
    }
    return null;
  }

  // "dark" when the page behind the anchor is dark, so the card can match it.
  function pageTheme(x, y) {
    for (let el = document.elementFromPoint(x, y); el; el = el.parentElement) {
      const m = getComputedStyle(el).backgroundColor.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
      if (!m || (m[4] !== undefined && Number(m[4]) < 0.5)) continue; // transparent: look further up
      const luminance = (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
      return luminance < 0.45 ? "dark" : "light";
    }
    return null;
  }

  function plainRect(r) {
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  }

  // UUID-shaped random token. Not crypto.randomUUID: plain-http pages are not
  // secure contexts, and there it does not exist.
  function randomToken() {
    const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function ensureFrame() {
    if (frameReady) return frameReady;
    frame = document.createElement("iframe");
    frame.src = chrome.runtime.getURL("card.html");
    frame.setAttribute("title", "botlens card");
    frame.setAttribute("allowtransparency", "true");
    frame.setAttribute("allow", "clipboard-write"); // the card's copy buttons
    // Inline !important beats any stylesheet the page has.
    const style = {
      position: "fixed", top: "0", left: "0", width: "0", height: "0", border: "0", margin: "0", padding: "0",
      "z-index": "2147483647", visibility: "hidden", "color-scheme": "normal", background: "transparent",
      display: "block", opacity: "1", transform: "none", "max-width": "none", "max-height": "none",
      "pointer-events": "auto", "border-radius": "10px", "box-shadow": "none", inset: "auto",
      overflow: "hidden", filter: "none", "clip-path": "none",
    };
    for (const [k, v] of Object.entries(style)) frame.style.setProperty(k, v, "important");
    frame.addEventListener("mouseenter", () => { overFrame = true; clearTimeout(closeTimer); });
    frame.addEventListener("mouseleave", () => { overFrame = false; scheduleClose(); });
    // A page can frame card.html too and offer it a port of its own. The token,
    // registered with the worker by this content script and handed over with
    // our port, is what makes the worker answer our frame and no other.
    const token = randomToken();
    const registered = chrome.runtime.sendMessage({ kind: "frame_token", token });
    frameReady = new Promise((resolve) => {
      frame.addEventListener("load", async () => {
        await registered;
        const channel = new MessageChannel();
        port = channel.port1;
        port.onmessage = (event) => fromCard(event.data);
        frame.contentWindow.postMessage({ botlens: "init", token }, new URL(frame.src).origin, [channel.port2]);
        resolve();
      }, { once: true });
    });
    document.documentElement.appendChild(frame);
    // The top layer puts the card above every stacking context of the page and
    // out of reach of its transforms, filters and zoom.
    if (frame.showPopover) {
      frame.setAttribute("popover", "manual");
      frame.showPopover();
    }
    return frameReady;
  }

  function fromCard(message) {
    if (!message || typeof message !== "object" || !frame) return;
    if (message.type === "place") {
      const s = frame.style;
      s.setProperty("left", `${Math.round(message.x)}px`, "important");
      s.setProperty("top", `${Math.round(message.y)}px`, "important");
      s.setProperty("width", `${Math.ceil(message.width)}px`, "important");
      s.setProperty("height", `${Math.ceil(message.height)}px`, "important");
      s.setProperty("visibility", "visible", "important");
    } else if (message.type === "close") {
      close();
    }
  }

  function close() {
    clearTimeout(closeTimer);
    const returnTo = anchor && anchor.focusReturn;
    anchor = null;
    overFrame = false;
    if (frame) {
      frame.style.setProperty("visibility", "hidden", "important");
      frame.style.setProperty("width", "0", "important");
      frame.style.setProperty("height", "0", "important");
    }
    if (port) port.postMessage({ type: "closed" });
    if (returnTo && returnTo.isConnected) returnTo.focus(); // opened from the keyboard: focus goes back
  }

  function scheduleClose() {
    clearTimeout(closeTimer);
    if (anchor) closeTimer = setTimeout(() => { if (!overFrame) close(); }, CLOSE_MS);
  }

  async function probe(x, y) {
    const hit = textHit(x, y) || attributeHit(x, y);
    if (!hit) {
      if (anchor && !contains(anchor.rect, x, y)) scheduleClose();
      return;
    }
    clearTimeout(closeTimer);
    if (anchor && anchor.id === hit.id && contains(anchor.rect, x, y)) return;
    await show(hit, null, pageTheme(x, y));
  }

  async function show(hit, focusReturn, theme) {
    anchor = { id: hit.id, rect: hit.rect, focusReturn };
    await ensureFrame();
    port.postMessage({
      type: "hover",
      text: hit.text,
      offset: hit.offset,
      attribute: hit.attribute || null,
      anchor: plainRect(hit.rect),
      viewport: { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
      page_theme: theme,
      sent_at: performance.timeOrigin + performance.now(), // lets the card time hover → classified
    });
  }

  // Keyboard: focusing a link or control that carries a bot ID shows its card;
  // ArrowDown moves focus into the card; Escape closes it and focus comes back.
  document.addEventListener("focusin", (event) => {
    const el = event.target;
    if (!event.isTrusted || !(el instanceof Element) || el === frame || optedOut(el)) return;
    const hit = carrierHit(el, true);
    if (hit) {
      const r = hit.rect;
      show(hit, el, pageTheme(r.left + 1, r.top + 1));
    }
  }, { capture: true });

  document.addEventListener("pointermove", (event) => {
    if (!event.isTrusted || event.pointerType === "touch") return;
    clearTimeout(restTimer);
    const { clientX: x, clientY: y } = event;
    restTimer = setTimeout(() => probe(x, y), REST_MS);
    if (anchor && !overFrame && !contains(anchor.rect, x, y)) scheduleClose();
  }, { capture: true, passive: true });

  document.addEventListener("keydown", (event) => {
    if (!event.isTrusted || !anchor) return;
    if (event.key === "Escape") close();
    const fromAnchor = anchor.focusReturn && anchor.focusReturn === document.activeElement;
    if (event.key === "ArrowDown" && fromAnchor && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      frame.focus();
      port.postMessage({ type: "focus" });
    }
  }, { capture: true });

  window.addEventListener("scroll", () => { if (anchor) close(); }, { capture: true, passive: true });
})();
