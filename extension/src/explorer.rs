//! The full view (`explorer.html#<bot id>`): the card at full size with
//! screenshots and logs open, then the full view's own sections
//! (`ui::full`): the bot's particulars, the message for whoever must act, the
//! bot's JSON, and "Save evidence" (`diagnose::archive`, built here from what
//! the worker fetched, screenshots fetched as images). Opened from the popup's
//! look-up box and its list.

use botlens::diagnose::archive::keep::{self, Miss};
use botlens::diagnose::archive::{self, Archive};
use botlens::diagnose::gather::Wants;
use botlens::recall::error::ApiError;
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

/// "Save evidence": the diagnosis, the bot's JSON, its logs and its
/// screenshots (fetched as images now, while their links still work) in one
/// HTML file, downloaded. What goes in is gathered as `botlens diagnose
/// --save` gathers it (`archive::keep`).
async fn save_evidence(state: RwSignal<CardState>, bot_json: RwSignal<Option<String>>) {
    let CardState::Ready(loaded) = state.get_untracked() else {
        return;
    };
    let d = loaded.diagnosis;
    let mut left_out = Vec::new();
    let answer = raw(Request::Logs {
        id: d.bot_id.clone(),
    })
    .await
    .ok_or_else(|| "the background worker did not get them".to_string());
    let logs = keep::logs(Some(answer), &mut left_out);
    let images = keep::images(&d.screenshots, image, &mut left_out).await;
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

/// One screenshot's type and bytes, fetched by this page.
async fn image(url: &str, room: usize) -> Result<(String, Vec<u8>), Miss> {
    let failed = |why: &str| Miss::Failed(why.to_string());
    let url = botlens::ui::safe_url(url).ok_or_else(|| failed("its link is not http or https"))?;
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(|_| failed("this browser could not reach its host; the link may have expired"))?;
    if !response.ok() {
        return Err(Miss::Failed(format!(
            "the server answered {}",
            response.status()
        )));
    }
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|n| n.parse::<usize>().ok());
    if declared.is_some_and(|n| n > room) {
        return Err(Miss::TooBig);
    }
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let bytes = response
        .binary()
        .await
        .map_err(|_| failed("its answer broke off"))?;
    Ok((content_type, bytes))
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
