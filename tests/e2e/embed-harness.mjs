// Helpers of the embed and proxy end-to-end tests: the botlens proxy as its
// own process, host pages written on the fly, plain headless Chromium.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { root, sleep } from "./harness.mjs";

const bin = process.env.BOTLENS_BIN || join(root, "target/debug/botlens");
export const embedDir = process.env.BOTLENS_EMBED || join(root, "dist/embed");

/** `botlens serve --proxy` in front of the simulator; resolves once it prints its URL. */
export async function startProxy(sim, { key = "demo", origins = [], args = [], env = {} } = {}) {
  const argv = [
    "serve", "--proxy", "--addr", "127.0.0.1:0", "--upstream", sim.host, "--embed", embedDir,
    ...origins.flatMap((o) => ["--allow-origin", o]), ...args,
  ];
  const child = spawn(bin, argv, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RECALL_API_KEY: key, RUST_LOG: "info", ...env },
  });
  let out = "";
  let log = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  let port = 0;
  for (let i = 0; i < 100 && !port; i++) {
    const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) port = Number(m[1]);
    else if (child.exitCode !== null) throw new Error(`proxy exited: ${log}`);
    else await sleep(50);
  }
  if (!port) throw new Error(`proxy did not start: ${out} ${log}`);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log: () => out + log,
    stop: async () => {
      child.kill("SIGINT");
      await Promise.race([exited, sleep(3000)]);
    },
  };
}

/**
 * Serve host pages on 127.0.0.1: `pages()` is called per request and returns
 * {name: html}, so pages can name a proxy started after the server.
 */
export async function hostPages(pages, headers = () => ({})) {
  const server = createServer((req, res) => {
    const name = new URL(req.url, "http://x").pathname.replace(/^\//, "");
    const html = pages()[name];
    if (html === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found");
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers(name) });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** Plain headless Chromium (no extension: the embed needs none). */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
  return browser;
}

/** A settled card (not loading) for `id`, anywhere in the page including open shadow roots. */
export async function settledCard(frameOrPage, id, timeout = 15000) {
  const card = await frameOrPage.waitForSelector(
    `.botlens-card[data-bot-id="${id}"]:not([data-state="loading"])`,
    { state: "attached", timeout },
  );
  return {
    state: await card.getAttribute("data-state"),
    verdict: await card.getAttribute("data-verdict"),
    reason: await card.getAttribute("data-reason"),
    status: await card.getAttribute("data-status"),
    error: await card.getAttribute("data-error"),
    handle: card,
  };
}
