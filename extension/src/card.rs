//! The card frame (`card.html`): receives what the sensor saw under the
//! pointer, classifies it with the Rust rules, asks the background for the
//! bot, diagnoses it and renders the card. It then tells the sensor where to
//! put the frame and how big to make it.

use std::cell::RefCell;

use botlens::recall::error::ApiError;
use botlens::ui::card::{Card, CardState};
use botlens::ui::placement::{self, Rect, Viewport};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

use crate::chrome;
use crate::messages::{Reply, Request};

/// What the sensor sends over the channel.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FromSensor {
    Hover {
        text: String,
        /// UTF-16 offset of the caret in `text`, as JavaScript counts.
        offset: usize,
        anchor: Rect,
        viewport: Viewport,
    },
    Closed,
}

/// What the card sends back.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ToSensor {
    Place {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    },
    Close,
}

struct Frame {
    port: MessagePort,
    state: RwSignal<CardState>,
    anchor: Rect,
    viewport: Viewport,
}

thread_local! {
    static FRAME: RefCell<Option<Frame>> = const { RefCell::new(None) };
}

/// Entry point of `card.html`, called with the sensor's end of the channel.
#[wasm_bindgen]
pub fn start_card(port: MessagePort) {
    let state = RwSignal::new(CardState::Idle);
    leptos::mount::mount_to_body(move || view! { <Card state=state.read_only()/> });
    let on_port = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if let Ok(message) = serde_wasm_bindgen::from_value::<FromSensor>(event.data()) {
            from_sensor(message);
        }
    });
    port.set_onmessage(Some(on_port.as_ref().unchecked_ref()));
    on_port.forget(); // lives as long as the frame
    FRAME.set(Some(Frame {
        port,
        state,
        anchor: Rect::default(),
        viewport: Viewport::default(),
    }));
    // Re-place the frame whenever what the card shows changes size.
    Effect::new(move |_| {
        state.track();
        after_paint(place);
    });
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
        } => {
            let byte_offset = utf16_to_byte_offset(&text, offset);
            let Some(found) = botlens::detect::at(&text, byte_offset) else {
                post(&ToSensor::Close);
                return;
            };
            let Some(state) = FRAME.with_borrow_mut(|f| {
                f.as_mut().map(|f| {
                    f.anchor = anchor;
                    f.viewport = viewport;
                    f.state
                })
            }) else {
                return;
            };
            if state.with_untracked(|s| s.bot_id() == Some(found.id.as_str())) {
                after_paint(place); // same bot: only the anchor moved
                return;
            }
            state.set(CardState::Loading {
                bot_id: found.id.clone(),
            });
            leptos::task::spawn_local(load(state, found.id));
        }
        FromSensor::Closed => {
            if let Some(state) = FRAME.with_borrow(|f| f.as_ref().map(|f| f.state)) {
                state.set(CardState::Idle);
            }
        }
    }
}

/// Ask the background for the bot and show what it says.
async fn load(state: RwSignal<CardState>, bot_id: String) {
    let reply = chrome::send_message::<_, Reply>(&Request::Bot { id: bot_id.clone() }).await;
    let next = match reply {
        Ok(Reply::Found { region, body }) => {
            CardState::from_bot_json(&bot_id, &body, Some(region), now_ms())
        }
        Ok(Reply::Failed { error }) => CardState::Failed {
            bot_id: bot_id.clone(),
            error,
        },
        Ok(Reply::KeyWorks { .. }) | Err(_) => CardState::Failed {
            bot_id: bot_id.clone(),
            error: ApiError::Unreachable {
                host: "the botlens background worker".into(),
                detail: "it did not answer".into(),
            },
        },
    };
    // The pointer may have moved on to another bot meanwhile.
    if state.with_untracked(|s| s.bot_id() == Some(bot_id.as_str())) {
        state.set(next);
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Measure the card and ask the sensor to place the frame around it.
fn place() {
    let Some((anchor, viewport, idle)) = FRAME.with_borrow(|f| {
        f.as_ref().map(|f| {
            (
                f.anchor,
                f.viewport,
                f.state.with_untracked(|s| matches!(s, CardState::Idle)),
            )
        })
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
    post(&ToSensor::Place {
        x: spot.left,
        y: spot.top,
        width: spot.width,
        height: spot.height,
    });
}

fn post(message: &ToSensor) {
    let Ok(value) = chrome::to_js(message) else {
        return;
    };
    FRAME.with_borrow(|f| {
        if let Some(f) = f {
            let _ = f.port.post_message(&value);
        }
    });
}

/// Run once the DOM has been updated. Not requestAnimationFrame: browsers
/// pause it in a hidden frame, which is exactly when the card first renders.
fn after_paint(f: fn()) {
    let callback = Closure::once_into_js(f);
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(callback.unchecked_ref());
    }
}

/// JavaScript counts string offsets in UTF-16 units; Rust in bytes.
fn utf16_to_byte_offset(text: &str, utf16_offset: usize) -> usize {
    let mut units = 0;
    for (byte, ch) in text.char_indices() {
        if units >= utf16_offset {
            return byte;
        }
        units += ch.len_utf16();
    }
    text.len()
}
