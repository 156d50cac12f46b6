// A long log page: LINES lines, each with its own bot ID (bot_id=…), then a scrolling pane
// of PANE_LINES more. Built before the content scripts run (a parser-blocking script), so
// the page is whole when the overview reads it. window.__longIds lists the IDs in order.
const LINES = 1500;
const PANE_LINES = 400;
function id(i) {
  const hex = (i * 2654435761 % 4294967296).toString(16).padStart(8, "0");
  return `${hex}-1009-4${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${String(i).padStart(12, "0")}`;
}
const ids = [];
function lines(parent, from, count) {
  const html = [];
  for (let i = from; i < from + count; i++) {
    ids.push(id(i));
    html.push(`<div>2025-10-02 09:00:${String(i % 60).padStart(2, "0")} INFO bot_id=${id(i)} status changed</div>`);
  }
  parent.innerHTML = html.join("");
}
lines(document.getElementById("log"), 0, LINES);
lines(document.getElementById("pane"), LINES, PANE_LINES);
window.__longIds = ids;
