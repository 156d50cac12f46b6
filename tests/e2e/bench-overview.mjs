// Benchmark of the live-page half of detection, in headless Chromium with the
// test build of the extension (run by `cargo xtask bench`; prints figures, is
// not a pass/fail test). On a generated log page of ~50,000 DOM nodes:
//
// - the floor: a bare TreeWalker walk over the text nodes (page script), and the
//   same walk in an isolated world (where a content script runs; CDP);
// - our scan step alone in an isolated world (the overview's count, XPath query and
//   UUID test, taken from its source): finding the texts, without classifying or marking;
// - the baseline: a tuned plain-JS page script: TreeWalker, length check, UUID
//   regex, one Range per match, one Highlight, kept until it has been painted;
// - ours: the overview content script switched on (detection pref "hover" →
//   "overview"): its sliced walk, the classification of candidate texts by the
//   Rust rules in the background worker, the highlight, up to the final count
//   reaching the worker (`page_bots`) and the frames after it.
//
// One instrument for all three: the renderer main thread's busy time
// (`TaskDuration` of CDP `Performance.getMetrics`, deltas around each operation
// plus 150 ms for the frames it causes), each on a freshly loaded page, so each
// pays for its first touch of the DOM (JS wrappers of the nodes) and for what it
// makes the page paint. What the page pays is what the issue's goals are about,
// so the ratios are judged on this. Subtracted: the cost of evaluating a no-op
// page script (floor, baseline) and the page's idle background work (ours), both
// measured on the same page the same way. Second line: wall time from the pref
// switch (seen in the worker) to `page_bots`, with the classify batches' arrival
// times. One traced run per subject gives the longest task and the share of
// rendering. No test hook in the product: the worker-side timestamps come from
// a listener the benchmark adds to the worker.
//
// Then what the page pays to append a row while ours holds its underlines.
//
// Hover → snippet classified is measured by bench-card.mjs.
//
// Env: BOTLENS_BENCH_RUNS (7), BOTLENS_BENCH_LINES (5000 lines ≈ 50,000 nodes),
// BOTLENS_EXTENSION, CHROMIUM.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchWithExtension, root, servePages, sleep } from "./harness.mjs";

const RUNS = Number(process.env.BOTLENS_BENCH_RUNS || 7);
const LINES = Number(process.env.BOTLENS_BENCH_LINES || 5000);

// ---- the page ----

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function uuid(next) {
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(next() * 16)]).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(next() * 4)]}${hex(3)}-${hex(12)}`;
}

// The baseline's highlight looks like ours (overview.css), so that painting it costs the same.
const baselineStyle = readFileSync(join(root, "extension/static/overview.css"), "utf8").replaceAll("highlight(botlens)", "highlight(bench-baseline)");

/** A log viewer page: one <div> per line, spans for time, level and message. */
function logPage(lines) {
  const next = rng(42);
  const bots = Array.from({ length: 300 }, () => uuid(next));
  const levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
  const words = "worker queue joined waiting room recording started media upload retry webhook delivered status changed participant left call ended transcript ready".split(" ");
  const out = [];
  for (let i = 0; i < lines; i++) {
    const t = new Date(Date.UTC(2025, 9, 2, 9, 0, 0, i * 137)).toISOString();
    const level = levels[Math.floor(next() * levels.length)];
    const prose = Array.from({ length: 4 + Math.floor(next() * 8) }, () => words[Math.floor(next() * words.length)]).join(" ");
    const r = next();
    let msg;
    if (r < 0.2) msg = `bot_id=${bots[Math.floor(next() * bots.length)]} ${prose}`;
    else if (r < 0.25) msg = `GET /api/v1/bot/${bots[Math.floor(next() * bots.length)]}/ 200 ${prose}`;
    else if (r < 0.35) msg = `recording_id=${uuid(next)} ${prose}`;
    else if (r < 0.4) msg = `request ${uuid(next)} ${prose}`;
    else msg = prose;
    out.push(`<div class="l"><span class="t">${t}</span> <span class="v">${level}</span> <span class="m">${msg}</span></div>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench: log viewer</title>
