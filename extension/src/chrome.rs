//! The few WebExtension APIs botlens uses. The `chrome` namespace works in
//! Chromium and in Firefox (MV3), and both return promises.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    fn storage_local_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = set, catch)]
    fn storage_local_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "sync"], js_name = get, catch)]
    fn storage_sync_get_raw(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "sync"], js_name = set, catch)]
    fn storage_sync_set_raw(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = get, catch)]
    fn storage_session_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = set, catch)]
    fn storage_session_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "session"], js_name = remove, catch)]
    fn storage_session_remove(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
    fn runtime_send_message(message: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    fn runtime_get_url(path: &str) -> String;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = openOptionsPage, catch)]
    fn runtime_open_options_page() -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeText, catch)]
    fn action_set_badge_text(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor, catch)]
    fn action_set_badge_background_color(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = query, catch)]
    fn tabs_query(query: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = sendMessage, catch)]
    fn tabs_send_message(tab_id: i32, message: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "tabs"], js_name = create, catch)]
    fn tabs_create(properties: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "permissions"], js_name = request, catch)]
    fn permissions_request(permissions: &JsValue) -> Result<js_sys::Promise, JsValue>;
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

/// One item of `storage.session` (the worker's: content scripts cannot read it).
pub async fn session_get(key: &str) -> Result<JsValue, String> {
    let items = call(storage_session_get(&JsValue::from_str(key))).await?;
    Ok(js_sys::Reflect::get(&items, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
}

/// Every item of `storage.session`, as (key, value) pairs.
pub async fn session_items() -> Result<Vec<(String, JsValue)>, String> {
    let items = call(storage_session_get(&JsValue::NULL)).await?;
    let object = items
        .dyn_into::<js_sys::Object>()
        .map_err(|_| "storage.session answered no object".to_string())?;
    Ok(js_sys::Object::entries(&object)
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect())
}

/// Remove items of `storage.session`.
pub async fn session_remove(keys: &[String]) -> Result<(), String> {
    if keys.is_empty() {
        return Ok(());
    }
    let list: js_sys::Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    call(storage_session_remove(&list)).await.map(drop)
}

/// Write one item of `storage.session`.
pub async fn session_set(key: &str, value: &JsValue) -> Result<(), String> {
    let items = js_sys::Object::new();
    js_sys::Reflect::set(&items, &JsValue::from_str(key), value)
        .map_err(|_| "the browser refused the value".to_string())?;
    call(storage_session_set(&items)).await.map(drop)
}

/// Read the non-secret preferences from `storage.sync` (content scripts read them too).
pub async fn storage_sync_get<T: DeserializeOwned>() -> Result<T, String> {
    from_js(storage_sync_items().await?)
}

/// All of `storage.sync` as a plain object.
pub async fn storage_sync_items() -> Result<JsValue, String> {
    call(storage_sync_get_raw(&JsValue::NULL)).await
}

/// Write the fields of a struct as items of `storage.local`.
pub async fn storage_set<T: Serialize>(items: &T) -> Result<(), String> {
    let value = to_js(items)?;
    JsFuture::from(storage_local_set(&value).map_err(describe)?)
        .await
        .map(drop)
        .map_err(describe)
}

async fn call(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    JsFuture::from(promise.map_err(describe)?)
        .await
        .map_err(describe)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Write the fields of a struct as items of `storage.sync` (non-secret prefs only).
pub async fn storage_sync_set<T: Serialize>(items: &T) -> Result<(), String> {
    call(storage_sync_set_raw(&to_js(items)?)).await.map(drop)
}

/// The URL of one of the extension's files.
pub fn extension_url(path: &str) -> String {
    runtime_get_url(path)
}

pub async fn open_options() -> Result<(), String> {
    call(runtime_open_options_page()).await.map(drop)
}

/// Set the toolbar badge of one tab (empty text hides it).
pub async fn set_badge(tab_id: i32, text: &str) -> Result<(), String> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Text<'a> {
        tab_id: i32,
        text: &'a str,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Color<'a> {
        tab_id: i32,
        color: &'a str,
    }
    let color = Color {
        tab_id,
        color: "#3b5bdb",
    };
    call(action_set_badge_background_color(&to_js(&color)?)).await?;
    call(action_set_badge_text(&to_js(&Text { tab_id, text })?))
        .await
        .map(drop)
}

/// The active tab of the current window: its ID, if any.
pub async fn active_tab() -> Option<i32> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Query {
        active: bool,
        current_window: bool,
    }
    #[derive(serde::Deserialize)]
    struct Tab {
        id: Option<i32>,
    }
    let query = to_js(&Query {
        active: true,
        current_window: true,
    })
    .ok()?;
    let tabs: Vec<Tab> = from_js(call(tabs_query(&query)).await.ok()?).ok()?;
    tabs.first().and_then(|t| t.id)
}

#[wasm_bindgen(inline_js = r#"
export function ask_frames(tabId, message, maxMs) {
  return new Promise((resolve) => {
    const replies = [];
    let frames = 0;
    let port = null;
    const done = () => { clearTimeout(timer); try { port.disconnect(); } catch {} resolve(replies); };
    const timer = setTimeout(done, maxMs);
    try {
      port = chrome.tabs.connect(tabId, { name: "botlens-frames" });
    } catch {
      return done();
    }
    port.onMessage.addListener((m) => {
      if (m && m.hello) frames += 1;
      else replies.push(m);
      if (frames > 0 && replies.length >= frames) setTimeout(() => replies.length >= frames && done(), 50);
    });
    port.onDisconnect.addListener(done);
    port.postMessage(message);
  });
}
"#)]
extern "C" {
    /// Every frame of a tab: a port to all of them; each says hello, then answers.
    fn ask_frames(tab_id: i32, message: &JsValue, max_ms: u32) -> js_sys::Promise;
}

/// Ask every frame of a tab and gather their answers (those that came within `max_ms`).
pub async fn ask_every_frame<Q: Serialize, A: DeserializeOwned>(
    tab_id: i32,
    message: &Q,
    max_ms: u32,
) -> Result<Vec<A>, String> {
    let replies = JsFuture::from(ask_frames(tab_id, &to_js(message)?, max_ms))
        .await
        .map_err(describe)?;
    let replies: Vec<JsValue> = js_sys::Array::from(&replies).iter().collect();
    Ok(replies
        .iter()
        .filter_map(|r| from_js(r.clone()).ok())
        .collect())
}

/// Ask the content script of a tab something and wait for its answer.
pub async fn ask_tab<Q: Serialize, A: DeserializeOwned>(
    tab_id: i32,
    message: &Q,
) -> Result<A, String> {
    from_js(call(tabs_send_message(tab_id, &to_js(message)?)).await?)
}

/// Send a message to every frame of a tab, not waiting for an answer.
pub async fn tell_tab(tab_id: i32, message: &JsValue) -> Result<(), String> {
    call(tabs_send_message(tab_id, message)).await.map(drop)
}

/// Open a URL (one of the extension's pages) in a new tab.
pub async fn open_tab(url: &str) -> Result<(), String> {
    #[derive(Serialize)]
    struct Create<'a> {
        url: &'a str,
    }
    call(tabs_create(&to_js(&Create { url })?)).await.map(drop)
}

