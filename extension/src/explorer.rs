//! The full view (`explorer.html#<bot id>`): the card at full size with
//! screenshots and logs open, then the full view's own sections
//! (`ui::full`): the bot's particulars, the message for whoever must act, the
//! bot's JSON, and "Save evidence" (`diagnose::archive`, built here from what
//! the worker fetched, screenshots fetched as images). Opened from the popup's
//! look-up box and its list.

use botlens::diagnose::archive::{self, Archive, Image};
use botlens::diagnose::gather::Wants;
use botlens::recall::error::ApiError;
use botlens::recall::model::Logs;
use botlens::recall::time::Timestamp;
use botlens::ui::card::{CardActions, Theme};
use botlens::ui::full::{FullActions, FullView};
use botlens::ui::state::CardState;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::chrome;
use crate::messages::{valid_id, Reply, Request};
use crate::prefs::Prefs;

/// Entry point of `explorer.html`.
pub fn start_explorer() {
    let state = RwSignal::new(CardState::Idle);
    // The bot's JSON as Recall sent it (for its section and the evidence file).
    let bot_json = RwSignal::new(None::<String>);
    let theme = RwSignal::new(system_theme());
    let actions = CardActions {
        want_screenshots: None,
        want_logs: None,
        refresh: Some(Callback::new(move |()| show(state, bot_json))),
        ..CardActions::default()
    };
    let full = FullActions {
        save: Some(Callback::new(move |()| {
            leptos::task::spawn_local(save_evidence(state, bot_json));
        })),
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
                <FullView state=state.read_only() document=bot_json.read_only() actions full theme=theme.read_only()/>
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
    show(state, bot_json);
    let on_hash = Closure::<dyn FnMut()>::new(move || show(state, bot_json));
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

fn show(state: RwSignal<CardState>, bot_json: RwSignal<Option<String>>) {
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
        // The worker keeps the answer it just diagnosed: asking again costs Recall nothing.
        let json = raw(Request::Bot { id: id.clone() }).await;
        if bot_in_hash().as_deref() == Some(id.as_str()) {
            bot_json.set(json);
            state.set(next);
        }
    });
}

/// Recall's answer for a bot's endpoint, as the worker fetched it.
async fn raw(request: Request) -> Option<String> {
    match chrome::send_message::<_, Reply>(&request).await {
        Ok(Reply::Found { body, .. }) => Some(body),
        _ => None,
    }
}

/// The most image bytes an evidence file carries (as `botlens diagnose --save`).
const MAX_IMAGE_BYTES: usize = 20_000_000;

/// "Save evidence": the diagnosis, the bot's JSON, its logs and its
/// screenshots (fetched as images now, while their links still work) in one
/// HTML file, downloaded.
async fn save_evidence(state: RwSignal<CardState>, bot_json: RwSignal<Option<String>>) {
    let CardState::Ready(loaded) = state.get_untracked() else {
        return;
    };
    let d = loaded.diagnosis;
    let mut left_out = Vec::new();
    let logs = match raw(Request::Logs {
        id: d.bot_id.clone(),
    })
    .await
    {
        Some(body) => serde_json::from_str::<Logs>(&body).ok(),
        None => {
            left_out.push("Logs: the worker could not fetch them.".to_string());
            None
        }
    };
    let mut images = Vec::new();
    let mut bytes = 0;
    for shot in &d.screenshots {
        let Some(url) = shot.url.as_deref().and_then(botlens::ui::safe_url) else {
            continue;
        };
        match image(&url).await {
            Some(found) if bytes + found.bytes.len() <= MAX_IMAGE_BYTES => {
                bytes += found.bytes.len();
                images.push(Image {
                    taken_at: shot.recorded_at,
                    ..found
                });
            }
            Some(_) => left_out.push("A screenshot: over the 20 MB the file carries.".to_string()),
            None => left_out.push(format!(
                "A screenshot{}: its image could not be fetched (its link may have expired, or this \
                 browser may not reach its host).",
                shot.recorded_at.map(|t| format!(" of {} UTC", t.human())).unwrap_or_default()
            )),
        }
    }
    let Some(saved_at) = Timestamp::from_js(js_sys::Date::now()) else {
        return;
    };
    let json = bot_json.get_untracked().unwrap_or_default();
    let html = archive::html(&Archive {
        diagnosis: &d,
        document: &json,
        logs: logs.as_ref(),
        images: &images,
        left_out: &left_out,
        saved_at,
    });
    download(
        &format!("botlens-evidence-{}-{}.html", d.bot_id, saved_at.date()),
        &html,
    );
}

/// One screenshot's bytes and type, or `None`.
async fn image(url: &str) -> Option<Image> {
    let response = gloo_net::http::Request::get(url).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    let content_type = response.headers().get("content-type")?;
    archive::image_type(&content_type)?;
    let bytes = response.binary().await.ok()?;
    Some(Image {
        bytes,
        content_type,
        taken_at: None,
    })
}

/// Hand `html` to the browser as a download named `name`.
fn download(name: &str, html: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(html));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/html;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
