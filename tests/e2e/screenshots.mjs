// Screenshots for the README: the card of a healthy, a failed, a running and an
// unknown-code bot, on a light and on a dark page; the full view of a failed
// bot; and a saved evidence file, opened offline. `node tests/e2e/screenshots.mjs DIR`
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  cardBox, configure, hoverAndRead, launchWithExtension, moveAway, root, servePages, sleep, startSimulator,
} from "./harness.mjs";

const out = resolve(process.argv[2] || join(root, "tests/e2e/artifacts"));
mkdirSync(out, { recursive: true });
const bots = {
  healthy: "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74",
  failed: "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f",
  running: "11fe11fe-0008-4b07-8000-000000000008",
  unknown: "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
};

const sim = await startSimulator(["--scenarios", join(root, "tests/e2e/scenarios"), "--progress-secs", "1"]);
const site = await servePages(join(root, "tests/e2e/pages"));
const browser = await launchWithExtension();
try {
  await configure(browser, { key: "demo", host: sim.host });
  await sleep(6000); // let the running bot reach the recording phase
  for (const theme of ["light", "dark"]) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.goto(`${site.url}/ordinary.html`);
    await page.evaluate((ids) => {
      document.body.insertAdjacentHTML("afterbegin", ids.map((id) => `<p style="font:14px monospace">${id}</p>`).join(""));
    }, Object.values(bots));
    if (theme === "dark") await page.addStyleTag({ content: "html,body{background:#0d1117 !important;color:#c9d1d9 !important}" });
    for (const [name, id] of Object.entries(bots)) {
      await hoverAndRead(page, browser.origin, id);
      await sleep(400);
      await page.screenshot({ path: join(out, `card-${name}-${theme}.png`), clip: await cardBox(page) });
      await moveAway(page);
    }
    await page.close();
  }
  // The full view of a bot nobody admitted, and its evidence file opened offline.
  const lobby = "10bbee00-0002-4b07-8000-000000000002";
  const full = await browser.context.newPage();
  await full.setViewportSize({ width: 1100, height: 1400 });
  await full.goto(`${browser.origin}/explorer.html#${lobby}`);
  await full.waitForSelector("[data-action=save-evidence]", { timeout: 15000 });
  await full.waitForFunction(() => !/Loading/.test(document.body.innerText));
  await sleep(500);
  await full.screenshot({ path: join(out, "full-view.png"), fullPage: false });
  const [download] = await Promise.all([full.waitForEvent("download"), full.click("[data-action=save-evidence]")]);
  const file = join(out, "evidence-example.html");
  await download.saveAs(file);
  const saved = await browser.context.newPage();
  await saved.setViewportSize({ width: 1100, height: 1400 });
  await browser.context.setOffline(true);
  await saved.goto(`file://${file}`);
  await saved.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => {}))));
  await saved.screenshot({ path: join(out, "evidence-file.png"), fullPage: false });
  await browser.context.setOffline(false);
  rmSync(file);
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await site.stop();
  await sim.stop();
}
