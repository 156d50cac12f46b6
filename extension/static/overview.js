// botlens overview: the second content script (after sensor.js). It finds the
// bot IDs on the page with the Rust detection rules (run in the background),
// underlines them in "overview" mode, reports their number for the toolbar
// badge, and tells the popup which IDs the page holds. Like the sensor it
// holds no key, calls no API, renders no data and never changes the page's
// DOM: underlines are CSS Custom Highlights (styled by overview.css, a
// content-script stylesheet, so no <style> node either), and the page's text
// nodes are only read, never split, wrapped or replaced.
//
// Message protocol (keep it when replacing the internals):
// - to the background, chrome.runtime.sendMessage (content scripts may send only these two):
//   {kind: "classify", texts: [string]}  → {outcome: "classified", results: [[{id, kind, start, end}]]}
//       at most 200 texts of at most 8192 UTF-16 units each; results[i] are the reportable
//       IDs of texts[i] ("bot" or "candidate"), start/end in UTF-16 units. {outcome: "refused"}
//       when the batch is out of bounds.
//   {kind: "page_bots", count}            → {outcome: "done"}; sets the badge of this tab
//       (sent in overview mode only, when the count changed after a pass).
// - from the popup, chrome.tabs.sendMessage(tabId, …), answered only to the extension's pages:
//   {kind: "list_bots"} → {host, off, bots: [{id, kind}]}; scans first if the page was not scanned.
// Prefs read from chrome.storage.sync: sites_off (host names), detection ("hover" | "overview").
//
// How the work is cut up (no task of ours may come near 50 ms):
// - One work queue of roots (the body for a full pass; the nodes a MutationObserver saw
//   added or changed). It is drained in slices of at most SLICE_MS, reading the clock
//   every CHECK_EVERY nodes and after each query. Slices are background-priority tasks
//   (scheduler.postTask; requestIdleCallback where that is missing): they give way to
//   input, rendering and the page's own tasks, without waiting for idle periods that on a
//   quiet page come 50 ms apart. A root's candidate text nodes (at least 36 units, a "-"
//   in them) come from one XPath query, in native code, so that this world makes no JS
//   wrapper for the other nodes; roots with more than QUERY_MAX elements are read child by
//   child (one query is one native call, which no slice can cut). Only texts where
//   UUID-shaped text is found (hasUuid) are checked against the skip list and sent.
// - Candidate texts travel in batches (≤ MAX_TEXTS texts, each ≤ MAX_LEN units: longer
//   text nodes are cut into pieces overlapping by OVERLAP), at most MAX_IN_FLIGHT at once.
//   Short pieces are joined into texts of ≤ JOIN_LEN units, separated by a blank line
//   (the rules read it as the end of any label, list or table context), and sent when the
//   queue is drained or FLUSH_UNITS are waiting: each batch costs the page a message and
//   an answer, so a page of thousands of candidate nodes costs one batch.
//   Within one joined text the rules' per-document merge applies (a bot anywhere is a
//   bot everywhere; an ID shown to be a recording and never a bot is dropped).
// - Answers are recorded (Ranges, counts) in the following slices, a text at a time.
// - At most MAX_MATCHES occurrences are kept and counted; beyond that the page is
//   "capped" and new text is no longer scanned (the count stays what was found).
// - Only the IDs near the viewport are underlined: the AROUND nodes with hits before and
//   after the first one on screen, in document order (all of them on pages with fewer).
//   The browser repaints every registered range on each change of the page, so thousands
//   of underlines would make the page's own updates slow; scrolling moves the window.
// - Each text node that held an ID remembers its text: a node seen again unchanged is
//   not sent again; nodes removed from the page are dropped (and their IDs uncounted).
(() => {
  "use strict";
  if (window.__botlensOverview) return; // injected once per document
  window.__botlensOverview = true;

  // A UUID-shaped text, found from its first dash: a leading literal lets the regex engine
  // skip ahead to each "-" instead of trying a match at every hex letter of the prose, then
  // the 8 hex digits before that dash are checked. Same answer as one 8-4-4-4-12 regex,
  // half the time on the benchmark page.
  const TAIL = /-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
  const HEAD = /[0-9a-fA-F]{8}/y;
  function hasUuid(text) {
    TAIL.lastIndex = 0;
    let m;
    while ((m = TAIL.exec(text))) {
      if (m.index >= 8) {
        HEAD.lastIndex = m.index - 8;
        if (HEAD.test(text)) return true;
      }
      TAIL.lastIndex = m.index + 1;
    }
    return false;
  }
  const { SKIP, SKIP_TAGS } = globalThis.botlensHover; // hover.js: the one skip list
  // Cheaper to match than SKIP (attribute presence, not values); when it finds nothing,
  // neither would SKIP, which is only asked otherwise.
  const COARSE = [...SKIP_TAGS, "[contenteditable]", "[data-botlens]"].join(",");
  // Elements whose attributes may carry an ID (the sensor reads the same ones on hover).
  const CARRIERS = "a[href],[title],[aria-label],[data-bot-id]";
  const MAX_TEXTS = 200; // per classify batch (the background refuses more)
  const MAX_LEN = 8192; // per text, UTF-16 units
  const OVERLAP = 256; // long texts are cut into pieces that overlap by this much
  const MAX_IN_FLIGHT = 4; // classify batches awaiting an answer
  const MAX_MATCHES = 5000; // occurrences kept and counted; then the page is capped
  const MAX_ROOTS = 2000; // queued mutation roots; more and the whole page is read again
  const SLICE_MS = 8; // longest slice of work
  const CHECK_EVERY = 64; // nodes between two looks at the clock (also read after each query)
  const HIGHLIGHT = "botlens"; // ::highlight(botlens) in overview.css
  const JOIN_LEN = 4096; // short pieces are joined into texts of at most this many units
  const FLUSH_UNITS = 64 * JOIN_LEN; // send once this much candidate text is waiting
  const AROUND = 75; // nodes with hits underlined on each side of the first one on screen
  // Candidate text nodes of a root; a superset of those with a UUID-shaped text in them.
  const candidates = document.createExpression(".//text()[string-length() >= 36][contains(., '-')]", null);
  // Elements below a root queried whole (about 2.5 nodes each: ~75,000 nodes, a query of
  // ~8 ms on the benchmark machine); larger roots are read child by child.
  const QUERY_MAX = 30000;

  const site = location.hostname.toLowerCase().replace(/\.$/, "");
  const ownFrames = chrome.runtime.getURL("");
  let siteOff = true; // until the prefs are read
  let mode = "hover";
  let dead = false; // the extension was reloaded: this script can no longer talk to it

  // What was found: per node (text node, or element for attribute carriers) its hits.
  const entries = new Map(); // node → {data, hits: [{id, kind, start, end, range}]}
  const ids = new Map(); // id → {kind, n}
  let matches = 0;
  let capped = false;
  const highlight = typeof Highlight === "function" ? new Highlight() : null;
  let shown = false; // the highlight is registered
  // Underlines: the nodes with hits in document order, those found since it was sorted,
  // and those whose hits are in the highlight now (see paint()).
  let order = [];
  let fresh = [];
  let painted = new Set();
  let paintedAt = -1; // the index of the first node on screen at the last paint
  let reordered = false; // order may hold nodes that lost their hits, or twice
  // Entries taken within one series (the text nodes of one root's reading, or the attribute
  // carriers of one query) are in document order by their seq: ordered() compares positions
  // (compareDocumentPosition, which counts siblings from the first: slow in long lists)
  // only across series.
  let series = 0;
  let seq = 0;
  let onScroll = null;

  // The work queue.
  let roots = []; // nodes to read
  let queued = new Set();
  let job = null; // the reader of the root being read (read())
  let pending = []; // pieces waiting for a batch
  let pendingLength = 0; // their units, approximately (reset on flush)
  let inFlight = 0;
  let answers = []; // classify answers still to record: {parts, results, i (next text)}
  let scheduled = false;
  let purge = false; // nodes were removed: drop entries of disconnected nodes
  let generation = 0; // bumped on reset: answers for an older generation are dropped
  let passDone = true;
  let waiters = []; // resolved when the queue is drained
  let reported = -1;
  let observer = null;

  const idle = window.requestIdleCallback
    ? (f) => window.requestIdleCallback(f, { timeout: 1000 })
    : (f) => setTimeout(() => f(null), 16);
  // Slices run as background-priority tasks where the browser has them: like idle
  // callbacks they give way to input, rendering and the page's own tasks, but they do not
  // wait for the next idle period, which on a quiet page comes 50 ms after the last one
  // (the walk of a large page took three of them).
  const later = window.scheduler && typeof window.scheduler.postTask === "function"
    ? (f) => window.scheduler.postTask(() => f(null), { priority: "background" }).catch(() => {})
    : idle;

  function pageOff() {
    return document.documentElement.getAttribute("data-botlens") === "off";
  }
  function active() {
    return !dead && !siteOff && !pageOff();
  }
  function overview() {
    return active() && mode === "overview";
  }

  // ---- reading the page ----

  function eligible(el) {
    return el !== null && (el.closest(COARSE) === null || el.closest(SKIP) === null);
  }

  function enqueue(node) {
    if (capped || queued.has(node)) return;
    if (roots.length >= MAX_ROOTS) {
      // Too many scattered changes: read the whole page once instead.
      roots = [];
      queued = new Set();
      if (document.body) node = document.body;
    }
    queued.add(node);
    roots.push(node);
    passDone = false;
  }

  function nextJob() {
    while (roots.length) {
      const root = roots.shift();
      queued.delete(root);
      if (!root.isConnected || !document.body || !document.body.contains(root)) continue;
      job = read(root, ++series);
      return job;
    }
    return null;
  }

  // Reads one root, yielding the amount of work done since the last yield (about one node's
  // worth per unit) so that work() can stop at its deadline and resume later.
  // Candidate text nodes are found by one XPath query per root (at least 36 units long, a
  // "-" in them): it runs in native code and hands this world a JS wrapper only for the few
  // nodes it returns, where a walk makes one for every text node (a content script's world
  // has its own wrappers; on the benchmark page the walk alone cost 1.4–2× the same walk in
  // the page's world). A query is one native call that cannot be cut into slices, so a root
  // with more than QUERY_MAX elements is read child by child instead.
  // `own`: the series of the text nodes found (in document order, children included).
  function* read(root, own) {
    if (root.nodeType === Node.TEXT_NODE) {
      takeText(root, root.data, false, own);
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    if (root.closest(SKIP) !== null) return;
    yield 1;
    if (root.getElementsByTagName("*")[QUERY_MAX] !== undefined) {
      yield CHECK_EVERY; // the clock is read after each query
      if (root.matches(CARRIERS)) takeCarrier(root, ++series);
      for (let child = root.firstChild; child; child = child.nextSibling) {
        yield* read(child, own);
        // Our place is lost if the child left the root meanwhile: read the root again
        // (what is unchanged is not sent again).
        if (child.parentNode !== root) return enqueue(root);
      }
      return;
    }
    const found = candidates.evaluate(root, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    yield CHECK_EVERY; // the clock is read after each query
    for (let i = 0; i < found.snapshotLength; i++) {
      const node = found.snapshotItem(i);
      const data = node.data;
      if (hasUuid(data)) takeText(node, data, true, own);
      yield 1;
    }
    // Then the attributes of the root's elements, in a series of their own.
    const carriersSeries = ++series;
    if (root.matches(CARRIERS)) takeCarrier(root, carriersSeries);
    const carriers = root.querySelectorAll(CARRIERS);
    yield CHECK_EVERY; // the clock is read after each query
    for (const el of carriers) {
      takeCarrier(el, carriersSeries);
      yield 1;
    }
  }

  // Work for at most `budget` ms; true when the queue is drained, false when the time is up,
  // null when too much is waiting for answers (the next answer schedules more work).
  function work(budget) {
    const end = performance.now() + budget;
    if (!recordAnswers(end)) return false;
    let n = 0;
    while (job || nextJob()) {
      if (inFlight >= MAX_IN_FLIGHT && pendingLength >= FLUSH_UNITS) return null; // wait for answers
      for (;;) {
        const step = job.next();
        if (step.done) break;
        n += step.value;
        if (n >= CHECK_EVERY) {
          n = 0;
          if (performance.now() > end) return false;
        }
      }
      job = null;
    }
    return true;
  }

  // `data` is node.data; `shaped` when the caller has seen a UUID-shaped text in it.
  function takeText(node, data, shaped, series) {
    const prev = entries.get(node);
    const candidate = (shaped || (data.length >= 36 && hasUuid(data))) && eligible(node.parentElement);
    if (prev) {
      if (candidate && prev.data === data) return; // seen, unchanged
      drop(node, prev);
    }
    if (!candidate) return;
    if (matches >= MAX_MATCHES) {
      capped = true;
      return;
    }
    const entry = { data, hits: [], series, seq: ++seq };
    entries.set(node, entry);
    for (let at = 0; ; at += MAX_LEN - OVERLAP) {
      const text = at === 0 && data.length <= MAX_LEN ? data : data.slice(at, at + MAX_LEN);
      pending.push({ node, entry, at, text });
      pendingLength += text.length + 2;
      if (at + MAX_LEN >= data.length) break;
    }
    if (pendingUnits() >= FLUSH_UNITS) flush();
  }

  // An element whose href, title, aria-label or data-bot-id holds an ID.
  function takeCarrier(el, series) {
    const values = [];
    for (const name of ["href", "title", "aria-label", "data-bot-id"]) {
      const value = el.getAttribute(name);
      if (value && value.length >= 36 && hasUuid(value)) {
        // The attribute's name is context for the rules (data-bot-id → bot).
        values.push(name === "href" || name === "title" ? value.slice(0, MAX_LEN) : `${name}="${value.slice(0, MAX_LEN - 20)}"`);
      }
    }
    const data = values.join("\n");
    const prev = entries.get(el);
    const candidate = values.length > 0 && eligible(el);
    if (prev) {
      if (candidate && prev.data === data) return;
      drop(el, prev);
    }
    if (!candidate) return;
    if (matches >= MAX_MATCHES) {
      capped = true;
      return;
    }
    const entry = { data, hits: [], attribute: true, series, seq: ++seq };
    entries.set(el, entry);
    for (const text of values) {
      pending.push({ node: el, entry, at: -1, text });
      pendingLength += text.length + 2;
    }
    if (pendingUnits() >= FLUSH_UNITS) flush();
  }

  // ---- classification ----

  function pendingUnits() {
    return pendingLength;
  }

  // Short pieces travel joined into texts of up to JOIN_LEN units, separated by blank
  // lines (which end any label, list or table context of the rules), so a page of
  // thousands of small candidate nodes costs a batch or two, not dozens.
  function pack(pieces) {
    const texts = [];
    const parts = []; // per text: [{piece, from, to}] where the piece sits in it
    let text = "";
    let where = [];
    const close = () => {
      if (where.length) {
        texts.push(text);
        parts.push(where);
      }
      text = "";
      where = [];
    };
    for (const piece of pieces) {
      if (piece.text.length + 2 > JOIN_LEN) {
        close();
        texts.push(piece.text);
        parts.push([{ piece, from: 0, to: piece.text.length }]);
        continue;
      }
      if (text.length + piece.text.length + 2 > JOIN_LEN) close();
      text += "\n\n";
      where.push({ piece, from: text.length, to: text.length + piece.text.length });
      text += piece.text;
    }
    close();
    return { texts, parts };
  }

  function flush() {
    if (!pending.length) return;
    const { texts, parts } = pack(pending);
    pending = [];
    pendingLength = 0;
    for (let i = 0; i < texts.length; i += MAX_TEXTS) send(texts.slice(i, i + MAX_TEXTS), parts.slice(i, i + MAX_TEXTS));
  }

  function send(texts, parts) {
    const gen = generation;
    inFlight++;
    chrome.runtime.sendMessage({ kind: "classify", texts }).then(
      (reply) => {
        inFlight--;
        if (gen !== generation) return;
        // Recorded in the next slices, not here: thousands of Ranges at once could make a
        // long task.
        if (reply && reply.outcome === "classified" && Array.isArray(reply.results)) answers.push({ parts, results: reply.results, i: 0 });
        schedule();
      },
      () => {
        inFlight--;
        stopForGood();
      },
    );
  }

  // Record answers until `end` (a performance.now() time); true when all are recorded.
  function recordAnswers(end) {
    while (answers.length) {
      const a = answers[0];
      while (a.i < a.parts.length) {
        record(a.parts[a.i], a.results[a.i]);
        a.i++;
        if (performance.now() > end) return false;
      }
      answers.shift();
    }
    return true;
  }

  // The reportable IDs found in one classified text (`where`: the pieces it is made of).
  function record(where, found) {
    if (!Array.isArray(found)) return;
    let k = 0;
    for (const m of found) {
      if (!m || typeof m.start !== "number" || typeof m.id !== "string") continue;
      while (k < where.length && where[k].to <= m.start) k++; // results come in text order
      const part = where[k];
      if (!part || m.start < part.from || m.end > part.to) continue;
      const piece = part.piece;
      if (entries.get(piece.node) !== piece.entry) continue; // changed since
      const kind = m.kind === "bot" ? "bot" : "candidate";
      const entry = piece.entry;
      if (piece.at < 0) {
        // An attribute: count it; underline the link's text when it has any.
        if (entry.hits.some((h) => h.id === m.id)) continue;
        addHit(piece.node, entry, { id: m.id, kind, start: -1, end: -1, range: null });
        continue;
      }
      const start = piece.at + m.start - part.from;
      const end = piece.at + m.end - part.from;
      if (end - start !== 36 || end > entry.data.length) continue;
      if (entry.hits.some((h) => h.start === start)) continue; // found twice where pieces overlap
      addHit(piece.node, entry, { id: m.id, kind, start, end, range: null });
    }
  }

  function linkRange(el) {
    if (el.tagName !== "A" || !el.textContent.trim()) return null;
    const range = new Range();
    range.selectNodeContents(el);
    return range;
  }

  function addHit(node, entry, hit) {
    if (matches >= MAX_MATCHES) {
      capped = true;
      return;
    }
    entry.hits.push(hit);
    if (entry.hits.length === 1) fresh.push(node);
    matches++;
    const known = ids.get(hit.id);
    if (known) {
      known.n++;
      if (hit.kind === "bot") known.kind = "bot"; // a bot anywhere is a bot everywhere
    } else {
      ids.set(hit.id, { kind: hit.kind, n: 1 });
    }
  }

  function drop(node, entry) {
    entries.delete(node);
    painted.delete(node);
    reordered = true;
    for (const hit of entry.hits) {
      matches--;
      const known = ids.get(hit.id);
      if (known && --known.n <= 0) ids.delete(hit.id);
      if (hit.range && highlight) highlight.delete(hit.range);
    }
    if (matches < MAX_MATCHES) capped = false;
  }

  // ---- scheduling ----

  function schedule() {
    if (scheduled || dead) return;
    scheduled = true;
    later(run);
  }

  function run(deadline) {
    scheduled = false;
    if (!active() && !waiters.length) return;
    const left = deadline && !deadline.didTimeout ? deadline.timeRemaining() : SLICE_MS;
    const drained = work(Math.max(1, Math.min(SLICE_MS, left)));
    // Send what is waiting once the queue is drained (takeText sends earlier when much is
    // waiting): every batch costs the page a message and an answer to read.
    if (drained) flush();
    if (drained === null) return;
    if (!drained) return schedule();
    if (inFlight > 0) return; // the last answer schedules the end of the pass
    finish();
  }

  function finish() {
    if (passDone) return;
    passDone = true;
    if (purge) {
      purge = false;
      for (const [node, entry] of entries) if (!node.isConnected) drop(node, entry);
    }
    if (overview()) {
      paint(true);
      show(true);
      if (ids.size !== reported) {
        reported = ids.size;
        chrome.runtime.sendMessage({ kind: "page_bots", count: reported }).catch(stopForGood);
      }
    }
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  // A full pass over the page; resolves when it is done.
  function fullPass() {
    const done = new Promise((resolve) => waiters.push(resolve));
    if (entries.size) {
      purge = true; // nodes found earlier may have left the page
      // or changed unseen (no observer in hover mode); a query would not return a text
      // that lost every "-", so each is read again.
      for (const [node, entry] of entries) if (!entry.attribute && node.data !== entry.data) enqueue(node);
    }
    if (document.body) enqueue(document.body);
    passDone = false;
    schedule();
    return done;
  }

  function show(on) {
    if (!highlight || typeof CSS === "undefined" || !CSS.highlights) return;
    if (on && !shown) CSS.highlights.set(HIGHLIGHT, highlight);
    else if (!on && shown) CSS.highlights.delete(HIGHLIGHT);
    shown = on;
  }

  // ---- underlines ----

  // The nodes with hits, in document order.
  function ordered() {
    if (!fresh.length && !reordered) return order;
    // Drop nodes that lost their hits, and the second place of a node found again.
    const seen = new Set();
    const keep = (n) => entries.has(n) && !seen.has(n) && seen.add(n);
    let runs = [order.filter(keep)];
    // The new nodes in sorted runs (a pass finds text in document order, attributes after
    // their subtree's text, mutations anywhere), then the runs merged pairwise.
    for (const n of fresh) {
      if (!keep(n)) continue;
      const run = runs[runs.length - 1];
      if (run.length && inOrder(run[run.length - 1], n)) run.push(n);
      else runs.push([n]);
    }
    while (runs.length > 1) {
      const merged = [];
      for (let i = 0; i < runs.length; i += 2) merged.push(i + 1 < runs.length ? merge(runs[i], runs[i + 1]) : runs[i]);
      runs = merged;
    }
    order = runs[0];
    fresh = [];
    reordered = false;
    return order;
  }

  function merge(a, b) {
    if (!a.length || !b.length || inOrder(a[a.length - 1], b[0])) return a.concat(b);
    const out = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) out.push(inOrder(a[i], b[j]) ? a[i++] : b[j++]);
    return out.concat(a.slice(i), b.slice(j));
  }

  function inOrder(a, b) {
    const x = entries.get(a);
    const y = entries.get(b);
    return x && y && x.series === y.series ? x.seq < y.seq : before(a, b);
  }

  function before(a, b) {
    return (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  }

  const probe = typeof Range === "function" ? new Range() : null;
  function bottomOf(node) {
    if (node.nodeType !== Node.TEXT_NODE) return node.getBoundingClientRect().bottom;
    probe.selectNodeContents(node);
    return probe.getBoundingClientRect().bottom;
  }

  // The index of the first node whose text reaches into the viewport (document order is
  // taken as top-to-bottom order; where a layout breaks that, the window is only off).
  function firstOnScreen(list) {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bottomOf(list[mid]) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // Put the underlines of the nodes around the viewport in the highlight, and take the
  // others out. `changed`: hits were added or dropped since the last paint.
  function paint(changed) {
    if (!highlight || !overview()) return;
    const list = ordered();
    let from = 0;
    let to = list.length;
    if (list.length > 2 * AROUND) {
      const at = firstOnScreen(list);
      // Scrolling a little moves nothing: repaint once the view moved a third of the window.
      if (!changed && paintedAt >= 0 && Math.abs(at - paintedAt) < AROUND / 3) return;
      paintedAt = at;
      from = Math.max(0, Math.min(at - AROUND, list.length - 2 * AROUND));
      to = from + 2 * AROUND;
    } else {
      paintedAt = -1;
    }
    const want = new Set(list.slice(from, to));
    for (const node of painted) if (!want.has(node)) unpaint(node);
    for (const node of want) underline(node);
    painted = want;
    listenForScroll(list.length > 2 * AROUND);
  }

  function underline(node) {
    const entry = entries.get(node);
    for (const hit of entry.hits) {
      if (hit.range) continue;
      if (hit.start < 0) {
        hit.range = linkRange(node);
      } else {
        try {
          hit.range = new Range();
          hit.range.setStart(node, hit.start);
          hit.range.setEnd(node, hit.end);
        } catch {
          hit.range = null; // the text changed meanwhile; the observer brings it back
        }
      }
      if (hit.range) highlight.add(hit.range);
    }
  }

  function unpaint(node) {
    const entry = entries.get(node);
    if (!entry) return;
    for (const hit of entry.hits) {
      if (hit.range) highlight.delete(hit.range);
      hit.range = null;
    }
  }

  // Scrolling (the page or any pane: scroll events are caught on their way down) moves
  // the window of underlines, once per frame at most; only needed when there is a window.
  function listenForScroll(on) {
    if (on && !onScroll) {
      let queued = false;
      onScroll = () => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          paint(false);
        });
      };
      addEventListener("scroll", onScroll, { capture: true, passive: true });
      addEventListener("resize", onScroll, { passive: true });
    } else if (!on && onScroll) {
      removeEventListener("scroll", onScroll, { capture: true });
      removeEventListener("resize", onScroll);
      onScroll = null;
    }
  }

  // Forget everything (mode or site switched): the next pass starts afresh.
  function reset() {
    generation++;
    if (observer) observer.disconnect();
    observer = null;
    show(false);
    if (highlight) highlight.clear();
    listenForScroll(false);
    order = [];
    fresh = [];
    painted = new Set();
    paintedAt = -1;
    reordered = false;
    entries.clear();
    ids.clear();
    matches = 0;
    capped = false;
    roots = [];
    queued = new Set();
    job = null;
    pending = [];
    pendingLength = 0;
    answers = [];
    passDone = true;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  function stopForGood() {
    dead = true;
    reset();
  }

  // ---- following the page ----

  function ours(node) {
    return node.nodeName === "IFRAME" && typeof node.src === "string" && node.src.startsWith(ownFrames);
  }

  function observe() {
    if (observer) return;
    observer = new MutationObserver((records) => {
      let htmlSwitch = false;
      for (const r of records) {
        if (r.type === "childList") {
          for (const node of r.addedNodes) if (!ours(node)) enqueue(node);
          if (r.removedNodes.length) purge = true;
        } else if (r.type === "characterData") {
          enqueue(r.target);
        } else if (r.target === document.documentElement) {
          htmlSwitch = true;
        } else {
          // data-botlens changed: read from the parent, so that what an opted-out subtree
          // holds is seen and dropped (a skipped root is not read at all).
          enqueue(r.target.parentElement || r.target);
        }
      }
      if (htmlSwitch) return reconsider();
      if (roots.length || purge) {
        passDone = false;
        schedule();
      }
    });
    observer.observe(document.documentElement, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["data-botlens"],
    });
  }

  // Prefs or <html data-botlens> changed: start, stop, or switch the underlines.
  function reconsider() {
    if (!active()) {
      const had = reported > 0;
      reset();
      reported = 0;
      if (had && !dead) chrome.runtime.sendMessage({ kind: "page_bots", count: 0 }).catch(() => {});
      if (!dead && pageOff()) watchHtml(); // come back when the page opts in again
      return;
    }
    if (mode === "overview") {
      observe();
      fullPass();
    } else {
      // Hover only: no underlines, no badge, no observer; the popup still gets a list.
      const had = reported > 0;
      reset();
      reported = -1;
      if (had) chrome.runtime.sendMessage({ kind: "page_bots", count: 0 }).catch(() => {});
    }
  }

  // While the whole page is opted out, only <html data-botlens> is watched.
  function watchHtml() {
    if (observer) return;
    observer = new MutationObserver(() => {
      if (!pageOff()) {
        observer.disconnect();
        observer = null;
        reconsider();
      }
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-botlens"] });
  }

  function apply(items) {
    if ("sites_off" in items) siteOff = Array.isArray(items.sites_off) && items.sites_off.includes(site);
    if ("detection" in items) mode = items.detection === "overview" ? "overview" : "hover";
    reconsider();
  }

  chrome.storage.sync.get(["sites_off", "detection"]).then(
    (items) => apply({ sites_off: items.sites_off || [], detection: items.detection || "hover" }),
    () => apply({ sites_off: [], detection: "hover" }),
  );
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "sync" || !(changes.sites_off || changes.detection)) return;
    const items = {};
    if (changes.sites_off) items.sites_off = changes.sites_off.newValue || [];
    if (changes.detection) items.detection = changes.detection.newValue || "hover";
    apply(items);
  });

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only the extension's own pages (the popup) ask; they are not in a tab.
    if (sender.id !== chrome.runtime.id || sender.tab) return false;
    if (!message || message.kind !== "list_bots") return false;
    const off = !active();
    const answer = () => sendResponse({
      host: site,
      off,
      bots: off ? [] : [...ids].map(([id, { kind }]) => ({ id, kind })),
    });
    if (off) {
      answer();
      return false;
    }
    // Overview mode keeps up with the page; hover mode reads it now.
    const ready = mode === "overview" && passDone ? Promise.resolve() : fullPass();
    ready.then(answer, answer);
    return true; // answered asynchronously
  });
})();
