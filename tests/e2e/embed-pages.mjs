// The embed's host pages and the bots they show, for its Chromium and Firefox tests.

export const HEALTHY = "600dca11-0001-4b07-8000-000000000001"; // us-west-2
export const LOBBY = "10bbee00-0002-4b07-8000-000000000002"; // us-west-2, waiting room
export const DENIED = "dec11ed0-0003-4b07-8000-000000000003"; // us-east-1
export const SIGN_IN = "10c4ed00-0006-4b07-8000-000000000006"; // us-east-1, fatal
export const RECORDING = "9a1f1c55-7e0b-4c3e-9d51-1b2c3d4e5f60"; // a recording ID: no card

const hostile = `<style>p{color:red!important} .botlens-card{display:none!important} div{font-size:40px!important}</style>`;

/** The host pages, each naming the proxy at `proxy` (pages of another origin than it). */
export function pages(proxy) {
  const embed = `${proxy}/embed`;
  return {
    "script-tag.html": `<!doctype html><html><head><meta charset="utf-8"><title>admin</title>${hostile}
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><h1>Bots</h1>
<table><tr><th>Bot ID</th><th>Recording ID</th></tr>
<tr><td>bot_id: ${HEALTHY}</td><td>recording_id: ${RECORDING}</td></tr>
<tr><td>bot_id: ${SIGN_IN}</td><td></td></tr></table>
<p><a href="https://example.test/bots/${DENIED}">open the Initech bot</a></p>
</body></html>`,
    "element.html": `<!doctype html><html><head><meta charset="utf-8"><title>ticket</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body><p>Ticket #1</p><botlens-card id="card" bot-id="${LOBBY}"></botlens-card></body></html>`,
    "module.html": `<!doctype html><html><head><meta charset="utf-8"><title>spa</title>${hostile}</head>
<body><div id="app"><p>SPA</p><div id="slot"></div></div>
<script type="module">
  import { mount } from "${embed}/botlens.mjs";
  window.handle = await mount("#slot", ${JSON.stringify(SIGN_IN)}, { apiBase: ${JSON.stringify(proxy)} });
  window.mounted = true;
</script></body></html>`,
    // Placement: IDs at the bottom and right edges (fixed), one in a tall page, one in a scrolling
    // pane. A long close delay: only Escape or a hidden anchor close the card during the test.
    "placement.html": `<!doctype html><html><head><meta charset="utf-8"><title>placement</title>
<style>body{margin:0;height:3000px;font:14px/1.4 sans-serif} p{margin:0;white-space:nowrap}
#bottom{position:fixed;left:20px;bottom:4px} #right{position:fixed;right:4px;top:40px}
#tall{position:absolute;left:40px;top:1300px}
#pane{position:absolute;left:40px;top:2200px;width:600px;height:240px;overflow:auto;border:1px solid #999}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" data-close-ms="60000" defer></script></head>
<body><p id="bottom">bot_id: ${HEALTHY}</p><p id="right">bot_id: ${SIGN_IN}</p>
<p id="tall">bot_id: ${DENIED}</p>
<div id="pane"><div style="height:1200px;padding-top:60px"><p>bot_id: ${LOBBY}</p></div></div></body></html>`,
    // The same reach as the extension's sensor (one hover layer): an open shadow root, an ID
    // split by a search highlight, a read-only field.
    "reach.html": `<!doctype html><html><head><meta charset="utf-8"><title>reach</title>
<style>body{font:14px sans-serif;margin:40px} input{font:14px monospace;width:480px}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><acme-row></acme-row>
<p>bot_id ${SIGN_IN.slice(0, 9)}<mark id="mark">${SIGN_IN.slice(9, 13)}</mark>${SIGN_IN.slice(13)}</p>
<p><label for="ro">Bot ID</label> <input id="ro" readonly value="${LOBBY}"></p>
<script>customElements.define("acme-row", class extends HTMLElement { connectedCallback() {
  this.attachShadow({ mode: "open" }).innerHTML = '<p>bot <code id="in-shadow">${HEALTHY}</code></p>'; } });</script>
</body></html>`,
    // The full view in an internal tool: <botlens-card view="full">.
    "full.html": `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>bot page</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body style="margin:8px"><botlens-card view="full" bot-id="${LOBBY}"></botlens-card></body></html>`,
    // A narrow window: the ID sits below the middle, with more room above it than below.
    "narrow.html": `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>narrow</title><style>body{margin:0;font:14px/1.4 sans-serif} p{margin:0}</style>
<script src="${embed}/botlens.js" data-api-base="${proxy}" data-close-ms="60000" defer></script></head>
<body><p style="position:absolute;top:440px;left:8px">bot ${LOBBY}</p></body></html>`,
    "strict-csp.html": `<!doctype html><html><head><meta charset="utf-8"><title>strict</title>
<script src="${embed}/botlens.js" data-api-base="${proxy}" defer></script></head>
<body><p>bot_id: ${HEALTHY}</p><botlens-card bot-id="${LOBBY}" api-base="${proxy}"></botlens-card>
<botlens-triage bot-ids="${HEALTHY} ${LOBBY}" api-base="${proxy}"></botlens-triage></body></html>`,
    "triage.html": `<!doctype html><html><head><meta charset="utf-8"><title>on-call</title>${hostile}
<script>window.botlensConfig = { apiBase: ${JSON.stringify(proxy)}, hover: false };</script>
<script type="module" src="${embed}/botlens.mjs"></script></head>
<body><h1>Failed this morning</h1>
<botlens-triage bot-ids="${HEALTHY}, ${LOBBY} ${DENIED} ${SIGN_IN} ${RECORDING} not-an-id"></botlens-triage></body></html>`,
  };
}

/** The headers of page `name`: the strict-CSP page forbids wasm and allows only the proxy. */
export function pageHeaders(proxy, name) {
  return name.includes("strict-csp")
    ? { "content-security-policy": `default-src 'self'; script-src 'self' ${proxy}; frame-src ${proxy}; style-src 'self'; connect-src 'self'` }
    : {};
}
