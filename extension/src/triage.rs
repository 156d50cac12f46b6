//! "Triage this page", in the popup: every bot of the page diagnosed through
//! the worker (its cache and its budget), grouped by why with the core's
//! triage — the same groups as `botlens triage`. A group can be shown on the
//! page (the overview marks those IDs and scrolls to the first); the whole can
//! be copied as the Markdown incident ticket or as CSV.
//!
//! DOM contract: `#triage` (the button), `#triage-progress`, then the shared
//! view's (`botlens::ui::triage`): `.botlens-triage .summary`, `li.group`,
//! `button.show`, `button.copy-markdown`, `button.copy-csv`.

use botlens::diagnose::triage::{triage, Triage};
use botlens::diagnose::Diagnosis;
use botlens::recall::error::ApiError;
use botlens::ui::triage::TriageView;
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
    let show = move |index: usize| {
        let Some(tab_id) = tab.get_untracked() else {
            return;
        };
        // The group's bot IDs, from the triage shown.
        let bots = state.with_untracked(|s| match s {
            State::Done(t) => t
                .groups
                .get(index)
                .map(|g| g.bots.iter().map(|m| m.bot_id.clone()).collect::<Vec<_>>()),
            _ => None,
        });
        let Some(bots) = bots else {
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
                State::Done(t) => view! {
                    <TriageView triage=*t shown=shown on_show=Callback::new(move |i: usize| show(i))/>
                }.into_any(),
            }}
        </section>
    }
}
