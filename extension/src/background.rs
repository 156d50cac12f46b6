//! The background worker: the only reader of the key, the only caller of
//! Recall. It answers the typed [`Request`]s (see [`crate::messages`]) and
//! nothing else; `background.js` tells it who sent each one.
//!
//! One worker serves every tab, so its memory of look-ups
//! ([`botlens::recall::lookup`]) is shared, and two tabs asking for the same
//! bot at once share one request.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::rc::Rc;

use botlens::detect::meeting::meeting_link;
use botlens::diagnose::document::Bots;
use botlens::diagnose::gather::{gather, Wants};
use botlens::diagnose::Timestamp;
use botlens::recall::browser::{BrowserClock, BrowserFetch};
use botlens::recall::budget::{Budget, Budgeted, RECALL_PER_MINUTE};
use botlens::recall::client::{Credential, Endpoint, Found};
use botlens::recall::error::ApiError;
use botlens::recall::list::{self, ListQuery};
use botlens::recall::lookup::{self, Looked, Lookups, Upstream};
use botlens::recall::region::Region;
use botlens::recall::retry::{Clock, Retries};
use botlens::recall::share::{self, Shares};
use futures_util::future::{FutureExt, Shared};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::chrome;
use crate::messages::{
    badge_text, classify, frame_slot_key, frame_token_key, keys_of_tab, page_count, valid_id,
    ContentReply, FrameCounts, Reply, Request, Sender,
};
pub use crate::prefs::Settings;
use crate::prefs::{parse_proxy_url, Prefs, SESSION_KEY};
use crate::wire;

/// Entry point called by `background.js` for every runtime message of this
/// extension. `from` is `"page"` for the extension's own pages and
/// `"content"` for its content scripts, as the browser's `sender` says;
/// `tab_id` is the sender's tab and `frame_id` its frame. Anything else, and anything that is not a
/// well-formed request that sender may send, is refused.
pub async fn handle_message(
    message: JsValue,
    from: String,
    tab_id: Option<i32>,
    frame_id: Option<i32>,
) -> JsValue {
    let sender = match from.as_str() {
        "page" => Sender::ExtensionPage,
        "card" => Sender::CardFrame { tab_id },
        "content" => Sender::ContentScript { tab_id },
        _ => return JsValue::NULL,
    };
    if let Sender::CardFrame { tab_id } = sender {
        let token = take_field(&message, "frame_token");
        if !frame_allowed(token.as_deref(), tab_id).await {
            return to_js(&Reply::Failed {
                error: ApiError::NotPermitted,
            });
        }
    }
    let request = serde_wasm_bindgen::from_value::<Request>(message)
        .ok()
        .filter(|r| r.check(sender).is_ok());
    let Some(request) = request else {
        return match sender {
            Sender::ExtensionPage | Sender::CardFrame { .. } => to_js(&Reply::Failed {
                error: ApiError::InvalidId { id: String::new() },
            }),
            Sender::ContentScript { .. } => to_js(&ContentReply::Refused),
        };
    };
    if let (Sender::CardFrame { tab_id: Some(tab) }, Some(item)) = (sender, request.charged_item())
    {
        let now = BrowserClock.now_ms();
        if let Err(wait_s) = SHARES.with_borrow_mut(|s| s.charge(tab, item.to_string(), now)) {
            return to_js(&Reply::Failed {
                error: ApiError::throttled_for(wait_s),
            });
        }
    }
    match request {
        Request::Classify { texts } => to_js(&ContentReply::Classified {
            results: classify(&texts),
        }),
        Request::FrameToken { token } => match tab_id {
            Some(tab)
                if register_frame(&token, tab, frame_id.unwrap_or(0))
                    .await
                    .is_ok() =>
            {
                to_js(&ContentReply::Done)
            }
            _ => to_js(&ContentReply::Refused),
        },
        Request::PageBots { count, since } => {
            if let Some(tab) = tab_id {
                let total = FRAME_COUNTS.with_borrow_mut(|counts| {
                    let frames = counts.entry(tab).or_default();
                    frames.insert(frame_id.unwrap_or(0), (since, count));
                    let total = page_count(frames);
                    if let Some(&(top, _)) = frames.get(&0) {
                        frames.retain(|_, (since, _)| *since >= top);
                    }
                    total
                });
                let _ = chrome::set_badge(tab, &badge_text(total)).await;
            }
            to_js(&ContentReply::Done)
        }
        // Tell the tab's sensors: a card opened (the others close theirs), or
        // the pointer moved away from one (it closes).
        request @ (Request::CardOpened { .. } | Request::PointerAway { .. }) => {
            let (kind, field, token) = match &request {
                Request::CardOpened { token } => ("close_card", "keep", token),
                Request::PointerAway { token } => ("pointer_left", "token", token),
                _ => unreachable!("matched above"),
            };
            if let Some(tab) = tab_id {
                if frame_allowed(Some(token), Some(tab)).await {
                    let message = wire::object(&[("kind", kind.into()), (field, token.into())]);
                    let _ = chrome::tell_tab(tab, &message).await;
                }
            }
            to_js(&ContentReply::Done)
        }
        Request::Diagnose {
            id,
            screenshots,
            logs,
        } => to_js(&diagnose(id, Wants { screenshots, logs }).await),
        Request::Meeting { url } => to_js(&meeting(&url).await),
        // The token was checked above, before the request was read.
        Request::FrameCheck => to_js(&Reply::FrameConfirmed),
        request => to_js(&answer(request).await),
    }
}

