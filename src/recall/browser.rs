//! The browser's side of a look-up: `fetch` with a time limit, and the
//! clock. The extension's worker and the embed both bring these to
//! [`super::lookup`]; nothing here reads a key or a token, it only sends the
//! [`Credential`] it is given.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::{origin, Credential, HttpReply, Transport};
use super::error::ApiError;
use super::retry::{Clock, TIMEOUT_DETAIL};

/// Per-request time limit ([`TIMEOUT_DETAIL`] says it to the user).
const TIMEOUT_MS: i32 = 10_000;

#[wasm_bindgen]
extern "C" {
    // Global in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// The browser's clock; never `SystemTime`, which panics on wasm32.
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    async fn sleep(&self, ms: u32) {
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// `fetch`, aborted after [`TIMEOUT_MS`]. The credential travels in its
/// header only. (The extension's worker has host permissions, so Recall's
/// answers are not subject to CORS there; the embed's page asks its proxy.)
pub struct BrowserFetch;

impl Transport for BrowserFetch {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        let unreachable = |detail: String| ApiError::Unreachable {
            // A relative URL: the embed asks the proxy on its own page's origin.
            host: match origin(url) {
                "" => "this page's origin".to_string(),
                host => host.to_string(),
            },
            detail,
        };
        let controller = web_sys::AbortController::new().ok();
        let timer = controller.as_ref().map(|c| {
            let c = c.clone();
            let abort = Closure::once_into_js(move || c.abort());
            set_timeout(abort.unchecked_ref(), TIMEOUT_MS)
        });
        let mut request = gloo_net::http::Request::get(url)
            .header("Accept", "application/json")
            .abort_signal(controller.as_ref().map(|c| c.signal()).as_ref());
        if let Some((name, value)) = credential.header() {
            request = request.header(name, &value);
        }
        let aborted = || controller.as_ref().is_some_and(|c| c.signal().aborted());
        let result = async {
            let response = request.send().await.map_err(|e| {
                if aborted() {
                    unreachable(TIMEOUT_DETAIL.into())
                } else {
                    unreachable(describe_fetch_error(&e))
                }
            })?;
            let body = response.text().await.map_err(|_| {
                unreachable(if aborted() {
                    TIMEOUT_DETAIL.into()
                } else {
                    "the answer was cut off".into()
                })
            })?;
            Ok(HttpReply {
                status: response.status(),
                retry_after: response.headers().get("retry-after"),
                region: response.headers().get("x-botlens-region"),
                body,
            })
        }
        .await;
        if let Some(timer) = timer {
            clear_timeout(&timer);
        }
        result
    }
}

/// Fetch errors, without the URL (it could carry a path a user typed).
fn describe_fetch_error(error: &gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(e) if e.name == "TypeError" => {
            "the network request failed (offline, blocked, or no permission for this host)".into()
        }
        _ => "the network request failed".into(),
    }
}
