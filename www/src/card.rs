//! The mounted card: state, loading through the proxy, refreshes.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use botlens::diagnose::gather::{gather, Wants};
use botlens::diagnose::Timestamp;
use botlens::recall::browser::{BrowserClock, BrowserFetch};
use botlens::recall::client::Endpoint;
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Lookups, Upstream};
use botlens::recall::retry::Retries;
use botlens::ui::card::{Card, CardActions, Theme};
use botlens::ui::full::{FullActions, FullView};
use botlens::ui::state::CardState;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What `mount` accepts (camelCase, every field optional).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    /// Where the botlens proxy answers (`/api/v1/bot/{id}/` is appended).
    api_base: Option<String>,
    /// Sent as `X-Botlens-Token` when the proxy wants one.
    token: Option<String>,
    /// `light`, `dark` or `auto` (the reader's system setting).
    theme: Option<String>,
    /// Seconds between refreshes of a running bot (at least 10).
    refresh_secs: Option<f64>,
    /// `card` (default) or `full`: the full view, every section open, with
    /// the bot's particulars, settings, message and JSON below the card.
    view: Option<String>,
}

struct Inner {
    state: RwSignal<CardState>,
    /// The botlens proxy, which holds the key.
    upstream: Upstream,
    /// The parts the user opened for the bot shown.
    wants: Wants,
    /// Bumped on every show/clear: late answers and timers of an older bot are dropped.
    generation: u32,
    refresh_ms: f64,
    on_close: Option<js_sys::Function>,
    /// The full view: every part wanted at once, and the bot's JSON kept for its section.
    full: bool,
    document: RwSignal<Option<String>>,
}

/// One mounted card. Dropping it (or `unmount()`) removes the card.
#[wasm_bindgen]
pub struct BotCard {
    inner: Rc<RefCell<Inner>>,
    mounted: Option<Box<dyn std::any::Any>>,
}

#[wasm_bindgen]
impl BotCard {
    /// Show another bot (or the same one again). A string that is not a UUID
    /// shows the "not a bot ID" error, never a panic.
    pub fn show(&self, bot_id: &str) {
        show(&self.inner, bot_id);
    }

    /// Back to nothing (the card renders no DOM).
    pub fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.generation = inner.generation.wrapping_add(1);
        inner.wants = Wants::default();
        inner.state.set(CardState::Idle);
        inner.document.set(None);
    }

    /// Fetch the current bot again.
    pub fn refresh(&self) {
        reload(&self.inner);
    }

    #[wasm_bindgen(js_name = botId)]
    pub fn bot_id(&self) -> Option<String> {
        self.inner
            .borrow()
            .state
            .with_untracked(|s| s.bot_id().map(str::to_string))
    }

    /// `loading`, `ready`, `error` or `idle` ([`CardState::name`]).
    pub fn status(&self) -> String {
        self.inner
            .borrow()
            .state
            .with_untracked(|s| s.name().to_string())
    }

    pub fn unmount(mut self) {
        self.clear();
        self.mounted.take();
    }
}

/// Mount a card into `element`; with `bot_id` it starts loading at once.
#[wasm_bindgen]
pub fn mount(
    element: web_sys::HtmlElement,
    bot_id: Option<String>,
    options: JsValue,
) -> Result<BotCard, JsError> {
    let on_close = js_sys::Reflect::get(&options, &JsValue::from_str("onClose"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let options: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("botlens: bad options: {e}")))?
    };
    let state = RwSignal::new(CardState::Idle);
    let document = RwSignal::new(None::<String>);
    let full = options.view.as_deref().map(str::trim) == Some("full");
    let theme = theme_of(options.theme.as_deref());
    let inner = Rc::new(RefCell::new(Inner {
        state,
        upstream: super::proxy(options.api_base, options.token),
        wants: Wants::default(),
        generation: 0,
        refresh_ms: options
            .refresh_secs
            .filter(|s| s.is_finite())
            .map_or(10_000.0, |s| (s * 1000.0).clamp(10_000.0, 3_600_000.0)),
        on_close,
        full,
        document,
    }));
    let actions = actions(register(&inner));
    let handle = leptos::mount::mount_to(element, move || {
        if full {
            let full = FullActions::default();
            view! { <FullView state=state.read_only() document=document.read_only() actions full theme/> }.into_any()
        } else {
            view! { <Card state=state.read_only() actions theme/> }.into_any()
        }
    });
    let card = BotCard {
        inner,
        mounted: Some(Box::new(handle)),
    };
    if let Some(id) = bot_id.filter(|id| !id.trim().is_empty()) {
        card.show(&id);
    }
    Ok(card)
}

fn theme_of(setting: Option<&str>) -> Theme {
    match setting.map(str::trim) {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => {
            let dark = web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches());
            if dark {
                Theme::Dark
            } else {
                Theme::Light
            }
        }
    }
}

