//! The full view's own sections, below the card it shares with the hover
//! (`explorer.html#<id>` in the extension, `view: "full"` in the embed): the bot's particulars, the
//! message for whoever must act, the bot's JSON to read, search and copy,
//! and saving the evidence before Recall deletes it. The card's components
//! (banner, timeline, screenshots, logs, media) are not written twice.

use leptos::prelude::*;
use serde_json::Value;

use super::card::{short_id, Card, CardActions, CopyButton, Theme};
use super::state::CardState;
use super::when::When;
use crate::diagnose::{report, Artifact, Diagnosis, Setting};
use crate::recall::time::Timestamp;
use crate::recall::trim;

/// What the page can do for the full view.
#[derive(Clone, Copy, Default)]
pub struct FullActions {
    /// Write the evidence file (the page fetches what it needs and downloads it).
    pub save: Option<Callback<()>>,
}

/// The sections' stylesheet, carried like the card's.
pub const FULL_CSS: &str = include_str!("full.css");

/// The whole full view: the card at full width, then, once the bot is
/// diagnosed, [`FullSections`]. The extension's `explorer.html` and the
/// embed's `view: "full"` both draw this.
#[component]
pub fn FullView(
    #[prop(into)] state: Signal<CardState>,
    /// The bot's JSON as it came (Recall's, or the proxy's trimmed copy).
    #[prop(into)]
    document: Signal<Option<String>>,
    actions: CardActions,
    full: FullActions,
    #[prop(optional, into)] theme: Signal<Theme>,
) -> impl IntoView {
    view! {
        <div class="botlens-full">
            <style>{FULL_CSS}</style>
            <Card state actions theme/>
            {move || match state.get() {
                CardState::Ready(loaded) => view! {
                    <FullSections d=loaded.diagnosis document=document.get() actions=full theme/>
                }.into_any(),
                _ => ().into_any(),
            }}
        </div>
    }
}

/// The full view's sections for a diagnosed bot and its JSON as Recall sent it.
#[component]
pub fn FullSections(
    d: Diagnosis,
    document: Option<String>,
    actions: FullActions,
    #[prop(optional, into)] theme: Signal<Theme>,
) -> impl IntoView {
    let shown = document.as_deref().map(trim::for_reading);
    let facts = document.as_deref().map(facts).unwrap_or_default();
    view! {
        <section class="full-sections" data-theme=move || theme.get().as_str() aria-label="Details, message and data">
            <Particulars d=d.clone() facts/>
            <Settings settings=d.settings.clone()/>
            <Recordings artifacts=d.media.artifacts.clone()/>
            <Message d=d.clone()/>
            {shown.map(|json| view! { <RawJson json/> })}
            {actions.save.map(|save| view! {
                <p class="save">
                    <button type="button" class="action" data-action="save-evidence" on:click=move |_| save.run(())>
                        "Save evidence"
                    </button>
                    <span class="muted">" One HTML file with the diagnosis, timeline, logs, screenshots and JSON, \
                        that opens offline after Recall has deleted them."</span>
                </p>
            })}
        </section>
    }
}

