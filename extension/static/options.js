import init, { start_options } from "./pkg/botlens_extension.js";
await init({ module_or_path: new URL("./pkg/botlens_extension_bg.wasm", import.meta.url) });
start_options();
