//! The background worker: the only reader of the key, the only caller of
//! Recall. It answers the typed [`Request`]s (see [`crate::messages`]) and
//! nothing else; `background.js` tells it who sent each one.
//!
//! One worker serves every tab, so its cache ([`crate::lookup`]) is shared, and
//! two tabs asking for the same bot at once share one request.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::rc::Rc;

use botlens::recall::client::{self, Endpoint, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use futures_util::future::{FutureExt, Shared};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::chrome;
use crate::lookup::{self, Clock, Lookups, Mode, Outcome, TIMEOUT_DETAIL};
use crate::messages::{badge_text, classify, ContentReply, Reply, Request, Sender};
pub use crate::prefs::Settings;
use crate::prefs::{parse_proxy_url, Prefs};

/// Per-request time limit.
const TIMEOUT_MS: i32 = 10_000;

/// Entry point called by `background.js` for every runtime message of this
/// extension. `from` is `"page"` for the extension's own pages and
/// `"content"` for its content scripts, as the browser's `sender` says;
/// `tab_id` is the sender's tab. Anything else, and anything that is not a
/// well-formed request that sender may send, is refused.
pub async fn handle_message(message: JsValue, from: String, tab_id: Option<i32>) -> JsValue {
    let sender = match from.as_str() {
        "page" => Sender::ExtensionPage,
        "content" => Sender::ContentScript { tab_id },
        _ => return JsValue::NULL,
    };
    let request = serde_wasm_bindgen::from_value::<Request>(message)
        .ok()
        .filter(|r| r.check(sender).is_ok());
    let Some(request) = request else {
        return match sender {
            Sender::ExtensionPage => to_js(&Reply::Failed {
                error: ApiError::InvalidId { id: String::new() },
            }),
            Sender::ContentScript { .. } => to_js(&ContentReply::Refused),
        };
    };
    match request {
        Request::Classify { texts } => to_js(&ContentReply::Classified {
            results: classify(&texts),
        }),
        Request::PageBots { count } => {
            if let Some(tab) = tab_id {
                let _ = chrome::set_badge(tab, &badge_text(count)).await;
            }
            to_js(&ContentReply::Done)
        }
        Request::Diagnose {
            id,
            screenshots,
            logs,
        } => to_js(&crate::diagnosis::answer(id, screenshots, logs).await),
        request => to_js(&answer(request).await),
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    chrome::to_js(value).unwrap_or(JsValue::NULL)
}

/// What the worker needs from both storage areas.
struct Config {
    settings: Settings,
    prefs: Prefs,
}

impl Config {
    async fn load() -> Config {
        Config {
            settings: chrome::storage_get().await.unwrap_or_default(),
            prefs: chrome::storage_sync_get().await.unwrap_or_default(),
        }
    }

    /// The proxy when one is set (and well-formed), else Recall with the key.
    fn mode(&self) -> Mode {
        match self.prefs.proxy().map(parse_proxy_url) {
            Some(Ok((base, _))) => Mode::Proxy {
                base,
                token: self.settings.proxy_token.clone(),
            },
            _ => Mode::Key {
                key: self.settings.api_key.clone().unwrap_or_default(),
                host: self.settings.host().to_string(),
                remembered: self.settings.region,
            },
        }
    }
}

/// Answer a bot, screenshots, logs or test-key request.
pub(crate) async fn answer(request: Request) -> Reply {
    let config = Config::load().await;
    if let Request::TestKey { key, host, proxy } = request {
        return test_key(&config, key, host, proxy).await;
    }
    let (endpoint, id) = match request.bot_endpoint() {
        Some(Ok((endpoint, id))) => (endpoint, id.to_string()),
        Some(Err(error)) => return Reply::Failed { error },
        None => {
            return Reply::Failed {
                error: ApiError::InvalidId { id: String::new() },
            }
        }
    };
    let mode = config.mode();
    let outcome = shared_lookup(mode, endpoint, id).await;
    if let Some(region) = outcome.key_region {
        if config.settings.region != Some(region) {
            remember_region(region).await;
        }
    }
    outcome.reply
}

async fn test_key(
    config: &Config,
    key: Option<String>,
    host: Option<String>,
    proxy: Option<String>,
) -> Reply {
    let typed = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let (key, host, proxy) = (typed(key), typed(host), typed(proxy));
    // A typed key is only being tried: remember its region once it is saved.
    let saved_key = key.is_none();
    let mode = if let Some(proxy) = proxy {
        match parse_proxy_url(&proxy) {
            Ok((base, _)) => Mode::Proxy {
                base,
                token: config.settings.proxy_token.clone(),
            },
            Err(detail) => {
                return Reply::Failed {
                    error: ApiError::Unreachable {
                        host: "the team proxy".into(),
                        detail,
                    },
                }
            }
        }
    } else if key.is_some() || host.is_some() {
        Mode::Key {
            key: key
                .or_else(|| config.settings.api_key.clone())
                .unwrap_or_default(),
            host: host.unwrap_or_else(|| config.settings.host().to_string()),
            remembered: config.settings.region,
        }
    } else {
        config.mode()
    };
    let reply = lookup::test_key(&BrowserFetch, &BrowserClock, &mode).await;
    if let (Reply::KeyWorks { region }, Mode::Key { .. }, true) = (&reply, &mode, saved_key) {
        remember_region(*region).await;
    }
    reply
}

async fn remember_region(region: Region) {
    #[derive(Serialize)]
    struct Remembered {
        region: Region,
    }
    let _ = chrome::storage_set(&Remembered { region }).await;
}

type Pending = Shared<Pin<Box<dyn Future<Output = Outcome>>>>;

thread_local! {
    /// One cache for every tab: the worker is shared.
    static LOOKUPS: Rc<RefCell<Lookups>> = Rc::default();
    /// Look-ups under way, so concurrent requests for one bot share one fetch.
    static IN_FLIGHT: RefCell<HashMap<String, Pending>> = RefCell::default();
    /// A fingerprint of the key, host and proxy the cache was filled with.
    static FILLED_WITH: RefCell<u64> = const { RefCell::new(0) };
}

/// Look up through the cache, sharing a fetch already under way.
async fn shared_lookup(mode: Mode, endpoint: Endpoint, id: String) -> Outcome {
    // Answers fetched with another key or host must not be served.
    let stamp = fingerprint(&mode);
    if FILLED_WITH.with_borrow(|f| *f != stamp) {
        LOOKUPS.with(|l| l.borrow_mut().clear());
        FILLED_WITH.set(stamp);
    }
    let key = format!("{stamp:x}/{endpoint:?}/{id}");
    let pending = IN_FLIGHT.with_borrow_mut(|flights| {
        flights
            .entry(key.clone())
            .or_insert_with(|| {
                let state = LOOKUPS.with(Rc::clone);
                let fut: Pin<Box<dyn Future<Output = Outcome>>> = Box::pin(async move {
                    lookup::lookup(&state, &BrowserFetch, &BrowserClock, &mode, endpoint, &id).await
                });
                fut.shared()
            })
            .clone()
    });
    let outcome = pending.clone().await;
    IN_FLIGHT.with_borrow_mut(|flights| {
        if flights.get(&key).is_some_and(|f| f.ptr_eq(&pending)) {
            flights.remove(&key);
        }
    });
    outcome
}

fn fingerprint(mode: &Mode) -> u64 {
    let mut hasher = DefaultHasher::new();
    match mode {
        Mode::Key { key, host, .. } => (0u8, key, host).hash(&mut hasher),
        Mode::Proxy { base, token } => (1u8, base, token).hash(&mut hasher),
    }
    hasher.finish()
}

#[wasm_bindgen]
extern "C" {
    // Global in windows and workers alike.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// The browser's clock; never `SystemTime`, which panics on wasm32.
struct BrowserClock;

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

/// `fetch` from the worker: host permissions exempt it from CORS. Each request
/// is aborted after [`TIMEOUT_MS`]. The key travels in the header only.
struct BrowserFetch;

impl Transport for BrowserFetch {
    async fn get(&self, url: &str, authorization: &str) -> Result<client::Reply, ApiError> {
        let unreachable = |detail: String| ApiError::Unreachable {
            host: origin(url).to_string(),
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
        if !authorization.is_empty() {
            request = request.header("Authorization", authorization);
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
            Ok(client::Reply {
                status: response.status(),
                retry_after: response.headers().get("retry-after"),
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

/// `scheme://host[:port]` of a URL, so errors never echo paths or queries.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}
