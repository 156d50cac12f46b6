//! Many bots grouped by why (a [`Triage`]): the view the extension's popup and
//! the embed share. Presentational: the triage in, the user's "show" out.
//!
//! DOM contract: `.botlens-triage` with `.summary`, `ul.groups > li.group`
//! (`data-verdict`, `data-reason`, `data-whose-move`; `.count`, and `button.show`
//! when the host can show a group), `.failures`, `button.copy-markdown`,
//! `button.copy-csv`.

use leptos::prelude::*;

use crate::diagnose::triage::Triage;

pub const TRIAGE_CSS: &str = include_str!("triage.css");

/// How many of a group's IDs are listed under it (the copies hold them all).
const LISTED: usize = 5;

#[component]
pub fn TriageView(
    triage: Triage,
    /// Which group is shown on the page, if any.
    #[prop(optional, into)]
    shown: Signal<Option<usize>>,
    /// Show a group on the page (offered only when given).
    #[prop(optional)]
    on_show: Option<Callback<usize>>,
) -> impl IntoView {
    let markdown = triage.markdown();
    let csv = triage.csv();
    view! {
        <div class="botlens-triage">
            <style>{TRIAGE_CSS}</style>
            <p class="summary">{triage.summary()}</p>
            <ul class="groups">
                {triage.groups.iter().enumerate().map(|(i, g)| {
                    let verdict = g.verdict.as_str();
                    let ids: Vec<&str> = g.bots.iter().take(LISTED).map(|m| m.bot_id.as_str()).collect();
                    let more = g.bots.len().saturating_sub(LISTED);
                    let listed = if more > 0 { format!("{} (+{more})", ids.join(" ")) } else { ids.join(" ") };
                    view! {
                        <li class=move || if shown.get() == Some(i) { "group shown" } else { "group" }
                            data-verdict=verdict data-reason=g.reason.clone()
                            data-whose-move=g.whose_move.map(|p| p.as_str())>
                            <span class=format!("count count-{verdict}")>{g.bots.len()}</span>
                            <span class="what">
                                <code>{g.reason.clone().unwrap_or_else(|| g.verdict.label().to_string())}</code>
                                " "{g.title.clone()}
                                {g.whose_move.map(|p| view! { <span class="whose">" · "{p.label()}</span> })}
                            </span>
                            {on_show.map(|show| view! {
                                <button type="button" class="show" title="Mark these bots on the page"
                                    on:click=move |_| show.run(i)>"show"</button>
                            })}
                            <span class="bots">{listed}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(!triage.failures.is_empty()).then(|| view! {
                <p class="failures muted">{triage.failures.iter().map(|f| format!("{} not looked up ({})", f.bots.len(), f.kind)).collect::<Vec<_>>().join(" · ")}</p>
            })}
            <div class="row">
                <button type="button" class="copy-markdown" on:click=move |_| super::copy_to_clipboard(&markdown)>"Copy Markdown"</button>
                <button type="button" class="copy-csv" on:click=move |_| super::copy_to_clipboard(&csv)>"Copy CSV"</button>
            </div>
        </div>
    }
}
