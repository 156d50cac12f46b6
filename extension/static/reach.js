// botlens reach: what is under the pointer, wherever it sits. Part of the
// hover layer (hover.js loads after it and builds on it), shared by the
// extension's content scripts and the embed. It reads the page, never writes.
//
// - Open shadow roots, nested: the deepest element under the pointer.
// - Split text: an ID broken by inline elements (<mark>, a span per token,
//   <wbr>, soft hyphens) is read as one, from the text nodes around the
//   pointer within their block.
// - Context across elements: the key span before a value span is in that
//   text; a table cell (or ARIA grid cell) gets its row so far and its column
//   header, a <dd> its <dt>, a form field its label, before the value. The Rust rules
//   (src/detect) then decide, as they do for `botlens scan`: no rule lives here.
// - Read-only and disabled <input>/<textarea>: the characters under the pointer
//   are found by measuring the field's text with its own font.
(() => {
  "use strict";
  if (globalThis.botlensReach) return;

  const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
  // Characters a page inserts to let text break, which are not in the ID.
  const INVISIBLE = /[\u00AD\u200B\u200C\u200D\u2060\uFEFF]/;
  const MAX_NODES = 400; // text nodes looked at around the pointer, each way at most

  function contains(rect, x, y) {
    return x >= rect.left - 1 && x <= rect.right + 1 && y >= rect.top - 1 && y <= rect.bottom + 1;
  }

  /** The deepest element at (x, y), through open shadow roots. */
  function deepElementAt(x, y) {
    let el = document.elementFromPoint(x, y);
    for (let depth = 0; el && el.shadowRoot && depth < 32; depth++) {
      const inner = el.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === el) break;
      el = inner;
    }
    return el;
  }

  /** The element holding `node`, across a shadow root's boundary. */
  function parentOf(node) {
    if (node.parentElement) return node.parentElement;
    const root = node.parentNode;
    return root && root.host ? root.host : null;
  }

  /** `closest(selector)` that climbs out of shadow roots. */
  function closestDeep(el, selector) {
    for (let node = el; node; node = node.getRootNode().host || null) {
      const found = node.closest(selector);
      if (found) return found;
    }
    return null;
  }

  // Elements that start a new line of text, as `botlens scan` reads HTML
  // (src/detect/html.rs; tests/skip_list.rs compares the lists). Reading by
  // tag, not by CSS, keeps the page's answer the scanner's.
  const BLOCK_TAGS = ["address", "article", "aside", "blockquote", "body", "br", "caption", "details", "dialog", "div", "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"];
  const BLOCK = new Set([...BLOCK_TAGS, "dd", "dt"]);
  const INLINE = new Set(["inline", "contents", "inline-block", "inline-flex", "inline-grid", "ruby", "ruby-text"]);

  /** The block that holds `el`: the root of the text read around the pointer. */
  function blockOf(el) {
    for (let node = el; node; node = node.parentElement) {
      if (BLOCK.has(node.localName) || node.matches(CELL) || !node.parentElement) return node;
      // A web component the scanner cannot know: what the browser shows decides.
      if (node.localName.includes("-") && !INLINE.has(getComputedStyle(node).display)) return node;
    }
    return el;
  }

  /** The text node under (x, y) inside `el` (its shadow tree included). */
  function textNodeAt(el, x, y) {
    // The caret APIs answer at once for the page's own tree; inside a shadow
    // root they stop at the host, and the element's text nodes are measured.
    const pos = document.caretPositionFromPoint
      ? document.caretPositionFromPoint(x, y)
      : document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    const caret = pos && (pos.offsetNode || pos.startContainer);
    if (caret && caret.nodeType === Node.TEXT_NODE && el.contains(caret)) return caret;
    const range = document.createRange();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(), seen = 0; n && seen < 4 * MAX_NODES; n = walker.nextNode(), seen++) {
      if (!n.data.trim()) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) if (contains(r, x, y)) return n;
    }
    return null;
  }

  /**
   * The text around `node` within `root`, as one string, with a map back to
   * the DOM: `at[i]` is [textNode, offset] of character i (null for a
   * separator). Text in another block than `node`'s is set apart by a newline.
   */
  function textAround(node, root, skip, reach) {
    const filter = { acceptNode: (n) => (skip(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT) };
    const walk = (step) => {
      const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, filter);
      w.currentNode = node;
      const out = [];
      let length = 0;
      for (let n = step(w); n && length < reach && out.length < MAX_NODES; n = step(w)) {
        out.push(n);
        length += n.data.length;
      }
      return out;
    };
    const nodes = [...walk((w) => w.previousNode()).reverse(), node, ...walk((w) => w.nextNode())];
    let text = "";
    const at = [];
    let block = null;
    const blocks = new Map(); // element → its block: one style read per element
    for (const n of nodes) {
      const parent = parentOf(n);
      if (!blocks.has(parent)) blocks.set(parent, blockOf(parent));
      const b = blocks.get(parent);
      if (block && b !== block && !text.endsWith("\n")) {
        text += "\n";
        at.push(null);
      }
      block = b;
      for (let i = 0; i < n.data.length; i++) {
        const c = n.data[i];
        if (INVISIBLE.test(c)) continue;
        text += c;
        at.push([n, i]);
      }
    }
    return { text, at };
  }

  function visible(text) {
    return (text || "").replace(/\s+/g, " ").trim().slice(0, 80);
  }

  const CELL = "td, th, [role=gridcell], [role=cell], [role=rowheader], [role=columnheader]";

  const ROW = "tr, [role=row]";

  /** The cells of a row, in order (cells of a table nested in one are not its own). */
  function cellsOf(row) {
    return [...row.querySelectorAll(CELL)].filter((c) => c.closest(ROW) === row);
  }

  /** A cell's column: its own aria-colindex, else its place in the row (colspans counted). */
  function columnOf(cell, row) {
    const aria = Number(cell.getAttribute("aria-colindex"));
    if (aria) return { aria };
    let column = 0;
    for (const c of cellsOf(row)) {
      if (c === cell) break;
      column += Number(c.getAttribute("colspan")) || 1;
    }
    return { column };
  }

  /** The header of `cell`'s column: a <thead> row, a row of <th>, or ARIA column headers. */
  function columnHeader(cell, row) {
    const table = cell.closest("table, [role=grid], [role=table], [role=treegrid]");
    if (!table) return null;
    const where = columnOf(cell, row);
    if (where.aria) {
      const h = table.querySelector(`[role=columnheader][aria-colindex="${where.aria}"]`);
      return h && h !== cell ? visible(h.textContent) : null;
    }
    const head = (table.tHead && table.tHead.rows[0])
      || table.querySelector("tr:has(> th):not(:has(> td)), [role=row]:has([role=columnheader])");
    if (!head || head === row) return null;
    let at = 0;
    for (const h of cellsOf(head)) {
      const span = Number(h.getAttribute("colspan")) || 1;
      if (where.column >= at && where.column < at + span) return visible(h.textContent);
      at += span;
    }
    return null;
  }

  /**
   * What reads before `block`'s text, as `botlens scan` reads an HTML page
   * (src/detect/html.rs): a cell's row so far, cells apart by tabs, then its
   * column header as its label; a <dd>'s term.
   */
  function before(block) {
    const cell = block.closest(CELL);
    const row = cell && cell.closest(ROW);
    if (row) {
      const cells = cellsOf(row);
      const soFar = cells.slice(Math.max(0, cells.indexOf(cell) - 8), cells.indexOf(cell)).map((c) => visible(c.textContent));
      const header = columnHeader(cell, row);
      return [...soFar, ...(header ? [header] : [])].map((t) => `${t}\t`).join("");
    }
    if (block.localName === "dd") {
      let dt = block.previousElementSibling;
      while (dt && dt.localName !== "dt") dt = dt.previousElementSibling;
      return dt ? `${visible(dt.textContent)}\t` : "";
    }
    return "";
  }

  /**
   * The ID-shaped text under the pointer in the page's text, read across
   * inline elements and shadow roots. `skip(node)` says what is never read.
   */
  function textHitAt(x, y, skip, context) {
    const el = deepElementAt(x, y);
    if (!el) return null;
    const node = textNodeAt(el, x, y);
    if (!node || skip(node)) return null;
    const block = blockOf(parentOf(node));
    const { text, at } = textAround(node, block, skip, context + 40);
    const prefix = before(block);
    for (const m of text.matchAll(UUID)) {
      const first = at[m.index];
      const last = at[m.index + m[0].length - 1];
      if (!first || !last) continue;
      const range = document.createRange();
      range.setStart(first[0], first[1]);
      range.setEnd(last[0], last[1] + 1);
      if (![...range.getClientRects()].some((r) => contains(r, x, y))) continue;
      const from = Math.max(0, m.index - context);
      const snippet = text.slice(from, m.index + m[0].length + context);
      return {
        text: prefix + snippet,
        offset: prefix.length + m.index - from + 1, // inside the ID: the rules pick it, not a neighbour
        attribute: null,
        box: range,
        context: parentOf(first[0]),
        id: m[0].toLowerCase(),
      };
    }
    return null;
  }

  // ---- form fields ----

  const FIELD_TYPES = new Set(["text", "search", "url", "email", "tel", ""]);

  /** A field whose text the user reads but does not type into. */
  function readOnlyField(el) {
    if (!el) return false;
    const input = el.localName === "input" && FIELD_TYPES.has((el.getAttribute("type") || "").toLowerCase());
    return (input || el.localName === "textarea") && (el.readOnly || el.disabled);
  }

  function fieldLabel(field) {
    const aria = field.getAttribute("aria-label");
    if (aria) return visible(aria);
    const byFor = field.id && field.getRootNode().querySelector?.(`label[for="${CSS.escape(field.id)}"]`);
    const label = byFor || field.closest("label");
    if (label) return visible(label.textContent.replace(field.value, ""));
    return null;
  }

  let canvas = null;

  /** Lines of the field's text as the browser lays them out: [start, end, top] in characters and pixels. */
  function layout(field, style, measure, width) {
    const value = field.value;
    if (field.localName === "input") return [[0, value.length, 0]];
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const lines = [];
    let start = 0;
    for (const paragraph of value.split("\n")) {
      let lineStart = start;
      let lastBreak = -1;
      for (let i = start; i <= start + paragraph.length; i++) {
        if (i < start + paragraph.length && value[i] === " ") lastBreak = i + 1;
        if (i > lineStart && measure(value.slice(lineStart, i)) > width) {
          const end = lastBreak > lineStart ? lastBreak : i - 1;
          lines.push([lineStart, end, lines.length * lineHeight]);
          lineStart = end;
          lastBreak = -1;
        }
      }
      lines.push([lineStart, start + paragraph.length, lines.length * lineHeight]);
      start += paragraph.length + 1;
    }
    return lines.map(([s, e, top]) => [s, e, top, lineHeight]);
  }

  /** The ID under the pointer in a read-only or disabled field's text. */
  function fieldHitAt(x, y, context) {
    const field = deepElementAt(x, y);
    if (!readOnlyField(field)) return null;
    const style = getComputedStyle(field);
    canvas = canvas || document.createElement("canvas"); // never attached to the page
    const ctx = canvas.getContext("2d");
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const measure = (s) => ctx.measureText(s).width;
    const r = field.getBoundingClientRect();
    let left = r.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) - field.scrollLeft;
    const top = r.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop) - field.scrollTop;
    const width = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const lines = layout(field, style, measure, width);
    if (field.localName === "input") {
      // A short value sits where the field aligns it.
      const free = width - measure(field.value);
      const align = style.textAlign;
      if (free > 0 && (align === "right" || align === "end")) left += free;
      else if (free > 0 && align === "center") left += free / 2;
    }
    const lineHeight = field.localName === "input" ? r.height : lines[0][3];
    const line = field.localName === "input"
      ? lines[0]
      : lines.find(([, , t]) => y >= top + t && y < top + t + lineHeight);
    if (!line) return null;
    const value = field.value;
    for (const m of value.slice(line[0], line[1]).matchAll(UUID)) {
      const start = line[0] + m.index;
      const from = left + measure(value.slice(line[0], start));
      const to = from + measure(m[0]);
      if (x < from - 1 || x > to + 1) continue;
      const label = fieldLabel(field);
      const prefix = label ? `${label}\t` : "";
      const cut = Math.max(0, start - context);
      const boxTop = field.localName === "input" ? r.top : top + line[2];
      return {
        text: prefix + value.slice(cut, start + m[0].length + context),
        offset: prefix.length + start - cut + 1,
        attribute: null,
        box: { getBoundingClientRect: () => ({ left: from, top: boxTop, right: to, bottom: boxTop + lineHeight, width: to - from, height: lineHeight }) },
        context: field,
        id: m[0].toLowerCase(),
      };
    }
    return null;
  }

  globalThis.botlensReach = Object.freeze({
    UUID, contains, deepElementAt, closestDeep, parentOf, textHitAt, fieldHitAt, readOnlyField,
  });
})();
