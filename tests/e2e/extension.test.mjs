// The extension loaded in headless Chromium, the simulator as Recall, pages on
// 127.0.0.1: hover a bot ID and check what the card says.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  artifacts, cardFrame, configure, hoverAndRead, launchWithExtension, moveAway, root, servePages, startSimulator,
} from "./harness.mjs";

const scenarios = join(root, "tests/e2e/scenarios");
const pages = join(root, "tests/e2e/pages");

// Bot ID → what the card must say, from the scenario files' stories.
const expected = {
  "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f": { verdict: "failed", reason: "timeout_exceeded_recording_permission_denied", status: "done" },
  "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e": { verdict: "failed", reason: "meeting_requires_sign_in", status: "fatal" },
  "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74": { verdict: "healthy", reason: null, status: "done" },
  "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e": { verdict: "failed", reason: "timeout_exceeded_waiting_room", status: "done" },
  "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f": { verdict: "failed", reason: "zoom_quantum_flux_error", status: "fatal" },
};

describe("extension in Chromium", () => {
  let sim, site, browser;
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    sim = await startSimulator(["--scenarios", scenarios]);
    site = await servePages(pages, (path) =>
      path.includes("strict-csp") ? { "content-security-policy": "script-src 'self'; object-src 'none'" } : {});
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  for (const pageName of ["ordinary.html", "strict-csp.html"]) {
    test(`hovering each bot ID on ${pageName} shows its diagnosis`, async () => {
      const page = await browser.context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${site.url}/${pageName}`);
      for (const [id, want] of Object.entries(expected)) {
        const upper = id.startsWith("4e6a") ? id.toUpperCase() : id; // the page has it in capitals
        const card = await hoverAndRead(page, browser.origin, upper);
        assert.equal(card.state, "ready", `${id}: ${card.text}`);
        assert.deepEqual({ verdict: card.verdict, reason: card.reason, status: card.status }, want, id);
        const pill = await (await cardFrame(page, browser.origin)).$eval(".pill", (p) => p.textContent);
        assert.equal(pill, { healthy: "Healthy", failed: "Failed" }[want.verdict], `${id}: the verdict in a word`);
        if (id.startsWith("a1c3")) {
          await page.screenshot({ path: join(artifacts, `card-${pageName.replace(".html", "")}.png`) });
        }
        await moveAway(page);
      }
      assert.deepEqual(errors, [], "the page saw no errors");
      await page.close();
    });
  }

  test("a UUID that is no bot anywhere says so and what else it may be", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    const card = await hoverAndRead(page, browser.origin, "11111111-2222-4333-8444-555555555555");
    assert.equal(card.state, "error");
    assert.equal(card.error, "not_found");
    const frame = await (await import("./harness.mjs")).cardFrame(page);
    assert.equal(await frame.$eval(".pill", (p) => p.textContent), "not found", "the failure in words, not a red \"no data\"");
    assert.match(card.text, /recordings, transcripts, screenshots/);
    await page.close();
  });

  test("a recording ID in a URL opens no card", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    const { cardShown, hoverText, sleep } = await import("./harness.mjs");
    await hoverText(page, "5d6e7f80-1a2b-4c3d-9e8f-0a1b2c3d4e5f");
    await sleep(800);
    assert.equal(await cardShown(page), false);
    await page.close();
  });
});
