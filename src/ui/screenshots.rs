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
    let zoomed = RwSignal::new(None::<usize>);
    let big = RwSignal::new(false);
    let viewer = NodeRef::<leptos::html::Figure>::new();
    // Keys go to the viewer as soon as it opens.
    Effect::new(move |_| {
        if zoomed.get().is_some() {
            if let Some(figure) = viewer.get() {
                let _ = figure.focus();
            }
        }
    });
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
        Section::Shown => {
            // (link, caption) of each screenshot that can be shown.
            let shown: Vec<(String, String)> = shots
                .into_iter()
                .filter_map(|shot| {
                    let url = shot.url.as_deref().and_then(safe_url)?;
                    let when = shot.recorded_at.map(super::when::local_clock).unwrap_or_default();
                    let caption = match &shot.status_label {
                        Some(status) => format!("{when} · {status}"),
                        None => when,
                    };
                    Some((url, format!("Screenshot at {caption}")))
                })
                .collect();
            let all = StoredValue::new(shown.clone());
            let last = shown.len().saturating_sub(1);
            view! {
                <ul class="shots">
                    {shown.into_iter().enumerate().map(|(i, (url, alt))| view! {
                        <li>
                            <button type="button" class="thumb" aria-label=alt.clone()
                                on:click=move |_| zoomed.set(Some(i))>
                                <img src=url loading="lazy" alt="" width="104" height="62"/>
                            </button>
                            <span class="caption">{alt.trim_start_matches("Screenshot at ").to_string()}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {move || zoomed.get().and_then(|i| all.with_value(|a| a.get(i).cloned()).map(|(url, alt)| {
                    let label = format!("{alt} ({} of {})", i + 1, last + 1);
                    view! {
                    // The viewer: ← → for the others, + and − to zoom, Escape closes it (not the card).
                    <figure class="zoom" class:big=move || big.get() tabindex="-1" role="group"
                        aria-label=label
                        node_ref=viewer
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            let step = |to: usize| { zoomed.set(Some(to)); ev.prevent_default(); };
                            match ev.key().as_str() {
                                "ArrowRight" => step(if i == last { 0 } else { i + 1 }),
                                "ArrowLeft" => step(if i == 0 { last } else { i - 1 }),
                                "+" | "=" => big.set(true),
                                "-" => big.set(false),
                                "Escape" => {
                                    ev.stop_propagation();
                                    zoomed.set(None);
                                }
                                _ => {}
                            }
                        }>
                        <img src=url alt=alt.clone()/>
                        <figcaption>{alt}" "
                            <button type="button" class="action" on:click=move |_| zoomed.set(None)>"Close"</button>
                        </figcaption>
                    </figure>
                }}))}
            }
            .into_any()
        }
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
