// Benchmark of the live-page half of detection, in headless Chromium with the
// test build of the extension (run by `cargo xtask bench`; prints figures, is
// not a pass/fail test):
//
// - a generated log page of ~50,000 DOM nodes;
// - our full-page scan: the overview content script's idle-sliced walk, the
//   classification of candidate texts by the Rust rules in the background
//   worker, the highlights, up to the final count reaching the worker
//   (`page_bots`). Timed in the worker from the moment it sees the detection
//   pref switch to "overview" (the content script sees the same change) to the
//   `page_bots` message: no test hook in the product;
// - a tuned plain-JS baseline in the page: TreeWalker over text nodes, a length
//   check, a UUID regex, distinct IDs, one Range per match, one Highlight;
// - the floor: a bare TreeWalker walk over the same text nodes;
// - hover → snippet classified: from the end of the sensor's pointer-rest delay
//   to the card frame showing the classified ID (`.botlens-card[data-bot-id]`),
//   timed with high-resolution clocks in the page and in the card frame.
//
// Env: BOTLENS_BENCH_RUNS (5), BOTLENS_BENCH_LINES (5000 lines ≈ 50,000 nodes),
// BOTLENS_EXTENSION, CHROMIUM.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hoverText, launchWithExtension, servePages, sleep } from "./harness.mjs";

