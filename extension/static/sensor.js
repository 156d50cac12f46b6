// botlens sensor: the content script. It holds no key, calls no API and
// renders no data. It notices a pointer resting on something ID-shaped, hands
// the text around it to the card frame (an extension page the site cannot
// read), and places that frame where the card asks. It never rewrites the
// page's DOM: the frame is the only node it adds.
(() => {
  "use strict";
  if (window.__botlensSensor) return; // injected once per document
  window.__botlensSensor = true;

  const hover = globalThis.botlensHover; // hover.js, loaded before this script
  const REST_MS = 250; // pointer still this long = intent to hover
  const CLOSE_MS = 300; // grace period to travel from the ID to the card

  let frame = null; // the card's iframe, created on first need
  let port = null; // MessageChannel port to the card
  let frameReady = null; // resolves when the card has its port

  // Per-site switch (options page or popup), kept in storage.sync with the
  // other non-secret prefs. Off until read, so a switched-off site never sees a card.
  let siteOff = true;
  // Opt-in: hovering a meeting link lists the bots sent there.
  let meetingLinks = false;
  const site = location.hostname.toLowerCase().replace(/\.$/, "");
  function readSwitch(sitesOff) {
    siteOff = Array.isArray(sitesOff) && sitesOff.includes(site);
    if (siteOff && intent.anchor) close();
  }
  chrome.storage.sync.get(["sites_off", "meeting_links"]).then((items) => {
    readSwitch(items.sites_off);
    meetingLinks = items.meeting_links === true;
  }, () => readSwitch([]));
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "sync") return;
    if (changes.sites_off) readSwitch(changes.sites_off.newValue);
    if (changes.meeting_links) meetingLinks = changes.meeting_links.newValue === true;
  });

  // UUID-shaped random token. Not crypto.randomUUID: plain-http pages are not
  // secure contexts, and there it does not exist.
  function randomToken() {
    const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // The card lives in an iframe inside a closed shadow root: the page sees one
  // empty, zero-size host element, always the same, and can reach neither the
  // frame, its URL, its size nor whether it shows. Its inline !important
  // styles beat any stylesheet; a script that restyles the host closes the
  // card (and the styles are put back) so it cannot be hidden or moved to
  // steal a click.
  const HOST_STYLE = {
    position: "fixed", top: "0", left: "0", width: "0", height: "0", border: "0", margin: "0", padding: "0",
    "z-index": "2147483647", visibility: "visible", display: "block", opacity: "1", transform: "none",
    filter: "none", "clip-path": "none", mask: "none", overflow: "visible", inset: "0 auto auto 0",
    background: "transparent", contain: "none", zoom: "1", "pointer-events": "auto", "mix-blend-mode": "normal",
  };
  const FRAME_STYLE = `
    iframe { all: initial; position: fixed; top: 0; left: 0; width: 0; height: 0; border: 0; margin: 0;
      padding: 0; visibility: hidden; display: block; background: transparent; color-scheme: normal;
      border-radius: 10px; overflow: hidden; z-index: 2147483647; }`;
  let host = null;

  function styleHost() {
    for (const [k, v] of Object.entries(HOST_STYLE)) host.style.setProperty(k, v, "important");
  }

  function ensureFrame() {
    if (frameReady) return frameReady;
    host = document.createElement("div");
    styleHost();
    const shadow = host.attachShadow({ mode: "closed" });
    const sheet = document.createElement("style");
    sheet.textContent = FRAME_STYLE;
    frame = document.createElement("iframe");
    frame.setAttribute("title", "botlens card");
    frame.setAttribute("allow", "clipboard-write"); // the card's copy buttons
    frame.addEventListener("mouseenter", () => intent.cardEntered());
    frame.addEventListener("mouseleave", () => intent.cardLeft());
    shadow.append(sheet, frame);
    // A page can frame card.html too and offer it a port of its own. The token,
    // registered with the worker by this content script and handed over with
    // our port, is what makes the worker answer our frame and no other (the
    // frame keeps listening until the worker confirms an offer's token).
    token = randomToken();
    const registered = chrome.runtime.sendMessage({ kind: "frame_token", token });
    const src = chrome.runtime.getURL("card.html");
    // Chrome serves card.html from a per-session URL (use_dynamic_url), but
    // the page it loads has the extension's own origin: only that gets the port.
    const frameOrigin = src.startsWith("chrome-extension:") ? `chrome-extension://${chrome.runtime.id}` : new URL(src).origin;
    frameReady = new Promise((resolve) => {
      frame.addEventListener("load", async () => {
        await registered;
        const channel = new MessageChannel();
        port = channel.port1;
        port.onmessage = (event) => fromCard(event.data);
        frame.contentWindow.postMessage({ botlens: "init", token }, frameOrigin, [channel.port2]);
        resolve();
      }, { once: true });
    });
    frame.src = src;
    document.documentElement.appendChild(host);
    // The top layer puts the card above every stacking context of the page and
    // out of reach of its transforms, filters and zoom. Shown once and left so:
    // whether a card is open is not written on the host.
    if (host.showPopover) {
      host.setAttribute("popover", "manual");
      host.showPopover();
    }
    const observer = new MutationObserver(() => {
      if (intent.anchor) close();
      observer.disconnect();
      styleHost();
      if (host.showPopover && !host.matches(":popover-open")) host.showPopover();
      observer.observe(host, { attributes: true });
    });
    observer.observe(host, { attributes: true });
    return frameReady;
  }

  function fromCard(message) {
    if (!message || typeof message !== "object" || !frame) return;
    // A card closed stays closed: an answer arriving after Escape re-renders
    // it and asks to be placed, and that must not show it again.
    if (message.type === "place" && intent.anchor) {
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
    announced = null;
    const returnTo = intent.anchor && intent.anchor.focusReturn;
    intent.closed();
    if (frame) {
      frame.style.setProperty("visibility", "hidden", "important");
      frame.style.setProperty("width", "0", "important");
      frame.style.setProperty("height", "0", "important");
    }
    if (port) port.postMessage({ type: "closed" });
    if (returnTo && returnTo.isConnected) returnTo.focus(); // opened from the keyboard: focus goes back
  }

  // One card per tab: every frame runs a sensor, and a card opening in one
  // closes the others (the worker tells the tab's frames, naming the one to keep).
  let token = null;
  // The token of a card open in another frame of the tab. A frame does not
  // always hear that the pointer left it (Chromium tells a frame of another
  // origin nothing), but the frame the pointer moves in next does: it says so
  // once, and that card closes as if the pointer had left it here.
  let elsewhere = null;
  let announced = null; // the ID of the card the tab was last told this frame opened
  document.addEventListener("pointermove", (event) => {
    if (!event.isTrusted || !elsewhere) return;
    chrome.runtime.sendMessage({ kind: "pointer_away", token: elsewhere }).catch(() => {});
    elsewhere = null;
  }, { capture: true, passive: true });
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (sender.id !== chrome.runtime.id || sender.tab || !message) return false;
    if (message.kind === "close_card" && message.keep !== token) {
      if (intent.anchor) close();
      elsewhere = message.keep;
    }
    if (message.kind === "pointer_left" && message.token === token && intent.anchor) intent.left();
    if (message.kind === "lookup_selection") {
      // The user asked (menu item or shortcut): the card opens at the selection,
      // editable fields included. Frames with nothing selected stay silent.
      const hit = selectionHit();
      if (!hit) return false;
      const r = hit.box.getBoundingClientRect();
      intent.opened(hit, {});
      show(hit, hover.pageTheme(r.left + 1, r.top + 1));
      sendResponse({ shown: true });
    }
    return false;
  });

  /** The first bot-shaped ID in the selection (or a field's selected text), as a hit. */
  function selectionHit() {
    const field = document.activeElement;
    let text = "";
    let box = null;
    if (field && (field.localName === "input" || field.localName === "textarea") && field.selectionEnd > field.selectionStart) {
      text = field.value.slice(field.selectionStart, field.selectionEnd);
      box = field;
    } else {
      const selection = getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
      text = selection.toString();
      box = selection.getRangeAt(0).cloneRange();
    }
    const m = text.match(new RegExp(hover.UUID_SOURCE));
    if (!m) return null;
    const from = Math.max(0, m.index - hover.CONTEXT);
    return { text: text.slice(from, m.index + 36 + hover.CONTEXT), offset: m.index - from + 1, attribute: null, box, context: field, id: m[0].toLowerCase() };
  }

  async function show(hit, theme) {
    if (host && !host.isConnected) {
      // The page removed the host (a framework re-rendering <html>): start afresh.
      frameReady = null;
      frame = null;
      port = null;
    }
    await ensureFrame();
    if (host.showPopover) {
      // On top of whatever the page put in the top layer since.
      if (host.matches(":popover-open")) host.hidePopover();
      host.showPopover();
    }
    // Told once per card, not on every hover that only moves it.
    if (announced !== hit.id) {
      announced = hit.id;
      chrome.runtime.sendMessage({ kind: "card_opened", token }).catch(() => {});
    }
    if (hit.meeting) {
      port.postMessage({
        type: "meeting",
        url: hit.meeting,
        anchor: hover.plainRect(hit.box.getBoundingClientRect()),
        viewport: hover.viewport(),
        page_theme: theme,
      });
      return;
    }
    port.postMessage({
      type: "hover",
      text: hit.text,
      offset: hit.offset,
      attribute: hit.attribute,
      anchor: hover.plainRect(hit.box.getBoundingClientRect()),
      viewport: hover.viewport(),
      page_theme: theme,
      sent_at: performance.timeOrigin + performance.now(), // lets the card time hover → classified
    });
  }

  const intent = hover.intent({
    restMs: REST_MS,
    closeMs: CLOSE_MS,
    card: () => host,
    open(hit, x, y) {
      if (siteOff) return false;
      show(hit, hover.pageTheme(x, y));
      return true;
    },
    close,
    scrollCloses: () => true, // the frame is placed once, so a card that would drift closes
    meetings: () => meetingLinks,
  });

  // Keyboard: focusing a link or control that carries a bot ID shows its card;
  // ArrowDown moves focus into the card; Escape closes it and focus comes back.
  // Only focus the user moved counts: the page's own focus() calls are trusted
  // events too, so a focus counts once, and only right after a real key that
  // moves focus (a page cannot fake `isTrusted` keys).
  const FOCUS_KEYS = new Set(["Tab", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown", "F6"]);
  const FOCUS_AFTER_KEY_MS = 400;
  let focusKeyAt = -Infinity;
  document.addEventListener("keydown", (event) => {
    if (event.isTrusted && FOCUS_KEYS.has(event.key)) focusKeyAt = performance.now();
  }, { capture: true, passive: true });
  document.addEventListener("focusin", (event) => {
    const el = event.composedPath()[0]; // inside an open shadow root too
    if (siteOff || !event.isTrusted || !(el instanceof Element) || el === host) return;
    if (performance.now() - focusKeyAt > FOCUS_AFTER_KEY_MS) return;
    focusKeyAt = -Infinity; // one focus per key press
    const hit = hover.carrierHit(el, { withText: true });
    if (hit) {
      const r = hit.box.getBoundingClientRect();
      intent.opened(hit, { focusReturn: el });
      show(hit, hover.pageTheme(r.left + 1, r.top + 1));
    }
  }, { capture: true });

  // ArrowDown on the focused anchor moves focus into the card (Escape: hover.js).
  document.addEventListener("keydown", (event) => {
    const anchor = intent.anchor;
    if (!event.isTrusted || !anchor) return;
    const fromAnchor = anchor.focusReturn && anchor.focusReturn === document.activeElement;
    if (event.key === "ArrowDown" && fromAnchor && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      frame.focus();
      port.postMessage({ type: "focus" });
    }
  }, { capture: true });

})();
