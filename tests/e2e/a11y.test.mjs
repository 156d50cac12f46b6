// The accessibility audit: axe-core (WCAG 2.2 A and AA, and axe's best
// practices) on every surface a user meets — the hover card with its sections
// open, the full view, the popup, the options page and the demo page with its
// embedded card — in light and in dark, in real headless Chromium with the
// extension loaded and the simulator as Recall. Every violation fails the
// test with what and where. Then the keyboard-only path: reach an ID, open
// its card, enter it, open a section with Enter, Escape, and focus is back on the ID.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cardFrame, cardShown, configure, hoverText, launchWithExtension, root, servePages, sleep, startSimulator } from "./harness.mjs";

const axeSource = readFileSync(join(root, "tests/e2e/node_modules/axe-core/axe.min.js"), "utf8");
const FAILED = "dec11ed0-0003-4b07-8000-000000000003"; // us-east-1, denied recording
const LOBBY = "10bbee00-0002-4b07-8000-000000000002"; // us-west-2, waiting room
const HEALTHY = "600dca11-0001-4b07-8000-000000000001"; // us-west-2
const UNKNOWN_CODE = "0dd0c0de-0005-4b07-8000-000000000005"; // a sub code no catalog has
const WARNING = "a10ae000-0013-4b07-8000-000000000013"; // nobody joined: a warning

/** axe in `frame`; the violations, each with a few of its nodes, as text. */
async function audit(frame, { fragment = false } = {}) {
  await frame.evaluate(axeSource);
  const violations = await frame.evaluate(async (fragment) => {
    const rules = fragment
      ? // The card's frame is a dialog inside someone's page, not a page: page-level rules do not apply.
        { region: { enabled: false }, "landmark-one-main": { enabled: false }, "page-has-heading-one": { enabled: false } }
      : {};
    const result = await globalThis.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
      rules,
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
      v.nodes.slice(0, 4).map((n) => `    ${n.target.join(" ")} — ${n.failureSummary.replace(/\s+/g, " ")}`).join("\n"));
  }, fragment);
  return violations;
}

function assertClean(violations, where) {
  assert.deepEqual(violations, [], `${where}: ${violations.length} axe violations\n${violations.join("\n")}`);
}

