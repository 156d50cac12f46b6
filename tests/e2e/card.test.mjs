// The hover card in the real extension: hostile page CSS, sections fetched on
// demand through the worker, running bots refreshing, keyboard access, themes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  artifacts, cardBox, cardFrame, configure, hoverAndRead, launchWithExtension, moveAway, root, servePages, sleep,
  startSimulator,
} from "./harness.mjs";

const scenarios = join(root, "tests/e2e/scenarios");
const pages = join(root, "tests/e2e/pages");
const DENIED = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
const LIVE = "11fe11fe-0008-4b07-8000-000000000008"; // the simulator's built-in bot that advances

describe("card in the extension", () => {
  let sim, site, browser;
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    sim = await startSimulator(["--scenarios", scenarios, "--progress-secs", "2"]);
    site = await servePages(pages);
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  // The card's upper part as the screen shows it, inside its rounded corners
  // (the page shows through those, and the frame's height depends on the room
  // below the anchor, which differs between the pages).
  async function frameShot(page) {
    const box = await cardBox(page);
    return page.screenshot({ clip: { x: box.x + 12, y: box.y + 12, width: 356, height: 248 } });
  }

  test("hostile page CSS changes nothing in the card", async () => {
    const plain = await browser.context.newPage();
    await plain.goto(`${site.url}/ordinary.html`);
    await hoverAndRead(plain, browser.origin, DENIED);
    await sleep(300);
    const expected = await frameShot(plain);
    const hostile = await browser.context.newPage();
    await hostile.goto(`${site.url}/hostile-css.html`);
    const card = await hoverAndRead(hostile, browser.origin, DENIED);
    assert.equal(card.verdict, "failed", card.text);
    await sleep(300);
    const got = await frameShot(hostile);
    writeFileSync(join(artifacts, "card-hostile-css.png"), got);
    writeFileSync(join(artifacts, "card-plain-clip.png"), expected);
    assert.ok(got.equals(expected), "the card renders pixel for pixel as on a plain page");
    await plain.close();
    await hostile.close();
  });

  test("screenshots and logs are fetched only when their section is opened", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    const before = sim.log().split("\n").filter((l) => l.includes(DENIED)).length;
    await hoverAndRead(page, browser.origin, DENIED);
    const frame = await cardFrame(page);
    const requests = () => sim.log().split("\n").filter((l) => l.includes(DENIED));
    assert.ok(!requests().some((l) => l.includes("/logs/")), "no logs fetched before the section opens");
    await frame.click("[data-section='logs'] summary");
    await frame.waitForSelector("[data-section='logs'] .note[data-source='log']", { state: "attached" });
    assert.ok(requests().slice(before).some((l) => l.includes("/logs/")));
    const notes = await frame.$$eval("[data-section='logs'] .note", (n) => n.map((e) => e.textContent));
    assert.ok(notes.some((t) => t.includes("zoom_join_token_fetch_using_zoom_oauth_failed")), notes.join("\n"));
    await page.close();
  });

  test("a running bot's card refreshes while it stays open", async () => {
    await fetch(`http://127.0.0.1:${sim.port}/sim/reset`, { method: "POST" });
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    await page.evaluate((id) => { document.body.insertAdjacentHTML("afterbegin", `<p id="live">live ${id}</p>`); }, LIVE);
    const first = await hoverAndRead(page, browser.origin, LIVE);
    assert.equal(first.verdict, "in_progress", first.text);
    const frame = await cardFrame(page);
    const count = () => frame.$$eval("[data-section='timeline'] .timeline li", (l) => l.length);
    const start = await count();
    await frame.waitForFunction(
      (n) => document.querySelectorAll("[data-section='timeline'] .timeline li").length > n,
      start, { timeout: 25000, polling: 500 },
    );
    assert.ok((await count()) > start);
    await page.close();
  });

  test("keyboard: focus shows the card, ArrowDown enters it, Escape returns focus", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    await page.evaluate((id) => {
      document.body.insertAdjacentHTML("afterbegin", `<button id="before">before</button><a id="kb" href="/bots/${id}">open bot</a>`);
    }, DENIED);
    // The page's own focus() opens nothing: only focus a key moved counts.
    await page.focus("#kb");
    await sleep(800);
    assert.ok(!page.frames().some((f) => /card\.html/.test(f.url())), "programmatic focus opens no card");
    await page.focus("#before");
    await page.keyboard.press("Tab");
    const frame = await cardFrame(page);
    await frame.waitForSelector(`.botlens-card[data-bot-id="${DENIED}"][data-state="ready"]`, { state: "attached" });
    await page.keyboard.press("ArrowDown");
    await frame.waitForFunction(() => document.activeElement && document.activeElement.classList.contains("botlens-card"));
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === "kb");
    await page.close();
  });

  test("a card frame the page made itself gets nothing from the worker", async () => {
    const TEAMS = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    await hoverAndRead(page, browser.origin, DENIED);
    await moveAway(page);
    const asked = () => sim.log().split("\n").filter((l) => l.includes(TEAMS)).length;
    const before = asked();
    // The page cannot read our frame's URL; it tries every URL it could know:
    // the store ID's (Chrome serves the card from a per-session one) and ours.
    const ours = (await cardFrame(page)).url();
    const seen = await page.evaluate(async ([id, urls]) => {
      const heard = [];
      for (const url of urls) {
        const fake = document.createElement("iframe");
        fake.src = url;
        document.body.appendChild(fake);
        await new Promise((r) => { fake.addEventListener("load", r, { once: true }); setTimeout(r, 2000); });
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => heard.push(e.data);
        fake.contentWindow.postMessage({ botlens: "init", token: crypto.randomUUID() }, "*", [channel.port2]);
        await new Promise((r) => setTimeout(r, 300));
        channel.port1.postMessage({ type: "hover", text: `bot ${id}`, offset: 6,
          anchor: { left: 10, top: 10, width: 100, height: 16 }, viewport: { width: 800, height: 600 } });
      }
      await new Promise((r) => setTimeout(r, 2000));
      return heard;
    }, [TEAMS, [`${browser.origin}/card.html`, ours]]);
    assert.equal(asked(), before, "the worker fetched nothing for the page's own frames");
    assert.deepEqual(seen, [], "the page's frames took no offer, so nothing came back");
    await page.close();
  });

  test("the card follows a dark page and a light page", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    let card = await hoverAndRead(page, browser.origin, DENIED);
    const frame = await cardFrame(page);
    assert.equal(await frame.$eval(".botlens-card", (c) => c.dataset.theme), "light");
    await page.screenshot({ path: join(artifacts, "card-light.png"), clip: { x: 0, y: 0, width: 640, height: 560 } });
    await moveAway(page);
    await page.addStyleTag({ content: "html,body{background:#0d1117 !important;color:#c9d1d9 !important}" });
    card = await hoverAndRead(page, browser.origin, DENIED);
    assert.equal(card.verdict, "failed", card.text);
    assert.equal(await frame.$eval(".botlens-card", (c) => c.dataset.theme), "dark");
    await page.screenshot({ path: join(artifacts, "card-dark.png"), clip: { x: 0, y: 0, width: 640, height: 560 } });
    await page.close();
  });
});