<style>body{font:12px/1.4 monospace;margin:8px} .t{color:#666} .v{color:#06c}
${baselineStyle}</style></head>
<body><h1>worker.log</h1>
${out.join("\n")}
</body></html>
`;
}

// ---- measurements ----

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const SETTLE_MS = 150; // after each operation: the frames it causes are painted

// The page scripts. They run as one task each, like a page script would.
function noop() {
  return { ms: 0 };
}

function bareWalk() {
  const t0 = performance.now();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n = 0;
  while (walker.nextNode()) n++;
  return { ms: performance.now() - t0, n };
}

function regexBaseline() {
  const t0 = performance.now();
  // Tuned like our scan: node.length before node.data (no string made for short
  // nodes), a quick test whose leading literal lets the engine skip to each "-".
  const quick = /-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
  const re = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const ids = new Set();
  const highlight = new Highlight();
  let matches = 0;
  let node;
  while ((node = walker.nextNode())) {
    if (node.length < 36) continue;
    const data = node.data;
    if (!quick.test(data)) continue;
    re.lastIndex = 0;
    let m;
    while ((m = re.exec(data))) {
      ids.add(m[0].toLowerCase());
      const range = new Range();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + 36);
      highlight.add(range);
      matches++;
    }
  }
  CSS.highlights.set("bench-baseline", highlight); // painted during the settle time
  return { ms: performance.now() - t0, ids: ids.size, matches };
}

// Our scan step alone, as the overview does it on a root: the bounded element count that
// decides whether the root is queried whole, the XPath query for candidate text nodes and
// the UUID test on each text returned (no classification, no marks). Built from the
// product's own source, so that it measures what ships.
const overviewSource = ["state", "read", "classify", "schedule", "underline", "follow"]
  .map((part) => readFileSync(join(root, `extension/static/overview/${part}.js`), "utf8"))
  .join("\n");
function fromOverview(re, what) {
  const m = overviewSource.match(re);
  if (!m) throw new Error(`bench: ${what} not found in overview/*.js`);
  return m[1];
}
const scanStep = `() => {
  ${fromOverview(/\n(const TAIL[\s\S]*?\nfunction hasUuid[\s\S]*?\n\})\n/, "hasUuid")}
  const t0 = performance.now();
  const root = document.body;
  const whole = root.getElementsByTagName("*")[${fromOverview(/const QUERY_MAX = (\d+);/, "QUERY_MAX")}] === undefined;
  const found = document.evaluate(${fromOverview(/createExpression\(("[^"]+"), null\)/, "the candidates query")}, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  let n = 0;
  for (let i = 0; i < found.snapshotLength; i++) if (hasUuid(found.snapshotItem(i).data)) n++;
  return { ms: performance.now() - t0, n, whole };
}`;

async function busy(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const get = (name) => metrics.find((m) => m.name === name).value * 1000;
  return { task: get("TaskDuration"), script: get("ScriptDuration"), at: performance.now() };
}

/** A freshly loaded bench page in hover mode (nothing scanned) and a CDP session on it. */
async function freshPage(browser, url) {
  const page = await browser.context.newPage();
  await page.goto(url);
  // Playwright's first evaluate in a page installs its helpers: done here, not measured.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Performance.enable");
  // Wait until the page is quiet (loading, first paints, its GC are over): three 100 ms
  // windows in a row with less than 0.3 ms of work. What is left (idlePerMs) is printed,
  // not subtracted.
  let a = await busy(cdp);
  for (let i = 0, quiet = 0; i < 50 && quiet < 3; i++) {
    await sleep(100);
    const b = await busy(cdp);
    quiet = b.task - a.task < 0.3 ? quiet + 1 : 0;
    a = b;
  }
  await sleep(200);
  const b = await busy(cdp);
  return { page, cdp, idlePerMs: (b.task - a.task) / (b.at - a.at) };
}

/** Main-thread time of one script on a fresh page, less a no-op script's. `world`:
 * "page" (the page's own), or "isolated": a world of its own made over CDP, the kind a
 * content script runs in (its own JS wrapper of every node it touches). */
async function pageScript(browser, url, fn, world = "page") {
  const { page, cdp } = await freshPage(browser, url);
  let evaluate = (f) => page.evaluate(f);
  if (world === "isolated") {
    const { frameTree } = await cdp.send("Page.getFrameTree");
    const { executionContextId } = await cdp.send("Page.createIsolatedWorld", { frameId: frameTree.frame.id, worldName: "bench" });
    evaluate = async (f) => {
      const { result, exceptionDetails } = await cdp.send("Runtime.evaluate", { expression: `(${f})()`, contextId: executionContextId, returnByValue: true });
      if (exceptionDetails) throw new Error(`bench: ${exceptionDetails.exception ? exceptionDetails.exception.description : exceptionDetails.text}`);
      return result.value;
    };
  }
  const once = async (f) => {
    const a = await busy(cdp);
    const r = await evaluate(f);
    await sleep(SETTLE_MS);
    const b = await busy(cdp);
    return { ...r, task: b.task - a.task };
  };
  const zero = median([await once(noop), await once(noop), await once(noop)].map((z) => z.task));
  const r = await once(fn); // the first run on this page
  await page.close();
  return { ...r, task: r.task - zero, overhead: zero };
}

async function ourScan(browser, url) {
  const { page, cdp, idlePerMs } = await freshPage(browser, url);
  await browser.worker.evaluate(() => Object.assign(globalThis.__bench, { t0: 0, t1: 0, count: 0, batches: [] }));
  const a = await busy(cdp);
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "overview" }));
  const r = await waitFor(() => browser.worker.evaluate(() => (globalThis.__bench.t1 ? { ...globalThis.__bench } : null)));
  await sleep(SETTLE_MS);
  const b = await busy(cdp);
  const noise = idlePerMs * (b.at - a.at); // printed, not subtracted
  const ranges = await page.evaluate(() => (CSS.highlights.get("botlens") || { size: 0 }).size); // after the measure
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" }));
  await sleep(100);
  await page.close();
  return {
    task: b.task - a.task,
    noise,
    wall: r.t1 - r.t0,
    batches: r.batches.map((t) => t - r.t0),
    count: r.count,
    ranges,
  };
}

