// The embed in headless Firefox ESR (no add-on), through the botlens proxy in
// front of the simulator: the script tag's hover card, the full view whole at
// 300 % zoom, and frame mode on a host page whose CSP forbids wasm. The same
// host pages as the Chromium tests (embed-pages.mjs). Skipped (with the
// reason) when Firefox or geckodriver is absent.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ELEMENT, KEY, firefoxMissing, startFirefox } from "./gecko.mjs";
import { hostPages, startProxy } from "./embed-harness.mjs";
import { HEALTHY, LOBBY, SIGN_IN, pageHeaders, pages } from "./embed-pages.mjs";
import { startSimulator } from "./harness.mjs";

const missing = firefoxMissing();

/** A settled card for `id` in the hover host's shadow root (script) of the current context. */
const settled = (root, id) => `const root = ${root};
  const c = root && root.querySelector('.botlens-card[data-bot-id="${id}"]:not([data-state="loading"])');
  return c && { state: c.dataset.state, verdict: c.dataset.verdict, reason: c.dataset.reason, status: c.dataset.status,
    height: c.getBoundingClientRect().height, text: c.innerText }`;
const HOVER_ROOT = `document.querySelector("[data-botlens-host=hover]")?.shadowRoot`;

describe("embed in Firefox ESR", { skip: missing || false }, () => {
  let sim, proxy, site, browser;
  before(async () => {
    sim = await startSimulator();
    site = await hostPages(() => pages(proxy.url), (name) => pageHeaders(proxy.url, name));
    proxy = await startProxy(sim, { origins: [site.url] });
    browser = await startFirefox();
  });
  after(async () => {
    await browser?.stop();
    await site?.stop();
    await proxy?.stop();
    await sim?.stop();
  });

  test("script tag: hovering a bot ID on the host page shows its card; Escape closes it", async () => {
    const { wd, run, waitFor, hover, press, pointer } = browser;
    await wd("POST", "/url", { url: `${site.url}/script-tag.html` });
    await waitFor(`return !!document.querySelector("[data-botlens-host=hover]")`);
    await hover(HEALTHY);
    const card = await waitFor(settled(HOVER_ROOT, HEALTHY));
    assert.deepEqual([card.state, card.verdict, card.status], ["ready", "healthy", "done"], card.text);
    // The host page's `.botlens-card{display:none}` does not reach into the shadow root.
    assert.ok(card.height > 50, `the card is ${card.height}px tall`);
    assert.equal(await run("return document.querySelectorAll('iframe').length"), 0, "wasm mode needs no frame");
    await press(KEY.ESCAPE);
    await waitFor(`return getComputedStyle(document.querySelector("[data-botlens-host=hover]")).visibility === "hidden"`, 3000);

    await pointer([{ type: "pointerMove", x: 3, y: 3, duration: 50 }]);
    await hover(SIGN_IN);
    const failed = await waitFor(settled(HOVER_ROOT, SIGN_IN));
    assert.deepEqual([failed.verdict, failed.reason], ["failed", "meeting_requires_sign_in"]);
    // The page's own text is never rewritten.
    assert.match(await run("return document.querySelector('table').textContent"), new RegExp(`bot_id: ${HEALTHY}`));
    await press(KEY.ESCAPE);
  });

  test("<botlens-card view=full>: the full view through the proxy, no secrets, whole at 300 % zoom", async () => {
    const { wd, run, waitFor, zoomTo } = browser;
    await wd("POST", "/url", { url: `${site.url}/full.html` });
    const full = `document.querySelector("botlens-card")?.shadowRoot`;
    await waitFor(`return !!${full}?.querySelector('tr[data-setting="automatic_leave.waiting_room_timeout"]')`);
    const seen = await run(`const root = ${full};
      return {
        lobby: root.querySelector('tr[data-setting="automatic_leave.waiting_room_timeout"]').innerText,
        open: ["screenshots", "logs", "timeline"].every((s) => root.querySelector("[data-section=" + s + "]").open),
        json: root.querySelector("pre.json").textContent,
        save: !!root.querySelector("[data-action=save-evidence]"),
      };`);
    assert.match(seen.lobby, /1200 s \(20m 00s\)[\s\S]*in the waiting room[\s\S]*Why the bot left/, seen.lobby);
    assert.ok(seen.open, "screenshots, logs and timeline open");
    assert.match(seen.json, /"status_changes"/);
    assert.ok(!/meeting_password|X-Amz-Signature|cXdlcnR5MTIz/.test(seen.json), "a secret in the JSON shown");
    assert.equal(seen.save, false, "no Save evidence button that cannot work");
    // Firefox's own zoom at 300 % (400 CSS pixels wide): nothing scrolls sideways, nothing past the edge.
    await zoomTo(3);
    try {
      const fit = await waitFor(`if (innerWidth > 401) return null;
        const root = ${full};
        return { scroll: document.documentElement.scrollWidth, width: innerWidth,
          past: [...root.querySelectorAll("*")].filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5)
            .map((e) => e.tagName + "." + e.className) }`, 5000);
      assert.ok(fit.scroll <= fit.width, `the page scrolls sideways: ${JSON.stringify(fit)}`);
      assert.deepEqual(fit.past, [], "elements past the right edge");
    } finally {
      await zoomTo(1);
    }
  });

  test("a host page whose CSP forbids wasm gets frame mode", async () => {
    const { wd, run, find, waitFor, hover } = browser;
    await wd("POST", "/url", { url: `${site.url}/strict-csp.html` });
    // (WebDriver's own scripts are exempt from the page's CSP, so the wasm check itself is the
    // Chromium test's; here the embed's choice shows it: frames, no wasm host.)
    // The hover card's frame is in the page's light DOM (the inline card's is in a shadow root).
    await waitFor(`return !!document.querySelector("iframe[data-botlens-frame]")`);
    assert.equal(await run(`return document.querySelector("[data-botlens-host=hover]")?.tagName ?? null`), null, "wasm mode under a CSP that forbids it");
    await hover(HEALTHY);
    await waitFor(`return [...document.querySelectorAll("iframe[data-botlens-frame]")]
      .some((f) => getComputedStyle(f).visibility === "visible" && f.getBoundingClientRect().height > 50)`);
    await wd("POST", "/frame", { id: { [ELEMENT]: await find("iframe[data-botlens-frame]") } });
    try {
      assert.match(await run("return location.href"), /\/embed\/card\.html/);
      const card = await waitFor(settled("document", HEALTHY));
      assert.deepEqual([card.state, card.verdict], ["ready", "healthy"], card.text);
    } finally {
      await wd("POST", "/frame/parent", {});
    }
    // The inline <botlens-card> renders in its own frame too (inside the element's shadow root).
    const host = await find("botlens-card");
    const shadow = await wd("GET", `/element/${host}/shadow`);
    const frame = await waitFor(`return !!document.querySelector("botlens-card").shadowRoot?.querySelector("iframe")`)
      .then(() => wd("POST", `/shadow/${Object.values(shadow)[0]}/element`, { using: "css selector", value: "iframe" }));
    await wd("POST", "/frame", { id: frame });
    try {
      const inline = await waitFor(settled("document", LOBBY));
      assert.deepEqual([inline.verdict, inline.reason], ["failed", "timeout_exceeded_waiting_room"], inline.text);
    } finally {
      await wd("POST", "/frame/parent", {});
    }
  });
});
