//! The hover card. Presentational: a [`CardState`] in, DOM out.
//!
//! DOM contract (tests and integrators rely on it), on the root `.botlens-card`:
//! - `data-state`: `loading` | `ready` | `error`
//! - `data-bot-id`: the bot ID, lowercase
//! - `data-verdict`: `healthy` | `in_progress` | `failed` | `warning` (ready only)
//! - `data-reason`: the raw code that explains the verdict (absent when none)
//! - `data-status`: the raw current status code (ready only)
//! - `data-error`: the error kind, see [`ApiError::kind`] (error only)
//!
//! Everything from Recall or the page is rendered as text, never as markup.

use leptos::prelude::*;

use crate::diagnose::{self, Diagnosis};
use crate::recall::error::ApiError;
use crate::recall::region::Region;

/// The card's whole input.
#[derive(Clone, Debug, PartialEq)]
pub enum CardState {
    /// Nothing to show; the frame is hidden.
    Idle,
    Loading {
        bot_id: String,
    },
    Ready(Box<Diagnosis>),
    Failed {
        bot_id: String,
        error: ApiError,
    },
}

impl CardState {
    /// Diagnose a bot from the JSON Recall sent. Bad JSON becomes an error state, never a panic.
    pub fn from_bot_json(
        bot_id: &str,
        body: &str,
        region: Option<Region>,
        now_ms: f64,
    ) -> CardState {
        match diagnose::diagnose_json(body, region, Some(now_ms)) {
            Ok(diagnosis) => CardState::Ready(Box::new(diagnosis)),
            Err(detail) => CardState::Failed {
                bot_id: bot_id.to_string(),
                error: ApiError::Malformed {
                    status: 200,
                    detail,
                },
            },
        }
    }

    pub fn bot_id(&self) -> Option<&str> {
        match self {
            CardState::Idle => None,
            CardState::Loading { bot_id } | CardState::Failed { bot_id, .. } => Some(bot_id),
            CardState::Ready(d) => Some(&d.bot_id),
        }
    }
}

/// The card's stylesheet travels with the component, so it looks the same in
/// the extension's frame, a shadow root and a full page.
pub const CARD_CSS: &str = include_str!("card.css");

/// `0b5f5b0e…9abc`: enough to recognise, short enough for a header.
pub fn short_id(id: &str) -> String {
    match (id.get(..8), id.get(id.len().saturating_sub(4)..)) {
        (Some(head), Some(tail)) if id.len() > 12 => format!("{head}…{tail}"),
        _ => id.to_string(),
    }
}

#[component]
pub fn Card(#[prop(into)] state: Signal<CardState>) -> impl IntoView {
    view! {
        <style>{CARD_CSS}</style>
        {move || match state.get() {
            CardState::Idle => ().into_any(),
            CardState::Loading { bot_id } => view! { <Skeleton bot_id/> }.into_any(),
            CardState::Ready(diagnosis) => view! { <Diagnosed diagnosis=*diagnosis/> }.into_any(),
            CardState::Failed { bot_id, error } => view! { <Failure bot_id error/> }.into_any(),
        }}
    }
}

#[component]
fn Skeleton(bot_id: String) -> impl IntoView {
    view! {
        <section class="botlens-card" role="dialog" aria-busy="true"
            aria-label=format!("botlens: bot {}", short_id(&bot_id))
            data-state="loading" data-bot-id=bot_id.clone()>
            <header class="head">
                <span class="id">{short_id(&bot_id)}</span>
                <span class="pill pill-loading">"loading"</span>
            </header>
            <div class="skeleton-line wide"></div>
            <div class="skeleton-line"></div>
            <div class="skeleton-line short"></div>
        </section>
    }
}

#[component]
fn Diagnosed(diagnosis: Diagnosis) -> impl IntoView {
    let d = diagnosis;
    let verdict = d.verdict.as_str();
    view! {
        <section class="botlens-card" role="dialog"
            aria-label=format!("botlens: bot {}", short_id(&d.bot_id))
            data-state="ready" data-bot-id=d.bot_id.clone() data-verdict=verdict
            data-reason=d.reason.clone() data-status=d.status.clone()>
            <header class="head">
                <span class="id" title=d.bot_id.clone()>{short_id(&d.bot_id)}</span>
                <span class="name">{d.bot_name.clone()}</span>
                <span class="platform">{d.platform_name.clone()}</span>
                <span class=format!("pill pill-{verdict}")>{d.status.clone()}</span>
            </header>
            <div class=format!("banner banner-{verdict}")>
                <h2 class="title">{d.title.clone()}</h2>
                {d.reason.clone().map(|reason| view! {
                    <p class="reason"><code>{reason}</code>
                        {(!d.reason_known).then(|| view! { <span class="unknown">" not yet in the botlens catalog"</span> })}
                    </p>
                })}
                <p class="explanation">{d.explanation.clone()}</p>
                {(!d.remedy.is_empty()).then(|| view! { <p class="remedy"><strong>"What to do: "</strong>{d.remedy.clone()}</p> })}
            </div>
            <footer class="foot">
                <a href=d.explorer_url.clone() target="_blank" rel="noopener noreferrer">"Open in Explorer"</a>
                <span class="region">{d.region.to_string()}</span>
            </footer>
        </section>
    }
}

#[component]
fn Failure(bot_id: String, error: ApiError) -> impl IntoView {
    view! {
        <section class="botlens-card" role="dialog"
            aria-label=format!("botlens: bot {}", short_id(&bot_id))
            data-state="error" data-bot-id=bot_id.clone() data-error=error.kind()>
            <header class="head">
                <span class="id" title=bot_id.clone()>{short_id(&bot_id)}</span>
                <span class="pill pill-error">"no data"</span>
            </header>
            <div class="banner banner-error">
                <h2 class="title">{error.to_string()}</h2>
                <p class="remedy">{error.next_step()}</p>
            </div>
        </section>
    }
}
