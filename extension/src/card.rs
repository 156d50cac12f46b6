//! The card frame (`card.html`): receives what the sensor saw under the
//! pointer, classifies it with the Rust rules, asks the worker for the
//! diagnosis and renders the card. It then tells the sensor where to put the
//! frame and how big to make it.
//!
//! Sensor → card messages: `hover {text, offset, anchor, viewport, page_theme}`,
//! `meeting {url, anchor, viewport, page_theme}`, `focus`, `closed`. Card → sensor: `place {x, y, width, height}`, `close`.

use std::cell::RefCell;
use std::time::Duration;

use botlens::detect::meeting::meeting_link;
use botlens::diagnose::gather::Wants;
use botlens::recall::error::ApiError;
use botlens::ui::card::{Card, CardActions, Theme};
use botlens::ui::placement::{self, Rect, Viewport};
use botlens::ui::state::{CardState, Meeting};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

use crate::chrome;
use crate::wire::{self, read, DiagnoseReply, FromJs};

/// A running bot is looked at again this often while its card is open.
const REFRESH: Duration = Duration::from_secs(10);

/// What the sensor sends over the channel (`{type: "hover", …}`).
enum FromSensor {
    Hover {
        text: String,
        /// UTF-16 offset of the caret in `text`, as JavaScript counts.
        offset: usize,
        anchor: Rect,
        viewport: Viewport,
        /// `dark` when the page under the card is dark.
        page_theme: Option<String>,
        /// When the sensor decided (ms since the epoch, high resolution).
        sent_at: Option<f64>,
    },
    /// The pointer rests on a meeting link (only when the user turned that on).
    Meeting {
        url: String,
        anchor: Rect,
        viewport: Viewport,
        page_theme: Option<String>,
    },
    /// The user pressed ArrowDown on the anchor: focus moves into the card.
    Focus,
    Closed,
}

impl FromJs for FromSensor {
    fn from_js(value: &JsValue) -> Option<Self> {
        let kind: String = read(value, "type")?;
        Some(match kind.as_str() {
            "hover" => FromSensor::Hover {
                text: read(value, "text")?,
                offset: read(value, "offset")?,
                anchor: read(value, "anchor")?,
                viewport: read(value, "viewport")?,
                page_theme: read(value, "page_theme")?,
                sent_at: read(value, "sent_at")?,
            },
            "meeting" => FromSensor::Meeting {
                url: read(value, "url")?,
                anchor: read(value, "anchor")?,
                viewport: read(value, "viewport")?,
                page_theme: read(value, "page_theme")?,
            },
            "focus" => FromSensor::Focus,
            "closed" => FromSensor::Closed,
            _ => return None,
        })
    }
}

/// What the card sends back.
enum ToSensor {
    Place(Rect),
    Close,
}

impl ToSensor {
    fn to_js(&self) -> JsValue {
        match self {
            ToSensor::Place(spot) => wire::object(&[
                ("type", "place".into()),
                ("x", spot.left.into()),
                ("y", spot.top.into()),
                ("width", spot.width.into()),
                ("height", spot.height.into()),
            ]),
            ToSensor::Close => wire::object(&[("type", "close".into())]),
        }
    }
}

struct Frame {
    port: MessagePort,
    /// Proves to the worker that the sensor of this tab opened this frame.
    frame_token: String,
    state: RwSignal<CardState>,
    theme: RwSignal<Theme>,
    /// `light`, `dark` or `auto` (follow the page, then the OS).
    theme_setting: String,
    anchor: Rect,
    viewport: Viewport,
    /// The parts the user opened for the bot shown.
    wants: Wants,
    /// The meeting list a bot's card was opened from, to go back to.
    meeting: Option<Meeting>,
    /// Its "back" button's words while a bot opened from it is shown.
    back_to: RwSignal<Option<String>>,
}

thread_local! {
    static FRAME: RefCell<Option<Frame>> = const { RefCell::new(None) };
}

fn with_frame<T>(f: impl FnOnce(&mut Frame) -> T) -> Option<T> {
    FRAME.with_borrow_mut(|frame| frame.as_mut().map(f))
}

