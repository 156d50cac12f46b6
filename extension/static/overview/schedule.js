// botlens overview, part 4 of 6: scheduling (slices of at most SLICE_MS, passes).
//
// The overview is six content scripts, listed in this order in the manifest after
// hover.js and sensor.js. They share one isolated world, so the state and functions
// declared at the top of one are the others' too; only follow.js starts anything.
// (The whole design is described at the top of state.js.)
"use strict";

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
      chrome.runtime.sendMessage({ kind: "page_bots", count: reported, since: performance.timeOrigin }).catch(stopForGood);
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