thread_local! {
    /// The mounted cards, by number: Leptos callbacks must be `Send`, so they
    /// carry the number and find the card here.
    static CARDS: RefCell<std::collections::HashMap<u32, Weak<RefCell<Inner>>>> =
        RefCell::new(std::collections::HashMap::new());
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn register(inner: &Rc<RefCell<Inner>>) -> u32 {
    let key = NEXT.with(|n| {
        let key = n.get().wrapping_add(1);
        n.set(key);
        key
    });
    CARDS.with_borrow_mut(|cards| {
        cards.retain(|_, w| w.strong_count() > 0);
        cards.insert(key, Rc::downgrade(inner));
    });
    key
}

fn card(key: u32) -> Option<Rc<RefCell<Inner>>> {
    CARDS.with_borrow(|cards| cards.get(&key).and_then(Weak::upgrade))
}

fn actions(key: u32) -> CardActions {
    let want = |mark: fn(&mut Inner)| {
        Callback::new(move |()| {
            if let Some(inner) = card(key) {
                mark(&mut inner.borrow_mut());
                open_sections(&inner);
                reload(&inner);
            }
        })
    };
    let refresh = Callback::new(move |()| {
        if let Some(inner) = card(key) {
            reload(&inner);
        }
    });
    let close = {
        Callback::new(move |()| {
            if let Some(inner) = card(key) {
                let on_close = inner.borrow().on_close.clone();
                if let Some(f) = on_close {
                    let _ = f.call0(&JsValue::NULL);
                }
            }
        })
    };
    CardActions {
        want_screenshots: Some(want(|i| i.wants.screenshots = true)),
        want_logs: Some(want(|i| i.wants.logs = true)),
        refresh: Some(refresh),
        close: Some(close),
        ..CardActions::default()
    }
}

/// Sections the user just opened show as loading until the answer comes.
fn open_sections(inner: &Rc<RefCell<Inner>>) {
    let (state, wants) = {
        let i = inner.borrow();
        (i.state, i.wants)
    };
    state.update(|s| s.show_asked(wants));
}

fn show(inner: &Rc<RefCell<Inner>>, bot_id: &str) {
    let id = bot_id.trim().to_ascii_lowercase();
    let (state, generation) = {
        let mut i = inner.borrow_mut();
        i.generation = i.generation.wrapping_add(1);
        if i.state.with_untracked(|s| s.bot_id() != Some(id.as_str())) {
            i.wants = Wants {
                screenshots: i.full,
                logs: i.full,
            };
            i.document.set(None);
        }
        (i.state, i.generation)
    };
    if !botlens::detect::is_uuid(&id) {
        state.set(CardState::Failed {
            bot_id: id.chars().take(64).collect(),
            error: ApiError::InvalidId {
                id: bot_id.chars().take(64).collect(),
            },
        });
        return;
    }
    state.set(CardState::Loading { bot_id: id.clone() });
    leptos::task::spawn_local(load(Rc::downgrade(inner), id, generation));
}

fn reload(inner: &Rc<RefCell<Inner>>) {
    let (id, generation) = {
        let mut i = inner.borrow_mut();
        i.generation = i.generation.wrapping_add(1);
        (
            i.state.with_untracked(|s| s.bot_id().map(str::to_string)),
            i.generation,
        )
    };
    if let Some(id) = id.filter(|id| botlens::detect::is_uuid(id)) {
        leptos::task::spawn_local(load(Rc::downgrade(inner), id, generation));
    }
}

/// Fetch the bot (and the sections asked for) from the proxy, diagnose, render;
/// then, for a running bot or a passing error, come back later.
async fn load(weak: Weak<RefCell<Inner>>, bot_id: String, generation: u32) {
    let Some((upstream, wants, refresh_ms, full)) = weak.upgrade().map(|inner| {
        let i = inner.borrow();
        (i.upstream.clone(), i.wants, i.refresh_ms, i.full)
    }) else {
        return;
    };
    let (next, body) = fetch_card(&upstream, &bot_id, wants, full).await;
    let Some(inner) = weak.upgrade() else {
        return;
    };
    let state = {
        let i = inner.borrow();
        if i.generation != generation {
            return; // another bot (or a newer load) took over meanwhile
        }
        if body.is_some() {
            i.document.set(body);
        }
        i.state
    };
    let again_ms = next
        .retry_after_ms()
        .or(next.wants_refresh().then_some(refresh_ms));
    state.set(next);
    if let Some(ms) = again_ms {
        let weak = weak.clone();
        let later = Closure::once_into_js(move || {
            if let Some(inner) = weak.upgrade() {
                if inner.borrow().generation == generation {
                    reload(&inner);
                }
            }
        });
        if let Some(window) = web_sys::window() {
            // Whole milliseconds, clamped to 1 s..1 h above: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            let ms = ms.clamp(1000.0, 3_600_000.0) as i32;
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), ms);
        }
    }
}

/// Gather the card through the proxy: the core's look-up over the browser's
/// fetch, one try each (the proxy keeps the user's workspace under Recall's
/// limits, and the card comes back on its own beat). With `keep`, the bot's
/// JSON as the proxy sent it comes back too (the full view shows it).
async fn fetch_card(
    upstream: &Upstream,
    bot_id: &str,
    wants: Wants,
    keep: bool,
) -> (CardState, Option<String>) {
    let memory = RefCell::new(Lookups::default());
    let kept = RefCell::new(None);
    let (transport, clock) = (BrowserFetch, BrowserClock);
    let fetch = async |endpoint| {
        let looked = lookup::find(
            &memory,
            &transport,
            &clock,
            Retries::Never,
            upstream,
            endpoint,
            bot_id,
        )
        .await;
        if let (true, Endpoint::Bot, Ok(found)) = (keep, endpoint, &looked.result) {
            *kept.borrow_mut() = Some(found.body.clone());
        }
        looked.result
    };
    let now_ms = js_sys::Date::now();
    let now = Timestamp::from_js(now_ms);
    let state = CardState::gathered(bot_id, gather(fetch, wants, now).await, wants, now_ms);
    (state, kept.into_inner())
}
