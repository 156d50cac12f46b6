// botlens overview, part 2 of 6: reading the page (roots, XPath queries, carriers).
//
// The overview is six content scripts, listed in this order in the manifest after
// hover.js and sensor.js. They share one isolated world, so the state and functions
// declared at the top of one are the others' too; only follow.js starts anything.
// (The whole design is described at the top of state.js.)
"use strict";

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
