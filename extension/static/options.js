import init, { start_options } from "./pkg/botlens_pages.js";
await init({ module_or_path: new URL("./pkg/botlens_pages_bg.wasm", import.meta.url) });
start_options();
