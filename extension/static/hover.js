// botlens hover layer: what the extension's content scripts and the embed share.
// Which page text is never read (the skip list, the same as the Rust HTML scan's:
// tests/skip_list.rs compares them), the ID-shaped text or attribute under the
// pointer (or, when wanted, the meeting link), and hover intent (rest, grace
// period to reach the card, Escape). Finding text anywhere — shadow roots,
// split text, table headers, read-only fields — is reach.js's, loaded first.
//
// One classic script for two worlds: the extension lists it (after reach.js)
// among its content scripts (they share one isolated world); the embed's
// botlens.mjs imports both for their side effect. Either way it defines
// `botlensHover` once. It reads the page and never writes to it.
(() => {
  "use strict";
  if (globalThis.botlensHover) return;

  // Elements whose content is not the page's own visible text, and the
  // contenteditable values that make an element an editor.
  const SKIP_TAGS = ["script", "style", "template", "noscript", "title", "textarea", "input", "select", "iframe"];
  const EDITABLE = ["", "true", "plaintext-only"];
  // The page's own opt-out, on any element or on <html>.
  const OPT_OUT = "[data-botlens=off i]";
  const SKIP = [...SKIP_TAGS, ...EDITABLE.map((v) => `[contenteditable='${v}' i]`), OPT_OUT].join(",");

  const reach = globalThis.botlensReach; // reach.js, loaded before this script
  // Quick filter only: the Rust rules decide what is a bot ID.
  const UUID_SOURCE = reach.UUID.source;
  const CONTEXT = 120; // characters of text on each side given to the detection rules
  const ATTRIBUTES = ["href", "title", "aria-label"]; // and every data-* attribute
  // The same skip list but editors: hovering text in an editor nobody is
  // typing in opens its card; the scans (overview, CLI) still skip drafts.
  const SKIP_BUT_EDITORS = [...SKIP_TAGS, OPT_OUT].join(",");
  const EDITOR = EDITABLE.map((v) => `[contenteditable='${v}' i]`).join(",");

  /** The node is in text botlens does not read (`also`: a channel's own elements). */
  function skipped(node, also = "") {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return !el || el.closest(also ? `${SKIP},${also}` : SKIP) !== null || document.documentElement.matches(OPT_OUT);
  }

  /** The element with focus, inside shadow roots too. */
  function activeElement() {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  }

  /**
   * The node is in text a hover does not read: the skip list across shadow
   * roots, and an editor only while the user is typing in it.
   */
  function hoverSkipped(node, also = "") {
    const el = node.nodeType === Node.ELEMENT_NODE ? node : reach.parentOf(node);
    if (!el || document.documentElement.matches(OPT_OUT)) return true;
    if (reach.closestDeep(el, also ? `${SKIP_BUT_EDITORS},${also}` : SKIP_BUT_EDITORS)) return true;
    const editor = reach.closestDeep(el, EDITOR);
    const active = editor && activeElement();
    return Boolean(editor && active && (editor === active || editor.contains(active)));
  }

  const { contains } = reach;

  function plainRect(r) {
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
  }

  // A hit: the text around the ID and the caret's offset in it (UTF-16 units), the
  // attribute it came from (null for text), its live anchor (`box`: the Range over the
  // ID, or the element carrying it), the element it lives in (`context`), and `id`.

  /** An ID in the link, label or data-* attribute of `el` or an ancestor (with `withText`, `el`'s own text too). */
  function carrierHit(el, { also, withText = false } = {}) {
    if (!el || hoverSkipped(el, also)) return null;
    const one = new RegExp(UUID_SOURCE);
    for (let node = el; node && node !== document.body && node.nodeType === Node.ELEMENT_NODE; node = reach.parentOf(node)) {
      const names = [...ATTRIBUTES, ...node.getAttributeNames().filter((n) => n.startsWith("data-"))];
      const sources = names.map((name) => [name, node.getAttribute(name)]);
      if (withText && node === el) sources.push([null, (el.textContent || "").slice(0, 2000)]);
      for (const [name, value] of sources) {
        const m = value && value.match(one);
        if (!m) continue;
        const from = Math.max(0, m.index - CONTEXT);
        // The offset lands inside the ID, so the rules pick it and not a neighbour.
        return { text: value.slice(from, m.index + 36 + CONTEXT), offset: m.index - from + 1, attribute: name, box: node, context: node, id: m[0].toLowerCase() };
      }
    }
    return null;
  }

  /** What is under the pointer: a read-only field's text, page text, then a carrying element. */
  function hitAt(x, y, also) {
    return reach.fieldHitAt(x, y, CONTEXT)
      || reach.textHitAt(x, y, (n) => hoverSkipped(n, also), CONTEXT)
      || carrierHit(reach.deepElementAt(x, y), { also });
  }

  // Quick filter only: the Rust rules (detect::meeting) decide what is a meeting link.
  const MEETING_HOSTS = /^https?:\/\/([a-z0-9-]+\.)*(zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|teams\.cloud\.microsoft|webex\.com|meet\.goto\.com|gotomeeting\.com|gotomeet\.me)[:/]/i;

  /** The meeting link under the pointer: an `<a href>` to a meeting platform. */
  function meetingHit(x, y, also) {
    const el = reach.deepElementAt(x, y);
    const link = el && reach.closestDeep(el, "a[href]");
    if (!link || hoverSkipped(link, also) || !MEETING_HOSTS.test(link.href)) return null;
    return { meeting: link.href, box: link, context: link, id: `meeting:${link.href}` };
  }

  /** "dark" when the page behind (x, y) is dark, so the card can match it. */
  function pageTheme(x, y) {
    for (let el = reach.deepElementAt(x, y); el; el = reach.parentOf(el)) {
      const m = getComputedStyle(el).backgroundColor.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
      if (!m || (m[4] !== undefined && Number(m[4]) < 0.5)) continue; // transparent: look further up
      const luminance = (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
      return luminance < 0.45 ? "dark" : "light";
    }
    return null;
  }

  function viewport() {
    return { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight };
  }

  /**
   * Hover intent. Only real input counts (`isTrusted`): a page cannot open a card
   * by dispatching events. The pointer resting `restMs` on an ID opens its card;
   * leaving both the ID and the card for `closeMs` closes it; Escape closes it.
   *
   * `o`: { restMs, closeMs, also (a channel's own elements, never read),
   *        card() → the card's element (its own pointer moves are not the page's),
   *        open(hit, x, y) → true when a card opens for it, close(),
   *        scrollCloses() → whether scrolling closes the open card,
   *        meetings() → whether a meeting link's bots are wanted too (optional) }
   * Returns { anchor, open(hit, extra), closed(), cardEntered(), cardLeft() }.
   */
  function intent(o) {
    let restTimer = 0;
    let closeTimer = 0;
    let overCard = false;
    const state = { anchor: null };
    const over = (x, y) => state.anchor && contains(state.anchor.box.getBoundingClientRect(), x, y);
    function scheduleClose() {
      clearTimeout(closeTimer);
      if (state.anchor) closeTimer = setTimeout(() => !overCard && o.close(), o.closeMs);
    }
    function probe(x, y) {
      const hit = hitAt(x, y, o.also) || (o.meetings && o.meetings() ? meetingHit(x, y, o.also) : null);
      if (!hit) {
        if (state.anchor && !over(x, y)) scheduleClose();
        return;
      }
      clearTimeout(closeTimer);
      if (state.anchor && state.anchor.id === hit.id && over(x, y)) return;
      if (o.open(hit, x, y)) state.anchor = hit;
    }
    let last = null;
    document.addEventListener("pointermove", (event) => {
      if (!event.isTrusted || event.pointerType === "touch") return;
      const card = o.card();
      if (card && (event.target === card || card.contains(event.target))) return;
      const { clientX: x, clientY: y } = event;
      // The browser also sends a move when the page changes under a resting
      // pointer (a card grows, a frame lays out): that is not the user moving,
      // and must not close the card a keyboard user is reading.
      if (last && last.x === x && last.y === y) return;
      last = { x, y };
      clearTimeout(restTimer);
      restTimer = setTimeout(() => probe(x, y), o.restMs);
      if (state.anchor && !overCard && !over(x, y)) scheduleClose();
    }, { capture: true, passive: true });
    document.addEventListener("keydown", (event) => {
      if (event.isTrusted && event.key === "Escape" && state.anchor) o.close();
    }, { capture: true });
    // The pointer left this document (into the page around this frame, or out
    // of the window): no more moves come here to say so.
    document.addEventListener("pointerout", (event) => {
      if (event.isTrusted && !event.relatedTarget && state.anchor && !overCard) scheduleClose();
    }, { capture: true, passive: true });
    addEventListener("scroll", () => state.anchor && o.scrollCloses() && o.close(), { capture: true, passive: true });
    return Object.assign(state, {
      /** A card opened another way (keyboard focus): it follows the same rules. */
      opened(hit, extra) {
        // A pointer rest still pending from before must not judge this card:
        // it would find the pointer off the ID and close a card the keyboard opened.
        clearTimeout(restTimer);
        clearTimeout(closeTimer);
        state.anchor = { ...hit, ...extra };
      },
      /** The card closed: forget its anchor. */
      closed() {
        clearTimeout(closeTimer);
        state.anchor = null;
        overCard = false;
      },
      cardEntered() {
        overCard = true;
        clearTimeout(closeTimer);
      },
      cardLeft() {
        overCard = false;
        scheduleClose();
      },
      /** The pointer is elsewhere now (another frame saw it). */
      left() {
        if (!overCard) scheduleClose();
      },
    });
  }

  globalThis.botlensHover = Object.freeze({
    SKIP_TAGS, EDITABLE, SKIP, UUID_SOURCE, CONTEXT, ATTRIBUTES,
    skipped, hoverSkipped, contains, plainRect, carrierHit, hitAt, meetingHit, pageTheme, viewport, intent,
  });
})();
