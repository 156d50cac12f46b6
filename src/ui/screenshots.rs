//! Debug screenshots: fetched when the section is opened, thumbnails loaded
//! lazily, a click shows one at full size inside the card.

use leptos::prelude::*;

use super::safe_url;
use super::state::Section;
use crate::diagnose::ScreenshotRef;

#[component]
pub fn Screenshots(
    shots: Vec<ScreenshotRef>,
    section: Section,
    want: Option<Callback<()>>,
) -> impl IntoView {
    let zoomed = RwSignal::new(None::<(String, String)>);
    // Asked for once, it stays open when the answer re-renders the card.
    let asked = section != Section::NotAsked;
    let count = shots.len();
    let summary = match section {
        Section::Shown => format!("Screenshots · {count}"),
        _ => "Screenshots".to_string(),
    };
    let body = match section {
        Section::NotAsked | Section::Loading => view! { <p class="muted">"Loading screenshots…"</p> }.into_any(),
        Section::Failed(error) => view! {
            <p class="muted">{error.to_string()}" "{error.next_step()}</p>
        }
        .into_any(),
        Section::Shown if shots.is_empty() => view! {
            <p class="muted">"No screenshots. Recall takes them mostly while a bot joins; Zoom native bots take none."</p>
        }
        .into_any(),
        Section::Shown => view! {
            <ul class="shots">
                {shots.into_iter().filter_map(|shot| {
                    let url = shot.url.as_deref().and_then(safe_url)?;
                    let when = shot.recorded_at.map(super::when::local_clock).unwrap_or_default();
                    let caption = match &shot.status_label {
                        Some(status) => format!("{when} · {status}"),
                        None => when,
                    };
                    let (full, alt) = (url.clone(), format!("Screenshot at {caption}"));
                    Some(view! {
                        <li>
                            <button type="button" class="thumb" aria-label=alt.clone()
                                on:click=move |_| zoomed.set(Some((full.clone(), alt.clone())))>
                                <img src=url loading="lazy" alt="" width="104" height="62"/>
                            </button>
                            <span class="caption">{caption}</span>
                        </li>
                    })
                }).collect_view()}
            </ul>
            {move || zoomed.get().map(|(url, alt)| view! {
                <figure class="zoom">
                    <img src=url alt=alt.clone()/>
                    <figcaption>{alt}" "
                        <button type="button" class="action" on:click=move |_| zoomed.set(None)>"Close"</button>
                    </figcaption>
                </figure>
            })}
        }
        .into_any(),
    };
    view! {
        <details class="section" data-section="screenshots" open=asked
            on:toggle=move |ev| {
                if is_open(&ev) {
                    if let Some(want) = want { want.run(()) }
                }
            }>
            <summary>{summary}</summary>
            {body}
        </details>
    }
}

/// A `<details>` toggle event says whether the element is now open.
pub(super) fn is_open(ev: &leptos::ev::Event) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
        .is_some_and(|d| d.open())
}
