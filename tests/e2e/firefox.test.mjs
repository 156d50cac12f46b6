// The same extension in headless Firefox ESR, driven through geckodriver's
// WebDriver HTTP API: install the Firefox test build as a temporary add-on,
// paste the key in its options as a user would, hover a bot ID on a page and
// read the card. Skipped (with the reason) when Firefox or geckodriver is absent.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ELEMENT, KEY, firefoxMissing, startFirefox } from "./gecko.mjs";
import { root, servePages, sleep, startSimulator } from "./harness.mjs";

const extension = process.env.BOTLENS_FIREFOX_EXTENSION || join(root, "target/botlens/extension-test-firefox");
const ADDON_ID = "botlens@botlens.dev";
const UUID = "5b0715e1-0000-4000-8000-00000000b07e"; // the add-on's moz-extension:// host, fixed by a pref
const ORIGIN = `moz-extension://${UUID}`;
const REGIONS = ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"];
const missing = firefoxMissing([join(extension, "manifest.json")]);

/** Zip the unpacked add-on (Python's zipfile: no zip binary needed), base64. */
function zipBase64(dir) {
  const tmp = mkdtempSync(join(tmpdir(), "botlens-xpi-"));
  const file = join(tmp, "botlens.xpi");
  execFileSync("python3", ["-c", `
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in os.walk(src):
        for f in files:
            p = os.path.join(base, f)
            z.write(p, os.path.relpath(p, src))
`, dir, file]);
  const data = readFileSync(file).toString("base64");
  rmSync(tmp, { recursive: true, force: true });
  return data;
}

