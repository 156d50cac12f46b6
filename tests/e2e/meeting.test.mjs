// Hovering a meeting link lists the bots the workspace sent there (an opt-in
// setting), each opening its own card: the extension in Chromium against the
// simulator, whose three bots of tests/e2e/scenarios/meeting-bot-*.json were
// sent to https://meet.google.com/wkl-ysyn-cup.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cardFrame, cardShown, configure, launchWithExtension, moveAway, root, servePages, sleep, startSimulator,
} from "./harness.mjs";

const MEETING_BOTS = [1, 2, 3].map((i) => `3ee7e2e0-0000-4000-8000-00000000000${i}`);
const listCalls = (sim) => (sim.log().match(/path=\/api\/v1\/bot\/ /g) || []).length;

/** Rest the pointer on the link `#id`. */
async function hoverLink(page, id) {
  const box = await page.locator(`#${id}`).boundingBox();
  await page.mouse.move(box.x + 10, box.y + 40);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
}

describe("meeting links in Chromium", () => {
  let sim, site, browser;
  before(async () => {
    sim = await startSimulator(["--scenarios", join(root, "tests/e2e/scenarios")]);
    site = await servePages(join(root, "tests/e2e/pages"));
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
  });
  after(async () => {
    await browser?.close();
    await site?.stop();
    await sim?.stop();
  });

  test("off by default: hovering a meeting link opens nothing and calls nothing", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${site.url}/meeting.html`);
    const before = listCalls(sim);
    await hoverLink(page, "weekly");
    await sleep(900);
    assert.equal(await cardShown(page), false);
    assert.equal(listCalls(sim), before, "no List Bots call");
    await page.close();
  });

  test("turned on: the link lists its bots, each opens its card, and back", async () => {
    const options = await browser.context.newPage();
    await options.goto(`${browser.origin}/options.html`);
    await options.check("#meeting-links");
    await options.waitForFunction(() => document.querySelector("#meeting-links").checked);
    await sleep(300); // storage.sync reaches the content scripts
    await options.close();

    const page = await browser.context.newPage();
    await page.goto(`${site.url}/meeting.html`);
    const before = listCalls(sim);
    await hoverLink(page, "weekly");
    const frame = await cardFrame(page);
    const list = await frame.waitForSelector('.botlens-meeting[data-listed="listed"]', { state: "attached", timeout: 10000 });
    await frame.waitForSelector('html[data-seen="true"]', { state: "attached" }); // clicks count once seen whole
    assert.equal(await list.getAttribute("data-platform"), "google_meet");
    const rows = await frame.$$eval(".botlens-meeting li", (lis) => lis.map((li) => ({
      id: li.dataset.botId, verdict: li.dataset.verdict, reason: li.dataset.reason || null, whose: li.dataset.whoseMove || null,
    })));
    assert.deepEqual(rows.map((r) => r.id), MEETING_BOTS, "in the order they were sent");
    assert.deepEqual(rows.map((r) => r.reason), ["meeting_requires_sign_in", "google_meet_bot_blocked", "timeout_exceeded_waiting_room"]);
    assert.ok(rows.every((r) => r.verdict === "failed"), JSON.stringify(rows));
    assert.match(await frame.$eval(".botlens-meeting .summary", (p) => p.textContent), /^3 bots: 3 failed/);
    assert.ok(await cardShown(page), "the list is shown");
    assert.equal(listCalls(sim) - before, 1, "one List Bots call");

    // A bot of the list opens its own card, with the way back.
    await frame.click(`.botlens-meeting li[data-bot-id="${MEETING_BOTS[1]}"] button.open`);
    const card = await frame.waitForSelector(`.botlens-card[data-bot-id="${MEETING_BOTS[1]}"][data-state="ready"]`, { state: "attached", timeout: 10000 });
    assert.equal(await card.getAttribute("data-reason"), "google_meet_bot_blocked");
    assert.match(await frame.$eval("button.back", (b) => b.textContent), /All 3 bots sent to this meeting/);
    await frame.click("button.back");
    await frame.waitForSelector('.botlens-meeting[data-listed="listed"]', { state: "attached" });

    // Hovering the link again within the minute costs nothing.
    await moveAway(page);
    await hoverLink(page, "weekly");
    await frame.waitForSelector('.botlens-meeting[data-listed="listed"]', { state: "attached" });
    assert.equal(listCalls(sim) - before, 1, "the list was kept");

    // A platform's home page is no meeting; a meeting with no bot says so.
    await moveAway(page);
    await hoverLink(page, "home");
    await sleep(900);
    assert.equal(await cardShown(page), false, "meet.google.com/ is not a meeting");
    await hoverLink(page, "nobody");
    const none = await frame.waitForSelector('.botlens-meeting[data-listed="listed"][data-platform="zoom"]', { state: "attached", timeout: 10000 });
    assert.match(await none.innerText(), /No bot of this workspace was sent to this meeting/);
    await page.close();
  });
});
