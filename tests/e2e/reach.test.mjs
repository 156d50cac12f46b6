// Hover any bot ID, wherever it sits (tests/e2e/pages/reach/): open shadow
// roots, split text, context in a neighbouring element or a column header,
// editors, read-only fields, frames two deep and across origins, on a plain
// http page. The extension in Chromium against the simulator; the same pages
// in Firefox are in firefox.test.mjs. Each hover asserts the card's bot, or
// that no card opens, and that the page's DOM did not change.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { configure, isCard, launchWithExtension, root, servePages, sleep, startSimulator } from "./harness.mjs";

const A1C3 = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
const B2D4 = "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e";
const C7E1 = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
const E4A6 = "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e";
const F9E8 = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f";

/** Rest the pointer on a point: arriving from elsewhere, as a hand would. */
async function restAt(page, x, y) {
  await page.mouse.move(x - 25, y + 35);
  await page.mouse.move(x, y, { steps: 4 });
}

/**
 * Rest the pointer on the text of what `locator` finds (through shadow roots
 * and frames): its first line, a little way in.
 */
async function hoverOn(page, locator) {
  const rel = await locator.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(e);
    const t = range.getClientRects()[0] || r;
    return { dx: t.left - r.left + Math.min(t.width / 2, 60), dy: t.top - r.top + t.height / 2, width: r.width };
  });
  const box = await locator.boundingBox();
  assert.ok(box, "the element is on the page");
  const scale = rel.width ? box.width / rel.width : 1; // a zoomed page or frame
  await restAt(page, box.x + rel.dx * scale, box.y + rel.dy * scale);
}

/** The shown card's state, bot and verdict, in whichever frame it opened. */
async function shownCard(page, timeout = 10000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const frame of page.frames().filter(isCard)) {
      const card = await frame.evaluate(() => {
        if (innerWidth === 0) return null;
        const c = document.querySelector(".botlens-card:not([data-state='loading'])");
        return c && { id: c.dataset.botId, state: c.dataset.state, verdict: c.dataset.verdict || null };
      }).catch(() => null);
      if (card) return card;
    }
    await sleep(100);
  }
  return null;
}

async function shownCount(page) {
  let n = 0;
  for (const frame of page.frames().filter(isCard)) {
    if (await frame.evaluate(() => innerWidth > 0).catch(() => false)) n++;
  }
  return n;
}

async function away(page, label = "") {
  await page.mouse.move(3, 3, { steps: 2 });
  for (let i = 0; i < 60 && (await shownCount(page)) > 0; i++) await sleep(50);
  assert.equal(await shownCount(page), 0, `${label}: the card closes when the pointer leaves`);
}

/** Hover, then expect a card for `id` (or none when `id` is null). */
async function expectCard(page, locator, id, label) {
  await hoverOn(page, locator);
  if (id === null) {
    await sleep(900);
    assert.equal(await shownCount(page), 0, `${label}: no card`);
    return;
  }
  const card = await shownCard(page);
  assert.ok(card, `${label}: a card opens`);
  assert.equal(card.id, id, `${label}: the card's bot`);
  await away(page, label);
}