/// The frame a sensor opens carries `token`; a token that frame (an earlier
/// document there) registered before goes.
async fn register_frame(token: &str, tab: i32, frame: i32) -> Result<(), String> {
    let slot = frame_slot_key(tab, frame);
    if let Some(old) = chrome::session_get(&slot).await?.as_string() {
        chrome::session_remove(&[frame_token_key(&old)]).await?;
    }
    chrome::session_set(&frame_token_key(token), &tab.into()).await?;
    chrome::session_set(&slot, &token.into()).await
}

/// The tab closed: its card frames' tokens, its share of the budget and its counts go.
pub async fn forget_tab(tab_id: i32) {
    SHARES.with_borrow_mut(|s| s.forget(&tab_id));
    FRAME_COUNTS.with_borrow_mut(|c| c.remove(&tab_id));
    if let Ok(items) = chrome::session_items().await {
        let keys = keys_of_tab(tab_id, items.iter().map(|(k, v)| (k.as_str(), v.as_f64())));
        let _ = chrome::session_remove(&keys).await;
    }
}

/// A string field of a message object, removed from it.
fn take_field(message: &JsValue, name: &str) -> Option<String> {
    let key = JsValue::from_str(name);
    let value = js_sys::Reflect::get(message, &key).ok()?.as_string();
    if let Ok(object) = message.clone().dyn_into::<js_sys::Object>() {
        let _ = js_sys::Reflect::delete_property(&object, &key);
    }
    value
}

/// Is this the token the sensor of the frame's own tab registered? A page may
/// frame `card.html` itself; without its tab's token the frame gets nothing.
async fn frame_allowed(token: Option<&str>, tab_id: Option<i32>) -> bool {
    let (Some(token), Some(tab)) = (token.filter(|t| valid_id(t)), tab_id) else {
        return false;
    };
    chrome::session_get(&frame_token_key(token))
        .await
        .is_ok_and(|v| v.as_f64() == Some(f64::from(tab)))
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    chrome::to_js(value).unwrap_or(JsValue::NULL)
}

/// What the worker needs from the storage areas.
struct Config {
    settings: Settings,
}

impl Config {
    async fn load() -> Config {
        let prefs: Prefs = chrome::storage_sync_get().await.unwrap_or_default();
        let local: Settings = chrome::storage_get().await.unwrap_or_default();
        let session_key = if local.key_in_session {
            chrome::session_get(SESSION_KEY)
                .await
                .ok()
                .and_then(|v| v.as_string())
        } else {
            None
        };
        Config {
            settings: local.completed(session_key, &prefs),
        }
    }

    /// The proxy when one is set (and well-formed), else Recall with the key.
    fn upstream(&self) -> Upstream {
        match self.settings.proxy().map(parse_proxy_url) {
            Some(Ok((base, _))) => Upstream::Proxy {
                base,
                token: self.settings.proxy_token.clone(),
            },
            _ => Upstream::recall(
                self.settings.api_key.as_deref().unwrap_or_default(),
                self.settings.host(),
                self.settings.region,
            ),
        }
    }
}

