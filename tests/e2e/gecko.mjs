// Headless Firefox ESR driven through geckodriver's WebDriver HTTP API, for
// the extension's and the embed's Firefox tests. The pointer is WebDriver's
// real mouse: pages see trusted events, as from a person.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, sleep } from "./harness.mjs";

const firefox = process.env.FIREFOX || "/usr/bin/firefox-esr";
const geckodriver = process.env.GECKODRIVER || join(process.env.HOME || "/root", ".cargo/bin/geckodriver");
/** WebDriver's values for the keys the tests press. */
export const KEY = { TAB: "\uE004", ENTER: "\uE007", ESCAPE: "\uE00C", DOWN: "\uE015" };
/** WebDriver's key for an element reference. */
export const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** Why Firefox tests cannot run here ("" when they can); `more` are other files they need. */
export function firefoxMissing(more = []) {
  const missing = [firefox, geckodriver, ...more].filter((p) => !existsSync(p));
  return missing.length ? `missing: ${missing.join(", ")}` : "";
}

/** A Firefox session with `prefs`; its helpers act in the current browsing context. */
export async function startFirefox({ prefs = {}, width = 1200, height = 800 } = {}) {
  const port = await freePort();
  // System access: WebDriver may not navigate to moz-extension:// pages; the browser's chrome may.
  const driver = spawn(geckodriver, ["--port", String(port), "--host", "127.0.0.1", "--allow-system-access"], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/status`)).ok) break;
    } catch {
      await sleep(100);
    }
  }
  const created = await fetch(`${base}/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          "moz:firefoxOptions": { binary: firefox, args: ["-headless", `-width=${width}`, `-height=${height}`], prefs },
        },
      },
    }),
  }).then((r) => r.json());
  if (!created.value || !created.value.sessionId) {
    driver.kill();
    throw new Error(`no session: ${JSON.stringify(created)}`);
  }
  const session = created.value.sessionId;

  async function wd(method, path, body) {
    const response = await fetch(`${base}/session/${session}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }
  const run = (script, ...args) => wd("POST", "/execute/sync", { script, args });
  const find = async (css) => (await wd("POST", "/element", { using: "css selector", value: css }))[ELEMENT];
  async function waitFor(script, timeout = 15000, ...args) {
    const end = Date.now() + timeout;
    for (;;) {
      const value = await run(script, ...args);
      if (value) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${script}`);
      await sleep(100);
    }
  }

  /** The real mouse pointer, moved as WebDriver actions. */
  function pointer(moves) {
    return wd("POST", "/actions", {
      actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" }, actions: moves }],
    });
  }

  /** Rest the pointer on (x, y) of the current context, arriving from elsewhere as a hand would. */
  function restAt(x, y) {
    return pointer([
      { type: "pointerMove", x: Math.max(0, x - 25), y: y + 35, duration: 0 },
      { type: "pointerMove", x, y, duration: 100 },
      { type: "pause", duration: 500 },
    ]);
  }

  /** Rest the pointer on the first occurrence of `needle` in the page's text. */
  async function hover(needle) {
    const point = await run(`
      const needle = arguments[0];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(needle);
        if (at < 0) continue;
        node.parentElement.scrollIntoView({ block: "center" });
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + needle.length);
        const r = range.getClientRects()[0];
        return { x: Math.round(r.left + Math.min(r.width / 2, 40)), y: Math.round(r.top + r.height / 2) };
      }
      return null;`, needle);
    if (!point) throw new Error(`${needle} is not on the page`);
    await restAt(point.x, point.y);
  }

  /** Press and release `key` (a value of `KEY`). */
  function press(key) {
    return wd("POST", "/actions", {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: key }, { type: "keyUp", value: key }] }],
    });
  }

  /** The browser's page zoom (as Ctrl + does), from its own chrome. */
  async function zoomTo(level) {
    await wd("POST", "/moz/context", { context: "chrome" });
    try {
      await run("ZoomManager.setZoomForBrowser(gBrowser.selectedBrowser, arguments[0]);", level);
    } finally {
      await wd("POST", "/moz/context", { context: "content" });
    }
  }

  async function stop() {
    await wd("DELETE", "").catch(() => {});
    driver.kill();
  }

  return { wd, run, find, waitFor, pointer, restAt, hover, press, zoomTo, stop };
}
