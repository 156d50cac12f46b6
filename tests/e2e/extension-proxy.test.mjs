// The extension in team-proxy mode, in headless Chromium: a botlens proxy that
// holds the key and asks for a shared token, the simulator as Recall. The card
// must come through the proxy with the token in the proxy's own header, and
// name the region the proxy found the bot in — not one guessed from the
// proxy's host name.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cardFrame, hoverAndRead, launchWithExtension, root, servePages, startSimulator } from "./harness.mjs";
import { startProxy } from "./embed-harness.mjs";

const pages = join(root, "tests/e2e/pages");
const TOKEN = "team-token-6b1f0c";
const EU_BOT = "ab5e7000-0004-4b07-8000-000000000004"; // built-in, eu-central-1

async function saveProxy(browser, url, token) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.origin}/options.html`);
  await page.waitForSelector("#save");
  await page.fill("#proxy-url", url);
  await page.fill("#proxy-token", token);
  await page.click("#save");
  await page.waitForSelector("#saved", { state: "attached" });
  await page.click("#test");
  const result = await page.waitForSelector("#test-result", { state: "attached", timeout: 15000 });
  const tested = {
    outcome: await result.getAttribute("data-outcome"),
    region: await result.getAttribute("data-region"),
    text: (await result.innerText()).replace(/\s+/g, " "),
  };
  await page.close();
  return tested;
}

describe("extension with a team proxy", () => {
  let sim, proxy, site, browser;
  before(async () => {
    sim = await startSimulator();
    proxy = await startProxy(sim, { key: "demo", env: { BOTLENS_PROXY_TOKEN: TOKEN } });
    site = await servePages(pages);
    browser = await launchWithExtension();
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await proxy?.stop();
    await sim?.stop();
  });

  test("a wrong token is refused, the right one gets the card with the bot's real region", async () => {
    const wrong = await saveProxy(browser, proxy.url, "not-the-token");
    assert.equal(wrong.outcome, "bad", wrong.text);
    assert.match(wrong.text, /token/i, wrong.text);

    const right = await saveProxy(browser, proxy.url, TOKEN);
    assert.equal(right.outcome, "ok", right.text);
    assert.equal(right.region, null, "the proxy searches the regions itself");

    const page = await browser.context.newPage();
    await page.goto(`${site.url}/ordinary.html`);
    await page.evaluate((id) => document.body.insertAdjacentHTML("afterbegin", `<p>bot ${id}</p>`), EU_BOT);
    const card = await hoverAndRead(page, browser.origin, EU_BOT);
    assert.equal(card.state, "ready", card.text);
    assert.equal(card.verdict, "failed");
    const frame = await cardFrame(page);
    const region = await frame.$eval(".botlens-card .region", (e) => ({ text: e.textContent, title: e.title }));
    assert.deepEqual(region, { text: "eu-central-1", title: "region" });
    const explorer = await frame.$eval(".botlens-card a[href*='/dashboard/explorer/bot/']", (a) => a.href);
    assert.ok(explorer.startsWith("https://eu-central-1.recall.ai/"), explorer);
    await page.close();
    assert.ok(!proxy.log().includes(TOKEN), "the token is in no log line");
  });
});