/// Answer a bot, screenshots, logs or test-key request.
async fn answer(request: Request) -> Reply {
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
    match fetch(&config, endpoint, id).await {
        Ok(found) => Reply::Found {
            region: found.region,
            body: found.body,
        },
        Err(error) => Reply::Failed { error },
    }
}

/// The answer to `diagnose`: the core's gathering over this worker's look-ups,
/// with the settings read once, so the card frame carries no engine.
async fn diagnose(id: String, wants: Wants) -> Reply {
    if !valid_id(&id) {
        return Reply::Failed {
            error: ApiError::InvalidId {
                id: id.chars().take(60).collect(),
            },
        };
    }
    let config = Config::load().await;
    let now = Timestamp::from_js(js_sys::Date::now());
    let fetch = async |endpoint| fetch(&config, endpoint, id.clone()).await;
    match gather(fetch, wants, now).await {
        Ok(gathered) => Reply::Diagnosed(Box::new(gathered)),
        Err(error) => Reply::Failed { error },
    }
}

/// The most bots a meeting's card lists (List Bots pages are 50 long: one call).
const MEETING_MAX: usize = 50;
/// A meeting's list is asked again after this long, not on every hover.
const MEETING_TTL_MS: f64 = 60_000.0;

/// The answer to `meeting`: List Bots' `meeting_url` filter in the key's
/// region, each bot diagnosed, in the order they were sent; kept a minute so
/// hovering the link again costs nothing.
async fn meeting(url: &str) -> Reply {
    let Some(link) = meeting_link(url) else {
        return Reply::Failed {
            error: ApiError::InvalidId { id: String::new() },
        };
    };
    let config = Config::load().await;
    let now_ms = js_sys::Date::now();
    let stamp = fingerprint(&config.upstream());
    let memo_key = format!("{stamp:x}/{}", link.url);
    if let Some(reply) = MEETINGS.with_borrow(|m| {
        m.get(&memo_key)
            .filter(|(at, _)| now_ms - at < MEETING_TTL_MS)
            .map(|(_, r)| r.clone())
    }) {
        return reply;
    }
    let reply = match list_meeting(&config, link.url).await {
        Ok(bots) => Reply::Meeting(Box::new(bots)),
        Err(error) => Reply::Failed { error },
    };
    if matches!(reply, Reply::Meeting(_)) {
        MEETINGS.with_borrow_mut(|m| {
            m.retain(|_, (at, _)| now_ms - *at < MEETING_TTL_MS);
            m.insert(memo_key, (now_ms, reply.clone()));
        });
    }
    reply
}

async fn list_meeting(config: &Config, url: String) -> Result<Bots, ApiError> {
    let upstream = config.upstream();
    let Upstream::Recall { key, host, .. } = &upstream else {
        return Err(ApiError::Unsupported {
            detail: "The team proxy answers for one bot at a time: listing the bots sent to a \
                     meeting takes a Recall API key."
                .into(),
        });
    };
    let budget = BUDGET.with(Rc::clone);
    let transport = budgeted(&budget);
    let region = match config.settings.region {
        Some(region) => region,
        None => {
            let found = lookup::test_key(&transport, &BrowserClock, &upstream).await?;
            let region = found.unwrap_or(Region::UsEast1);
            remember_region(region).await;
            region
        }
    };
    let query = ListQuery {
        meeting_url: Some(url),
        ..ListQuery::default()
    };
    let credential = Credential::RecallKey(key);
    let (mut bots, more) = list::collect(
        &transport,
        &BrowserClock,
        Retries::Never,
        region,
        query.url(host, region),
        &credential,
        MEETING_MAX,
    )
    .await?;
    bots.sort_by_key(botlens::recall::model::Bot::join_time);
    let now = Timestamp::from_js(js_sys::Date::now());
    Ok(Bots {
        bots: bots
            .iter()
            .map(|b| botlens::diagnose::diagnose(b, None, None, Some(region), now))
            .collect(),
        skipped: 0,
        more,
    })
}

