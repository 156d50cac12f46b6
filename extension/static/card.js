// The sensor hands over its end of a MessageChannel as soon as the frame
// loads, which may be before the wasm is ready: catch it first.
import init, { start_card } from "./pkg/botlens_card.js";

const sensorPort = new Promise((resolve) => {
  addEventListener("message", function offer(event) {
    if (event.data && event.data.botlens === "init" && event.ports[0]) {
      removeEventListener("message", offer); // one sensor per frame; later offers are ignored
      resolve(event.ports[0]);
    }
  });
});
await init({ module_or_path: new URL("./pkg/botlens_card_bg.wasm", import.meta.url) });
start_card(await sensorPort);