/** What the page pays to append one row (plain, or holding an ID) while the overview holds
 * its underlines: main-thread time per append, medians of 10 each. */
async function appendCost(browser, url) {
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "overview" }));
  const { page, cdp } = await freshPage(browser, url);
  await waitFor(() => page.evaluate(() => CSS.highlights.has("botlens")));
  await sleep(500);
  const costs = { plain: [], id: [] };
  for (let i = 0; i < 10; i++) {
    for (const kind of ["plain", "id"]) {
      await sleep(300);
      const a = await busy(cdp);
      await page.evaluate((k) => {
        const row = document.createElement("div");
        row.textContent = k === "id" ? `bot_id=${crypto.randomUUID()} joined the call` : "heartbeat ok";
        document.body.appendChild(row);
      }, kind);
      await sleep(400);
      costs[kind].push((await busy(cdp)).task - a.task);
    }
  }
  const ranges = await page.evaluate(() => CSS.highlights.get("botlens").size);
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" }));
  await sleep(100);
  await page.close();
  return { plain: median(costs.plain), id: median(costs.id), ranges };
}

/** The worker-side clock of our scan: pref switch, classify batches, final count. */
async function listenInWorker(browser) {
  await browser.worker.evaluate(() => {
    globalThis.__bench = { t0: 0, t1: 0, count: 0, batches: [] };
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === "sync" && changes.detection && changes.detection.newValue === "overview") {
        globalThis.__bench.t0 = performance.now();
      }
    });
    chrome.runtime.onMessage.addListener((m) => {
      if (m && m.kind === "classify") globalThis.__bench.batches.push(performance.now());
      if (m && m.kind === "page_bots" && m.count > 0) {
        globalThis.__bench.t1 = performance.now();
        globalThis.__bench.count = m.count;
      }
      return false; // the product's listener answers
    });
  });
}

