// Loaded first by the overview test pages: records, from the page's own world,
// every DOM mutation and every long task, so a test can show that botlens
// changed nothing in the page and never held the main thread for 50 ms.
window.__mutations = [];
window.__longTasks = [];
// From DOMContentLoaded on: the parser's own insertions before that are not changes.
const recorder = new MutationObserver((records) => {
  for (const r of records) {
    window.__mutations.push({
      type: r.type,
      target: r.target.nodeName,
      added: [...r.addedNodes].map((n) => (n.nodeName === "IFRAME" ? `IFRAME ${n.src.split(":")[0]}` : n.nodeName)),
      removed: [...r.removedNodes].map((n) => n.nodeName),
      attribute: r.attributeName,
    });
  }
});
document.addEventListener("DOMContentLoaded", () => {
  recorder.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
});
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: "longtask", buffered: true });
} catch {
  window.__longTasks = null; // not supported
}
