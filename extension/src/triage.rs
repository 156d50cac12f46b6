//! "Triage this page", in the popup: every bot of the page diagnosed through
//! the worker (its cache and its budget), grouped by why with the core's
//! triage — the same groups as `botlens triage`. A group can be shown on the
//! page (the overview marks those IDs and scrolls to the first); the whole can
//! be copied as the Markdown incident ticket or as CSV.
//!
//! DOM contract: `#triage` (the button), `#triage-progress`, `#triage-summary`,
//! `#triage-groups li.group[data-verdict][data-reason][data-whose-move]` with
//! `.count` and `button.show`, `#triage-markdown`, `#triage-csv`.

use botlens::diagnose::triage::{triage, Triage};
use botlens::diagnose::Diagnosis;
use botlens::recall::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chrome;
use crate::messages::{Reply, Request};

/// At most this many bots are triaged from one page.
pub const MAX_TRIAGED: usize = 200;

/// One bot's diagnosis, through the worker (screenshots and logs not asked).
pub async fn diagnosis(id: &str) -> Result<Diagnosis, ApiError> {
    let request = Request::Diagnose {
        id: id.to_string(),
        screenshots: false,
        logs: false,
    };
    match chrome::send_message::<_, Reply>(&request).await {
        Ok(Reply::Diagnosed(answer)) => Ok(answer.diagnosis),
        Ok(Reply::Failed { error }) => Err(error),
        _ => Err(ApiError::Unreachable {
            host: "the botlens background".into(),
            detail: "it did not answer".into(),
        }),
    }
}

#[derive(Clone)]
enum State {
    Idle,
    Running { done: usize, of: usize },
    Done(Box<Triage>),
}

#[derive(Serialize)]
struct MarkBots<'a> {
    kind: &'static str,
    ids: &'a [String],
}

#[derive(Deserialize)]
struct Marked {
    #[serde(default)]
    marked: usize,
}

#[component]
pub fn PageTriage(
    tab: RwSignal<Option<i32>>,
    #[prop(into)] ids: Signal<Vec<String>>,
) -> impl IntoView {
    let state = RwSignal::new(State::Idle);
    let shown = RwSignal::new(None::<usize>);
    let run = move || {
        let ids: Vec<String> = ids.get_untracked().into_iter().take(MAX_TRIAGED).collect();
        let of = ids.len();
        state.set(State::Running { done: 0, of });
        leptos::task::spawn_local(async move {
            let mut diagnoses = Vec::new();
            let mut failed = Vec::new();
            for (i, id) in ids.into_iter().enumerate() {
                match diagnosis(&id).await {
                    Ok(d) => diagnoses.push(d),
                    Err(e) => failed.push((id, e)),
                }
                state.set(State::Running { done: i + 1, of });
            }
            state.set(State::Done(Box::new(triage(&diagnoses, &failed))));
        });
    };
    let show = move |index: usize, bots: Vec<String>| {
        let Some(tab_id) = tab.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let message = MarkBots {
                kind: "mark_bots",
                ids: &bots,
            };
            if let Ok(Marked { marked }) = chrome::ask_tab::<_, Marked>(tab_id, &message).await {
                shown.set((marked > 0).then_some(index));
            }
        });
    };
    view! {
        <section class="triage">
            {move || match state.get() {
                State::Idle => view! {
                    <button id="triage" type="button" on:click=move |_| run()>"Triage this page"</button>
                }.into_any(),
                State::Running { done, of } => view! {
                    <p id="triage-progress" class="hint" role="status">{format!("Looking up {done} of {of} bots…")}</p>
                }.into_any(),
                State::Done(t) => {
                    let markdown = t.markdown();
                    let csv = t.csv();
                    view! {
                        <p id="triage-summary"><strong>{t.summary()}</strong></p>
                        <ul id="triage-groups">
                            {t.groups.iter().enumerate().map(|(i, g)| {
                                let bots: Vec<String> = g.bots.iter().map(|m| m.bot_id.clone()).collect();
                                let verdict = g.verdict.as_str();
                                view! {
                                    <li class=move || if shown.get() == Some(i) { "group shown" } else { "group" }
                                        data-verdict=verdict data-reason=g.reason.clone()
                                        data-whose-move=g.whose_move.map(|p| p.as_str())>
                                        <span class=format!("count badge badge-{verdict}")>{g.bots.len()}</span>
                                        <span class="what">
                                            <code>{g.reason.clone().unwrap_or_else(|| g.verdict.label().to_string())}</code>
                                            " "{g.title.clone()}
                                            {g.whose_move.map(|p| view! { <span class="whose">" · "{p.label()}</span> })}
                                        </span>
                                        <button type="button" class="show link" title="Mark these bots on the page"
                                            on:click=move |_| show(i, bots.clone())>"show"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(!t.failures.is_empty()).then(|| view! {
                            <p class="hint">{t.failures.iter().map(|f| format!("{} not looked up ({})", f.bots.len(), f.kind)).collect::<Vec<_>>().join(" · ")}</p>
                        })}
                        <div class="row">
                            <button id="triage-markdown" type="button" on:click=move |_| botlens::ui::copy_to_clipboard(&markdown)>"Copy Markdown"</button>
                            <button id="triage-csv" type="button" on:click=move |_| botlens::ui::copy_to_clipboard(&csv)>"Copy CSV"</button>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}
