// `cargo xtask e2e-page PAGE SCENARIOS_DIR`: load the extension in headless
// Chromium, serve PAGE on 127.0.0.1 and the scenarios through the simulator,
// hover every UUID on the page and print what each card showed, as JSON.
//
// Output: [{"id", "state", "verdict", "reason", "status", "error"}], one entry
// per distinct UUID in the page's text, in order of first appearance.
// `state` is "none" when no card opened (e.g. a recording ID).
import { basename, dirname } from "node:path";
import {
  UUID, configure, hoverAndRead, launchWithExtension, moveAway, servePages, sleep, startSimulator,
} from "./harness.mjs";

const [page, scenarios] = process.argv.slice(2);
if (!page || !scenarios) {
  console.error("usage: node tests/e2e/e2e-page.mjs PAGE SCENARIOS_DIR");
  process.exit(2);
}

const sim = await startSimulator(["--scenarios", scenarios]);
const site = await servePages(dirname(page));
const browser = await launchWithExtension();
const results = [];
try {
  await configure(browser, { key: "demo", host: sim.host });
  const tab = await browser.context.newPage();
  await tab.goto(`${site.url}/${encodeURIComponent(basename(page))}`);
  const ids = await tab.evaluate((source) => {
    const pattern = new RegExp(source, "gi");
    const seen = new Map();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(pattern)) {
        if (!seen.has(m[0].toLowerCase())) seen.set(m[0].toLowerCase(), m[0]);
      }
    }
    return [...seen.values()];
  }, UUID.source);
  for (const id of ids) {
    try {
      const card = await hoverAndRead(tab, browser.origin, id, 8000);
      delete card.text;
      results.push(card);
      await moveAway(tab);
    } catch {
      results.push({ id: id.toLowerCase(), state: "none", verdict: null, reason: null, status: null, error: null });
      await tab.mouse.move(5, 5);
      await sleep(400);
    }
  }
} finally {
  await browser.close();
  await site.stop();
  await sim.stop();
}
console.log(JSON.stringify(results, null, 2));
