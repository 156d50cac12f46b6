// The overview content script (extension/static/overview/) in headless Chromium: IDs found
// with the Rust rules (classified in the background worker), their number on
// the toolbar badge, the popup's list, underlines with the CSS Custom Highlight
// API, and never a change to the page: no node added, split or rewritten, no
// long task. Needs no simulator: nothing here asks Recall.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchWithExtension, root, servePages, sleep } from "./harness.mjs";

const pages = join(root, "tests/e2e/pages");

const STATIC_IDS = [
  "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f",
  "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74",
  "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
  "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e",
  "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
  "c0ffee00-1234-4abc-8def-0123456789ab", // straddles the first 8192-unit piece of a long text node
].sort();

/** Set the detection mode as the options page stores it. */
async function setMode(browser, detection) {
  await browser.worker.evaluate((d) => chrome.storage.sync.set({ detection: d }), detection);
}

async function tabOf(browser, page) {
  const url = page.url();
  for (let i = 0; i < 50; i++) {
    const id = await browser.worker.evaluate(async (u) => {
      const tabs = await chrome.tabs.query({});
      const tab = tabs.find((t) => t.url === u);
      return tab ? tab.id : null;
    }, url);
    if (id !== null) return id;
    await sleep(100);
  }
  throw new Error(`no tab for ${url}`);
}

function badge(browser, tabId) {
  return browser.worker.evaluate((t) => chrome.action.getBadgeText({ tabId: t }), tabId);
}

/** Ask the page's content script for its list, as the popup does. */
function listBots(browser, tabId) {
  return browser.worker.evaluate((t) => chrome.tabs.sendMessage(t, { kind: "list_bots" }), tabId);
}

