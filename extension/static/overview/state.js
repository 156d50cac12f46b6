// botlens overview: the content scripts after sensor.js. It finds the
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
//   {kind: "page_bots", count, since}     → {outcome: "done"}; this frame's count: the badge of
//       this tab is the sum over the frames of its current page (sent in overview mode only,
//       when the count changed after a pass; `since`: when this document began loading).
// - from the popup, chrome.tabs.sendMessage(tabId, …), answered only to the extension's pages:
//   {kind: "list_bots"} → {host, off, bots: [{id, kind}]}; scans first if the page was not scanned.
//   {kind: "mark_bots", ids} → {marked}: marks those IDs' occurrences (::highlight(botlens-marked))
//   and scrolls to the first; an empty list clears (the popup's triage "show").
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
//
// Parts: state.js (this: constants, state, prefs), read.js, classify.js, schedule.js,
// underline.js, follow.js (starts it). They share one isolated world: what one declares
// at its top level the others use.
"use strict";

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