describe("extension in Firefox ESR", { skip: missing || false }, () => {
  let sim, site, browser;
  let wd, run, find, waitFor, pointer, restAt, hover, press, zoomTo;

  /** Open one of the add-on's pages in the current tab, as the browser's own UI would. */
  async function openExtensionPage(path) {
    await wd("POST", "/moz/context", { context: "chrome" });
    try {
      await run("window.openTrustedLinkIn(arguments[0], 'current');", `${ORIGIN}/${path}`);
    } finally {
      await wd("POST", "/moz/context", { context: "content" });
    }
  }

  /**
   * Wait until the card shows, then switch into its frame. The page's DOM
   * cannot reach it (a closed shadow root); WebDriver can, as the page's only
   * frame, by index.
   */
  async function enterCard(timeout = 15000) {
    const end = Date.now() + timeout;
    for (;;) {
      if (await intoShownCard()) return;
      if (Date.now() > end) throw new Error("the card never showed");
      await sleep(100);
    }
  }

  /** Switch into the current context's shown card frame, if there is one. */
  async function intoShownCard() {
    for (let i = 0; i < 6; i++) {
      try {
        await wd("POST", "/frame", { id: i });
      } catch {
        return false; // no frame at this index
      }
      const card = await run("return location.protocol === 'moz-extension:' && innerWidth > 0 && innerHeight > 0").catch(() => false);
      if (card) return true;
      await wd("POST", "/frame/parent", {});
    }
    return false;
  }

  /** Is a card showing in the current context? (Asked from inside its frame.) */
  async function cardShowing() {
    if (!(await intoShownCard())) return false;
    await wd("POST", "/frame/parent", {});
    return true;
  }

  async function moveAway() {
    await pointer([{ type: "pointerMove", x: 3, y: 3, duration: 50 }]);
    for (let i = 0; i < 100 && (await cardShowing()); i++) await sleep(100);
  }

  before(async () => {
    sim = await startSimulator(["--scenarios", join(root, "tests/e2e/scenarios")]);
    site = await servePages(join(root, "tests/e2e/pages"));
    browser = await startFirefox({
      prefs: {
        "extensions.webextensions.uuids": JSON.stringify({ [ADDON_ID]: UUID }),
        // The simulator's region hosts, as on Chromium where *.localhost is loopback.
        "network.dns.localDomains": REGIONS.map((r) => `${r}.localhost`).join(","),
        "network.proxy.allow_hijacking_localhost": false,
      },
    });
    ({ wd, run, find, waitFor, pointer, restAt, hover, press, zoomTo } = browser);
    const installed = await wd("POST", "/moz/addon/install", { addon: zipBase64(extension), temporary: true });
    assert.equal(installed, ADDON_ID);
  });

  after(async () => {
    await browser?.stop();
    await site?.stop();
    await sim?.stop();
  });

  test("a new user's first hover shows the card", async () => {
    // Install, paste the key (and the simulator's host) in the options page.
    await openExtensionPage("options.html");
    // Wait until the page has read what is stored (the host field then shows the default).
    await waitFor("return location.protocol === 'moz-extension:' && !!document.querySelector('#host-template')?.value");
    await wd("POST", `/element/${await find("#api-key")}/value`, { text: "demo" });
    const host = await find("#host-template");
    await wd("POST", `/element/${host}/clear`, {});
    await wd("POST", `/element/${host}/value`, { text: sim.host });
    await wd("POST", `/element/${await find("#test")}/click`, {});
    const tested = await waitFor("const r = document.querySelector('#test-result'); return r && [r.dataset.outcome, r.textContent]");
    assert.equal(tested[0], "ok", tested[1]);
    await wd("POST", `/element/${await find("#save")}/click`, {});
    await waitFor("return !!document.querySelector('#saved')");

    // A page with bot IDs; rest the pointer on one.
    const id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f"; // us-west-2: found after the region search
    await wd("POST", "/url", { url: `${site.url}/ordinary.html` });
    await hover(id);
    await enterCard();
    const card = await waitFor(`const c = document.querySelector('.botlens-card[data-bot-id="${id}"]:not([data-state="loading"])');
      return c && { state: c.dataset.state, verdict: c.dataset.verdict, reason: c.dataset.reason, text: c.innerText }`);
    await wd("POST", "/frame/parent", {});
    assert.equal(card.state, "ready", card.text);
    assert.equal(card.verdict, "failed");
    assert.equal(card.reason, "timeout_exceeded_recording_permission_denied");
  });

  test("the full view: the setting that made the bot leave, particulars, JSON, whole at 400 px", async () => {
    const id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    await openExtensionPage(`explorer.html#${id}`);
    await waitFor("return !!document.querySelector('[data-section=settings]')");
    const seen = await run(`
      const row = document.querySelector('tr[data-setting="automatic_leave.recording_permission_denied_timeout"]');
      return {
        row: row && row.innerText,
        open: ["screenshots", "logs", "timeline"].every((s) => document.querySelector('[data-section=' + s + ']').open),
        particulars: document.querySelector("[data-section=particulars]").innerText,
        json: document.querySelector("pre.json").textContent,
      };`);
    assert.match(seen.row ?? "", /after recording was refused[\s\S]*Why the bot left/, seen.row);
    assert.ok(seen.open, "screenshots, logs and timeline open");
    assert.match(seen.particulars, new RegExp(id));
    assert.match(seen.json, /"status_changes"/);
    assert.ok(!/meeting_password/.test(seen.json), "a password in the JSON shown");
    // Firefox's own zoom at 200 %, then 300 % (400 CSS pixels wide): nothing scrolls sideways.
    for (const zoom of [2, 3]) {
      await zoomTo(zoom);
      try {
        const fit = await waitFor(`return innerWidth <= arguments[0] && { scroll: document.documentElement.scrollWidth, width: innerWidth,
          past: [...document.querySelectorAll("body *")].filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => e.tagName + "." + e.className) }`,
        5000, Math.ceil(1200 / zoom) + 1);
        assert.ok(fit.scroll <= fit.width, `at ${zoom * 100} %: ${JSON.stringify(fit)}`);
        assert.deepEqual(fit.past, [], `at ${zoom * 100} %`);
      } finally {
        await zoomTo(1);
      }
    }
  });

  test("keyboard only: Tab to an ID, ArrowDown into the card, Enter on a section, stay, Escape, focus returns", async () => {
    const { TAB, ENTER, ESCAPE, DOWN } = KEY;
    await wd("POST", "/url", { url: `${site.url}/keyboard.html` });
    await pointer([{ type: "pointerMove", x: 3, y: 3, duration: 0 }]);
    await press(TAB); // the link that names the bot
    assert.equal(await run("return document.activeElement.id"), "first");
    await enterCard();
    await waitFor(`return !!document.querySelector('.botlens-card[data-state="ready"]')`);
    await wd("POST", "/frame/parent", {});
    await press(DOWN);
    await enterCard();
    try {
      await waitFor("return document.hasFocus() && document.activeElement.matches('.botlens-card')", 5000);
      // Keys go where focus is: inside the card's frame now.
      let tag = "";
      for (let i = 0; i < 8 && tag !== "SUMMARY"; i++) {
        await press(TAB);
        tag = await run("return document.activeElement.tagName");
      }
      assert.equal(tag, "SUMMARY", "Tab reaches a section's heading");
      const ring = await run("const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0");
      assert.ok(ring, "the focused control shows a visible focus ring");
      const wasOpen = await run("return document.activeElement.parentElement.open");
      await press(ENTER);
      await waitFor("return document.activeElement.parentElement.open === arguments[0]", 3000, !wasOpen);
      await sleep(800); // longer than the close delay: the card stays while the keyboard is in it
      assert.ok(await run("return document.hasFocus() && innerHeight > 0"), "the card stays open");
      await press(ESCAPE);
    } finally {
      await wd("POST", "/frame/parent", {});
    }
    for (let i = 0; i < 40 && (await cardShowing()); i++) await sleep(50);
    assert.equal(await cardShowing(), false, "Escape closes the card");
    assert.equal(await run("return document.activeElement.id"), "first", "focus returns to the page where it was");
  });

  test("a meeting link lists its bots (turned on), each opening its card", async () => {
    await openExtensionPage("options.html");
    await waitFor("return location.protocol === 'moz-extension:' && !!document.querySelector('#meeting-links')");
    await wd("POST", `/element/${await find("#meeting-links")}/click`, {});
    await waitFor("return document.querySelector('#meeting-links').checked");
    await wd("POST", "/url", { url: `${site.url}/meeting.html` });
    const box = await run(`const r = document.querySelector('#weekly').getBoundingClientRect();
      return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) }`);
    await restAt(box.x, box.y);
    await enterCard();
    const rows = await waitFor(`if (!document.querySelector('.botlens-meeting[data-listed="listed"]')) return null;
      return [...document.querySelectorAll('.botlens-meeting li')].map((li) => [li.dataset.botId, li.dataset.reason])`);
    assert.deepEqual(rows, [
      ["3ee7e2e0-0000-4000-8000-000000000001", "meeting_requires_sign_in"],
      ["3ee7e2e0-0000-4000-8000-000000000002", "google_meet_bot_blocked"],
      ["3ee7e2e0-0000-4000-8000-000000000003", "timeout_exceeded_waiting_room"],
    ]);
    await wd("POST", `/element/${await find('li[data-bot-id="3ee7e2e0-0000-4000-8000-000000000001"] button.open')}/click`, {});
    const card = await waitFor(`const c = document.querySelector('.botlens-card[data-state="ready"]');
      return c && [c.dataset.botId, c.dataset.reason, document.querySelector('button.back')?.textContent]`);
    assert.deepEqual(card.slice(0, 2), ["3ee7e2e0-0000-4000-8000-000000000001", "meeting_requires_sign_in"]);
    assert.match(card[2], /All 3 bots sent to this meeting/);
    await wd("POST", `/element/${await find("button.back")}/click`, {});
    await waitFor(`return !!document.querySelector('.botlens-meeting[data-listed="listed"]')`);
    await wd("POST", "/frame/parent", {});
  });

  test("the popup triages the page and shows a group on it", async () => {
    await wd("POST", "/url", { url: `${site.url}/ordinary.html` });
    const page = await wd("GET", "/window");
    // The popup, opened behind the page as the toolbar opens it over it: the page stays the
    // active tab, which is the one the popup asks about.
    await wd("POST", "/moz/context", { context: "chrome" });
    try {
      await run("window.openTrustedLinkIn(arguments[0], 'tabshifted');", `${ORIGIN}/popup.html`);
    } finally {
      await wd("POST", "/moz/context", { context: "content" });
    }
    let popup = null;
    for (let i = 0; i < 100 && !popup; i++) {
      popup = (await wd("GET", "/window/handles")).find((h) => h !== page) || null;
      if (!popup) await sleep(100);
    }
    await sleep(1500); // it reads the active tab's list as it loads
    await wd("POST", "/window", { handle: popup });
    await waitFor("return document.querySelectorAll('#bots li').length > 0", 15000).catch(async (e) => {
      throw new Error(`${e.message}; the popup says: ${await run("return document.body.innerText")}`);
    });
    await wd("POST", `/element/${await find("#triage")}/click`, {});
    const groups = await waitFor(`if (!document.querySelector('.botlens-triage .summary')) return null;
      return [...document.querySelectorAll('li.group')].map((li) => [li.dataset.reason || li.dataset.verdict, li.dataset.whoseMove || null])`, 30000);
    const byReason = Object.fromEntries(groups);
    assert.equal(byReason.meeting_requires_sign_in, "you", JSON.stringify(groups));
    assert.equal(byReason.healthy, "nobody", JSON.stringify(groups));
    const index = groups.findIndex(([reason]) => reason === "meeting_requires_sign_in");
    await wd("POST", `/element/${await find(`li.group:nth-child(${index + 1}) button.show`)}/click`, {});
    await waitFor("return !!document.querySelector('li.group.shown')");
    await wd("DELETE", "/window");
    await wd("POST", "/window", { handle: page });
    assert.equal(await run('return CSS.highlights.get("botlens-marked")?.size || 0'), 1);
  });

  test("overview mode: the page's bot IDs are underlined, the page untouched", async () => {
    await openExtensionPage("options.html");
    await waitFor("return location.protocol === 'moz-extension:' && !!document.querySelector('#detection-overview')");
    await wd("POST", `/element/${await find("#detection-overview")}/click`, {});
    await waitFor("return document.querySelector('#detection-overview').checked");
    await wd("POST", "/url", { url: `${site.url}/overview-static.html` });
    // Read from the page's own world, as in Chromium's overview test: one range per
    // occurrence in text (b2d4… twice), the link's text for the ID in its href.
    const ranges = await waitFor(`const h = CSS.highlights.get("botlens");
      return h && h.size === 7 && [...h].map((r) => r.toString().toLowerCase()).sort()`);
    assert.deepEqual(ranges.filter((r) => r.length === 36), [
      "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
      "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74",
      "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f",
      "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e",
      "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e",
      "c0ffee00-1234-4abc-8def-0123456789ab",
    ]);
    assert.ok(ranges.includes("open the board-meeting bot"), JSON.stringify(ranges));
    assert.deepEqual(await run("return window.__mutations"), []);
  });

  // Hover anywhere (tests/e2e/pages/reach/, as reach.test.mjs in Chromium).
  /** Rest the pointer on the middle of the element `script` returns, in the current context. */
  async function restOn(script) {
    const p = await run(`const e = (() => { ${script} })(); e.scrollIntoView({ block: "center" });
      const r = e.getBoundingClientRect(); return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) }`);
    await restAt(p.x, p.y);
  }

  /** The shown card's bot in the current context, or null when none opens. */
  async function cardBot(expectNone = false) {
    if (expectNone) {
      await sleep(900);
      return (await cardShowing()) ? "a card" : null;
    }
    await enterCard();
    const id = await waitFor(`const c = document.querySelector('.botlens-card:not([data-state="loading"])'); return c && c.dataset.botId`);
    await wd("POST", "/frame/parent", {});
    await moveAway();
    return id;
  }

  test("reach: shadow roots, split text, neighbouring context, editors, read-only fields", async () => {
    await wd("POST", "/url", { url: `${site.url}/reach/shadow.html` });
    await sleep(1200);
    await restOn(`return document.querySelector("acme-table").shadowRoot.querySelector("acme-row").shadowRoot.querySelector("#id")`);
    assert.equal(await cardBot(), "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f", "two shadow roots deep");
    await restOn(`return document.querySelector("acme-late").shadowRoot.querySelector("#id")`);
    assert.equal(await cardBot(), "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74", "a root attached after load");

    await wd("POST", "/url", { url: `${site.url}/reach/split.html` });
    await restOn(`return document.querySelector("#marked")`);
    assert.equal(await cardBot(), "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f", "<mark> in the middle");
    await restOn(`return document.querySelector("#tok2")`);
    assert.equal(await cardBot(), "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e", "a span per token");

    await wd("POST", "/url", { url: `${site.url}/reach/context.html` });
    await restOn(`return document.querySelector("#rec")`);
    assert.equal(await cardBot(true), null, '"recording_id": in the key span');
    await restOn(`return document.querySelector("#bot-cell")`);
    assert.equal(await cardBot(), "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e", "under a Bot ID header");
    await restOn(`return document.querySelector("#rec-cell")`);
    assert.equal(await cardBot(true), null, "under a Recording ID header");

    await wd("POST", "/url", { url: `${site.url}/reach/editor.html` });
    await restOn(`return document.querySelector("#id")`);
    assert.equal(await cardBot(), "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f", "an editor nobody types in");

    await wd("POST", "/url", { url: `${site.url}/reach/fields.html` });
    await restOn(`return document.querySelector("#dis")`); // the ID fills the field: its middle is on the ID
    assert.equal(await cardBot(), "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74", "a disabled input");
    await restOn(`return document.querySelector("#edit")`);
    assert.equal(await cardBot(true), null, "an editable input");
  });

  test("reach: a frame of another origin and one two deep", async () => {
    await wd("POST", "/url", { url: `${site.url}/reach/frames.html` });
    await sleep(800);
    await wd("POST", "/frame", { id: { [ELEMENT]: await find("#other") } });
    await restOn(`return document.querySelector("#id")`);
    assert.equal(await cardBot(), "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e", "a cross-origin frame");
    await wd("POST", "/frame", { id: { [ELEMENT]: await find("#deep") } });
    await restOn(`return document.querySelector("#id")`);
    assert.equal(await cardBot(), "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74", "two deep");
    await wd("POST", "/frame/parent", {});
    await wd("POST", "/frame/parent", {});
  });

  test("hostile page: its own focus() calls start no look-up", async () => {
    await wd("POST", "/url", { url: `${site.url}/focus-flood.html` });
    const asked = () => new Set(sim.log().match(/f10d0000-0000-4000-8000-[0-9a-f]{12}/g) || []).size;
    await run("window.floodFocus()");
    await sleep(3000);
    assert.equal(asked(), 0, "300 focus() calls by the page: no look-up");
    assert.equal(await cardShowing(), false);
  });

  test("hostile page: nothing it can read differs between a real bot and an unknown ID", async () => {
    await wd("POST", "/url", { url: `${site.url}/observer.html` });
    await run(`document.body.insertAdjacentHTML("beforeend", "<p>bot a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f</p>")`);
    const look = async (id) => {
      await hover(id);
      await enterCard();
      const state = await waitFor(`const c = document.querySelector('.botlens-card[data-bot-id="${id}"]:not([data-state="loading"])');
        return c && c.dataset.state`);
      await wd("POST", "/frame/parent", {});
      await sleep(600);
      const seen = JSON.parse(await run("return window.snapshot()"));
      await moveAway();
      await sleep(300);
      return { state, seen, after: JSON.parse(await run("return window.snapshot()")) };
    };
    await look("11111111-2222-4333-8444-666666666666");
    const real = await look("a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f");
    const unknown = await look("11111111-2222-4333-8444-555555555555");
    assert.equal(real.state, "ready");
    assert.equal(unknown.state, "error");
    const strip = (s) => ({ ...s, html: s.html.replace(/a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f|11111111-2222-4333-8444-555555555555/g, "ID") });
    assert.deepEqual(strip(real.seen), strip(unknown.seen));
    assert.deepEqual(real.after, unknown.after);
    assert.ok(!/moz-extension:/.test(JSON.stringify([real, unknown])), "the add-on's URL is nowhere the page can read");
    assert.equal(real.seen.iframes, 0);
  });
});