async function waitFor(what, check, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await check();
    if (last) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

async function waitForBadge(browser, tabId, want, timeout) {
  let got;
  await waitFor(`badge "${want}"`, async () => (got = await badge(browser, tabId)) === want, timeout)
    .catch((e) => { throw new Error(`${e.message}; badge is "${got}"`); });
}

/** The ranges of the "botlens" highlight as the page's own world sees them. */
function highlighted(page) {
  return page.evaluate(() => {
    const h = CSS.highlights.get("botlens");
    return h ? [...h].map((r) => r.toString().toLowerCase()).sort() : null;
  });
}

describe("overview in Chromium", () => {
  let site, browser;
  before(async () => {
    site = await servePages(pages, (path) =>
      path.includes("overview-csp") && path.endsWith(".html")
        ? { "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'" }
        : {});
    browser = await launchWithExtension();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
  });

  test("hover mode (the default): no badge, no underline; the popup still gets the list", async () => {
    await setMode(browser, "hover");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-static.html`);
    const tab = await tabOf(browser, page);
    const list = await listBots(browser, tab);
    assert.equal(list.host, "127.0.0.1");
    assert.deepEqual(list.bots.map((b) => b.id).sort(), STATIC_IDS);
    await sleep(300);
    assert.equal(await badge(browser, tab), "");
    assert.equal(await highlighted(page), null);
    assert.deepEqual(await page.evaluate(() => window.__mutations), []);
    await page.close();
  });

  test("a static page: every ID underlined and counted, the page untouched", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/overview-static.html`);
    const tab = await tabOf(browser, page);
    await waitForBadge(browser, tab, String(STATIC_IDS.length));
    const list = await listBots(browser, tab);
    const kinds = Object.fromEntries(list.bots.map((b) => [b.id, b.kind]));
    assert.deepEqual(Object.keys(kinds).sort(), STATIC_IDS);
    assert.equal(kinds["b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e"], "bot"); // bot_id=…
    assert.equal(kinds["9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"], "bot"); // …/bot/<id> link
    assert.equal(kinds["c0ffee00-1234-4abc-8def-0123456789ab"], "candidate");
    // Underlines: one range per occurrence in text (b2d4… twice), the link's text for the href.
    const ranges = await highlighted(page);
    assert.ok(ranges, "the highlight is registered");
    assert.deepEqual(ranges.filter((r) => r.length === 36).sort(), [...STATIC_IDS.filter((i) => !i.startsWith("9f8e")), "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e"].sort());
    assert.ok(ranges.includes("open the board-meeting bot"));
    // The ::highlight rule of overview.css applies to the range: it has an underline.
    const styled = await page.evaluate(() => {
      const p = document.querySelector("pre");
      return getComputedStyle(p, "::highlight(botlens)").textDecorationLine;
    });
    assert.match(styled, /underline/);
    // Nothing in the page changed: no node added, removed, split or edited.
    assert.deepEqual(await page.evaluate(() => window.__mutations), []);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(root, "tests/e2e/artifacts/overview-static.png") }).catch(() => {});
    await page.close();
  });

  test("following the page: an ID added deep inside is found, a text that loses its ID is uncounted, an ID split across two text nodes is found in neither", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-static.html`);
    const tab = await tabOf(browser, page);
    await waitForBadge(browser, tab, String(STATIC_IDS.length));
    const deep = "d00dfeed-0000-4000-8000-00000000beef";
    await page.evaluate((id) => {
      // Deep inside a subtree already read: cell → span → b → text.
      const cell = document.querySelector("table tr:nth-child(2) td:nth-child(2)");
      const b = document.createElement("b");
      b.textContent = `run ${id} (rescheduled)`;
      cell.appendChild(document.createElement("span")).appendChild(b);
      // Two adjacent text nodes that read as one ID on screen.
      const p = document.createElement("p");
      p.append("split dddddddd-1111-4222-8333-", "444444444444 here");
      document.body.append(p);
    }, deep);
    await waitForBadge(browser, tab, String(STATIC_IDS.length + 1));
    let ids = (await listBots(browser, tab)).bots.map((b) => b.id);
    assert.ok(ids.includes(deep));
    assert.ok(!ids.some((id) => id.startsWith("dddddddd")), JSON.stringify(ids));
    let ranges = await highlighted(page);
    assert.ok(ranges.includes(deep));
    assert.ok(!ranges.some((r) => r.includes("dddddddd") || r.includes("444444444444")));
    // The page rewrites the text that held a1c3…: that ID is uncounted and no longer underlined.
    await page.evaluate(() => { document.querySelector("code").firstChild.data = "(withdrawn)"; });
    await waitForBadge(browser, tab, String(STATIC_IDS.length));
    ids = (await listBots(browser, tab)).bots.map((b) => b.id);
    assert.ok(!ids.includes("a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f"));
    ranges = await highlighted(page);
    assert.ok(!ranges.includes("a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f"));
    await page.close();
  });

  test("hover mode: the popup's second list reads the page again (a text that lost its ID is dropped)", async () => {
    await setMode(browser, "hover");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-static.html`);
    const tab = await tabOf(browser, page);
    assert.deepEqual((await listBots(browser, tab)).bots.map((b) => b.id).sort(), STATIC_IDS);
    await page.evaluate(() => { document.querySelector("code").firstChild.data = "(withdrawn)"; });
    const ids = (await listBots(browser, tab)).bots.map((b) => b.id).sort();
    assert.deepEqual(ids, STATIC_IDS.filter((id) => id !== "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f"));
    await page.close();
  });

  test("data-botlens=off on <html> switches the overview off and back on", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-static.html`);
    const tab = await tabOf(browser, page);
    await waitForBadge(browser, tab, String(STATIC_IDS.length));
    await page.evaluate(() => document.documentElement.setAttribute("data-botlens", "off"));
    await waitForBadge(browser, tab, "");
    assert.equal(await highlighted(page), null);
    assert.deepEqual(await listBots(browser, tab), { host: "127.0.0.1", top: true, off: true, bots: [] });
    await page.evaluate(() => document.documentElement.removeAttribute("data-botlens"));
    await waitForBadge(browser, tab, String(STATIC_IDS.length));
    await page.close();
  });

  test("an SPA that keeps adding rows: the count follows, no long task", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-spa.html`);
    const tab = await tabOf(browser, page);
    const shown = await page.waitForFunction(() => window.__spaDone, null, { timeout: 20000 }).then((h) => h.jsonValue());
    assert.equal(shown.length, 40);
    // While rows were still coming, the badge had already moved.
    await waitForBadge(browser, tab, String(shown.length));
    const list = await listBots(browser, tab);
    assert.deepEqual(list.bots.map((b) => b.id).sort(), [...shown].sort());
    assert.ok(list.bots.every((b) => b.kind === "bot"));
    const ranges = await highlighted(page);
    assert.equal(ranges.length, shown.length);
    const long = await page.evaluate(() => window.__longTasks);
    assert.ok(Array.isArray(long), "long tasks are observable");
    assert.deepEqual(long.filter((t) => t.duration > 50), [], "no task over 50 ms");
    // The page's own mutations only: botlens added nothing.
    const mutations = await page.evaluate(() => window.__mutations);
    assert.ok(mutations.every((m) => (m.type === "childList" && m.target === "UL" && m.added.join() === "LI") || m.type === "characterData"),
      JSON.stringify(mutations.find((m) => !(m.type === "childList" && m.target === "UL") && m.type !== "characterData")));
    // Rows removed by the app are uncounted.
    await page.evaluate(() => {
      const feed = document.getElementById("feed");
      while (feed.children.length > 30) feed.lastElementChild.remove();
    });
    const left = await page.evaluate(() => new Set(document.getElementById("feed").textContent.match(/[0-9a-f]{8}-b0b0-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)).size);
    await waitForBadge(browser, tab, String(left));
    await page.close();
  });

  test("a framework that owns its text nodes is not broken, and its updates are followed", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-fragile.html`);
    const tab = await tabOf(browser, page);
    await page.waitForFunction(() => window.__renders >= 20, null, { timeout: 10000 });
    await waitFor("the new bot of row 2", async () => {
      const list = await listBots(browser, tab);
      return list.bots.some((b) => b.id === "c3d5e7f9-2a4b-4c6d-8e0f-1a2b3c4d5e6f") && list;
    });
    const list = await listBots(browser, tab);
    assert.deepEqual(list.bots.map((b) => b.id).sort(), [
      "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f", "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e", "c3d5e7f9-2a4b-4c6d-8e0f-1a2b3c4d5e6f",
    ]);
    await waitForBadge(browser, tab, "3");
    assert.equal(await page.evaluate(() => window.__broken), null);
    assert.equal(await page.textContent("#state"), "ok");
    const ranges = await highlighted(page);
    assert.equal(ranges.length, 3);
    await page.close();
  });

  test("a strict-CSP page: counted and underlined, no violation", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-csp.html`);
    const tab = await tabOf(browser, page);
    await waitForBadge(browser, tab, "4");
    const ranges = await highlighted(page);
    assert.equal(ranges.length, 4);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(await page.evaluate(() => window.__mutations), []);
    await page.close();
  });

  test("a long page: every ID counted, the underlines follow the view (page and scrolling pane)", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-long.html`);
    const tab = await tabOf(browser, page);
    const ids = await page.evaluate(() => window.__longIds);
    assert.equal(ids.length, 1900);
    await waitForBadge(browser, tab, "999+", 30000);
    const loaded = await page.evaluate(() => performance.now()); // the page's own build of 1,900 lines is over
    const list = await listBots(browser, tab);
    assert.equal(list.bots.length, ids.length);
    assert.ok(list.bots.every((b) => b.kind === "bot"));
    // Underlined: a window of the lines around the view, not all 1,900.
    const around = async (want, not) => {
      let ranges;
      await waitFor(`underlines around ${want}`, async () => {
        ranges = await highlighted(page);
        return ranges && ranges.includes(want) && !ranges.includes(not);
      }).catch((e) => { throw new Error(`${e.message}; ${ranges && ranges.length} ranges`); });
      assert.ok(ranges.length >= 40 && ranges.length <= 300, `${ranges.length} ranges`);
      assert.ok(ranges.every((r) => ids.includes(r)));
    };
    await around(ids[0], ids[1499]);
    await page.evaluate(() => document.getElementById("log").children[750].scrollIntoView({ block: "start" }));
    await around(ids[750], ids[0]);
    await page.evaluate(() => {
      const pane = document.getElementById("pane");
      pane.scrollIntoView({ block: "start" });
      pane.scrollTop = pane.scrollHeight;
    });
    await around(ids[1899], ids[750]);
    assert.equal(await badge(browser, tab), "999+");
    assert.deepEqual(await page.evaluate(() => window.__mutations), []);
    const long = await page.evaluate(() => window.__longTasks);
    assert.deepEqual(long.filter((t) => t.start > loaded && t.duration > 50), [], "no task over 50 ms while scrolling");
    await page.close();
  });

  test("a huge page (over 100,000 elements): read in parts, every ID counted, no long task", async () => {
    await setMode(browser, "hover");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-huge.html`);
    const tab = await tabOf(browser, page);
    const ids = await page.evaluate(() => window.__hugeIds);
    assert.equal(ids.length, 1020);
    assert.ok(await page.evaluate(() => document.body.getElementsByTagName("*").length) > 100000);
    const started = await page.evaluate(() => performance.now()); // the page's own build is over
    await setMode(browser, "overview");
    await waitForBadge(browser, tab, "999+", 60000);
    const list = await listBots(browser, tab);
    assert.deepEqual(list.bots.map((b) => b.id).sort(), [...ids].sort());
    assert.ok(list.bots.every((b) => b.kind === "bot"));
    const long = await page.evaluate(() => window.__longTasks);
    assert.deepEqual(long.filter((t) => t.start > started && t.duration > 50), [], "no task over 50 ms");
    assert.deepEqual(await page.evaluate(() => window.__mutations), []);
    await page.close();
  });

  test("switching back to hover clears the badge and the underlines", async () => {
    await setMode(browser, "overview");
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/overview-csp.html`);
    const tab = await tabOf(browser, page);
    await waitForBadge(browser, tab, "4");
    await setMode(browser, "hover");
    await waitForBadge(browser, tab, "");
    assert.equal(await highlighted(page), null);
    await page.close();
  });
});
