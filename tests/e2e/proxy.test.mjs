// The botlens proxy as a browser sees it: an allowed page reads the three
// endpoints (and the headers it needs), a foreign page reads nothing, writes
// are refused at the preflight, 429 + Retry-After reach the page, and the key
// is in no response and no log line.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator } from "./harness.mjs";
import { hostPages, launchBrowser, startProxy } from "./embed-harness.mjs";

const KEY = "sk-e2e-7d1f0c9a4b2e8f6a5c3d1e0b9a8f7e6d";
const HEALTHY = "600dca11-0001-4b07-8000-000000000001";
const THROTTLED = "7407711e-0017-4b07-8000-000000000017";

const page = `<!doctype html><meta charset="utf-8"><title>tool</title><p>internal tool</p>`;

describe("botlens proxy from a browser", () => {
  let sim, proxy, allowed, foreign, browser;
  const seen = []; // every response the browser got from the proxy: status, headers, body
  before(async () => {
    sim = await startSimulator(["--key", `us-west-2=${KEY}`]);
    allowed = await hostPages(() => ({ "index.html": page }));
    foreign = await hostPages(() => ({ "index.html": page }));
    proxy = await startProxy(sim, { key: KEY, origins: [allowed.url], args: ["--log-json"] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await allowed?.stop();
    await foreign?.stop();
    await proxy?.stop();
    await sim?.stop();
  });

  async function open(site) {
    const p = await browser.newPage();
    p.on("response", async (r) => {
      if (!r.url().startsWith(proxy.url)) return;
      try {
        const headers = await r.allHeaders();
        const body = await r.text().catch(() => "");
        seen.push(`${r.status()} ${JSON.stringify(headers)} ${body}`);
      } catch {
        // The page closed first; the node-side sweep below still covers every path.
      }
    });
    await p.goto(`${site.url}/index.html`);
    return p;
  }

  const call = (p, url, init = {}) =>
    p.evaluate(async ([url, init]) => {
      try {
        const r = await fetch(url, init);
        return { status: r.status, region: r.headers.get("x-botlens-region"), retryAfter: r.headers.get("retry-after"), body: await r.text() };
      } catch (e) {
        return { error: String(e) };
      }
    }, [url, init]);

  test("an allowed page reads a bot, its screenshots and logs", async () => {
    const p = await open(allowed);
    for (const suffix of ["", "screenshots/", "logs/"]) {
      const r = await call(p, `${proxy.url}/api/v1/bot/${HEALTHY}/${suffix}`);
      assert.equal(r.status, 200, `${suffix}: ${JSON.stringify(r)}`);
      assert.equal(r.region, "us-west-2");
      JSON.parse(r.body);
    }
    await p.close();
  });

  test("a foreign page reads nothing; writes never get past the preflight", async () => {
    const p = await open(foreign);
    const r = await call(p, `${proxy.url}/api/v1/bot/${HEALTHY}/`);
    assert.ok(r.error && /TypeError/.test(r.error), JSON.stringify(r));
    const q = await open(allowed);
    for (const method of ["DELETE", "POST", "PATCH"]) {
      const w = await call(q, `${proxy.url}/api/v1/bot/${HEALTHY}/`, { method, body: method === "DELETE" ? undefined : "{}" , headers: { "content-type": "application/json" } });
      assert.ok(w.error || w.status === 405, `${method}: ${JSON.stringify(w)}`);
    }
    const other = await call(q, `${proxy.url}/api/v1/bot/${HEALTHY}/transcript/`);
    assert.equal(other.status, 404);
    const bad = await call(q, `${proxy.url}/api/v1/bot/not-a-bot/`);
    assert.equal(bad.status, 400);
    await p.close();
    await q.close();
  });

  test("Recall's 429 and Retry-After reach the page", async () => {
    const p = await open(allowed);
    const r = await call(p, `${proxy.url}/api/v1/bot/${THROTTLED}/`);
    assert.equal(r.status, 429, JSON.stringify(r));
    assert.equal(r.retryAfter, "3");
    assert.equal(JSON.parse(r.body).code, "throttled");
    await p.close();
  });

  test("the key is in no response and no log line", async () => {
    // Plus what any client (not only a browser) can get out of it.
    for (const path of [`/api/v1/bot/${HEALTHY}/`, `/api/v1/bot/${THROTTLED}/logs/`, "/api/v1/bot/x/", "/healthz", "/embed/botlens.js", "/nope"]) {
      for (const headers of [{}, { origin: foreign.url }, { origin: allowed.url }]) {
        const r = await fetch(`${proxy.url}${path}`, { headers });
        seen.push(`${r.status} ${JSON.stringify([...r.headers])} ${await r.text()}`);
      }
    }
    assert.ok(seen.length >= 20, `responses seen: ${seen.length}`);
    for (const text of seen) assert.ok(!text.includes(KEY) && !text.includes(KEY.slice(7)), text);
    const log = proxy.log();
    assert.ok(log.split("\n").filter((l) => l.includes('"request"')).length >= 8);
    assert.ok(!log.includes(KEY) && !log.includes(KEY.slice(7)));
  });
});
