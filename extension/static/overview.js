// botlens overview: the second content script (after sensor.js). It finds the
// bot IDs on the page with the Rust detection rules (run in the background),
// underlines them in "overview" mode, reports their number for the toolbar
// badge, and tells the popup which IDs the page holds. Like the sensor it
// holds no key, calls no API, renders no data and never changes the page's
// DOM (underlines use the CSS Custom Highlight API).
//
// Message protocol (keep it when replacing the internals):
// - to the background, chrome.runtime.sendMessage (content scripts may send only these two):
//   {kind: "classify", texts: [string]}  → {outcome: "classified", results: [[{id, kind, start, end}]]}
//       at most 200 texts of at most 8192 UTF-16 units each; results[i] are the reportable
//       IDs of texts[i] ("bot" or "candidate"), start/end in UTF-16 units. {outcome: "refused"}
//       when the batch is out of bounds.
//   {kind: "page_bots", count}            → {outcome: "done"}; sets the badge of this tab
//       (sent in overview mode only, after each full pass).
// - from the popup, chrome.tabs.sendMessage(tabId, …), answered only to the extension's pages:
//   {kind: "list_bots"} → {host, off, bots: [{id, kind}]}; scans first if the page was not scanned.
// Prefs read from chrome.storage.sync: sites_off (host names), detection ("hover" | "overview").
(() => {
  "use strict";
  if (window.__botlensOverview) return; // injected once per document
  window.__botlensOverview = true;

  const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
  const SKIP = "script,style,template,noscript,textarea,input,select,[contenteditable=''],[contenteditable=true],[data-botlens=off]";
  const MAX_TEXTS = 200; // per classify batch (the background refuses more)
  const MAX_LEN = 8192; // per text
  const OVERLAP = 64; // long texts are cut into pieces that overlap by this much
  const MAX_NODES = 20000; // a page with more ID-bearing nodes is only partly scanned

  const site = location.hostname.toLowerCase().replace(/\.$/, "");
  let off = true;
  let mode = "hover";
  let ids = new Map(); // id → "bot" | "candidate"
  let scanning = null; // the pass under way
  let scanned = false;

  const idle = window.requestIdleCallback
    ? (f) => window.requestIdleCallback(f, { timeout: 500 })
    : (f) => setTimeout(() => f({ timeRemaining: () => 8 }), 1);

  // Text pieces that may hold an ID, with where each came from.
  function collect() {
    return new Promise((resolve) => {
      const pieces = [];
      if (!document.body) return resolve(pieces);
      // An element to skip is rejected with its whole subtree.
      const filter = (node) =>
        node.nodeType === Node.ELEMENT_NODE && node.matches(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, filter);
      const step = (deadline) => {
        let node;
        while (deadline.timeRemaining() > 1 && (node = walker.nextNode())) {
          if (node.nodeType === Node.ELEMENT_NODE) {
            const href = node.tagName === "A" && node.getAttribute("href");
            if (href && UUID.test(href)) pieces.push({ text: href.slice(0, MAX_LEN) });
            continue;
          }
          const data = node.data;
          if (data.length < 36 || !UUID.test(data)) continue;
          for (let at = 0; at < data.length; at += MAX_LEN - OVERLAP) {
            pieces.push({ node, at, text: data.slice(at, at + MAX_LEN) });
            if (at + MAX_LEN >= data.length) break;
          }
          if (pieces.length > MAX_NODES) return resolve(pieces);
        }
        if (node) idle(step);
        else resolve(pieces);
      };
      idle(step);
    });
  }

  async function classify(pieces) {
    const found = new Map();
    const ranges = [];
    for (let i = 0; i < pieces.length; i += MAX_TEXTS) {
      const batch = pieces.slice(i, i + MAX_TEXTS);
      let reply;
      try {
        reply = await chrome.runtime.sendMessage({ kind: "classify", texts: batch.map((p) => p.text) });
      } catch {
        return { found, ranges }; // the extension was reloaded or updated
      }
      if (!reply || reply.outcome !== "classified" || !Array.isArray(reply.results)) continue;
      reply.results.forEach((matches, j) => {
        const piece = batch[j];
        for (const m of matches || []) {
          if (found.get(m.id) !== "bot") found.set(m.id, m.kind);
          if (piece && piece.node) {
            try {
              const range = new Range();
              range.setStart(piece.node, piece.at + m.start);
              range.setEnd(piece.node, piece.at + m.end);
              ranges.push(range);
            } catch {
              // The text changed meanwhile.
            }
          }
        }
      });
    }
    return { found, ranges };
  }

  function underline(ranges) {
    if (typeof CSS === "undefined" || !CSS.highlights || typeof Highlight === "undefined") return;
    if (mode === "overview" && !off && ranges.length) CSS.highlights.set("botlens", new Highlight(...ranges));
    else CSS.highlights.delete("botlens");
  }

  function scan() {
    if (scanning) return scanning;
    scanning = (async () => {
      const { found, ranges } = await classify(await collect());
      ids = found;
      scanned = true;
      underline(ranges);
      if (mode === "overview" && !off) {
        chrome.runtime.sendMessage({ kind: "page_bots", count: ids.size }).catch(() => {});
      }
    })().finally(() => { scanning = null; });
    return scanning;
  }

  function apply(items) {
    if ("sites_off" in items) {
      off = (Array.isArray(items.sites_off) && items.sites_off.includes(site)) || document.documentElement.dataset.botlens === "off";
    }
    if ("detection" in items) mode = items.detection === "overview" ? "overview" : "hover";
    if (off) {
      underline([]);
      chrome.runtime.sendMessage({ kind: "page_bots", count: 0 }).catch(() => {});
    } else if (mode === "overview") {
      scan();
    } else {
      underline([]);
    }
  }

  chrome.storage.sync.get(["sites_off", "detection"]).then(
    (items) => apply({ sites_off: items.sites_off || [], detection: items.detection || "hover" }),
    () => apply({ sites_off: [], detection: "hover" }),
  );
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "sync" || !(changes.sites_off || changes.detection)) return;
    const items = {};
    if (changes.sites_off) items.sites_off = changes.sites_off.newValue || [];
    if (changes.detection) items.detection = changes.detection.newValue || "hover";
    apply(items);
  });

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only the extension's own pages (the popup) ask; they are not in a tab.
    if (sender.id !== chrome.runtime.id || sender.tab) return false;
    if (!message || message.kind !== "list_bots") return false;
    const answer = () => sendResponse({
      host: site,
      off,
      bots: off ? [] : [...ids].map(([id, kind]) => ({ id, kind })),
    });
    if (off || scanned) {
      answer();
      return false;
    }
    scan().then(answer, answer);
    return true; // answered asynchronously
  });
})();
