// A page of over 100,000 elements, more than the overview queries in one go: a flat log of
// ROWS rows (one root far too large, read child by child) with a bot ID in every 40th row,
// then a nested section whose IDs sit deep in <div>s and in links' href only. Built before
// the content scripts run; window.__hugeIds lists every ID in document order.
const ROWS = 40000;
function id(i) {
  const hex = ((i + 7) * 2654435761 % 4294967296).toString(16).padStart(8, "0");
  return `${hex}-2e9a-4${hex.slice(0, 3)}-9${hex.slice(3, 6)}-${String(i).padStart(12, "0")}`;
}
const ids = [];
const rows = [];
for (let i = 0; i < ROWS; i++) {
  let msg = "heartbeat ok, queue depth 3";
  if (i % 40 === 0) {
    ids.push(id(i));
    msg = `bot_id=${id(i)} joined the call`;
  }
  rows.push(`<div><span>09:00:${String(i % 60).padStart(2, "0")}</span> <b>INFO</b> ${msg}</div>`);
}
document.getElementById("log").innerHTML = rows.join("");
const deep = [];
for (let i = ROWS; i < ROWS + 20; i++) {
  ids.push(id(i));
  deep.push(i % 2
    ? `<div><div><div><p>status changed for bot ${id(i)}</p></div></div></div>`
    : `<div><div><a href="https://app.example.com/bot/${id(i)}/">open the bot</a></div></div>`);
}
document.getElementById("deep").innerHTML = deep.join("");
window.__hugeIds = ids;
