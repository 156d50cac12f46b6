// botlens overview, part 3 of 6: classification (batches to the background, answers recorded).
//
// The overview is six content scripts, listed in this order in the manifest after
// hover.js and sensor.js. They share one isolated world, so the state and functions
// declared at the top of one are the others' too; only follow.js starts anything.
// (The whole design is described at the top of state.js.)
"use strict";

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