const RUNS = Number(process.env.BOTLENS_BENCH_RUNS || 5);
const LINES = Number(process.env.BOTLENS_BENCH_LINES || 5000);
const REST_MS = 250; // sensor.js: pointer still this long = intent to hover

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
<style>body{font:12px/1.4 monospace;margin:8px} .t{color:#666} .v{color:#06c}</style></head>
<body><h1>worker.log</h1>
${out.join("\n")}
</body></html>
`;
}

// ---- measurements ----

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

async function inPage(page, fn) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const r = await page.evaluate(fn);
    times.push(r.ms);
    result = r;
  }
  return { ...result, median: median(times), best: Math.min(...times) };
}

function bareWalk() {
  const t0 = performance.now();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n = 0;
  let chars = 0;
  let node;
  while ((node = walker.nextNode())) {
    n++;
    chars += node.data.length; // touch the text, as any scan must
  }
  return { ms: performance.now() - t0, n, chars };
}

function regexBaseline() {
  const t0 = performance.now();
  const re = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const ids = new Set();
  const ranges = [];
  let node;
  while ((node = walker.nextNode())) {
    const data = node.data;
    if (data.length < 36) continue;
    re.lastIndex = 0;
    let m;
    while ((m = re.exec(data))) {
      ids.add(m[0].toLowerCase());
      const range = new Range();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + 36);
      ranges.push(range);
    }
  }
  CSS.highlights.set("bench-baseline", new Highlight(...ranges));
  const ms = performance.now() - t0;
  CSS.highlights.delete("bench-baseline");
  return { ms, ids: ids.size, matches: ranges.length };
}

async function ourScan(browser, page) {
  await browser.worker.evaluate(() => {
    globalThis.__bench = { t0: 0, t1: 0, count: 0, batches: 0 };
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === "sync" && changes.detection && changes.detection.newValue === "overview") {
        globalThis.__bench.t0 = performance.now();
      }
    });
    chrome.runtime.onMessage.addListener((m) => {
      if (m && m.kind === "classify") globalThis.__bench.batches++;
      if (m && m.kind === "page_bots" && m.count > 0) {
        globalThis.__bench.t1 = performance.now();
        globalThis.__bench.count = m.count;
      }
      return false; // the product's listener answers
    });
  });
  const times = [];
  let count = 0;
  let batches = 0;
  for (let i = 0; i < RUNS; i++) {
    await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" })); // forgets all it found
    await sleep(300);
    await browser.worker.evaluate(() => {
      Object.assign(globalThis.__bench, { t0: 0, t1: 0, count: 0, batches: 0 });
      return chrome.storage.sync.set({ detection: "overview" });
    });
    const r = await waitFor(() => browser.worker.evaluate(() => (globalThis.__bench.t1 ? { ...globalThis.__bench } : null)));
    times.push(r.t1 - r.t0);
    count = r.count;
    batches = r.batches;
  }
  const long = await page.evaluate(() => window.__benchLongTasks);
  return { median: median(times), best: Math.min(...times), count, batches, long };
}

async function hoverLatency(browser, page, ids) {
  // The page's clock: the last trusted pointer move (the sensor starts its rest timer then).
  await page.evaluate(() => {
    window.__lastMove = 0;
    addEventListener("pointermove", (e) => { window.__lastMove = performance.timeOrigin + e.timeStamp; }, { capture: true });
  });
  const samples = [];
  let frame = null;
  for (const [i, id] of ids.entries()) {
    await hoverText(page, id);
    if (!frame) {
      frame = await cardFrame(page, browser.origin);
      await frame.waitForSelector(`.botlens-card[data-bot-id="${id}"]`, { state: "attached", timeout: 15000 });
      await frame.evaluate(() => {
        window.__shown = [];
        const seen = () => {
          const card = document.querySelector(".botlens-card[data-bot-id]");
          const id = card && card.getAttribute("data-bot-id");
          if (id && (!window.__shown.length || window.__shown.at(-1).id !== id)) {
            window.__shown.push({ id, at: performance.timeOrigin + performance.now() });
          }
        };
        new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await page.mouse.move(5, 5, { steps: 2 });
      await sleep(400);
      continue; // the first hover also loads the frame and its wasm: not a sample
    }
    const shown = await waitFor(() => frame.evaluate((want) => window.__shown.find((s) => s.id === want) || null, id), 5000)
      .catch(async (e) => {
        console.error("bench: hover", id, await frame.evaluate(() => JSON.stringify(window.__shown) + document.body.innerHTML.replace(/<style>[^]*<\/style>/, "").slice(0, 600)));
        await page.screenshot({ path: "/tmp/bench-hover.png" });
        throw e;
      });
    const moved = await page.evaluate(() => window.__lastMove);
    samples.push(shown.at - moved - REST_MS);
    await page.mouse.move(5, 5, { steps: 2 });
    await sleep(400);
    if (i > 40) break;
  }
  return { median: median(samples), max: Math.max(...samples), n: samples.length };
}

async function cardFrame(page, origin) {
  return waitFor(() => page.frames().find((f) => f.url().startsWith(origin)) || null, 10000);
}

async function waitFor(check, timeout = 60000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const v = await check();
    if (v) return v;
    await sleep(20);
  }
  throw new Error("bench: timed out");
}

// ---- main ----

const dir = mkdtempSync(join(tmpdir(), "botlens-bench-"));
writeFileSync(join(dir, "log.html"), logPage(LINES));
const site = await servePages(dir);
const browser = await launchWithExtension();
try {
  await browser.worker.evaluate(() => chrome.storage.sync.set({ detection: "hover" }));
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.__benchLongTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__benchLongTasks.push(Math.round(e.duration)); })
      .observe({ type: "longtask" });
  });
  await page.goto(`${site.url}/log.html`);
  await sleep(500);
  const shape = await page.evaluate(() => {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
    let n = 1;
    while (w.nextNode()) n++;
    return { nodes: n, chars: document.body.textContent.length };
  });
  const floor = await inPage(page, bareWalk);
  const baseline = await inPage(page, regexBaseline);
  await page.evaluate(() => { window.__benchLongTasks = []; });
  const ours = await ourScan(browser, page);
  const line = (name, r, extra = "") => console.log(`  ${name.padEnd(44)} median ${fmt(r.median).padStart(10)}  best ${fmt(r.best).padStart(10)}${extra}`);
  console.log(`overview benchmark: ${shape.nodes} DOM nodes (${floor.n} text nodes, ${(shape.chars / 1e6).toFixed(2)} M chars), ${RUNS} runs each`);
  line("bare TreeWalker walk (floor)", floor);
  line("plain-JS TreeWalker + regex baseline", baseline, `  (${baseline.matches} matches, ${baseline.ids} distinct UUIDs)`);
  line("botlens overview: full scan → final count", ours, `  (${ours.count} reportable IDs, ${ours.batches} classify batches)`);
  console.log(`  ratio ours / baseline: ${(ours.median / baseline.median).toFixed(2)}× median, ${(ours.best / baseline.best).toFixed(2)}× best (goal ≤ 1.0×)`);
  console.log(`  ratio ours / bare walk: ${(ours.median / floor.median).toFixed(2)}× median, ${(ours.best / floor.best).toFixed(2)}× best (goal ≤ 1.5×)`);
  console.log(`  longest task during our scans: ${ours.long && ours.long.length ? Math.max(...ours.long) : 0} ms over 50 ms: ${ours.long ? ours.long.length : "n/a"} (goal: none over 50 ms)`);
  const hoverIds = await page.evaluate(() => [...new Set(document.body.textContent.match(/bot_id=[0-9a-f-]{36}/g))].slice(0, 13).map((s) => s.slice(7)));
  const hovered = await hoverLatency(browser, page, hoverIds).catch((e) => ({ error: String(e.message || e) }));
  if (hovered.error) console.log(`  hover → snippet classified: not measured (${hovered.error})`);
  else

  console.log(`  hover → snippet classified (rest delay excluded): median ${fmt(hovered.median)}, max ${fmt(hovered.max)} over ${hovered.n} hovers (goal ≤ 2 ms)`);
} finally {
  await browser.close();
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
}