describe("accessibility", () => {
  let sim, browser, site, scratch;

  before(async () => {
    sim = await startSimulator();
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
    scratch = mkdtempSync(join(tmpdir(), "botlens-a11y-"));
    writeFileSync(join(scratch, "index.html"), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bots</title></head>
<body><main><h1>Bots</h1><ul>
<li><a href="/bots/${FAILED}" id="first">${FAILED}</a> denied</li>
<li><code>${LOBBY}</code> waiting room</li>
<li><code>${HEALTHY}</code> fine</li>
<li><code>${UNKNOWN_CODE}</code> odd</li>
<li><code>${WARNING}</code> empty meeting</li>
</ul><p><a href="#after" id="after">after the list</a></p></main></body></html>`);
    site = await servePages(scratch);
  });

  after(async () => {
    await site?.stop();
    await browser?.close();
    await sim?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  for (const scheme of ["light", "dark"]) {
    test(`the hover card, every section open (${scheme})`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${site.url}/`);
      for (const id of [FAILED, LOBBY, UNKNOWN_CODE, WARNING]) {
        await hoverText(page, id);
        const frame = await cardFrame(page);
        await frame.waitForSelector(`.botlens-card[data-state=ready][data-bot-id="${id}"]`, { timeout: 15000 });
        for (const section of ["screenshots", "logs"]) {
          await frame.$eval(`[data-section=${section}]`, (d) => { d.open = true; });
        }
        await frame.waitForFunction(() => [...document.querySelectorAll("[data-section=logs], [data-section=screenshots]")]
          .every((d) => d.open && !/Loading/.test(d.innerText)), null, { timeout: 10000 });
        assert.equal(await frame.$eval(".botlens-card", (c) => c.dataset.theme), scheme);
        assertClean(await audit(frame, { fragment: true }), `card of ${id}, ${scheme}`);
        await page.mouse.move(5, 5);
        await page.keyboard.press("Escape");
      }
      await page.close();
    });

    test(`the full view (${scheme})`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${browser.origin}/explorer.html#${FAILED}`);
      await page.waitForSelector(".botlens-card[data-state=ready]", { timeout: 15000 });
      await page.waitForFunction(() => !/Loading/.test(document.body.innerText), null, { timeout: 10000 });
      assertClean(await audit(page.mainFrame()), `full view, ${scheme}`);
      await page.close();
    });

    test(`the popup and the options page (${scheme})`, async () => {
      for (const path of ["popup.html", "options.html"]) {
        const page = await browser.context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${browser.origin}/${path}`);
        await page.waitForLoadState("load");
        await sleep(500); // the wasm mounts the page
        assertClean(await audit(page.mainFrame()), `${path}, ${scheme}`);
        await page.close();
      }
    });

    test(`the demo page with its embedded card (${scheme})`, async () => {
      const page = await browser.context.newPage();
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`http://127.0.0.1:${sim.port}/demo/`);
      await page.waitForSelector("[data-botlens-host=hover]", { state: "attached", timeout: 15000 });
      await sleep(500);
      assertClean(await audit(page.mainFrame()), `demo page, ${scheme}`);
      await page.close();
    });
  }

  // WCAG's reflow: 400 px wide, and 200 % zoom of a 1280×800 window (640×400 CSS pixels).
  test("400 px wide and at 200 % zoom nothing scrolls sideways and no text is cut", async () => {
    const surfaces = [
      `${browser.origin}/explorer.html#${FAILED}`,
      `${browser.origin}/explorer.html#${LOBBY}`,
      `${browser.origin}/popup.html`,
      `${browser.origin}/options.html`,
      `http://127.0.0.1:${sim.port}/demo/`,
    ];
    for (const viewport of [{ width: 400, height: 800 }, { width: 640, height: 400 }]) {
      for (const url of surfaces) {
        const page = await browser.context.newPage();
        await page.setViewportSize(viewport);
        await page.goto(url);
        await page.waitForLoadState("load");
        if (url.includes("explorer")) {
          await page.waitForSelector("[data-section=settings]", { timeout: 15000 });
          await page.click("[data-section=json] summary");
        }
        await sleep(500);
        const fit = await page.evaluate(() => {
          const all = [...document.querySelectorAll("body *")].filter((el) => el.getClientRects().length);
          const name = (el) => `${el.tagName.toLowerCase()}.${el.className}`;
          return {
            scroll: document.documentElement.scrollWidth,
            past: all.filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5).map(name),
            cut: all.filter((el) => ["hidden", "clip"].includes(getComputedStyle(el).overflowX) &&
              el.scrollWidth > el.clientWidth + 1).map(name),
          };
        });
        const where = `${url} at ${viewport.width}×${viewport.height}`;
        assert.ok(fit.scroll <= viewport.width, `${where}: the page is ${fit.scroll}px wide`);
        assert.deepEqual(fit.past, [], `${where}: past the right edge`);
        assert.deepEqual(fit.cut, [], `${where}: text cut`);
        await page.close();
      }
    }
  });

  test("forced colours and reduced motion: boxes keep their outlines, nothing moves", async () => {
    const page = await browser.context.newPage();
    await page.emulateMedia({ forcedColors: "active", reducedMotion: "reduce" });
    await page.goto(`${site.url}/`);
    await hoverText(page, LOBBY);
    const frame = await cardFrame(page);
    await frame.waitForSelector(`.botlens-card[data-state=ready][data-bot-id="${LOBBY}"]`, { timeout: 15000 });
    const looks = await frame.evaluate(() => {
      const border = (sel) => { const s = getComputedStyle(document.querySelector(sel)); return s.borderTopStyle !== "none" && parseFloat(s.borderTopWidth) > 0; };
      return {
        forced: matchMedia("(forced-colors: active)").matches,
        pill: border(".pill"),
        phase: border(".phase"),
        word: document.querySelector(".pill").textContent.trim(),
        legend: document.querySelector(".phase-legend").textContent,
        moving: [...document.querySelectorAll("*")].some((e) => getComputedStyle(e).animationName !== "none"),
      };
    });
    assert.ok(looks.forced);
    assert.ok(looks.pill && looks.phase, `outlines in forced colours: ${JSON.stringify(looks)}`);
    assert.equal(looks.word.toLowerCase(), "failed", "the verdict is a word, not a colour");
    assert.match(looks.legend, /Waiting room/i, "the phases are named in words");
    assert.ok(!looks.moving, "no animation with reduced motion");
    await page.close();
  });

  test("times are in the user's zone, with the date, zone and UTC on hover", async () => {
    const ny = await launchWithExtension({ timezoneId: "America/New_York", locale: "en-US" });
    try {
      await configure(ny, { key: "demo", host: sim.host });
      const page = await ny.context.newPage();
      await page.goto(`${site.url}/`);
      await hoverText(page, LOBBY);
      const frame = await cardFrame(page);
      await frame.waitForSelector(`.botlens-card[data-state=ready][data-bot-id="${LOBBY}"]`, { timeout: 15000 });
      const first = await frame.$eval(".timeline time", (t) => ({ iso: t.dateTime, text: t.textContent, title: t.title }));
      const expected = new Date(first.iso).toLocaleTimeString("en-US", {
        timeZone: "America/New_York", hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
      assert.equal(first.text, expected, `New York time for ${first.iso}`);
      assert.match(first.title, /E[SD]T/, "the zone on hover");
      assert.match(first.title, /UTC/, "UTC on hover");
    } finally {
      await ny.close();
    }
  });

  test("keyboard only: reach an ID, open its card, enter it, Enter on a section, stay, Escape, focus returns", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/`);
    await page.click("body", { position: { x: 2, y: 2 } });
    await page.keyboard.press("Tab"); // the link that names the first bot
    assert.equal(await page.evaluate(() => document.activeElement.id), "first");
    const frame = await cardFrame(page);
    await frame.waitForSelector(`.botlens-card[data-state=ready][data-bot-id="${FAILED}"]`, { timeout: 15000 });
    // Enter the card (ArrowDown), then Tab to its first control: the focus ring shows.
    await page.keyboard.press("ArrowDown");
    await frame.waitForFunction(() => document.hasFocus() && document.activeElement.matches(".botlens-card"));
    await page.keyboard.press("Tab");
    const focused = await frame.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { tag: el.tagName, outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 };
    });
    assert.ok(["BUTTON", "A", "SUMMARY"].includes(focused.tag), `focus in the card: ${focused.tag}`);
    assert.ok(focused.outline, "the focused control shows a visible focus ring");
    // Enter on a section's heading opens or closes it. (A click counts only once the frame has
    // seen itself whole, IntersectionObserver v2's first report, 100 ms after it shows: card.js.)
    await frame.waitForFunction(() => document.documentElement.dataset.seen === "true");
    for (let i = 0; i < 6 && !(await frame.evaluate(() => document.activeElement.tagName === "SUMMARY")); i++) {
      await page.keyboard.press("Tab");
    }
    const wasOpen = await frame.evaluate(() => document.activeElement.parentElement.open);
    await page.keyboard.press("Enter");
    await frame.waitForFunction((was) => document.activeElement.tagName === "SUMMARY" &&
      document.activeElement.parentElement.open === !was, wasOpen, { timeout: 3000 });
    // The card stays open while the keyboard is in it (a pointer rest pending from before
    // the key press once closed it about half the time).
    await sleep(800); // longer than the close delay
    assert.ok(await cardShown(page), "the card stays open while the keyboard works in it");
    // Escape: the card closes and focus is back where the user was.
    await page.keyboard.press("Escape");
    for (let i = 0; i < 40 && (await cardShown(page)); i++) await sleep(50);
    assert.ok(!(await cardShown(page)), "Escape closes the card");
    assert.equal(await page.evaluate(() => document.activeElement.id), "first", "focus returns to the page where it was");
    await page.close();
  });
});
