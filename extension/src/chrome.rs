//! The few WebExtension APIs botlens uses. The `chrome` namespace works in
//! Chromium and in Firefox (MV3), and both return promises.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    fn storage_local_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    fn storage_local_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
    fn runtime_send_message(message: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Plain JSON-like values: `None` becomes `null` (so it clears a stored item), maps become objects.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

/// Everything a `chrome.*` call can fail with, as text for the UI.
fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused the call".into())
}

/// Read items from `storage.local` into a struct (missing items become defaults via serde).
pub async fn storage_get<T: DeserializeOwned>() -> Result<T, String> {
    let value = JsFuture::from(storage_local_get(&JsValue::NULL).map_err(describe)?)
        .await
        .map_err(describe)?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Write the fields of a struct as items of `storage.local`.
pub async fn storage_set<T: Serialize>(items: &T) -> Result<(), String> {
    let value = to_js(items)?;
    JsFuture::from(storage_local_set(&value).map_err(describe)?)
        .await
        .map(drop)
        .map_err(describe)
}

/// Send a message to the background worker and wait for its reply.
pub async fn send_message<Q: Serialize, A: DeserializeOwned>(message: &Q) -> Result<A, String> {
    let value = to_js(message)?;
    let reply = JsFuture::from(runtime_send_message(&value).map_err(describe)?)
        .await
        .map_err(describe)?;
    serde_wasm_bindgen::from_value(reply).map_err(|e| e.to_string())
}
