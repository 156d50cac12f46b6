// botlens overview, part 5 of 6: underlines (CSS Custom Highlights near the view).
//
// The overview is six content scripts, listed in this order in the manifest after
// hover.js and sensor.js. They share one isolated world, so the state and functions
// declared at the top of one are the others' too; only follow.js starts anything.
// (The whole design is described at the top of state.js.)
"use strict";

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

// ---- marks: the bots of one triage group, asked for by the popup ----

const marked = typeof Highlight === "function" ? new Highlight() : null;
const MARKED = "botlens-marked"; // ::highlight(botlens-marked) in overview.css

// Mark every occurrence of the IDs in `wanted` (a Set) and bring the first into view;
// an empty set clears. Returns how many occurrences are marked.
function mark(wanted) {
  if (!marked || typeof CSS === "undefined" || !CSS.highlights) return 0;
  marked.clear();
  let first = null;
  for (const node of ordered()) {
    for (const hit of entries.get(node).hits) {
      if (!wanted.has(hit.id)) continue;
      let range = null;
      if (hit.start < 0) {
        range = linkRange(node);
      } else {
        try {
          range = new Range();
          range.setStart(node, hit.start);
          range.setEnd(node, hit.end);
        } catch {
          range = null;
        }
      }
      if (!range) continue;
      marked.add(range);
      first = first || node;
    }
  }
  if (marked.size) CSS.highlights.set(MARKED, marked);
  else CSS.highlights.delete(MARKED);
  const el = first && (first.nodeType === Node.TEXT_NODE ? first.parentElement : first);
  if (el) el.scrollIntoView({ block: "center" });
  return marked.size;
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
