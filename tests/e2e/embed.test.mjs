// The embed in headless Chromium: the three forms (script tag, <botlens-card>,
// import { mount }) on a host page of another origin, a strict-CSP host page
// (frame mode), and the demo page, all through the botlens proxy in front of
// the simulator. No extension is loaded.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { artifacts, hoverText, startSimulator, sleep } from "./harness.mjs";
import { hostPages, launchBrowser, settledCard, startProxy } from "./embed-harness.mjs";

const HEALTHY = "600dca11-0001-4b07-8000-000000000001"; // us-west-2
const LOBBY = "10bbee00-0002-4b07-8000-000000000002"; // us-west-2, waiting room
const DENIED = "dec11ed0-0003-4b07-8000-000000000003"; // us-east-1
const SIGN_IN = "10c4ed00-0006-4b07-8000-000000000006"; // us-east-1, fatal
const RECORDING = "9a1f1c55-7e0b-4c3e-9d51-1b2c3d4e5f60"; // a recording ID: no card

const hostile = `<style>p{color:red!important} .botlens-card{display:none!important} div{font-size:40px!important}</style>`;

function pages(proxy) {
  const embed = `${proxy}/embed`;
  return {
    "script-tag.html": `<!doctype html><html><head><meta charset="utf-8"><title>admin</title>${hostile}
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><h1>Bots</h1>
<table><tr><th>Bot ID</th><th>Recording ID</th></tr>
<tr><td>bot_id: ${HEALTHY}</td><td>recording_id: ${RECORDING}</td></tr>
<tr><td>bot_id: ${SIGN_IN}</td><td></td></tr></table>
<p><a href="https://example.test/bots/${DENIED}">open the Initech bot</a></p>
</body></html>`,
    "element.html": `<!doctype html><html><head><meta charset="utf-8"><title>ticket</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body><p>Ticket #1</p><botlens-card id="card" bot-id="${LOBBY}"></botlens-card></body></html>`,
    "module.html": `<!doctype html><html><head><meta charset="utf-8"><title>spa</title>${hostile}</head>
<body><div id="app"><p>SPA</p><div id="slot"></div></div>
<script type="module">
  import { mount } from "${embed}/botlens.mjs";
  window.handle = await mount("#slot", ${JSON.stringify(SIGN_IN)}, { apiBase: ${JSON.stringify(proxy)} });
  window.mounted = true;
</script></body></html>`,
    // Placement: IDs at the bottom and right edges (fixed), one in a tall page, one in a scrolling
    // pane. A long close delay: only Escape or a hidden anchor close the card during the test.
    "placement.html": `<!doctype html><html><head><meta charset="utf-8"><title>placement</title>
<style>body{margin:0;height:3000px;font:14px/1.4 sans-serif} p{margin:0;white-space:nowrap}
#bottom{position:fixed;left:20px;bottom:4px} #right{position:fixed;right:4px;top:40px}
#tall{position:absolute;left:40px;top:1300px}
#pane{position:absolute;left:40px;top:2200px;width:600px;height:240px;overflow:auto;border:1px solid #999}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" data-close-ms="60000" defer></script></head>
<body><p id="bottom">bot_id: ${HEALTHY}</p><p id="right">bot_id: ${SIGN_IN}</p>
<p id="tall">bot_id: ${DENIED}</p>
<div id="pane"><div style="height:1200px;padding-top:60px"><p>bot_id: ${LOBBY}</p></div></div></body></html>`,
    // The same reach as the extension's sensor (one hover layer): an open shadow root, an ID
    // split by a search highlight, a read-only field.
    "reach.html": `<!doctype html><html><head><meta charset="utf-8"><title>reach</title>
<style>body{font:14px sans-serif;margin:40px} input{font:14px monospace;width:480px}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><acme-row></acme-row>
<p>bot_id ${SIGN_IN.slice(0, 9)}<mark id="mark">${SIGN_IN.slice(9, 13)}</mark>${SIGN_IN.slice(13)}</p>
<p><label for="ro">Bot ID</label> <input id="ro" readonly value="${LOBBY}"></p>
<script>customElements.define("acme-row", class extends HTMLElement { connectedCallback() {
  this.attachShadow({ mode: "open" }).innerHTML = '<p>bot <code id="in-shadow">${HEALTHY}</code></p>'; } });</script>
</body></html>`,
    // The full view in an internal tool: <botlens-card view="full">.
    "full.html": `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>bot page</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body style="margin:8px"><botlens-card view="full" bot-id="${LOBBY}"></botlens-card></body></html>`,
    // A narrow window: the ID sits below the middle, with more room above it than below.
    "narrow.html": `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>narrow</title><style>body{margin:0;font:14px/1.4 sans-serif} p{margin:0}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" data-close-ms="60000" defer></script></head>
<body><p style="position:absolute;top:440px;left:8px">bot ${LOBBY}</p></body></html>`,
    "strict-csp.html": `<!doctype html><html><head><meta charset="utf-8"><title>strict</title>
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><p>bot_id: ${HEALTHY}</p><botlens-card bot-id="${LOBBY}" api-base="${proxy}"></botlens-card>
<botlens-triage bot-ids="${HEALTHY} ${LOBBY}" api-base="${proxy}"></botlens-triage></body></html>`,
    "triage.html": `<!doctype html><html><head><meta charset="utf-8"><title>on-call</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body><h1>Failed this morning</h1>
<botlens-triage bot-ids="${HEALTHY}, ${LOBBY} ${DENIED} ${SIGN_IN} ${RECORDING} not-an-id"></botlens-triage></body></html>`,
  };
}

describe("embed in Chromium", () => {
  let sim, proxy, site, browser;
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    sim = await startSimulator();
    // Pages are rendered per request: they name the proxy, which must name their origin.
    site = await hostPages(() => pages(proxy.url), (name) =>
      name.includes("strict-csp")
        ? { "content-security-policy": `default-src 'self'; script-src 'self' ${proxy.url}; frame-src ${proxy.url}; style-src 'self'; connect-src 'self'` }
        : {});
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