/** The page's DOM, serialised through open shadow roots, to show nothing changed. */
function serialise(page) {
  return page.evaluate(() => {
    const walk = (node) => [...node.childNodes].map((n) =>
      n.nodeType === 1 ? `<${n.localName}${[...n.attributes].map((a) => ` ${a.name}=${a.value}`).join("")}>${n.shadowRoot ? `#shadow(${walk(n.shadowRoot)})` : ""}${walk(n)}` : n.nodeType === 3 ? n.data : "").join("");
    // The sensor's one host element, added on the first card, is the only addition.
    return walk(document.body);
  });
}

describe("hover anywhere in Chromium", () => {
  let sim, site, browser, page;
  before(async () => {
    sim = await startSimulator(["--scenarios", join(root, "tests/e2e/scenarios")]);
    site = await servePages(join(root, "tests/e2e/pages"));
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
    page = await browser.context.newPage();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  test("open shadow roots, nested and attached after load", async () => {
    await page.goto(`${site.url}/reach/shadow.html`);
    await sleep(1200); // the late root
    const before = await serialise(page);
    await expectCard(page, page.locator("acme-table #id"), A1C3, "two roots deep");
    await expectCard(page, page.locator("acme-late #id"), C7E1, "a root attached after load");
    assert.equal(await serialise(page), before, "the page's DOM is untouched");
  });

  test("an ID split by a search highlight, a span per token, <wbr> and soft hyphens", async () => {
    await page.goto(`${site.url}/reach/split.html`);
    const before = await serialise(page);
    await expectCard(page, page.locator("#marked"), A1C3, "<mark> in the middle");
    await expectCard(page, page.locator("#tok1"), B2D4, "first token");
    await expectCard(page, page.locator("#tok2"), B2D4, "last token");
    await expectCard(page, page.locator("#tail"), C7E1, "after <wbr> and &shy;");
    assert.equal(await serialise(page), before, "the page's DOM is untouched");
  });

  test("context in a neighbouring element: a JSON key, a column header, a term", async () => {
    await page.goto(`${site.url}/reach/context.html`);
    await expectCard(page, page.locator("#rec"), null, '"recording_id": in the key span');
    await expectCard(page, page.locator("#bot"), B2D4, '"bot_id": in the key span');
    await expectCard(page, page.locator("#rec-cell"), null, "under a Recording ID header");
    await expectCard(page, page.locator("#bot-cell"), E4A6, "under a Bot ID header");
    await expectCard(page, page.locator("#kv-rec"), null, "beside a Recording ID row header");
    await expectCard(page, page.locator("#kv-bot"), A1C3, "beside a Bot ID row header");
    await expectCard(page, page.locator("#tx-cell"), null, "under an ARIA Transcript ID columnheader");
    await expectCard(page, page.locator("#grid-bot"), C7E1, "under an ARIA Bot columnheader");
    await expectCard(page, page.locator("#ag-rec"), null, "a data grid's Recording ID column (aria-colindex)");
    await expectCard(page, page.locator("#ag-bot"), B2D4, "a data grid's Bot ID column, in a wrapper");
    await expectCard(page, page.locator("#dd-rec"), null, "a <dd> of Recording");
    await expectCard(page, page.locator("#dd-bot"), F9E8, "a <dd> of Bot");
  });

  test("an editor: a card while nobody types, nothing while the user types", async () => {
    await page.goto(`${site.url}/reach/editor.html`);
    await expectCard(page, page.locator("#id"), A1C3, "an editor block not being edited");
    await page.click("text=Follow-up");
    await page.keyboard.type("x");
    await expectCard(page, page.locator("#id"), null, "while typing in it");
  });

  test("read-only and disabled fields, not editable ones", async () => {
    await page.goto(`${site.url}/reach/fields.html`);
    // The pointer on the ID's characters: measured with the field's own font.
    const at = async (selector, before, line = 0) => {
      const point = await page.evaluate(([sel, prefix, row]) => {
        const f = document.querySelector(sel);
        const s = getComputedStyle(f);
        const ctx = document.createElement("canvas").getContext("2d");
        ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
        const r = f.getBoundingClientRect();
        const lh = parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.2;
        return {
          x: r.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft) + ctx.measureText(prefix).width + ctx.measureText("a1c3e5f7-9b").width,
          y: f.localName === "input" ? r.top + r.height / 2 : r.top + parseFloat(s.borderTopWidth) + parseFloat(s.paddingTop) + lh * (row + 0.5),
        };
      }, [selector, before, line]);
      await restAt(page, point.x, point.y);
    };
    const expectAt = async (selector, before, id, label, line = 0) => {
      await at(selector, before, line);
      if (id === null) {
        await sleep(900);
        assert.equal(await shownCount(page), 0, `${label}: no card`);
      } else {
        const card = await shownCard(page);
        assert.equal(card?.id, id, label);
        await away(page);
      }
    };
    await expectAt("#ro", "bot ", A1C3, "a read-only input");
    await expectAt("#dis", "", C7E1, "a disabled input");
    await expectAt("#rec", "", null, "a read-only input labelled Recording ID");
    await expectAt("#edit", "", null, "an editable input");
    await expectAt("#area", ' "data": {"bot": {"id": "', E4A6, "a read-only textarea, second line", 1);
  });

  test("frames: same origin, another origin, two deep, srcdoc; one card per tab", async () => {
    await page.goto(`${site.url}/reach/frames.html`);
    await sleep(500);
    const same = page.frameLocator("#same").locator("#id");
    const other = page.frameLocator("#other").locator("#id");
    const deep = page.frameLocator("#other").frameLocator("#deep").locator("#id");
    const srcdoc = page.frameLocator("#doc").locator("#id");
    await expectCard(page, same, A1C3, "a same-origin frame");
    await expectCard(page, other, B2D4, "a cross-origin frame");
    await expectCard(page, deep, C7E1, "a frame two deep");
    await expectCard(page, srcdoc, F9E8, "a srcdoc frame");
    // Straight from one frame's card to another frame's ID: the first closes.
    await hoverOn(page, same);
    assert.equal((await shownCard(page))?.id, A1C3);
    await hoverOn(page, deep);
    for (let i = 0; i < 50; i++) {
      const card = await shownCard(page, 200);
      if (card && card.id === C7E1) break;
      await sleep(100);
    }
    await sleep(500);
    assert.equal(await shownCount(page), 1, "one card per tab");
    assert.equal((await shownCard(page))?.id, C7E1);
    await away(page);
  });

  test("scrolled and zoomed: the card opens next to the ID in a frame", async () => {
    await page.goto(`${site.url}/reach/frames.html`);
    await page.evaluate(() => { document.body.style.zoom = "1.25"; document.body.style.paddingBottom = "1200px"; });
    await page.evaluate(() => window.scrollTo(0, 200));
    await sleep(300);
    const target = page.frameLocator("#other").locator("#id");
    await hoverOn(page, target);
    const card = await shownCard(page);
    assert.equal(card?.id, B2D4);
    const id = await target.boundingBox();
    let box = null;
    for (const f of page.frames().filter(isCard)) {
      if (await f.evaluate(() => innerWidth > 0).catch(() => false)) box = await (await f.frameElement()).boundingBox();
    }
    assert.ok(box, "the card's frame");
    const gap = Math.min(Math.abs(box.y - (id.y + id.height)), Math.abs(id.y - (box.y + box.height)));
    assert.ok(gap < 40, `the card is next to the ID (gap ${gap.toFixed(0)} px)`);
    await away(page);
  });

  test("where hovering cannot reach: the menu item, the shortcut and the omnibox", async () => {
    const tabOf = (url) => browser.worker.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0], url);
    // The shortcut on an ID selected in an editable field: the card opens at the field.
    await page.goto(`${site.url}/reach/fields.html`);
    await page.focus("#edit");
    await page.evaluate(() => document.querySelector("#edit").setSelectionRange(0, 36));
    let tab = await tabOf(page.url());
    await browser.worker.evaluate(([t]) => globalThis.botlensWaysIn.command("lookup-selection", t), [tab]);
    assert.equal((await shownCard(page))?.id, B2D4, "the shortcut on a selection in a field");
    await page.keyboard.press("Escape");

    // The menu item on a selection inside a cross-origin frame: the card opens in that frame.
    await page.goto(`${site.url}/reach/frames.html`);
    await sleep(500);
    const outer = page.frames().find((f) => f.url().endsWith("/reach/outer.html"));
    await outer.evaluate(() => getSelection().selectAllChildren(document.querySelector("#id")));
    tab = await tabOf(page.url());
    const frameId = await browser.worker.evaluate(() => null); // the menu names the frame; unknown here: every frame is asked
    await browser.worker.evaluate(([t, f]) => globalThis.botlensWaysIn.menu(
      { menuItemId: "botlens-lookup", selectionText: "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e", frameId: f ?? undefined }, t), [tab, frameId]);
    assert.equal((await shownCard(page))?.id, B2D4, "the menu item on a selection in a frame");
    await away(page, "menu");

    // The menu item on a link, and the omnibox: the full view.
    for (const run of [
      (t) => globalThis.botlensWaysIn.menu({ menuItemId: "botlens-lookup", linkUrl: "https://eu-central-1.recall.ai/dashboard/explorer/bot/b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e" }, t),
      () => globalThis.botlensWaysIn.omnibox("  B2D4F6A8-1C3E-4A5B-8D7F-9E0A1B2C3D4E ", "newForegroundTab"),
    ]) {
      const [full] = await Promise.all([
        browser.context.waitForEvent("page"),
        browser.worker.evaluate(([fn, t]) => (0, eval)(fn)(t), [run.toString(), tab]),
      ]);
      await full.waitForLoadState();
      const card = await full.waitForSelector(`.botlens-card[data-bot-id="${B2D4}"][data-state="ready"]`, { state: "attached", timeout: 15000 });
      assert.equal(await card.getAttribute("data-reason"), "meeting_requires_sign_in");
      await full.close();
    }
  });

  test("overview mode: the toolbar counts the IDs of every frame", async () => {
    const options = await browser.context.newPage();
    await options.goto(`${browser.origin}/options.html`);
    await options.check("#detection-overview");
    await sleep(300);
    const url = `${site.url}/reach/frames.html?overview`;
    const framed = await browser.context.newPage();
    await framed.goto(url);
    let badge = "";
    for (let i = 0; i < 80 && badge !== "4"; i++) {
      await sleep(100);
      badge = await browser.worker.evaluate(async (u) => {
        const [tab] = await chrome.tabs.query({ url: u });
        return tab ? chrome.action.getBadgeText({ tabId: tab.id }) : "";
      }, url);
    }
    assert.equal(badge, "4", "one ID in each of the four frames");
    await options.check("#detection-hover");
    await options.close();
    await framed.close();
  });

  test("the popup lists the bots of every frame", async () => {
    const framed = await browser.context.newPage();
    await framed.goto(`${site.url}/reach/frames.html`);
    await sleep(800);
    const popup = await browser.context.newPage();
    await framed.bringToFront(); // the popup asks about the active tab
    await popup.goto(`${browser.origin}/popup.html`);
    await popup.waitForSelector("#bots li", { state: "attached", timeout: 15000 });
    await sleep(500);
    const ids = await popup.$$eval("#bots li", (lis) => lis.map((li) => li.dataset.botId).sort());
    assert.deepEqual(ids, [B2D4, C7E1, F9E8, A1C3].sort(), "one ID from each of the four frames");
    assert.equal(await popup.textContent("#site"), "127.0.0.1", "the top frame's site");
    await popup.close();
    await framed.close();
  });
});
