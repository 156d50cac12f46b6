import init, { start_popup } from "./pkg/botlens_pages.js";
await init({ module_or_path: new URL("./pkg/botlens_pages_bg.wasm", import.meta.url) });
start_popup();