/// Entry point of `card.html`, called with the sensor's end of the channel.
pub fn start_card(port: MessagePort, frame_token: String) {
    let state = RwSignal::new(CardState::Idle);
    let theme = RwSignal::new(Theme::Light);
    let back_to = RwSignal::new(None);
    let actions = CardActions {
        want_screenshots: Some(Callback::new(|()| want(|w| w.screenshots = true))),
        want_logs: Some(Callback::new(|()| want(|w| w.logs = true))),
        refresh: Some(Callback::new(|()| reload())),
        close: Some(Callback::new(|()| post(&ToSensor::Close))),
        open: Some(Callback::new(open_from_list)),
        open_options: Some(Callback::new(|()| {
            leptos::task::spawn_local(async {
                let _ = chrome::open_options().await;
            });
        })),
        back: Some(Callback::new(|()| back_to_list())),
    };
    leptos::mount::mount_to_body(move || {
        view! { <Card state=state.read_only() actions theme=theme.read_only() back_to=back_to.read_only()/> }
    });
    let on_port = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if let Some(message) = FromSensor::from_js(&event.data()) {
            from_sensor(message);
        }
    });
    port.set_onmessage(Some(on_port.as_ref().unchecked_ref()));
    on_port.forget(); // lives as long as the frame
    FRAME.set(Some(Frame {
        port,
        frame_token,
        state,
        theme,
        theme_setting: "auto".into(),
        anchor: Rect::default(),
        viewport: Viewport::default(),
        wants: Wants::default(),
        meeting: None,
        back_to,
    }));
    leptos::task::spawn_local(async {
        // The theme setting shared with the options page (non-secret prefs live in `storage.sync`).
        if let Ok(prefs) = chrome::storage_sync_items().await {
            let theme: Option<String> = read(&prefs, "theme").flatten();
            with_frame(|f| f.theme_setting = theme.unwrap_or_else(|| "auto".into()));
        }
    });
    // Re-place the frame whenever what the card shows changes size.
    Effect::new(move |_| {
        state.track();
        after_render(place);
    });
    let _ = set_interval_with_handle(
        move || {
            if state.with_untracked(CardState::wants_refresh) {
                reload();
            }
        },
        REFRESH,
    );
    listen_for_escape();
}

fn listen_for_escape() {
    let on_key =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|event: web_sys::KeyboardEvent| {
            if event.key() == "Escape" {
                post(&ToSensor::Close);
            }
        });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    on_key.forget();
}

fn from_sensor(message: FromSensor) {
    match message {
        FromSensor::Hover {
            text,
            offset,
            anchor,
            viewport,
            page_theme,
            sent_at,
        } => {
            let byte_offset = botlens::detect::uuid::utf16_to_byte(&text, offset);
            let found = botlens::detect::at(&text, byte_offset);
            measure_since("botlens:hover-classified", sent_at);
            let Some(found) = found else {
                post(&ToSensor::Close);
                return;
            };
            let Some((state, same_bot)) = with_frame(|f| {
                f.anchor = anchor;
                f.viewport = viewport;
                f.theme
                    .set(resolve_theme(&f.theme_setting, page_theme.as_deref()));
                let same = f
                    .state
                    .with_untracked(|s| s.bot_id() == Some(found.id.as_str()));
                if !same {
                    f.wants = Wants::default();
                }
                f.meeting = None;
                f.back_to.set(None);
                (f.state, same)
            }) else {
                return;
            };
            if same_bot {
                after_render(place); // same bot: only the anchor moved
                return;
            }
            state.set(CardState::Loading {
                bot_id: found.id.clone(),
            });
            leptos::task::spawn_local(load(found.id));
        }
        FromSensor::Meeting {
            url,
            anchor,
            viewport,
            page_theme,
        } => {
            let Some(link) = meeting_link(&url) else {
                post(&ToSensor::Close);
                return;
            };
            let fresh = with_frame(|f| {
                f.anchor = anchor;
                f.viewport = viewport;
                f.theme
                    .set(resolve_theme(&f.theme_setting, page_theme.as_deref()));
                f.meeting = None;
                f.back_to.set(None);
                let same = f
                    .state
                    .with_untracked(|s| matches!(s, CardState::Meeting(m) if m.link == link.url));
                if !same {
                    f.state.set(CardState::Meeting(Box::new(Meeting {
                        link: link.url.clone(),
                        platform: link.platform.to_string(),
                        listed: None,
                    })));
                }
                !same
            });
            if fresh == Some(true) {
                leptos::task::spawn_local(list_meeting(link.url));
            } else {
                after_render(place);
            }
        }
        FromSensor::Focus => focus_card(),
        FromSensor::Closed => {
            with_frame(|f| f.state.set(CardState::Idle));
        }
    }
}

/// `auto` follows the page under the card, then the operating system.
fn resolve_theme(setting: &str, page_theme: Option<&str>) -> Theme {
    let dark = match setting {
        "dark" => true,
        "light" => false,
        _ => match page_theme {
            Some(page) => page == "dark",
            None => web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches()),
        },
    };
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// The user opened screenshots or logs: remember it and fetch them.
fn want(mark: fn(&mut Wants)) {
    let Some((state, wants)) = with_frame(|f| {
        mark(&mut f.wants);
        (f.state, f.wants)
    }) else {
        return;
    };
    let id = state.with_untracked(|s| match s {
        CardState::Ready(loaded) => Some(loaded.diagnosis.bot_id.clone()),
        _ => None,
    });
    if let Some(id) = id {
        state.update(|s| s.show_asked(wants));
        leptos::task::spawn_local(load(id));
    }
}

/// Fetch the current bot again (refresh button, running bots, transient errors).
fn reload() {
    let id = with_frame(|f| f.state.with_untracked(|s| s.bot_id().map(str::to_string))).flatten();
    if let Some(id) = id {
        leptos::task::spawn_local(load(id));
    }
}

