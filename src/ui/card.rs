//! The hover card. Presentational: a [`CardState`] in, DOM out; what the user
//! asks for (screenshots, logs, a refresh) goes out through [`CardActions`].
//!
//! DOM contract (tests and integrators rely on it), on the root `.botlens-card`:
//! - `data-state`: `loading` | `ready` | `error` (`meeting`: a meeting's bots, see
//!   [`super::meeting`])
//! - `data-bot-id`: the bot ID, lowercase
//! - `data-verdict`: `healthy` | `in_progress` | `failed` | `warning` | `unknown` (ready only)
//! - `data-reason`: the raw code that explains the verdict (absent when none)
//! - `data-reason-known`: `false` when that code is not in our catalog yet
//! - `data-status`: the raw current status code (ready only)
//! - `data-error`: the error kind, see [`ApiError::kind`] (error only)
//! - `data-theme`: `light` | `dark`
//!
//! Sections carry `data-section` (`timeline`, `screenshots`, `logs`, `media`,
//! `metadata`); the banner's `.whose` carries `data-whose-move` (`host`, `you`,
//! `platform`, `recall`, `nobody`) when someone must act.
//! Everything from Recall or the page is rendered as text, never as markup.

use leptos::prelude::*;

use super::focus;
use super::logs::Logs;
use super::media::MediaLinks;
use super::meeting::MeetingList;
use super::screenshots::Screenshots;
use super::state::{CardState, Loaded};
use super::timeline::Timeline;
use crate::diagnose::{Diagnosis, Verdict};
use crate::recall::error::ApiError;

/// What the user can ask of the card. The defaults do nothing, for hosts
/// (and tests) that have nothing to fetch.
#[derive(Clone, Copy, Default)]
pub struct CardActions {
    pub want_screenshots: Option<Callback<()>>,
    pub want_logs: Option<Callback<()>>,
    pub refresh: Option<Callback<()>>,
    pub close: Option<Callback<()>>,
    /// Open the options page (the extension: a key problem's way out).
    pub open_options: Option<Callback<()>>,
    /// Open a bot's card from a list (a meeting's bots).
    pub open: Option<Callback<String>>,
    /// Back from a bot's card to the list it was opened from.
    pub back: Option<Callback<()>>,
}

/// Resolved colour scheme of the card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
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
pub fn Card(
    #[prop(into)] state: Signal<CardState>,
    #[prop(optional)] actions: CardActions,
    #[prop(optional, into)] theme: Signal<Theme>,
    /// The list a bot's card was opened from (its "back" button's words).
    #[prop(optional, into)]
    back_to: Signal<Option<String>>,
) -> impl IntoView {
    let holder = NodeRef::<leptos::html::Div>::new();
    view! {
        <style>{CARD_CSS}</style>
        // `display: contents`: a handle on the card for keeping focus, not a box.
        <div class="botlens-holder" style="display:contents" node_ref=holder>{move || {
            let back = back_to.get().zip(actions.back);
            let state = state.get();
            if let Some(holder) = holder.get_untracked() {
                if let Some(place) = focus::place_in(&holder) {
                    focus::restore(holder.into(), place);
                }
            }
            match state {
                CardState::Idle => ().into_any(),
                CardState::Loading { bot_id } => view! { <Skeleton bot_id back theme/> }.into_any(),
                CardState::Ready(loaded) => view! { <Diagnosed loaded=*loaded actions back theme/> }.into_any(),
                CardState::Failed { bot_id, error } => view! { <Failure bot_id error actions back theme/> }.into_any(),
                CardState::Meeting(meeting) => view! { <MeetingList meeting=*meeting actions theme/> }.into_any(),
            }
        }}</div>
    }
}

/// Back to the list this card was opened from.
#[component]
fn Back(back: Option<(String, Callback<()>)>) -> impl IntoView {
    back.map(|(label, back)| {
        view! {
            <button type="button" class="back" data-action="back" on:click=move |_| back.run(())>
                "← "{label}
            </button>
        }
    })
}

fn label_for(bot_id: &str) -> String {
    format!("botlens: bot {}", short_id(bot_id))
}