/// Name and value pairs from the bot's JSON the card does not show.
fn facts(document: &str) -> Vec<(&'static str, Fact)> {
    let Ok(bot) = serde_json::from_str::<Value>(document) else {
        return Vec::new();
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    let time = |v: &Value| v.as_str().and_then(Timestamp::parse);
    let meeting = &bot["meeting_url"];
    let mut out = Vec::new();
    if let Some(platform) = text(&meeting["platform"]) {
        out.push(("Platform", Fact::Text(platform)));
    }
    if let Some(id) = text(&meeting["meeting_id"]) {
        out.push(("Meeting ID", Fact::Text(id)));
    } else if let Some(url) = text(meeting) {
        // A plain URL: its query (Zoom's `pwd=`) is a secret.
        out.push(("Meeting", Fact::Text(report::redact(&url))));
    }
    if let Some(at) = time(&bot["created_at"]) {
        out.push(("Created", Fact::Time(at)));
    }
    if let Some(at) = time(&bot["join_at"]) {
        out.push(("Asked to join at", Fact::Time(at)));
    }
    out
}

#[derive(Clone)]
enum Fact {
    Text(String),
    Time(Timestamp),
}

#[component]
fn Particulars(d: Diagnosis, facts: Vec<(&'static str, Fact)>) -> impl IntoView {
    view! {
        <dl class="particulars" data-section="particulars">
            <dt>"Bot ID"</dt><dd><code>{d.bot_id.clone()}</code></dd>
            {d.bot_name.clone().map(|name| view! { <dt>"Name"</dt><dd>{name}</dd> })}
            {(!d.participants.is_empty()).then(|| view! {
                <dt>"Participants"</dt><dd>{d.participants.join(", ")}</dd>
            })}
            <dt>"Region"</dt><dd>{d.region.clone()}{d.region_assumed.then_some(" (assumed)")}</dd>
            {facts.into_iter().map(|(name, fact)| view! {
                <dt>{name}</dt>
                <dd>{match fact {
                    Fact::Text(text) => text.into_any(),
                    Fact::Time(at) => view! { <When at=Some(at)/> }.into_any(),
                }}</dd>
            }).collect_view()}
            {d.metadata.iter().map(|f| view! {
                <dt>"metadata." {f.key.clone()}</dt><dd>{f.value.clone()}</dd>
            }).collect_view()}
        </dl>
    }
}

/// The bot's timeouts and `join_at` beside what happened; the one that made it leave is marked in words.
#[component]
fn Settings(settings: Vec<Setting>) -> impl IntoView {
    (!settings.is_empty()).then(|| {
        view! {
            <section class="settings" data-section="settings" aria-labelledby="settings-title">
                <h2 id="settings-title">"Settings against what happened"</h2>
                <table>
                    <thead><tr><th scope="col">"Setting"</th><th scope="col">"Value"</th><th scope="col">"What happened"</th></tr></thead>
                    <tbody>
                        {settings.into_iter().map(|s| view! {
                            <tr class:ended=s.ended_it data-setting=s.name.clone()>
                                <th scope="row"><code>{s.name.clone()}</code></th>
                                <td>{match s.at {
                                    Some(at) => view! { <When at=Some(at)/> }.into_any(),
                                    None => s.value.clone().into_any(),
                                }}</td>
                                <td>{s.happened.clone()}
                                    {s.ended_it.then(|| view! { <strong class="why">" Why the bot left."</strong> })}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}

/// Every artifact of every recording: what it is, its state, when Recall deletes it, its link.
#[component]
fn Recordings(artifacts: Vec<Artifact>) -> impl IntoView {
    (!artifacts.is_empty()).then(|| {
        view! {
            <section class="recordings" data-section="recordings" aria-labelledby="recordings-title">
                <h2 id="recordings-title">"Recordings and their media"</h2>
                <table>
                    <thead><tr>
                        <th scope="col">"Recording"</th><th scope="col">"Media"</th><th scope="col">"State"</th>
                        <th scope="col">"Deleted by Recall"</th><th scope="col">"Link"</th>
                    </tr></thead>
                    <tbody>
                        {artifacts.into_iter().map(|a| {
                            let state = match (&a.status, &a.sub_code) {
                                (Some(status), Some(sub)) => format!("{} ({status}: {sub})", a.availability.label()),
                                (Some(status), None) => format!("{} ({status})", a.availability.label()),
                                _ => a.availability.label().to_string(),
                            };
                            view! {
                                <tr data-kind=a.kind.clone()>
                                    <td><code>{a.recording_id.as_deref().map(short_id).unwrap_or_default()}</code></td>
                                    <th scope="row">{a.kind.replace('_', " ")}</th>
                                    <td>{state}</td>
                                    <td><When at=a.expires_at/></td>
                                    <td>{super::media::download(a.url.as_deref(), a.availability)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}

#[component]
fn Message(d: Diagnosis) -> impl IntoView {
    report::message_for(&d).map(|(who, text)| {
        view! {
            <section class="message" data-section="message" aria-labelledby="message-title">
                <h2 id="message-title">"Message for whoever must act: "{who}</h2>
                <pre class="message-text">{text.clone()}</pre>
                <CopyButton text label="Copy this message" class="action">"Copy message"</CopyButton>
            </section>
        }
    })
}

/// The JSON, searchable: the lines that hold the words, with their numbers.
#[component]
fn RawJson(json: String) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let lines = StoredValue::new(json.lines().map(str::to_string).collect::<Vec<_>>());
    view! {
        <details class="section raw" data-section="json">
            <summary>"The bot's JSON"</summary>
            <p class="raw-tools">
                <label>"Search "
                    <input type="search" class="raw-search" on:input=move |ev| query.set(event_target_value(&ev))/>
                </label>
                " "
                <CopyButton text=json.clone() label="Copy the bot's JSON" class="action">"Copy JSON"</CopyButton>
            </p>
            <pre class="json" tabindex="0" aria-label="The bot's JSON">{move || {
                let q = query.get().to_lowercase();
                lines.with_value(|lines| {
                    if q.is_empty() {
                        return lines.join("\n");
                    }
                    lines
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| l.to_lowercase().contains(&q))
                        .map(|(i, l)| format!("{:>4}  {l}", i + 1))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }}</pre>
        </details>
    }
}
