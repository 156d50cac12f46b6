// The sensor hands over its end of a MessageChannel as soon as the frame
// loads, which may be before the wasm is ready: catch it first.
import init, { start_card } from "./pkg/botlens_card.js";

const offer = new Promise((resolve) => {
  addEventListener("message", function onOffer(event) {
    if (event.data && event.data.botlens === "init" && typeof event.data.token === "string" && event.ports[0]) {
      removeEventListener("message", onOffer); // one sensor per frame; later offers are ignored
      resolve({ port: event.ports[0], token: event.data.token });
    }
  });
});
await init({ module_or_path: new URL("./pkg/botlens_card_bg.wasm", import.meta.url) });
const { port, token } = await offer;
start_card(port, token);
