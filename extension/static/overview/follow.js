// botlens overview, part 6 of 6: following the page (observer, prefs, the popup's list), and start.
//
// The overview is six content scripts, listed in this order in the manifest after
// hover.js and sensor.js. They share one isolated world, so the state and functions
// declared at the top of one are the others' too; only follow.js starts anything.
// (The whole design is described at the top of state.js.)
"use strict";

// ---- following the page ----

function ours(node) {
  return node.nodeName === "IFRAME" && typeof node.src === "string" && node.src.startsWith(ownFrames);
}

function observe() {
  if (observer) return;
  observer = new MutationObserver((records) => {
    let htmlSwitch = false;
    for (const r of records) {
      if (r.type === "childList") {
        for (const node of r.addedNodes) if (!ours(node)) enqueue(node);
        if (r.removedNodes.length) purge = true;
      } else if (r.type === "characterData") {
        enqueue(r.target);
      } else if (r.target === document.documentElement) {
        htmlSwitch = true;
      } else {
        // data-botlens changed: read from the parent, so that what an opted-out subtree
        // holds is seen and dropped (a skipped root is not read at all).
        enqueue(r.target.parentElement || r.target);
      }
    }
    if (htmlSwitch) return reconsider();
    if (roots.length || purge) {
      passDone = false;
      schedule();
    }
  });
  observer.observe(document.documentElement, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["data-botlens"],
  });
}

// Prefs or <html data-botlens> changed: start, stop, or switch the underlines.
function reconsider() {
  if (!active()) {
    const had = reported > 0;
    reset();
    reported = 0;
    if (had && !dead) chrome.runtime.sendMessage({ kind: "page_bots", count: 0, since: performance.timeOrigin }).catch(() => {});
    if (!dead && pageOff()) watchHtml(); // come back when the page opts in again
    return;
  }
  if (mode === "overview") {
    observe();
    fullPass();
  } else {
    // Hover only: no underlines, no badge, no observer; the popup still gets a list.
    const had = reported > 0;
    reset();
    reported = -1;
    if (had) chrome.runtime.sendMessage({ kind: "page_bots", count: 0, since: performance.timeOrigin }).catch(() => {});
  }
}

// While the whole page is opted out, only <html data-botlens> is watched.
function watchHtml() {
  if (observer) return;
  observer = new MutationObserver(() => {
    if (!pageOff()) {
      observer.disconnect();
      observer = null;
      reconsider();
    }
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-botlens"] });
}

function apply(items) {
  if ("sites_off" in items) siteOff = Array.isArray(items.sites_off) && items.sites_off.includes(site);
  if ("detection" in items) mode = items.detection === "overview" ? "overview" : "hover";
  reconsider();
}

// Started once per document.
if (!window.__botlensOverview) {
  window.__botlensOverview = true;
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

  // Only the extension's own pages ask: the popup (in no tab), or one of its pages opened
  // in a tab (Firefox then names the tab; the page's URL is still the extension's).
  const ownPage = (sender) => sender.id === chrome.runtime.id
    && (!sender.tab || (typeof sender.url === "string" && sender.url.startsWith(ownFrames)));

  /** Answer `message` through `reply`; true when the answer comes later. */
  function answer(message, reply) {
    if (message && message.kind === "mark_bots") {
      const wanted = Array.isArray(message.ids)
        ? message.ids.filter((id) => typeof id === "string" && id.length === 36 && hasUuid(id)).slice(0, 500)
        : [];
      reply({ marked: active() ? mark(new Set(wanted.map((id) => id.toLowerCase()))) : 0 });
      return false;
    }
    if (!message || message.kind !== "list_bots") return false;
    const off = !active();
    const send = () => reply({
      host: site,
      top: window === window.top,
      off,
      bots: off ? [] : [...ids].map(([id, { kind }]) => ({ id, kind })),
    });
    if (off) {
      send();
      return false;
    }
    // Overview mode keeps up with the page; hover mode reads it now.
    const ready = mode === "overview" && passDone ? Promise.resolve() : fullPass();
    ready.then(send, send);
    return true;
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) =>
    ownPage(sender) ? answer(message, sendResponse) : false);

  // Every frame of the tab at once (the popup's list and triage): a port reaches
  // them all. Each says hello first, so the asker knows how many lists to wait for.
  chrome.runtime.onConnect.addListener((port) => {
    if (port.name !== "botlens-frames" || !ownPage(port.sender)) return;
    port.postMessage({ hello: true });
    port.onMessage.addListener((message) => answer(message, (reply) => {
      try { port.postMessage(reply); } catch { /* the popup closed */ }
    }));
  });
}