/// Ask the user for access to one origin; `true` when granted. The request is
/// made at once, so call this inside the click handler (browsers require a
/// user gesture) and await the result afterwards.
pub fn request_origin(
    origin_pattern: &str,
) -> impl std::future::Future<Output = Result<bool, String>> {
    #[derive(Serialize)]
    struct Permissions<'a> {
        origins: [&'a str; 1],
    }
    let promise = to_js(&Permissions {
        origins: [origin_pattern],
    })
    .map(|value| permissions_request(&value));
    async move {
        let granted = call(promise?).await?;
        Ok(granted.as_bool().unwrap_or(false))
    }
}

/// Send a message to the background worker and wait for its reply.
pub async fn send_message<Q: Serialize, A: DeserializeOwned>(message: &Q) -> Result<A, String> {
    from_js(call(runtime_send_message(&to_js(message)?)).await?)
}

/// The same, with the card frame's token beside the message (the worker
/// checks it and takes it off before reading the message). The card
/// frame builds and reads its plain objects itself (`wire.rs`: size).
pub async fn send_message_from_frame(
    message: &JsValue,
    frame_token: &str,
) -> Result<JsValue, String> {
    js_sys::Reflect::set(message, &"frame_token".into(), &frame_token.into())
        .map_err(|_| "the message is not an object".to_string())?;
    call(runtime_send_message(message)).await
}