/** One traced run: the page's renderer main-thread tasks while `act` runs. */
async function traced(browser, url, act) {
  const { page, cdp } = await freshPage(browser, url);
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const complete = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
  await cdp.send("Tracing.start", {
    traceConfig: { includedCategories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8"], excludedCategories: ["*"] },
    transferMode: "ReportEvents",
  });
  await act(page);
  await sleep(SETTLE_MS);
  await cdp.send("Tracing.end");
  await complete;
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" }));
  await sleep(100);
  await page.close();
  // The busiest renderer main thread is the page's.
  const mains = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map();
  for (const e of events) {
    const k = `${e.pid}:${e.tid}`;
    if (!mains.has(k) || e.ph !== "X") continue;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
  let best = [];
  for (const evs of byThread.values()) {
    const sum = (xs) => xs.reduce((s, e) => s + e.dur, 0);
    if (sum(evs.filter((e) => e.name === "RunTask")) > sum(best.filter((e) => e.name === "RunTask"))) best = evs;
  }
  const tasks = best.filter((e) => e.name === "RunTask");
  const ms = (xs) => xs.reduce((s, e) => s + e.dur, 0) / 1000;
  return {
    tasks: tasks.length,
    longest: Math.max(0, ...tasks.map((t) => t.dur)) / 1000,
    busy: ms(tasks),
    rendering: ms(best.filter((e) => ["UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "Commit"].includes(e.name))),
    gc: ms(best.filter((e) => e.name === "MinorGC" || e.name === "MajorGC")),
  };
}

async function waitFor(check, timeout = 60000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const v = await check();
    if (v) return v;
    await sleep(10);
  }
  throw new Error("bench: timed out");
}

// ---- main ----

const dir = mkdtempSync(join(tmpdir(), "botlens-bench-"));
writeFileSync(join(dir, "log.html"), logPage(LINES));
const site = await servePages(dir);
const url = `${site.url}/log.html`;
const browser = await launchWithExtension();
try {
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" }));
  await listenInWorker(browser);
  const shape = await (async () => {
    const { page } = await freshPage(browser, url);
    const s = await page.evaluate(() => {
      const w = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
      let n = 1;
      while (w.nextNode()) n++;
      return { nodes: n, chars: document.body.textContent.length };
    });
    await page.close();
    return s;
  })();
  const floor = [];
  const isolated = [];
  const step = [];
  const baseline = [];
  const ours = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so that a busy moment of the machine hits all three alike.
    floor.push(await pageScript(browser, url, bareWalk));
    isolated.push(await pageScript(browser, url, bareWalk, "isolated"));
    step.push(await pageScript(browser, url, scanStep, "isolated"));
    baseline.push(await pageScript(browser, url, regexBaseline));
    ours.push(await ourScan(browser, url));
  }
  const appended = await appendCost(browser, url);
  const tFloor = await traced(browser, url, (page) => page.evaluate(bareWalk));
  const tBase = await traced(browser, url, (page) => page.evaluate(regexBaseline));
  const tOurs = await traced(browser, url, async () => {
    await browser.worker.evaluate(() => Object.assign(globalThis.__bench, { t0: 0, t1: 0, count: 0, batches: [] }));
    await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "overview" }));
    await waitFor(() => browser.worker.evaluate(() => globalThis.__bench.t1));
  });

  const m = {
    floor: median(floor.map((r) => r.task)),
    baseline: median(baseline.map((r) => r.task)),
    ours: median(ours.map((r) => r.task)),
  };
  const w = { floor: median(floor.map((r) => r.ms)), baseline: median(baseline.map((r) => r.ms)), ours: median(ours.map((r) => r.wall)) };
  const last = ours.at(-1);
  const range = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  console.log(`overview benchmark: ${shape.nodes} DOM nodes (${floor[0].n} text nodes, ${(shape.chars / 1e6).toFixed(2)} M chars), ${RUNS} fresh pages each; medians`);
  console.log("  main-thread time (renderer main thread busy, CDP TaskDuration; the goals are judged on this):");
  console.log(`    bare TreeWalker walk (floor)                 ${fmt(m.floor).padStart(9)}  (${range(floor.map((r) => r.task))}; no-op script ${fmt(median(floor.map((r) => r.overhead)))} subtracted)`);
  console.log(`    the same walk in an isolated world           ${fmt(median(isolated.map((r) => r.task))).padStart(9)}  (${range(isolated.map((r) => r.task))}; where a content script walks: ${(median(isolated.map((r) => r.task)) / m.floor).toFixed(2)}× the floor)`);
  if (!step[0].whole) throw new Error("bench: the page is over QUERY_MAX elements; the scan step measured is not the product's");
  console.log(`    our scan step alone, isolated world          ${fmt(median(step.map((r) => r.task))).padStart(9)}  (${range(step.map((r) => r.task))}; count + XPath query + UUID test, ${step[0].n} texts with a UUID; ${(median(step.map((r) => r.task)) / m.floor).toFixed(2)}× the floor)`);
  console.log(`    plain-JS TreeWalker + regex + Highlight      ${fmt(m.baseline).padStart(9)}  (${range(baseline.map((r) => r.task))}; ${baseline[0].matches} matches, ${baseline[0].ids} distinct UUIDs)`);
  console.log(`    botlens overview: pref switch → final count  ${fmt(m.ours).padStart(9)}  (${range(ours.map((r) => r.task))}; ${last.count} reportable IDs, ${last.ranges} underlined, ${last.batches.length} classify batches; page idle work over as long ${fmt(median(ours.map((r) => r.noise)))}, not subtracted)`);
  console.log(`    ratio ours / baseline: ${(m.ours / m.baseline).toFixed(2)}× (goal ≤ 1.0×)   ratio ours / bare walk: ${(m.ours / m.floor).toFixed(2)}× (goal ≤ 1.5×)`);
  console.log("  wall time (page clock for the page scripts; worker clock for ours, pref switch → page_bots):");
  console.log(`    floor ${fmt(w.floor)}, baseline ${fmt(w.baseline)} (painting not included), ours ${fmt(w.ours)} (${range(ours.map((r) => r.wall))}); ratios ${(w.ours / w.baseline).toFixed(2)}× and ${(w.ours / w.floor).toFixed(2)}×`);
  console.log(`    ours, last run: classify batches sent at ${last.batches.map((t) => `+${t.toFixed(1)}`).join(", ")} ms; final count at +${last.wall.toFixed(1)} ms`);
  console.log(`  the page appends a row while ours holds ${appended.ranges} underlines: ${fmt(appended.plain)} (plain row), ${fmt(appended.id)} (a row with an ID); medians of 10`);
  const tl = (name, t) => console.log(`    ${name.padEnd(9)} ${t.tasks} tasks, busy ${fmt(t.busy)}, longest ${fmt(t.longest)}, rendering ${fmt(t.rendering)}, GC ${fmt(t.gc)}`);
  console.log("  traced runs (one each; tracing adds overhead):");
  tl("floor", tFloor);
  tl("baseline", tBase);
  tl("ours", tOurs);
  console.log(`  longest task of ours: ${fmt(tOurs.longest)} (goal: no task over 50 ms)`);
} finally {
  await browser.close();
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
}
