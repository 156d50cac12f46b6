//! Notable logs and named patterns, explained, with a level filter. Bot logs
//! are fetched when the section is opened; patterns need no fetch.

use leptos::prelude::*;

use super::screenshots::is_open;
use super::state::Section;
use super::when::When;
use crate::diagnose::{Note, NoteLevel, NoteSource};
use crate::recall::time::{human_duration, Timestamp};

#[component]
pub fn Logs(
    notes: Vec<Note>,
    section: Section,
    want: Option<Callback<()>>,
    /// When the bot set off: each line also says how long after.
    since: Option<Timestamp>,
) -> impl IntoView {
    let minimum = RwSignal::new(NoteLevel::Info);
    let words = RwSignal::new(String::new());
    let count = notes.len();
    let shown = section == Section::Shown;
    // Asked for once, it stays open when the answer re-renders the card.
    let asked = section != Section::NotAsked;
    let notes = StoredValue::new(notes);
    let status = match section {
        Section::NotAsked | Section::Loading => Some("Loading bot logs…".to_string()),
        Section::Failed(error) => Some(format!(
            "Bot logs unavailable: {} {}",
            error,
            error.next_step()
        )),
        Section::Shown => None,
    };
    view! {
        <details class="section" data-section="logs" open=asked
            on:toggle=move |ev| {
                if is_open(&ev) {
                    if let Some(want) = want { want.run(()) }
                }
            }>
            <summary>{if shown { format!("Notes and logs · {count}") } else { "Notes and logs".to_string() }}</summary>
            <label class="filter">"Show "
                <select on:change=move |ev| minimum.set(match event_target_value(&ev).as_str() {
                    "warning" => NoteLevel::Warning,
                    "error" => NoteLevel::Error,
                    _ => NoteLevel::Info,
                })>
                    <option value="info">"everything"</option>
                    <option value="warning">"warnings and errors"</option>
                    <option value="error">"errors only"</option>
                </select>
            </label>
            <label class="filter">"Find "
                <input type="search" class="log-search" on:input=move |ev| words.set(event_target_value(&ev).to_lowercase())/>
            </label>
            {status.map(|s| view! { <p class="muted">{s}</p> })}
            <ul class="notes" tabindex="0" aria-label="Notes and log lines">
                {move || notes.get_value().into_iter().filter(|n| n.level >= minimum.get() && matches(n, &words.get())).map(|n| view! {
                    <li class=format!("note note-{}", n.level.label()) data-level=n.level.label()
                        data-source=if n.source == NoteSource::Log { "log" } else { "pattern" }>
                        <span class="level">{n.level.label()}</span>
                        <When at=n.at/>
                        {since.zip(n.at).filter(|(a, b)| a <= b).map(|(a, b)| view! {
                            <span class="since" title="after the bot set off">{format!("+{}", human_duration(a.seconds_until(b)))}</span>
                        })}
                        <strong class="note-title">{n.title.clone()}</strong>
                        <span class="note-text">{n.text.clone()}</span>
                        {n.message.clone().map(|m| view! { <code class="raw">{m}</code> })}
                    </li>
                }).collect_view()}
            </ul>
        </details>
    }
}

/// Does the note hold the words looked for (lowercase; empty matches all)?
fn matches(note: &Note, words: &str) -> bool {
    words.is_empty()
        || [Some(&note.title), Some(&note.text), note.message.as_ref()]
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains(words))
}
