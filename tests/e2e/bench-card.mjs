// Benchmarks: hover → snippet classified (read from the card frame's
// performance timeline), and from the sensor's decision to open (the pointer has rested for
// REST_MS) to the skeleton painted in the card frame, with no hooks in the
// product: the page sees its own pointer events, the frame sees itself grow
// from zero size; the paint is the next animation frame after that. Prints figures; it is not a pass/fail test.
import { join } from "node:path";
import {
  configure, hoverText, isCard, launchWithExtension, moveAway, root, servePages, sleep, startSimulator,
} from "./harness.mjs";

const REST_MS = 250; // the sensor's hover-intent delay (extension/static/sensor.js)
const RUNS = 15;
const SLOW = "5100f100-0016-4b07-8000-000000000016"; // the simulator answers it after 2 s: the skeleton shows meanwhile

const sim = await startSimulator();
const site = await servePages(join(root, "tests/e2e/pages"));
const browser = await launchWithExtension();
try {
  await configure(browser, { key: "demo", host: sim.host });
  const page = await browser.context.newPage();
  await page.goto(`${site.url}/ordinary.html`);
  await page.evaluate((id) => {
    document.body.insertAdjacentHTML("beforeend", `<p style="font:14px monospace">slow bot <span>${id}</span></p>`);
    window.__lastMove = 0;
    document.addEventListener("pointermove", () => { window.__lastMove = performance.now(); }, true);
  }, SLOW);
  // The first hover creates the frame and loads the wasm: measured apart.
  const cold = await measure(page);
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    await moveAway(page);
    await sleep(100);
    warm.push(await measure(page));
  }
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  const p90 = warm[Math.floor(warm.length * 0.9)];
  console.log("decision to open → skeleton painted (frame already loaded)");
  console.log(`  runs ${RUNS}: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${warm.at(-1).toFixed(1)} ms (budget 16 ms)`);
  console.log(`  first hover on a page (creates the frame, loads the wasm): ${cold.toFixed(1)} ms`);
  // The card frame records hover → snippet classified as a performance measure.
  const frame = page.frames().find(isCard);
  const classified = (await frame.evaluate(() =>
    performance.getEntriesByName("botlens:hover-classified").map((e) => e.duration))).slice(1).sort((a, b) => a - b);
  const at = (q) => classified[Math.min(classified.length - 1, Math.floor(classified.length * q))];
  console.log("hover → snippet classified (sensor's decision to the Rust rules' answer in the card frame)");
  console.log(`  runs ${classified.length}: median ${at(0.5).toFixed(2)} ms, p90 ${at(0.9).toFixed(2)} ms, max ${classified.at(-1).toFixed(2)} ms (budget 2 ms)`);
  await page.close();

  // The same, with the ID in a frame two deep (another origin) and two shadow roots deep.
  for (const [name, url, find] of [
    ["a frame two deep", `${site.url}/reach/frames.html`, (p) => p.frameLocator("#other").frameLocator("#deep").locator("#id")],
    ["two shadow roots deep", `${site.url}/reach/shadow.html`, (p) => p.locator("acme-table #id")],
  ]) {
    const tab = await browser.context.newPage();
    await tab.goto(url);
    await sleep(1200);
    const target = find(tab);
    const host = await (await target.elementHandle()).ownerFrame();
    await host.evaluate(() => {
      window.__lastMove = 0;
      document.addEventListener("pointermove", () => { window.__lastMove = performance.now(); }, true);
    });
    const box = await target.boundingBox();
    const hover = async () => {
      await tab.mouse.move(box.x - 20, box.y + 30);
      await tab.mouse.move(box.x + 30, box.y + box.height / 2, { steps: 4 });
    };
    const cold = await measureIn(tab, host, hover);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await tab.mouse.move(3, 3, { steps: 2 });
      await sleep(700);
      runs.push(await measureIn(tab, host, hover));
    }
    runs.sort((a, b) => a - b);
    console.log(`decision to open → card painted, ID in ${name}`);
    console.log(`  runs ${RUNS}: median ${runs[Math.floor(RUNS / 2)].toFixed(1)} ms, p90 ${runs[Math.floor(RUNS * 0.9)].toFixed(1)} ms (top frame above: same budget, 16 ms); first hover ${cold.toFixed(1)} ms`);
    await tab.close();
  }
} finally {
  await browser.close();
  await site.stop();
  await sim.stop();
}

async function measure(page) {
  return measureIn(page, page.mainFrame(), () => hoverText(page, SLOW));
}

/**
 * Decision to open → card painted, for an ID in `host` (a frame of `page`,
 * whose pointer moves are stamped in `window.__lastMove`). The card frame sits
 * in a closed shadow root the page cannot see into: the moment it shows is
 * read inside it (its viewport grows from zero), on the same epoch clock.
 */
async function measureIn(page, host, hover) {
  const shownAt = (frame) => frame.evaluate(() => new Promise((resolve) => {
    const now = () => performance.timeOrigin + performance.now();
    if (innerWidth > 0) return resolve(now());
    addEventListener("resize", function grown() {
      if (innerWidth === 0) return;
      removeEventListener("resize", grown);
      requestAnimationFrame(() => resolve(now()));
    });
  }));
  const ours = () => page.frames().find((f) => isCard(f) && f.parentFrame() === host);
  let frame = ours();
  let shown = frame && shownAt(frame);
  await hover();
  if (!frame) {
    for (let i = 0; i < 200 && !frame; i++) {
      frame = ours();
      if (!frame) await sleep(10);
    }
    shown = shownAt(frame);
  }
  const moved = await host.evaluate(() => performance.timeOrigin + window.__lastMove);
  return (await shown) - moved - REST_MS;
}