/// One endpoint of one bot, through the shared look-ups; the region the key
/// was seen to work in is remembered for next time.
async fn fetch(config: &Config, endpoint: Endpoint, id: String) -> Result<Found, ApiError> {
    let looked = shared_lookup(config.upstream(), endpoint, id).await;
    if let Some(region) = looked.key_region {
        if config.settings.region != Some(region) {
            remember_region(region).await;
        }
    }
    looked.result
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
    let upstream = if let Some(proxy) = proxy {
        match parse_proxy_url(&proxy) {
            Ok((base, _)) => Upstream::Proxy {
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
        Upstream::recall(
            key.as_deref()
                .or(config.settings.api_key.as_deref())
                .unwrap_or_default(),
            host.as_deref().unwrap_or(config.settings.host()),
            config.settings.region,
        )
    } else {
        config.upstream()
    };
    let budget = BUDGET.with(Rc::clone);
    let fetch = budgeted(&budget);
    match lookup::test_key(&fetch, &BrowserClock, &upstream).await {
        Ok(region) => {
            if let (Some(region), Upstream::Recall { .. }, true) = (region, &upstream, saved_key) {
                remember_region(region).await;
            }
            Reply::KeyWorks { region }
        }
        Err(error) => Reply::Failed { error },
    }
}

async fn remember_region(region: Region) {
    #[derive(Serialize)]
    struct Remembered {
        region: Region,
    }
    let _ = chrome::storage_set(&Remembered { region }).await;
}

type Pending = Shared<Pin<Box<dyn Future<Output = Looked>>>>;

/// The longest a look-up waits for its turn in the budget before it is told
/// it is throttled: a card may not wait long, a popup triage waits its turn.
const MAX_WAIT_MS: u32 = 3_000;

thread_local! {
    /// One budget for the whole extension, whatever the pages do: a tenth under
    /// Recall's per-workspace limits (`recall::budget`).
    static BUDGET: Rc<RefCell<Budget>> =
        Rc::new(RefCell::new(Budget::new(RECALL_PER_MINUTE, BrowserClock.now_ms())));
    /// One cache for every tab: the worker is shared.
    static LOOKUPS: Rc<RefCell<Lookups>> = Rc::default();
    /// Look-ups under way, so concurrent requests for one bot share one fetch.
    static IN_FLIGHT: RefCell<HashMap<String, Pending>> = RefCell::default();
    /// Each tab's share of the budget: a page cannot spend what the other
    /// tabs need (`recall::share`).
    static SHARES: RefCell<Shares<i32, String>> = RefCell::new(Shares::new(share::TAB));
    /// The overview's count of each frame of each tab: the badge is their sum.
    static FRAME_COUNTS: RefCell<HashMap<i32, FrameCounts>> = RefCell::default();
    /// Meetings listed lately: (when, answer) by key fingerprint and link.
    static MEETINGS: RefCell<HashMap<String, (f64, Reply)>> = RefCell::default();
    /// A fingerprint of the key, host and proxy the cache was filled with.
    static FILLED_WITH: RefCell<u64> = const { RefCell::new(0) };
}

/// The browser's fetch within the extension's budget, waiting its turn up to [`MAX_WAIT_MS`].
fn budgeted(budget: &RefCell<Budget>) -> Budgeted<'_, BrowserFetch, BrowserClock, RefCell<Budget>> {
    Budgeted {
        transport: &BrowserFetch,
        clock: &BrowserClock,
        budget,
        max_wait_ms: MAX_WAIT_MS,
    }
}

/// Look up through the cache, sharing a fetch already under way.
async fn shared_lookup(upstream: Upstream, endpoint: Endpoint, id: String) -> Looked {
    // Answers fetched with another key or host must not be served.
    let stamp = fingerprint(&upstream);
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
                let budget = BUDGET.with(Rc::clone);
                let fut: Pin<Box<dyn Future<Output = Looked>>> = Box::pin(async move {
                    let fetch = budgeted(&budget);
                    lookup::lookup(&*state, &fetch, &BrowserClock, &upstream, endpoint, &id).await
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

fn fingerprint(upstream: &Upstream) -> u64 {
    let mut hasher = DefaultHasher::new();
    match upstream {
        Upstream::Recall { key, host, .. } => (0u8, key, host).hash(&mut hasher),
        Upstream::Proxy { base, token } => (1u8, base, token).hash(&mut hasher),
    }
    hasher.finish()
}
