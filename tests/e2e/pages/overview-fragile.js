// A tiny "framework" that keeps references to the text nodes it rendered and
// updates them in place, like a virtual DOM does. If anything else replaces,
// splits, wraps or edits one of its nodes, it breaks: it says BROKEN in the
// page and records why in window.__broken.
const app = document.getElementById("app");
const ids = [
  "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f",
  "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e",
  "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74",
];
const rows = ids.map((id, i) => {
  const div = document.createElement("div");
  const label = document.createTextNode(`row ${i}: `);
  const value = document.createTextNode(`bot_id=${id} status=done`);
  div.append(label, value);
  app.appendChild(div);
  return { div, label, value, text: value.data };
});
window.__broken = null;
window.__renders = 0;
function check() {
  for (const [i, r] of rows.entries()) {
    const ok = r.div.isConnected && r.div.childNodes.length === 2 && r.div.firstChild === r.label &&
      r.div.lastChild === r.value && r.value.parentNode === r.div && r.value.data === r.text &&
      r.div.children.length === 0;
    if (!ok && !window.__broken) {
      window.__broken = `row ${i} was changed by someone else`;
      document.getElementById("state").textContent = "BROKEN";
    }
  }
}
// Re-render in place every 150 ms; after a few renders the last row shows a new bot.
let tick = 0;
const timer = setInterval(() => {
  check();
  tick++;
  const r = tick === 6 ? rows[2] : rows[tick % rows.length];
  if (tick === 6) r.text = "bot_id=c3d5e7f9-2a4b-4c6d-8e0f-1a2b3c4d5e6f status=joining";
  r.value.data = r.text;
  window.__renders = tick;
  check();
  if (tick >= 20) clearInterval(timer);
}, 150);
