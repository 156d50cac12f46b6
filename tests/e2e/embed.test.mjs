// The embed in headless Chromium: the three forms (script tag, <botlens-card>,
// import { mount }) on a host page of another origin, a strict-CSP host page
// (frame mode), and the demo page, all through the botlens proxy in front of
// the simulator. No extension is loaded.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { artifacts, hoverText, startSimulator, sleep } from "./harness.mjs";
import { DENIED, HEALTHY, LOBBY, RECORDING, SIGN_IN, pageHeaders, pages } from "./embed-pages.mjs";
import { hostPages, launchBrowser, settledCard, startProxy } from "./embed-harness.mjs";

describe("embed in Chromium", () => {
  let sim, proxy, site, browser;
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    sim = await startSimulator();
    // Pages are rendered per request: they name the proxy, which must name their origin.
    site = await hostPages(() => pages(proxy.url), (name) => pageHeaders(proxy.url, name));
    proxy = await startProxy(sim, { origins: [site.url] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await proxy?.stop();
    await sim?.stop();
  });

  test("script tag: hovering a bot ID on the host page shows its card", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/script-tag.html`);
    // The embed is ready once its hover host exists (a person's pointer keeps moving; ours must wait).
    await page.waitForSelector("[data-botlens-host=hover]", { state: "attached" });
    await hoverText(page, HEALTHY);
    const card = await settledCard(page, HEALTHY);
    assert.deepEqual([card.state, card.verdict, card.status], ["ready", "healthy", "done"]);
    // In a shadow root: the page's `.botlens-card{display:none}` does not reach it.
    assert.ok(await card.handle.isVisible(), "the host page's CSS hid the card");
    const host = await page.$("[data-botlens-host=hover]");
    assert.ok(host, "the card lives in the embed's own host element");

    assert.equal(await page.$$eval("iframe", (f) => f.length), 0, "wasm mode needs no frame");

    await page.keyboard.press("Escape");
    await page.waitForFunction(() => getComputedStyle(document.querySelector("[data-botlens-host=hover]")).visibility === "hidden");

    await hoverText(page, SIGN_IN);
    const failed = await settledCard(page, SIGN_IN);
    assert.deepEqual([failed.verdict, failed.reason], ["failed", "meeting_requires_sign_in"]);

    // A link carrying the ID (href) works too.
    await page.mouse.move(5, 5);
    await sleep(400);
    await page.hover("a");
    const linked = await settledCard(page, DENIED);
    assert.equal(linked.verdict, "failed");

    // A recording ID is not a bot: no card for it.
    await page.keyboard.press("Escape");
    await hoverText(page, RECORDING);
    await sleep(900);
    assert.equal(await page.$(`.botlens-card[data-bot-id="${RECORDING}"]`), null);
    // The page's own text is never rewritten.
    assert.ok((await page.textContent("table")).includes(`bot_id: ${HEALTHY}`));
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(artifacts, "embed-script-tag.png") });
    await page.close();
  });

  test("the embed reaches what the extension reaches: shadow roots, split IDs, read-only fields", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${site.url}/reach.html`);
    await page.waitForSelector("[data-botlens-host=hover]", { state: "attached" });
    for (const [selector, id] of [["acme-row #in-shadow", HEALTHY], ["#mark", SIGN_IN], ["#ro", LOBBY]]) {
      const box = await page.locator(selector).boundingBox();
      await page.mouse.move(box.x - 20, box.y + 30);
      await page.mouse.move(box.x + Math.min(box.width / 2, 60), box.y + box.height / 2, { steps: 4 });
      const card = await settledCard(page, id);
      assert.equal(card.state, "ready", selector);
      await page.keyboard.press("Escape");
      await page.mouse.move(3, 3);
      await sleep(400);
    }
    await page.close();
  });

  test("the hover card flips and shifts into the viewport and follows its anchor", async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/placement.html`);
    await page.waitForSelector("[data-botlens-host=hover]", { state: "attached" });

    // At the bottom edge: no room below, so the card opens above its ID (flip), inside the viewport.
    let pointer = await hoverText(page, HEALTHY);
    await settledCard(page, HEALTHY);
    let g = await placed(page, HEALTHY);
    assert.ok(g.card.bottom <= g.anchor.top - GAP + 1, `not above its anchor: ${JSON.stringify(g)}`);
    assertInside(g);
    assert.ok(!within(g.card, pointer), "the card is under the pointer");
    await page.keyboard.press("Escape");

    // At the right edge: below the ID, moved left to stay inside (shift), still clear of it.
    pointer = await hoverText(page, SIGN_IN);
    await settledCard(page, SIGN_IN);
    g = await placed(page, SIGN_IN);
    assert.ok(g.card.top >= g.anchor.bottom + GAP - 1, `not below its anchor: ${JSON.stringify(g)}`);
    assert.ok(g.card.left < g.anchor.left - 1, `not shifted left: ${JSON.stringify(g)}`);
    assertInside(g);
    assert.ok(!within(g.card, pointer), "the card is under the pointer");
    await page.screenshot({ path: join(artifacts, "embed-placement.png") });
    await page.keyboard.press("Escape");

    // In a tall page: the reader moves onto the card and scrolls; the card stays with its ID.
    for (const [id, scroller] of [[DENIED, null], [LOBBY, "#pane"]]) {
      await hoverText(page, id);
      await settledCard(page, id);
      const before = await placed(page, id);
      await page.mouse.move(before.card.left + 40, before.card.top + 8, { steps: 3 });
      await page.evaluate((s) => (s ? document.querySelector(s) : window).scrollBy(0, 50), scroller);
      const after = await placed(page, id, (a) => Math.abs(a.anchor.top - (before.anchor.top - 50)) < 1);
      assert.ok(after.visible, `${id}: the card closed on scroll`);
      assert.ok(Math.abs((after.card.top - after.anchor.top) - (before.card.top - before.anchor.top)) < 1.5 &&
        Math.abs(after.card.left - before.card.left) < 1.5, `${id}: the card did not follow: ${JSON.stringify({ before, after })}`);
      // Scrolled out of sight, the anchor takes its card with it.
      await page.evaluate((s) => (s ? document.querySelector(s) : window).scrollBy(0, 1000), scroller);
      await page.waitForFunction(() => getComputedStyle(document.querySelector("[data-botlens-host=hover]")).visibility === "hidden",
        null, { timeout: 3000 });
      await page.evaluate(() => window.scrollTo(0, 0));
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("<botlens-card bot-id> renders an inline card and follows its attribute", async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/element.html`);
    const card = await settledCard(page, LOBBY);
    assert.deepEqual([card.verdict, card.reason], ["failed", "timeout_exceeded_waiting_room"]);
    assert.ok(await card.handle.isVisible());
    await page.evaluate((id) => document.getElementById("card").setAttribute("bot-id", id), HEALTHY);
    const next = await settledCard(page, HEALTHY);
    assert.equal(next.verdict, "healthy");
    // hover: false in the global config: no page-wide hover card.
    assert.equal(await page.$("[data-botlens-host=hover]"), null);
    // A bad bot-id is an error card, not a crash.
    await page.evaluate(() => document.getElementById("card").setAttribute("bot-id", "not-a-bot"));
    await page.waitForSelector('.botlens-card[data-error="invalid_id"]', { state: "attached" });
    await page.screenshot({ path: join(artifacts, "embed-element.png") });
    await page.close();
  });

  test("<botlens-card view=full>: the full view through the proxy, whole in a 400 px window", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/full.html`);
    const card = await settledCard(page, LOBBY);
    assert.equal(card.reason, "timeout_exceeded_waiting_room");
    await page.waitForSelector("botlens-card [data-section=settings]", { state: "attached" });
    // Every part is open at once, as in the extension's full view.
    for (const section of ["screenshots", "logs", "timeline"]) {
      assert.ok(await page.$eval(`botlens-card [data-section=${section}]`, (d) => d.open), `${section} open`);
    }
    const lobby = await page.$eval('botlens-card tr[data-setting="automatic_leave.waiting_room_timeout"]', (tr) => tr.innerText);
    assert.match(lobby, /1200 s \(20m 00s\)/);
    assert.match(lobby, /\d+m \d\ds in the waiting room/);
    assert.match(lobby, /Why the bot left/);
    assert.match(await page.$eval("botlens-card [data-section=particulars]", (d) => d.innerText), /Meeting ID\s+\d+/);
    assert.match(await page.$eval("botlens-card [data-section=message]", (d) => d.innerText), /What would fix it/);
    // The JSON is the proxy's trimmed copy: no password, no signed link.
    const json = await page.$eval("botlens-card pre.json", (p) => p.textContent);
    assert.match(json, /"status_changes"/);
    assert.ok(!/meeting_password|X-Amz-Signature|cXdlcnR5MTIz/.test(json), "a secret in the JSON shown");
    // Saving evidence needs the extension or the terminal: no button that cannot work.
    assert.equal(await page.$("botlens-card [data-action=save-evidence]"), null);

    // 400 px wide (and the same at 200 % zoom of an 800 px window): nothing sideways, nothing cut.
    await page.setViewportSize({ width: 400, height: 800 });
    await page.click("botlens-card [data-section=json] summary");
    await sleep(200);
    const fit = await page.evaluate(() => {
      const host = document.querySelector("botlens-card");
      const wide = [...host.shadowRoot.querySelectorAll("*")].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > innerWidth + 0.5;
      }).map((el) => el.className || el.tagName);
      return { scroll: document.documentElement.scrollWidth, width: innerWidth, wide };
    });
    assert.ok(fit.scroll <= fit.width, `the page scrolls sideways: ${JSON.stringify(fit)}`);
    assert.deepEqual(fit.wide, [], "elements past the right edge");
    await page.screenshot({ path: join(artifacts, "embed-full-400.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("in a 400 px window the hover card opens above an ID low on the screen, whole", async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 700 } });
    await page.goto(`${site.url}/narrow.html`);
    await page.waitForSelector("[data-botlens-host=hover]", { state: "attached" });
    await hoverText(page, LOBBY);
    await settledCard(page, LOBBY);
    // The card grows from a small skeleton to its answer: it must move above, not squeeze below.
    const g = await placed(page, LOBBY, (g) => g.card.bottom - g.card.top > 150);
    assert.ok(g.card.bottom <= g.anchor.top - GAP + 1, `not above its anchor: ${JSON.stringify(g)}`);
    assertInside(g);
    // It takes the room above: all of it that it needs (taller than that, it scrolls inside).
    const { natural, shown } = await page.evaluate((id) => {
      const card = document.querySelector("[data-botlens-host=hover]").shadowRoot.querySelector(`.botlens-card[data-bot-id="${id}"]`);
      return { natural: card.scrollHeight, shown: card.getBoundingClientRect().height };
    }, LOBBY);
    const room = g.anchor.top - GAP - MARGIN;
    assert.ok(shown >= Math.min(natural, room) - 2, `squeezed to ${shown}px of ${natural}px with ${room}px above`);
    await page.screenshot({ path: join(artifacts, "embed-narrow.png") });
    await page.close();
  });

  test("<botlens-triage bot-ids> groups many bots by why, through the proxy", async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/triage.html`);
    const summary = await page.waitForSelector("botlens-triage .botlens-triage .summary", { state: "attached", timeout: 20000 }).catch(async (e) => {
      throw new Error(`${e.message}: ${await page.evaluate(() => document.querySelector("botlens-triage").shadowRoot?.innerHTML)}`);
    });
    assert.match(await summary.innerText(), /^5 bots: 3 failed, 1 healthy, 1 not looked up/);
    const groups = await page.$$eval("botlens-triage li.group", (lis) => lis.map((li) => [li.dataset.reason || li.dataset.verdict, li.dataset.whoseMove]));
    assert.deepEqual(Object.fromEntries(groups), {
      healthy: "nobody",
      timeout_exceeded_waiting_room: "host",
      timeout_exceeded_recording_permission_denied: "host",
      meeting_requires_sign_in: "you",
    });
    assert.equal(await page.$("botlens-triage button.show"), null, "no page to mark here");
    assert.ok(await page.isVisible("botlens-triage button.copy-markdown"));
    await page.close();
  });

  test("import { mount } for single-page apps", async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/module.html`);
    await page.waitForFunction(() => window.mounted === true);
    const card = await settledCard(page, SIGN_IN);
    assert.deepEqual([card.verdict, card.reason], ["failed", "meeting_requires_sign_in"]);
    assert.equal(await page.evaluate(() => window.handle.mode), "wasm");
    await page.evaluate((id) => window.handle.show(id), DENIED);
    const next = await settledCard(page, DENIED);
    assert.equal(next.reason, "timeout_exceeded_recording_permission_denied");
    await page.evaluate(() => window.handle.unmount());
    assert.equal(await page.$(".botlens-card"), null);
    await page.close();
  });

  test("a host page whose CSP forbids wasm gets frame mode", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${site.url}/strict-csp.html`);
    // The check that matters: this page really cannot compile wasm.
    const blocked = await page.evaluate(async () => {
      try {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(blocked, "the CSP should forbid WebAssembly");
    // Inline element in a frame of card.html.
    const inlineFrame = await frameWith(page, LOBBY);
    const inline = await settledCard(inlineFrame, LOBBY);
    assert.deepEqual([inline.verdict, inline.reason], ["failed", "timeout_exceeded_waiting_room"]);
    // Hover card in a frame.
    await page.waitForFunction(() => document.querySelector("iframe[data-botlens-frame]")); // the hover frame (light DOM; the inline one is in a shadow root)
    await hoverText(page, HEALTHY);
    const hoverFrame = await frameWith(page, HEALTHY);
    const card = await settledCard(hoverFrame, HEALTHY);
    assert.equal(card.verdict, "healthy");
    await page.waitForFunction(() => [...document.querySelectorAll("iframe[data-botlens-frame]")]
      .some((f) => getComputedStyle(f).visibility === "visible" && f.getBoundingClientRect().height > 50));
    // The grouped view in a frame too.
    let grouped = null;
    for (let i = 0; i < 200 && !grouped; i++) {
      for (const frame of page.frames()) {
        if (frame.url().includes("/embed/card.html") && (await frame.$(".botlens-triage .summary").catch(() => null))) grouped = frame;
      }
      if (!grouped) await sleep(50);
    }
    assert.ok(grouped, "the grouped view renders in frame mode");
    assert.match(await grouped.innerText(".botlens-triage .summary"), /^2 bots: 1 failed, 1 healthy/);
    await page.screenshot({ path: join(artifacts, "embed-strict-csp.png") });
    await page.close();
  });

  test("frame mode: a card taller than the room stays in the viewport and scrolls inside its frame", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 240 } });
    await page.goto(`${site.url}/strict-csp.html`);
    await page.waitForFunction(() => document.querySelector("iframe[data-botlens-frame]"));
    await hoverText(page, HEALTHY);
    const hoverFrame = await frameWith(page, HEALTHY);
    await settledCard(hoverFrame, HEALTHY);
    const handle = await page.waitForFunction(() => [...document.querySelectorAll("iframe[data-botlens-frame]")]
      .find((f) => getComputedStyle(f).visibility === "visible" && f.getBoundingClientRect().height > 50));
    const box = await handle.evaluate((f) => { const r = f.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; });
    assert.ok(box.top >= 0 && box.bottom <= 240, `the frame stays inside the viewport: ${JSON.stringify(box)}`);
    const inside = await hoverFrame.evaluate(() => {
      const el = document.scrollingElement;
      const before = el.scrollTop;
      el.scrollTop = el.scrollHeight;
      const foot = document.querySelector(".botlens-card .foot").getBoundingClientRect();
      return { overflow: el.scrollHeight - el.clientHeight, moved: el.scrollTop - before, footBottom: foot.bottom, height: innerHeight };
    });
    assert.ok(inside.overflow > 0 && inside.moved > 0, `the card scrolls inside its frame: ${JSON.stringify(inside)}`);
    assert.ok(inside.footBottom <= inside.height + 1, `its footer can be scrolled into view: ${JSON.stringify(inside)}`);
    await page.close();
  });

  test("the demo page: one script tag, the demo proxy, no key", async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${sim.port}/demo/`);
    const ticket = await settledCard(page, LOBBY);
    assert.deepEqual([ticket.verdict, ticket.reason], ["failed", "timeout_exceeded_waiting_room"]);
    await page.waitForSelector("[data-botlens-host=hover]", { state: "attached" });
    await hoverText(page, DENIED);
    const card = await settledCard(page, DENIED);
    assert.equal(card.verdict, "failed");
    const html = await page.content();
    assert.ok(!/Token demo|RECALL_API_KEY/.test(html));
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(artifacts, "embed-demo.png") });
    await page.close();
  });
});

// The placement rules (src/ui/placement.rs): GAP from the anchor, MARGIN inside the viewport.
const GAP = 6;
const MARGIN = 8;

const within = (r, p) => p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom;

function assertInside(g) {
  const { card, width, height } = g;
  assert.ok(card.left >= MARGIN - 1 && card.right <= width - MARGIN + 1 && card.top >= MARGIN - 1 && card.bottom <= height - MARGIN + 1,
    `the card leaves the ${width}×${height} viewport: ${JSON.stringify(card)}`);
}

/** Where the hover card for `id` and the ID's text are, in viewport pixels. */
function geometry(page, id) {
  return page.evaluate((id) => {
    const box = (r) => r && { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    let anchor = null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && !anchor; node = walker.nextNode()) {
      const at = node.data.indexOf(id);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + id.length);
      anchor = box(range.getBoundingClientRect());
    }
    const host = document.querySelector("[data-botlens-host=hover]");
    const card = host.shadowRoot.querySelector(`.botlens-card[data-bot-id="${id}"]`);
    return {
      anchor,
      card: card && box(card.getBoundingClientRect()),
      visible: getComputedStyle(host).visibility === "visible",
      width: document.documentElement.clientWidth,
      height: document.documentElement.clientHeight,
    };
  }, id);
}

/** The hover card's geometry once it is shown and has stopped moving (and `accept` holds). */
async function placed(page, id, accept = () => true) {
  let last = null;
  for (let i = 0; i < 100; i++) {
    const g = await geometry(page, id);
    if (g.card && g.visible && accept(g) && JSON.stringify(g) === JSON.stringify(last)) return g;
    last = g;
    await sleep(50);
  }
  throw new Error(`the card of ${id} did not settle: ${JSON.stringify(last)}`);
}

/** The card.html frame showing `id`. */
async function frameWith(page, id) {
  for (let i = 0; i < 200; i++) {
    for (const frame of page.frames()) {
      if (!frame.url().includes("/embed/card.html")) continue;
      if (await frame.$(`.botlens-card[data-bot-id="${id}"]`).catch(() => null)) return frame;
    }
    await sleep(50);
  }
  throw new Error(`no card frame shows ${id}`);
}
