// botlens embed, script-tag form:
//   <script src="https://botlens-proxy.example/embed/botlens.js" data-api-base="https://botlens-proxy.example" defer></script>
// A classic script (so `defer` and `async` work and old pages need no type="module"):
// it captures its own URL and attributes synchronously, then imports botlens.mjs
// next to it, which does the work. SPAs import botlens.mjs directly (docs/embed.md).
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src || window.__botlensLoader) return;
  window.__botlensLoader = true;
  window.__botlensScript = script; // botlens.mjs reads its configuration before anything renders
  const module = new URL("botlens.mjs", script.src).href;
  import(module)
    .then((botlens) => botlens.start())
    .catch((error) => console.error("botlens: the embed did not start:", error));
})();
