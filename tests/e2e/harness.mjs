// Shared harness of the browser end-to-end tests: the simulator, a page
// server, Chromium with the extension loaded, and hovering like a person.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
export const root = normalize(join(here, "../.."));
export const artifacts = join(root, "tests/e2e/artifacts");
const bin = process.env.BOTLENS_BIN || join(root, "target/debug/botlens");
const extension = process.env.BOTLENS_EXTENSION || join(root, "target/botlens/extension-test");

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Start `botlens serve --demo` on a free loopback port; resolves once it answers. */
export async function startSimulator(extraArgs = []) {
  const port = await freePort();
  const child = spawn(bin, ["serve", "--demo", "--addr", `127.0.0.1:${port}`, ...extraArgs], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/bot/00000000-0000-4000-8000-000000000000/`);
      if (r.status > 0) break;
    } catch {
      if (child.exitCode !== null) throw new Error(`simulator exited: ${log}`);
      await sleep(100);
    }
  }
  return {
    port,
    host: `http://{region}.localhost:${port}`,
    log: () => log,
    stop: async () => {
      child.kill("SIGINT");
      await Promise.race([exited, sleep(3000)]);
    },
  };
}

/** Serve files from `dir` on 127.0.0.1; `headers(path)` may add headers such as a CSP. */
export async function servePages(dir, headers = () => ({})) {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".txt": "text/plain; charset=utf-8" };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    let file = join(dir, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      const body = readFileSync(file);
      res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream", ...headers(path) });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** Chromium, headless, with the unpacked test build of the extension loaded. */
export async function launchWithExtension(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), "botlens-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1200, height: 800 },
    ...options,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
      `--disable-extensions-except=${extension}`, `--load-extension=${extension}`,
    ],
  });
  const worker = context.serviceWorkers()[0] || (await context.waitForEvent("serviceworker"));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    origin: `chrome-extension://${extensionId}`,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Set the key and the Recall host through the options page, as a user would. */
export async function configure(browser, { key, host }) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.origin}/options.html`);
  await page.fill("#api-key", key);
  await page.fill("#host-template", host);
  await page.click("#save");
  await page.waitForSelector("#saved", { state: "attached" });
  await page.close();
}

/** Is `frame` botlens's card? Its URL may be per-session (use_dynamic_url), so by path. */
export const isCard = (frame) => /^(chrome|moz)-extension:\/\/[^/]+\/card\.html/.test(frame.url());

/**
 * The card frame in `page`, once the sensor has created it. The page cannot
 * see it (a closed shadow root); the browser's own frame tree can.
 */
export async function cardFrame(page) {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find(isCard);
    if (frame) return frame;
    await sleep(50);
  }
  throw new Error("the card frame never appeared");
}

/** Is the card showing? The frame is zero-sized while hidden; asked from inside it. */
export async function cardShown(page) {
  const frame = page.frames().find(isCard);
  return Boolean(frame) && frame.evaluate(() => innerWidth > 0 && innerHeight > 0).catch(() => false);
}

/** Where the card frame is on the screen (for screenshots). */
export async function cardBox(page) {
  return (await (await cardFrame(page)).frameElement()).boundingBox();
}

/** Rest the real mouse pointer on the first occurrence of `text` in the page. */
export async function hoverText(page, text) {
  const point = await page.evaluate((needle) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(needle);
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      range.startContainer.parentElement.scrollIntoView({ block: "center" });
      const r = range.getClientRects()[0];
      return r && { x: r.left + Math.min(r.width / 2, 40), y: r.top + r.height / 2 };
    }
    return null;
  }, text);
  if (!point) throw new Error(`text ${text} not on the page`);
  await page.mouse.move(point.x - 30, point.y + 40); // arrive from elsewhere, like a hand would
  await page.mouse.move(point.x, point.y, { steps: 4 });
  return point;
}

/** Hover a bot ID and read the card's DOM contract once it has settled. */
export async function hoverAndRead(page, origin, id, timeout = 10000) {
  await hoverText(page, id);
  const frame = await cardFrame(page);
  const card = await frame.waitForSelector(
    `.botlens-card[data-bot-id="${id.toLowerCase()}"]:not([data-state="loading"])`,
    { state: "attached", timeout },
  );
  // The card takes clicks once the browser has seen it whole (card.js).
  await frame.waitForSelector('html[data-seen="true"]', { state: "attached", timeout });
  const read = (name) => card.getAttribute(name);
  return {
    id: id.toLowerCase(),
    state: await read("data-state"),
    verdict: await read("data-verdict"),
    reason: await read("data-reason"),
    status: await read("data-status"),
    error: await read("data-error"),
    text: (await card.innerText()).replace(/\s+/g, " ").trim(),
  };
}

/** Move the pointer away and wait for the frame to hide. */
export async function moveAway(page) {
  await page.mouse.move(5, 5, { steps: 3 });
  for (let i = 0; i < 200 && (await cardShown(page)); i++) await sleep(50);
  if (await cardShown(page)) throw new Error("the card did not close");
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A port free on loopback now. */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
