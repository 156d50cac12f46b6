// A single-page app that keeps adding rows: every 40 ms a row, some with a new
// bot ID, some with a recording ID (never reported), some without any; every
// fifth row also re-renders an older row's text in place. Stops after ROWS rows
// and sets window.__spaDone with the distinct reportable IDs it showed.
const ROWS = 120;
const feed = document.getElementById("feed");
const shown = new Set();
let n = 0;
function id(i, tag) {
  const hex = (i * 2654435761 % 4294967296).toString(16).padStart(8, "0");
  return `${hex}-${tag}-4${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${hex}${hex.slice(0, 4)}`;
}
const timer = setInterval(() => {
  const li = document.createElement("li");
  const at = new Date(Date.UTC(2025, 9, 2, 9, 0, n)).toISOString();
  if (n % 3 === 0) {
    const bot = id(n, "b0b0");
    shown.add(bot);
    li.textContent = `${at} bot_id=${bot} joined the call`;
  } else if (n % 3 === 1) {
    li.textContent = `${at} recording_id=${id(n, "eeee")} uploaded`;
  } else {
    li.textContent = `${at} heartbeat ok`;
  }
  feed.appendChild(li);
  if (n % 5 === 4) {
    // An in-place re-render of an older row (a framework updating a binding).
    const old = feed.children[Math.floor(n / 2)];
    if (old && old.firstChild) old.firstChild.data += " (seen)";
  }
  n++;
  if (n >= ROWS) {
    clearInterval(timer);
    window.__spaDone = [...shown];
  }
}, 40);
