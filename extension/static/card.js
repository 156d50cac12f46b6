import init, { start_card } from "./pkg/botlens_extension.js";
await init({ module_or_path: new URL("./pkg/botlens_extension_bg.wasm", import.meta.url) });
start_card();