/// Ask the worker for the diagnosis and show what it says.
async fn load(bot_id: String) {
    let Some((wants, token)) = with_frame(|f| (f.wants, f.frame_token.clone())) else {
        return;
    };
    let request = wire::diagnose_request(&bot_id, wants.screenshots, wants.logs);
    let reply = chrome::send_message_from_frame(&request, &token)
        .await
        .and_then(|value| {
            DiagnoseReply::from_js(&value).ok_or_else(|| "its answer could not be read".into())
        });
    let answer = match reply {
        Ok(DiagnoseReply::Diagnosed(gathered)) => Ok(*gathered),
        Ok(DiagnoseReply::Failed(error)) => Err(error),
        Err(detail) => Err(ApiError::Unreachable {
            host: "the botlens background worker".into(),
            detail,
        }),
    };
    let next = CardState::gathered(&bot_id, answer, wants, js_sys::Date::now());
    // Throttled: try again exactly when Recall said, not on the regular beat.
    if let Some(ms) = next.retry_after_ms() {
        // Whole seconds from Retry-After, at most 300 (client::retry_after_seconds).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        set_timeout(reload, Duration::from_millis(ms as u64));
    }
    // The pointer may have moved on to another bot meanwhile.
    with_frame(|f| {
        if f.state
            .with_untracked(|s| s.bot_id() == Some(bot_id.as_str()))
        {
            f.state.set(next);
        }
    });
}

/// Ask the worker for the bots sent to the meeting `url`, and list them.
async fn list_meeting(url: String) {
    let Some(token) = with_frame(|f| f.frame_token.clone()) else {
        return;
    };
    let reply = chrome::send_message_from_frame(&wire::meeting_request(&url), &token).await;
    let listed = match reply {
        Ok(value) => wire::meeting_reply(&value).unwrap_or_else(|| {
            Err(ApiError::Unreachable {
                host: "the botlens background worker".into(),
                detail: "its answer could not be read".into(),
            })
        }),
        Err(detail) => Err(ApiError::Unreachable {
            host: "the botlens background worker".into(),
            detail,
        }),
    };
    // The pointer may have moved on meanwhile.
    with_frame(|f| {
        f.state.update(|s| {
            if let CardState::Meeting(m) = s {
                if m.link == url {
                    m.listed = Some(listed);
                }
            }
        });
    });
}

/// A bot of the meeting's list was chosen: show its card, with a way back.
fn open_from_list(bot_id: String) {
    let opened = with_frame(|f| {
        let CardState::Meeting(meeting) = f.state.get_untracked() else {
            return false;
        };
        f.back_to.set(Some(meeting.back_label()));
        f.meeting = Some(*meeting);
        f.wants = Wants::default();
        f.state.set(CardState::Loading {
            bot_id: bot_id.clone(),
        });
        true
    });
    if opened == Some(true) {
        leptos::task::spawn_local(load(bot_id));
    }
}

/// Back from a bot's card to the meeting list it was opened from.
fn back_to_list() {
    with_frame(|f| {
        if let Some(meeting) = f.meeting.take() {
            f.back_to.set(None);
            f.state.set(CardState::Meeting(Box::new(meeting)));
        }
    });
}

/// Measure the card and ask the sensor to place the frame around it.
fn place() {
    let Some((anchor, viewport, idle)) = with_frame(|f| {
        (
            f.anchor,
            f.viewport,
            f.state.with_untracked(|s| matches!(s, CardState::Idle)),
        )
    }) else {
        return;
    };
    if idle {
        return;
    }
    let Some(card) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".botlens-card").ok().flatten())
    else {
        return;
    };
    let size = card.get_bounding_client_rect();
    let spot = placement::place(anchor, (size.width(), size.height()), viewport);
    post(&ToSensor::Place(spot));
}

/// Keyboard users enter the card: Tab then walks its links, Escape closes it.
fn focus_card() {
    if let Some(card) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".botlens-card").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = card.set_attribute("tabindex", "-1");
        let _ = card.focus();
    }
}

fn post(message: &ToSensor) {
    let value = message.to_js();
    with_frame(|f| {
        let _ = f.port.post_message(&value);
    });
}

/// Run once the DOM has been updated. Not requestAnimationFrame: browsers
/// pause it in a hidden frame, which is exactly when the card first renders.
fn after_render(f: fn()) {
    let callback = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(callback.unchecked_ref());
    }
}

/// A `performance.measure` entry from `start` (ms since the epoch) to now, so
/// benchmarks can read how long a step took without hooks in the product.
fn measure_since(name: &str, start: Option<f64>) {
    let (Some(start), Some(performance)) = (start, web_sys::window().and_then(|w| w.performance()))
    else {
        return;
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &options,
        &"start".into(),
        &(start - performance.time_origin()).into(),
    );
    let _ = js_sys::Reflect::set(&options, &"end".into(), &performance.now().into());
    if let Ok(measure) = js_sys::Reflect::get(&performance, &"measure".into()) {
        if let Some(measure) = measure.dyn_ref::<js_sys::Function>() {
            let _ = measure.call2(&performance, &name.into(), &options);
        }
    }
}
