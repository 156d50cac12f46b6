//! The full view (`explorer.html#<bot id>`): the card's content at full size,
//! with screenshots and logs open — the Explorer, inline. Opened from the
//! popup's look-up box and its list.

use botlens::diagnose::gather::Wants;
use botlens::recall::error::ApiError;
use botlens::ui::card::{Card, CardActions, Theme};
use botlens::ui::state::CardState;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{valid_id, Reply, Request};
use crate::prefs::Prefs;

/// Entry point of `explorer.html`.
pub fn start_explorer() {
    let state = RwSignal::new(CardState::Idle);
    let theme = RwSignal::new(system_theme());
    let actions = CardActions {
        want_screenshots: None,
        want_logs: None,
        refresh: Some(Callback::new(move |()| show(state))),
        ..CardActions::default()
    };
    if let Some(body) = document().body() {
        let _ = body.class_list().add_1("full");
    }
    leptos::mount::mount_to_body(move || {
        view! {
            <main class="explorer">
                <Show when=move || matches!(state.get(), CardState::Idle)>
                    <p id="no-bot" class="hint">"No bot ID in this address. Use the botlens toolbar button's look-up box."</p>
                </Show>
                <Card state=state.read_only() actions theme=theme.read_only()/>
            </main>
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(prefs) = chrome::storage_sync_get::<Prefs>().await {
            match prefs.theme.as_deref() {
                Some("dark") => theme.set(Theme::Dark),
                Some("light") => theme.set(Theme::Light),
                _ => {}
            }
        }
    });
    show(state);
    let on_hash = Closure::<dyn FnMut()>::new(move || show(state));
    let _ =
        window().add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    on_hash.forget(); // lives as long as the page
}

fn system_theme() -> Theme {
    let dark = window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if dark {
        Theme::Dark
    } else {
        Theme::Light
    }
}

/// The bot ID in the address: `#<id>` (any case).
fn bot_in_hash() -> Option<String> {
    let hash = window().location().hash().ok()?;
    let id = hash.trim_start_matches('#').trim().to_ascii_lowercase();
    valid_id(&id).then_some(id)
}

fn show(state: RwSignal<CardState>) {
    let Some(id) = bot_in_hash() else {
        state.set(CardState::Idle);
        return;
    };
    document().set_title(&format!("botlens — bot {id}"));
    if state.with_untracked(|s| s.bot_id() != Some(id.as_str())) {
        state.set(CardState::Loading { bot_id: id.clone() });
    }
    leptos::task::spawn_local(async move {
        // The full view opens every part at once.
        let wants = Wants {
            screenshots: true,
            logs: true,
        };
        let request = Request::Diagnose {
            id: id.clone(),
            screenshots: wants.screenshots,
            logs: wants.logs,
        };
        let answer = match chrome::send_message::<_, Reply>(&request).await {
            Ok(Reply::Diagnosed(gathered)) => Ok(*gathered),
            Ok(Reply::Failed { error }) => Err(error),
            Ok(_) | Err(_) => Err(ApiError::Unreachable {
                host: "the botlens background worker".into(),
                detail: "it did not answer".into(),
            }),
        };
        let next = CardState::gathered(&id, answer, wants, js_sys::Date::now());
        if bot_in_hash().as_deref() == Some(id.as_str()) {
            state.set(next);
        }
    });
}
