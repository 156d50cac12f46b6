// The extension as a new user meets it, in headless Chromium with the
// simulator as Recall: test connection with region-bound keys, the popup's
// list and look-up box, the full view, a site switched off, the overview's
// badge, and a hostile page that tries to get at the key.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cardFrame, cardShown, hoverAndRead, hoverText, isCard, launchWithExtension, moveAway, root, servePages, sleep, startSimulator,
} from "./harness.mjs";

const scenarios = join(root, "tests/e2e/scenarios");
const pages = join(root, "tests/e2e/pages");
const EU_KEY = "sk_eu_region_bound_4f1c9a";
const SECRET_KEY = "sk_live_HOSTILE_CANARY_7d2e91b04c";
const EU_BOT = "ab5e7000-0004-4b07-8000-000000000004"; // built-in, eu-central-1
const WEST_BOT = "600dca11-0001-4b07-8000-000000000001"; // built-in, us-west-2, "Acme Notetaker"

async function options(browser) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.origin}/options.html`);
  await page.waitForSelector("#save");
  return page;
}

async function saveKey(browser, key, host) {
  const page = await options(browser);
  await page.fill("#api-key", key);
  await page.fill("#host-template", host);
  await page.click("#save");
  await page.waitForSelector("#saved", { state: "attached" });
  await page.close();
}

async function testConnection(page) {
  await page.click("#test");
  const result = await page.waitForSelector("#test-result", { state: "attached", timeout: 15000 });
  return {
    outcome: await result.getAttribute("data-outcome"),
    region: await result.getAttribute("data-region"),
    text: (await result.innerText()).replace(/\s+/g, " "),
  };
}

/** Open the popup for `target` (the popup asks for the active tab, so `target` is brought to front first). */
async function openPopup(browser, target) {
  const popup = await browser.context.newPage();
  await target.bringToFront();
  await popup.goto(`${browser.origin}/popup.html`);
  return popup;
}

/** Keep what the card hands the clipboard in the frame's `__copied` (headless clipboards vary). */
function spyOnCopies(frame) {
  return frame.evaluate(() => {
    window.__copied = [];
    navigator.clipboard.writeText = (text) => { window.__copied.push(text); return Promise.resolve(); };
  });
}

describe("extension pages in Chromium", () => {
  let sim, site, browser;
  before(async () => {
    sim = await startSimulator(["--scenarios", scenarios, "--key", `eu-central-1=${EU_KEY}`]);
    site = await servePages(pages);
    browser = await launchWithExtension();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  test("with no key, the card says so and opens the options", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    const card = await hoverAndRead(page, browser.origin, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
    assert.equal(card.error, "no_key", card.text);
    const frame = await cardFrame(page);
    assert.equal(await frame.$eval(".pill", (p) => p.textContent), "no key");
    const [opened] = await Promise.all([
      browser.context.waitForEvent("page"),
      frame.click("button[data-action=options]"),
    ]);
    await opened.waitForLoadState();
    assert.match(opened.url(), /\/options\.html$/);
    await opened.close();
    await page.close();
  });

  test("test connection names the region of a region-bound key, and says when a key is valid nowhere", async () => {
    const page = await options(browser);
    await page.fill("#host-template", sim.host);
    await page.fill("#api-key", EU_KEY);
    const right = await testConnection(page);
    assert.equal(right.outcome, "ok", right.text);
    assert.equal(right.region, "eu-central-1");
    assert.match(right.text, /works in eu-central-1/);

    await page.fill("#api-key", "sk_not_a_key_anywhere");
    const wrong = await testConnection(page);
    assert.equal(wrong.outcome, "bad", wrong.text);
    assert.match(wrong.text, /valid in no Recall region/);
    for (const region of ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"]) {
      assert.ok(wrong.text.includes(region), wrong.text);
    }
    assert.ok(!wrong.text.includes("sk_not_a_key_anywhere"), "the key is never echoed");
    await page.close();
  });

  test("a saved region-bound key finds its region's bots from a hover", async () => {
    await saveKey(browser, EU_KEY, sim.host);
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    await page.evaluate((id) => document.body.insertAdjacentHTML("afterbegin", `<p>bot ${id}</p>`), EU_BOT);
    const card = await hoverAndRead(page, browser.origin, EU_BOT);
    assert.equal(card.state, "ready", card.text);
    assert.equal(card.verdict, "failed");
    await page.close();
    await saveKey(browser, "demo", sim.host);
  });

  test("the popup lists the page's bots with status badges, and its look-up box opens the full view", async () => {
    const target = await browser.context.newPage();
    await target.goto(`${site.url}/ordinary.html`);
    const popup = await openPopup(browser, target);
    await popup.waitForSelector("#bots li", { state: "attached", timeout: 15000 });
    const ids = await popup.$$eval("#bots li", (lis) => lis.map((li) => li.dataset.botId));
    for (const id of ["a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f", "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74", "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e"]) {
      assert.ok(ids.includes(id), `${id} in ${ids}`);
    }
    assert.ok(!ids.includes("5d6e7f80-1a2b-4c3d-9e8f-0a1b2c3d4e5f"), "a recording ID is not listed");
    await popup.waitForSelector(`#bots li[data-bot-id="7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74"] .badge[data-verdict="healthy"]`, { state: "attached", timeout: 15000 });
    await popup.waitForSelector(`#bots li[data-bot-id="a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f"] .badge[data-verdict="failed"]`, { state: "attached", timeout: 15000 });
    await popup.waitForSelector(`#bots li[data-bot-id="11111111-2222-4333-8444-555555555555"] .badge[data-verdict="none"]`, { state: "attached", timeout: 15000 });
    assert.equal(await popup.textContent("#site"), "127.0.0.1");

    await popup.fill("#lookup", `https://us-west-2.recall.ai/dashboard/explorer/bot/${WEST_BOT}`);
    const [full] = await Promise.all([browser.context.waitForEvent("page"), popup.click("#lookup-go")]);
    await full.waitForLoadState();
    assert.equal(new URL(full.url()).hash, `#${WEST_BOT}`);
    const card = await full.waitForSelector(`.botlens-card[data-bot-id="${WEST_BOT}"][data-state="ready"]`, { state: "attached", timeout: 15000 });
    assert.equal(await card.getAttribute("data-verdict"), "healthy");
    assert.ok(await full.evaluate(() => document.body.classList.contains("full")));
    await full.close();
    await target.close();
    if (!popup.isClosed()) await popup.close();
  });

  test("the look-up box says so when there is no bot ID", async () => {
    const popup = await browser.context.newPage();
    await popup.goto(`${browser.origin}/popup.html`);
    await popup.fill("#lookup", "https://us-east-1.recall.ai/api/v1/recording/e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f/");
    await popup.click("#lookup-go");
    await popup.waitForSelector("#lookup-error", { state: "attached" });
    await popup.close();
  });

  test("the popup triages the page: groups by why, shows a group on the page, copies as text", async () => {
    const target = await browser.context.newPage();
    await target.goto(`${site.url}/ordinary.html`);
    const popup = await openPopup(browser, target);
    await popup.waitForSelector("#bots li", { state: "attached", timeout: 15000 });
    const listed = await popup.$$eval("#bots li", (lis) => lis.length);
    await popup.click("#triage");
    const summary = await popup.waitForSelector(".botlens-triage .summary", { state: "attached", timeout: 30000 });
    assert.match(await summary.innerText(), new RegExp(`^${listed} bots: `));
    const groups = await popup.$$eval("li.group", (lis) => lis.map((li) => ({
      verdict: li.dataset.verdict, reason: li.dataset.reason || null, whose: li.dataset.whoseMove || null,
      count: Number(li.querySelector(".count").textContent),
    })));
    // The recording permission bot and the waiting-room bot fail for the host to fix; the healthy bot
    // is nobody's move; the ID that is no bot is "not looked up".
    const byReason = Object.fromEntries(groups.map((g) => [g.reason || g.verdict, g]));
    assert.equal(byReason.meeting_requires_sign_in?.whose, "you", JSON.stringify(groups));
    assert.equal(byReason.healthy?.whose, "nobody", JSON.stringify(groups));
    for (let i = 1; i < groups.length; i++) assert.ok(groups[i - 1].count >= groups[i].count, "most frequent first");
    assert.match(await popup.innerText(".botlens-triage"), /1 not looked up \(not_found\)/);
    // "show" marks that group's IDs on the page (a CSS highlight: the DOM is not touched).
    const html = await target.content();
    const index = groups.findIndex((g) => g.reason === "meeting_requires_sign_in");
    await popup.click(`li.group:nth-child(${index + 1}) button.show`);
    await popup.waitForSelector("li.group.shown", { state: "attached", timeout: 5000 });
    assert.equal(await target.evaluate(() => CSS.highlights.get("botlens-marked")?.size || 0), 1);
    assert.equal(await target.content(), html, "no DOM change");
    await popup.close();
    await target.close();
  });

  test("a site switched off in the popup shows no card until switched on again in the options", async () => {
    const target = await browser.context.newPage();
    await target.goto(`${site.url}/ordinary.html`);
    const popup = await openPopup(browser, target);
    const toggle = await popup.waitForSelector("#site-toggle", { state: "attached", timeout: 15000 });
    assert.equal(await toggle.isChecked(), true);
    await toggle.uncheck();
    await sleep(300);
    await popup.close();

    await hoverText(target, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
    await sleep(900);
    assert.equal(await cardShown(target), false, "no card on a site switched off");
    // A page opened afterwards is off from the start.
    const fresh = await browser.context.newPage();
    await fresh.goto(`${site.url}/strict-csp.html`);
    await hoverText(fresh, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
    await sleep(900);
    assert.equal(await cardShown(fresh), false);

    const opts = await options(browser);
    const row = await opts.waitForSelector(`#sites-off li[data-site="127.0.0.1"]`, { state: "attached" });
    await (await row.$("button")).click();
    await opts.waitForSelector(`#sites-off li[data-site="127.0.0.1"]`, { state: "detached" });
    await opts.close();
    await sleep(300);
    const card = await hoverAndRead(fresh, browser.origin, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
    assert.equal(card.verdict, "healthy");
    await fresh.close();
    await target.close();
  });

  test("in overview mode the toolbar badge counts the page's bot IDs", async () => {
    const opts = await options(browser);
    await opts.check("#detection-overview");
    await sleep(300);
    await opts.close();
    const page = await browser.context.newPage();
    const url = `${site.url}/ordinary.html?overview`;
    await page.goto(url);
    let text = "";
    for (let i = 0; i < 50 && !text; i++) {
      await sleep(100);
      text = await browser.worker.evaluate(async (u) => {
        const [tab] = await chrome.tabs.query({ url: u });
        return tab ? chrome.action.getBadgeText({ tabId: tab.id }) : "";
      }, url);
    }
    const popup = await openPopup(browser, page);
    await popup.waitForSelector("#bots li", { state: "attached", timeout: 15000 });
    const listed = await popup.$$eval("#bots li", (l) => l.length);
    assert.equal(text, String(listed), `badge ${text}, popup ${listed}`);
    assert.ok(listed >= 5);
    const opts2 = await options(browser);
    await opts2.check("#detection-hover");
    await sleep(200);
    await opts2.close();
    await popup.close();
    await page.close();
  });

  test("content scripts' messages are bounded and pages may not ask for bots", async () => {
    // From an extension page: a look-up works, an unknown kind is refused.
    const page = await browser.context.newPage();
    await page.goto(`${browser.origin}/popup.html`);
    const replies = await page.evaluate(async (id) => ({
      bot: await chrome.runtime.sendMessage({ kind: "bot", id }),
      fetch: await chrome.runtime.sendMessage({ kind: "fetch", url: "https://example.com/" }),
      upper: await chrome.runtime.sendMessage({ kind: "bot", id: id.toUpperCase() }),
      traversal: await chrome.runtime.sendMessage({ kind: "bot", id: `${id}/../../v2` }),
      classify: await chrome.runtime.sendMessage({ kind: "classify", texts: [`bot ${id}`] }),
    }), WEST_BOT);
    // Replies are externally tagged: {found: {region, body}}, {failed: {error}}.
    assert.equal(replies.bot.found.region, "us-west-2");
    for (const name of ["fetch", "upper", "traversal", "classify"]) {
      assert.equal(replies[name].failed?.error?.kind, "invalid_id", `${name}: ${JSON.stringify(replies[name])}`);
    }
    await page.close();
  });
});

describe("a hostile page", () => {
  let sim, site, browser;
  before(async () => {
    sim = await startSimulator(["--scenarios", scenarios, "--key", `us-west-2=${SECRET_KEY}`]);
    site = await servePages(pages);
    browser = await launchWithExtension();
    await saveKey(browser, SECRET_KEY, sim.host);
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  test("page-caused focus starts no look-up; focus moved by keys gets the tab's share", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/focus-flood.html`);
    const asked = () => new Set(sim.log().match(/f10d0000-0000-4000-8000-[0-9a-f]{12}/g) || []);
    await page.evaluate(() => window.floodFocus());
    await sleep(3000);
    assert.equal(asked().size, 0, "300 focus() calls by the page: no look-up");
    assert.equal(page.frames().some(isCard), false, "and no card");

    // The user presses Tab 40 times through the page's 300 bot links: each is a
    // real look-up, but the tab may start only its share (4 at once, then 1 a second).
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      await sleep(50);
    }
    await sleep(1500);
    const seconds = (Date.now() - started) / 1000;
    const ids = asked().size;
    assert.ok(ids >= 1, "keyboard focus still opens cards");
    assert.ok(ids <= 4 + Math.ceil(seconds), `${ids} IDs looked up in ${seconds.toFixed(1)} s`);
    await page.close();
  });

  test("the page reads nothing that differs between a real bot and an unknown ID, nor the card's URL", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/observer.html`);
    const look = async (id) => {
      const card = await hoverAndRead(page, browser.origin, id);
      await sleep(600);
      const seen = await page.evaluate(() => window.snapshot());
      await moveAway(page);
      await sleep(300);
      return { card, seen: JSON.parse(seen), after: JSON.parse(await page.evaluate(() => window.snapshot())) };
    };
    await look("11111111-2222-4333-8444-666666666666"); // the first card creates the frame
    const real = await look(WEST_BOT);
    const unknown = await look("11111111-2222-4333-8444-555555555555");
    assert.equal(real.card.state, "ready", real.card.text);
    assert.equal(unknown.card.state, "error", unknown.card.text);
    const strip = (s) => ({ ...s, html: s.html.replaceAll(WEST_BOT, "ID").replaceAll("11111111-2222-4333-8444-555555555555", "ID") });
    assert.deepEqual(strip(real.seen), strip(unknown.seen), "what the page saw with each card open");
    assert.deepEqual(real.after, unknown.after, "and after each closed");
    const all = JSON.stringify([real, unknown].map((l) => [l.seen, l.after]));
    assert.ok(!/(chrome|moz)-extension:/.test(all), "the card's URL is nowhere the page can read");
    assert.equal(real.seen.iframes, 0, "the frame is out of the page's reach");
    const added = real.seen.children.filter(([n]) => n !== "head" && n !== "body");
    assert.ok(added.length === 1 && added[0][3] === 0 && added[0][4] === 0, `one empty host: ${JSON.stringify(added)}`);
    await page.close();
  });

  test("a report built from an organiser's Markdown and HTML pastes as plain text", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/observer.html`);
    const EVIL = "e1100000-0000-4000-8000-00000000e711";
    const card = await hoverAndRead(page, browser.origin, EVIL);
    assert.equal(card.state, "ready", card.text);
    const frame = await cardFrame(page);
    await spyOnCopies(frame);
    await frame.click("button[title^='Copy a Markdown report']");
    const report = await frame.evaluate(() => window.__copied.at(-1) || "");
    assert.match(report, /e1100000-0000-4000-8000-00000000e711/);
    assert.match(report, /Reset your password/, "the title is there, as text");
    // Escaped characters render as themselves: drop the escapes, then look for live syntax.
    const live = report.replace(/\\[\\`*_[\]<>#|!~&@.\/]/g, "");
    for (const markup of ["<img", "](", "![", "https://evil", "www.evil", "**urgent**"]) {
      assert.ok(!live.includes(markup), `${markup} is live in:\n${report}`);
    }
    await page.close();
  });

  test("a see-through sheet laid over the card makes its buttons inert", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/observer.html`);
    const card = await hoverAndRead(page, browser.origin, WEST_BOT);
    assert.equal(card.state, "ready", card.text);
    const frame = await cardFrame(page);
    await spyOnCopies(frame);
    const copy = "button[title^='Copy a Markdown report']";
    await page.evaluate(() => window.cover());
    await frame.waitForSelector('html[data-seen="false"]', { state: "attached" }); // re-checked every 100 ms
    await frame.click(copy, { force: true });
    assert.equal(await frame.evaluate(() => window.__copied.length), 0, "a covered card copies nothing");
    await page.evaluate(() => window.uncover());
    await frame.waitForSelector('html[data-seen="true"]', { state: "attached" });
    await frame.click(copy);
    assert.equal(await frame.evaluate(() => window.__copied.length), 1, "seen whole, it copies");
    await page.close();
  });

  test("gets neither the key nor the bot's data, and its synthetic hovers open nothing", async () => {
    const page = await browser.context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/hostile.html`);
    await page.evaluate(() => window.fireSyntheticHovers());
    await sleep(900);
    assert.equal(page.frames().some(isCard), false, "untrusted events create no card frame");

    // A real hover: the user sees the card (the page's own port offer is ignored).
    const card = await hoverAndRead(page, browser.origin, WEST_BOT);
    assert.equal(card.state, "ready", card.text);
    assert.equal(card.verdict, "healthy");
    await page.evaluate((origin) => window.probeOrigin(origin), browser.origin);
    await sleep(1500); // let the page's messages settle
    const loot = await page.evaluate(() => window.collectGlobals());
    assert.ok(!loot.includes(SECRET_KEY), "the key never reaches the page");
    assert.ok(!loot.includes("Acme Notetaker"), "the bot's data never reaches the page");
    assert.ok(!loot.includes("in_call_recording"), "nor its statuses");
    const parsed = JSON.parse(loot);
    assert.ok(parsed.notes.includes("no chrome.runtime on the page"), parsed.notes.join("\n"));
    assert.ok(parsed.notes.some((n) => /fetch options.html failed/.test(n)), "extension pages are not web-accessible");
    assert.ok(!parsed.fetched.some((f) => f.startsWith("options.html") || f.startsWith("background.js")));
    // A frame in a shadow tree is not among window.frames: the page never reaches its window.
    assert.deepEqual(parsed.frames, [], "the page found no frame to read or offer a port to");
    assert.deepEqual(parsed.messages.filter((m) => m && m.type !== "place" && m.type !== "close"), [],
      "the page's own port offers got nothing back");
    await moveAway(page);

    await page.close();
  });
});
