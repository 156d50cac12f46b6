// The full view (explorer.html#<id>) as a user debugging one failed bot meets
// it, in headless Chromium with the extension and the simulator as Recall:
// the card at full size, the bot's particulars, the message for whoever must
// act, the bot's JSON (searchable, secrets out), and "Save evidence", whose
// file is opened offline and read.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configure, launchWithExtension, startSimulator } from "./harness.mjs";

const LOBBY = "10bbee00-0002-4b07-8000-000000000002"; // us-west-2: nobody admitted it from the waiting room
const DENIED = "dec11ed0-0003-4b07-8000-000000000003"; // us-east-1: recording refused, logs to read
const RECORDED = "600dca11-0001-4b07-8000-000000000001"; // a good Zoom call, recorded and transcribed
const PASSWORD = "cXdlcnR5MTIz"; // its meeting_password: never shown, never saved

describe("the full view", () => {
  let sim, browser;
  before(async () => {
    sim = await startSimulator();
    browser = await launchWithExtension();
    await configure(browser, { key: "demo", host: sim.host });
  });
  after(async () => {
    await browser?.close();
    await sim?.stop();
  });

  test("answers what the Explorer would, plus whose move and what to send", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${browser.origin}/explorer.html#${LOBBY}`);
    await page.waitForSelector(".botlens-card[data-state=ready]", { timeout: 15000 });
    await page.waitForSelector("[data-section=particulars]");
    const particulars = await page.$eval("[data-section=particulars]", (d) => d.innerText);
    assert.match(particulars, new RegExp(LOBBY));
    assert.match(particulars, /us-west-2/);
    assert.match(particulars, /Platform\s+zoom/);
    assert.match(particulars, /Meeting ID\s+\d+/);
    // Screenshots and logs are open at once in the full view.
    for (const section of ["screenshots", "logs", "timeline"]) {
      assert.ok(await page.$eval(`[data-section=${section}]`, (d) => d.open), `${section} open`);
    }
    // Each screenshot pinned under the phase bar where it was taken, in order.
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-section=screenshots]").innerText));
    const pins = await page.$$eval(".pins .pin", (ps) => ps.map((p) => parseFloat(p.style.left)));
    const shots = await page.$$eval("[data-section=screenshots] img", (is) => is.length);
    assert.equal(pins.length, shots, `pins ${JSON.stringify(pins)} for ${shots} screenshots`);
    assert.ok(pins.every((x, i) => x >= 0 && x <= 100 && (i === 0 || x >= pins[i - 1])), JSON.stringify(pins));
    // The setting that made it leave, beside what happened.
    const lobby = await page.$eval('tr[data-setting="automatic_leave.waiting_room_timeout"]', (tr) => tr.innerText);
    assert.match(lobby, /1200 s \(20m 00s\)/);
    assert.match(lobby, /\d+m \d\ds in the waiting room[\s\S]*Why the bot left/);
    const message = await page.$eval("[data-section=message]", (m) => m.innerText);
    assert.match(message, /Message for whoever must act/);
    assert.match(message, new RegExp(LOBBY));
    assert.match(message, /What would fix it/);

    // The JSON: searchable, with no secret in it.
    await page.click("[data-section=json] summary");
    const json = await page.$eval("pre.json", (p) => p.textContent);
    assert.match(json, /"status_changes"/);
    assert.ok(!json.includes(PASSWORD) && !/meeting_password/.test(json), "no meeting password in the JSON shown");
    await page.fill(".raw-search", "sub_code");
    const found = await page.$eval("pre.json", (p) => p.textContent);
    assert.ok(found.split("\n").length >= 1 && found.split("\n").every((l) => /sub_code/i.test(l)), found);
    assert.match(found, /^\s*\d+ {2}/, "matching lines keep their numbers");

    // A bot with log lines: each says how long after the bot set off, beside the clock time.
    await page.goto(`${browser.origin}/explorer.html#${DENIED}`);
    await page.waitForSelector(`.botlens-card[data-state=ready][data-bot-id="${DENIED}"]`, { timeout: 15000 });
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-section=logs]").innerText));
    const since = await page.$$eval("[data-section=logs] .note", (ns) => ns.filter((n) => n.querySelector("time"))
      .map((n) => n.querySelector(".since")?.textContent));
    assert.ok(since.length > 0 && since.every((t) => /^\+\d/.test(t ?? "")), JSON.stringify(since));

    // A bot that recorded: each of its media, its state, when Recall deletes it, and its link.
    await page.goto(`${browser.origin}/explorer.html#${RECORDED}`);
    await page.waitForSelector("[data-section=recordings]", { timeout: 15000 });
    const media = await page.$$eval("[data-section=recordings] tbody tr", (rows) => rows.map((r) => ({
      kind: r.dataset.kind, text: r.innerText, link: r.querySelector("a")?.getAttribute("href") ?? null,
    })));
    const kinds = media.map((m) => m.kind);
    assert.ok(kinds.includes("video_mixed") && kinds.includes("transcript"), JSON.stringify(media));
    const video = media.find((m) => m.kind === "video_mixed");
    assert.match(video.text, /available/);
    assert.ok(video.link, "the video has a download link");
    await page.close();
  });

  test("Save evidence writes one file that opens offline with the screenshots in it", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${browser.origin}/explorer.html#${LOBBY}`);
    await page.waitForSelector("[data-action=save-evidence]", { timeout: 15000 });
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-section=screenshots]").innerText));
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-action=save-evidence]")]);
    assert.match(download.suggestedFilename(), new RegExp(`^botlens-evidence-${LOBBY}-\\d{4}-\\d\\d-\\d\\d\\.html$`));
    const file = join(mkdtempSync(join(tmpdir(), "botlens-evidence-")), download.suggestedFilename());
    await download.saveAs(file);
    const html = readFileSync(file, "utf8");
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:/);
    assert.match(html, /<img[^>]+src="data:image\//, "a screenshot embedded");
    assert.ok(!html.includes(PASSWORD), "no meeting password");

    // Opened with the network off, a month from now: everything is there.
    const offline = await browser.context.newPage();
    await browser.context.setOffline(true);
    const requests = [];
    offline.on("request", (r) => { if (!r.url().startsWith("data:") && !r.url().startsWith("file:")) requests.push(r.url()); });
    await offline.goto(`file://${file}`);
    const shown = await offline.evaluate(async () => {
      await Promise.all([...document.images].map((i) => i.decode().catch(() => {})));
      return {
        text: document.body.innerText,
        images: [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length,
        all: document.images.length,
      };
    });
    await browser.context.setOffline(false);
    assert.ok(shown.images >= 1 && shown.images === shown.all, `screenshots render offline: ${shown.images} of ${shown.all}`);
    assert.match(shown.text, /waiting room/i);
    assert.deepEqual(requests, [], "the file asks the network for nothing");
    await offline.close();
    await page.close();
  });
});