#[component]
fn Skeleton(
    bot_id: String,
    back: Option<(String, Callback<()>)>,
    theme: Signal<Theme>,
) -> impl IntoView {
    view! {
        <section class="botlens-card" role="dialog" aria-busy="true" aria-label=label_for(&bot_id)
            data-state="loading" data-bot-id=bot_id.clone() data-theme=move || theme.get().as_str()>
            <Back back/>
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
fn Diagnosed(
    loaded: Loaded,
    actions: CardActions,
    back: Option<(String, Callback<()>)>,
    theme: Signal<Theme>,
) -> impl IntoView {
    let Loaded {
        diagnosis: d,
        report,
        screenshots,
        logs,
        fetched_at_ms,
    } = loaded;
    let verdict = d.verdict.as_str();
    let status = d.status.clone().unwrap_or_else(|| "no status yet".into());
    let short = short_id(&d.bot_id);
    view! {
        <section class="botlens-card" role="dialog" aria-label=label_for(&d.bot_id)
            data-state="ready" data-bot-id=d.bot_id.clone() data-verdict=verdict
            data-reason=d.reason.clone() data-reason-known=(!d.reason_known).then_some("false")
            data-status=d.status.clone() data-theme=move || theme.get().as_str()>
            <Back back/>
            <header class="head">
                <CopyButton text=d.bot_id.clone() label="Copy bot ID" class="id">{short}</CopyButton>
                <span class="name">{d.bot_name.clone()}</span>
                <span class="platform">{d.platform_name.clone()}</span>
                // The verdict in a word (colour never carries the meaning alone); the raw status beside it on hover.
                <span class=format!("pill pill-{verdict}") title=format!("status: {status} — {}", d.status_label)>
                    {d.verdict.label()}
                </span>
            </header>
            <Banner d=d.clone()/>
            {(!d.metadata.is_empty()).then(|| view! {
                <p class="meta muted" data-section="metadata">
                    {d.metadata.iter().map(|f| view! {
                        <span class="field"><span class="key">{f.key.clone()}</span>" "{f.value.clone()}</span>
                    }).collect_view()}
                </p>
            })}
            <Timeline d=d.clone()/>
            <Screenshots shots=d.screenshots.clone() section=screenshots want=actions.want_screenshots/>
            <Logs notes=d.notes.clone() section=logs want=actions.want_logs since=d.started_at/>
            <MediaLinks media=d.media.clone() now=d.now/>
            {crate::diagnose::expiring(&d.media, d.ended_at, d.now).into_iter().map(|warning| view! {
                <p class="expiring" role="status" data-section="expiring"><strong>"Expiring: "</strong>{warning}</p>
            }).collect_view()}
            <footer class="foot">
                <a href=d.explorer_url.clone() target="_blank" rel="noopener noreferrer">"Open in Explorer"</a>
                <span class="region" title=if d.region_assumed { "region assumed" } else { "region" }>{d.region.clone()}</span>
                <CopyButton text=report label="Copy a Markdown report for a support ticket" class="action">
                    "Copy report"
                </CopyButton>
                {actions.refresh.map(|refresh| view! {
                    <button type="button" class="action" data-action="refresh"
                        title=format!("Fetched {}", fetched_label(fetched_at_ms))
                        on:click=move |_| refresh.run(())>"Refresh"</button>
                })}
            </footer>
        </section>
    }
}

#[component]
fn Banner(d: Diagnosis) -> impl IntoView {
    let verdict = d.verdict.as_str();
    view! {
        <div class=format!("banner banner-{verdict}")>
            <h2 class="title">{d.title.clone()}</h2>
            {d.reason.clone().map(|reason| view! {
                <p class="reason"><code>{reason}</code>
                    {(!d.reason_known).then(|| view! { <span class="unknown">" · not yet in the botlens catalog"</span> })}
                </p>
            })}
            <p class="explanation">{d.explanation.clone()}</p>
            {d.detail.clone().map(|cause| view! {
                <p class="detail"><strong>"Underlying cause: "</strong><code>{cause.code.clone()}</code>" — "{cause.title.clone()}</p>
            })}
            {(!d.remedy.is_empty()).then(|| view! {
                <p class="remedy"><strong>"What to do: "</strong>{d.remedy.clone()}</p>
            })}
            {d.whose_move.filter(|_| d.verdict != Verdict::Healthy).map(|p| view! {
                <p class="whose" data-whose-move=p.as_str()><strong>"Whose move: "</strong>{p.label()}</p>
            })}
            {d.docs_url.clone().map(|url| view! {
                <p class="docs"><a href=url target="_blank" rel="noopener noreferrer">"Recall docs"</a></p>
            })}
        </div>
    }
}

#[component]
fn Failure(
    bot_id: String,
    error: ApiError,
    actions: CardActions,
    back: Option<(String, Callback<()>)>,
    theme: Signal<Theme>,
) -> impl IntoView {
    let transient = error.is_transient();
    let key_problem = matches!(error, ApiError::NoKey | ApiError::Unauthorized { .. });
    let short = short_id(&bot_id);
    view! {
        <section class="botlens-card" role="dialog" aria-label=label_for(&bot_id)
            data-state="error" data-bot-id=bot_id.clone() data-error=error.kind()
            data-theme=move || theme.get().as_str()>
            <Back back/>
            <header class="head">
                <CopyButton text=bot_id.clone() label="Copy bot ID" class="id">{short}</CopyButton>
                <span class=format!("pill pill-{}", error_tone(&error))>{error_word(&error)}</span>
            </header>
            <div class="banner banner-error">
                <h2 class="title">{error.to_string()}</h2>
                <p class="remedy">{error.next_step()}</p>
            </div>
            <footer class="foot">
                {actions.refresh.map(|refresh| view! {
                    <button type="button" class="action" data-action="refresh" on:click=move |_| refresh.run(())>
                        {if transient { "Try again now" } else { "Try again" }}
                    </button>
                })}
                {actions.open_options.filter(|_| key_problem).map(|open| view! {
                    <button type="button" class="action" data-action="options" on:click=move |_| open.run(())>
                        "Open options"
                    </button>
                })}
            </footer>
        </section>
    }
}

/// A failure in a word or two, so "no such bot", "slow down" and "check the
/// key" never look the same.
fn error_word(error: &ApiError) -> &'static str {
    match error {
        ApiError::NoKey => "no key",
        ApiError::Unauthorized { .. } => "key refused",
        ApiError::NotFound { .. } => "not found",
        ApiError::InvalidId { .. } => "not a bot ID",
        ApiError::Throttled { .. } => "throttled",
        ApiError::Server { .. } => "Recall error",
        ApiError::Unreachable { .. } => "unreachable",
        ApiError::Blocked => "blocked",
        ApiError::Malformed { .. } => "unreadable",
        ApiError::Refused { .. } => "refused",
        ApiError::NotPermitted => "not permitted",
        ApiError::Unsupported { .. } => "unsupported",
    }
}

/// How serious it looks: passing trouble is a warning, the rest an error.
fn error_tone(error: &ApiError) -> &'static str {
    if error.is_transient() {
        "warning"
    } else if matches!(error, ApiError::NotFound { .. }) {
        "unknown"
    } else {
        "error"
    }
}

/// A button that copies `text`; says "Copied" for a moment.
#[component]
pub(super) fn CopyButton(
    text: String,
    label: &'static str,
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = StoredValue::new(text);
    view! {
        // The visible words are the name (what speech users say to press it); the label describes.
        <button type="button" class=format!("copy {class}") title=label
            on:click=move |_| {
                super::copy_to_clipboard(&text.get_value());
                copied.set(true);
                set_timeout(move || copied.set(false), std::time::Duration::from_millis(1500));
            }>
            {children()}
            <span class="copied" aria-live="polite">{move || if copied.get() { " ✓ copied" } else { "" }}</span>
        </button>
    }
}

fn fetched_label(fetched_at_ms: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    crate::recall::time::Timestamp::from_millis(fetched_at_ms as i64)
        .map(|t| format!("at {} UTC", t.clock()))
        .unwrap_or_else(|| "just now".into())
}
