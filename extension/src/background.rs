//! The background worker: the only reader of the key, the only caller of
//! Recall. It answers the typed [`Request`]s and nothing else.

use std::cell::RefCell;
use std::collections::HashMap;

use botlens::recall::client::{self, Endpoint, Found, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::region::{Region, DEFAULT_HOST_TEMPLATE};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{Reply, Request};

/// What the options page stores. The key is read here and nowhere else.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub host_template: Option<String>,
    /// The region the key last worked in: tried first next time.
    #[serde(default)]
    pub region: Option<Region>,
}

impl Settings {
    pub fn host(&self) -> &str {
        self.host_template
            .as_deref()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or(DEFAULT_HOST_TEMPLATE)
    }
}

/// Entry point called by `background.js` for every runtime message from an
/// extension page. Anything that is not a well-formed request is refused.
#[wasm_bindgen]
pub async fn handle_message(message: JsValue) -> JsValue {
    let reply = match serde_wasm_bindgen::from_value::<Request>(message) {
        Ok(request) => answer(request).await,
        Err(_) => Reply::Failed {
            error: ApiError::InvalidId { id: String::new() },
        },
    };
    chrome::to_js(&reply).unwrap_or(JsValue::NULL)
}

async fn answer(request: Request) -> Reply {
    let settings: Settings = match chrome::storage_get().await {
        Ok(settings) => settings,
        Err(_) => Settings::default(),
    };
    if let Request::TestKey { key, host } = &request {
        return test_key(&settings, key.as_deref(), host.as_deref()).await;
    }
    let (endpoint, id) = match request.bot_endpoint() {
        Some(Ok(found)) => found,
        Some(Err(error)) => return Reply::Failed { error },
        None => {
            return Reply::Failed {
                error: ApiError::NoKey,
            }
        }
    };
    let cache_key = (endpoint, id.to_string());
    if let Some(reply) = cached(&cache_key) {
        return reply;
    }
    let key = settings.api_key.clone().unwrap_or_default();
    let regions = client::region_order(settings.region);
    let result =
        client::find_in_regions(&BrowserFetch, settings.host(), &key, endpoint, id, &regions).await;
    let reply = match result {
        Ok(Found { region, body }) => {
            if settings.region != Some(region) {
                remember_region(region).await;
            }
            Reply::Found { region, body }
        }
        Err(error) => Reply::Failed { error },
    };
    remember(cache_key, &reply);
    reply
}

async fn test_key(settings: &Settings, key: Option<&str>, host: Option<&str>) -> Reply {
    let key = key.or(settings.api_key.as_deref()).unwrap_or_default();
    let host = host.unwrap_or(settings.host());
    // Any bot ID will do: a 404 proves the key is valid in that region, a 401 that it is not.
    let probe = "00000000-0000-4000-8000-000000000000";
    let mut refused = Vec::new();
    for region in client::region_order(settings.region) {
        let url = client::url(host, region, Endpoint::Bot, probe);
        match BrowserFetch.get(&url, &client::authorization(key)).await {
            Ok(reply) => match client::read_reply(&reply) {
                client::Answer::Unauthorized => refused.push(region),
                client::Answer::Failed(error) if !matches!(error, ApiError::Malformed { .. }) => {
                    return Reply::Failed { error }
                }
                _ => return Reply::KeyWorks { region },
            },
            Err(error) => return Reply::Failed { error },
        }
    }
    if key.trim().is_empty() {
        return Reply::Failed {
            error: ApiError::NoKey,
        };
    }
    Reply::Failed {
        error: ApiError::Unauthorized {
            regions_tried: refused,
        },
    }
}

async fn remember_region(region: Region) {
    #[derive(Serialize)]
    struct Remembered {
        region: Region,
    }
    let _ = chrome::storage_set(&Remembered { region }).await;
}

/// `fetch` from the worker: host permissions exempt it from CORS.
struct BrowserFetch;

impl Transport for BrowserFetch {
    async fn get(&self, url: &str, authorization: &str) -> Result<client::Reply, ApiError> {
        let unreachable = |detail: String| ApiError::Unreachable {
            host: origin(url).to_string(),
            detail,
        };
        let response = gloo_net::http::Request::get(url)
            .header("Authorization", authorization)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(client::Reply {
            status: response.status(),
            retry_after: response.headers().get("retry-after"),
            body: response.text().await.unwrap_or_default(),
        })
    }
}

/// `scheme://host[:port]` of a URL, so errors never echo paths or queries.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

// One cache for every tab: the worker is shared. Entries expire by kind of answer.
thread_local! {
    static CACHE: RefCell<HashMap<(Endpoint, String), (f64, Reply)>> = RefCell::new(HashMap::new());
}

fn cached(key: &(Endpoint, String)) -> Option<Reply> {
    let now = js_sys::Date::now();
    CACHE.with_borrow(|cache| {
        cache
            .get(key)
            .filter(|(expires, _)| *expires > now)
            .map(|(_, reply)| reply.clone())
    })
}

fn remember(key: (Endpoint, String), reply: &Reply) {
    let ttl_ms = match reply {
        Reply::Found { .. } => 10_000.0,
        Reply::Failed {
            error: ApiError::NotFound { .. },
        } => 60_000.0,
        _ => return,
    };
    let expires = js_sys::Date::now() + ttl_ms;
    CACHE.with_borrow_mut(|cache| {
        cache.insert(key, (expires, reply.clone()));
    });
}
