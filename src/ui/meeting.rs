//! The bots sent to one meeting, as the card shows them when the user hovers
//! a meeting link: one row per bot, in the order they were sent, each opening
//! that bot's own card.
//!
//! DOM contract: `.botlens-card.botlens-meeting` with `data-state="meeting"`,
//! `data-listed` (`loading` | `listed` | `error`), `data-platform`, and
//! `data-error` on error; `ul.sent > li` per bot (`data-bot-id`,
//! `data-verdict`, `data-reason`, `data-whose-move`), each with `button.open`.

use leptos::prelude::*;

use super::card::{short_id, CardActions, Theme};
use super::state::Meeting;
use crate::diagnose::triage::summarize;
use crate::diagnose::{Diagnosis, Verdict};

#[component]
pub fn MeetingList(meeting: Meeting, actions: CardActions, theme: Signal<Theme>) -> impl IntoView {
    let Meeting {
        link,
        platform,
        listed,
    } = meeting;
    let (listed_as, error_kind) = match &listed {
        None => ("loading", None),
        Some(Ok(_)) => ("listed", None),
        Some(Err(e)) => ("error", Some(e.kind())),
    };
    let body = match listed {
        None => view! {
            <div class="skeleton-line wide"></div>
            <div class="skeleton-line"></div>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <div class="banner banner-error">
                <h2 class="title">{error.to_string()}</h2>
                <p class="remedy">{error.next_step()}</p>
            </div>
        }
        .into_any(),
        Some(Ok(page)) if page.bots.is_empty() => view! {
            <div class="banner banner-unknown">
                <h2 class="title">"No bot of this workspace was sent to this meeting."</h2>
                <p class="remedy">"Bots of another workspace or region than your key's are not listed."</p>
            </div>
        }
        .into_any(),
        Some(Ok(page)) => {
            let summary = summarize(page.bots.iter().map(|d| d.verdict), 0);
            let more = page.more;
            view! {
                <p class="summary">{summary}</p>
                <ul class="sent">
                    {page.bots.into_iter().map(|d| view! { <Sent d open=actions.open/> }).collect_view()}
                </ul>
                {more.then(|| view! {
                    <p class="muted more">"More were sent: " <code>"botlens meeting <link>"</code> " lists them all."</p>
                })}
            }
            .into_any()
        }
    };
    view! {
        <section class="botlens-card botlens-meeting" role="dialog" aria-label="botlens: bots sent to this meeting"
            data-state="meeting" data-listed=listed_as data-platform=platform data-error=error_kind
            data-theme=move || theme.get().as_str()>
            <header class="head">
                <span class="name">"Bots sent to this meeting"</span>
                <span class="link muted" title=link.clone()>{shorten(&link)}</span>
            </header>
            {body}
            {actions.close.map(|close| view! {
                <footer class="foot">
                    <button type="button" class="action" data-action="close" on:click=move |_| close.run(())>"Close"</button>
                </footer>
            })}
        </section>
    }
}

#[component]
fn Sent(d: Diagnosis, open: Option<Callback<String>>) -> impl IntoView {
    let verdict = d.verdict.as_str();
    let id = d.bot_id.clone();
    let label = match &d.bot_name {
        Some(name) => format!("{} · {name}", short_id(&d.bot_id)),
        None => short_id(&d.bot_id),
    };
    let whose = d
        .whose_move
        .filter(|_| !matches!(d.verdict, Verdict::Healthy | Verdict::InProgress));
    view! {
        <li data-bot-id=d.bot_id.clone() data-verdict=verdict data-reason=d.reason.clone()
            data-whose-move=whose.map(|p| p.as_str())>
            <span class=format!("pill pill-{verdict}")
                title=format!("{} ({})", d.status_label, d.status.as_deref().unwrap_or("no status yet"))>
                {d.verdict.label()}
            </span>
            {match open {
                Some(open) => view! {
                    <button type="button" class="open" title="Open this bot's card"
                        on:click=move |_| open.run(id.clone())>{label}</button>
                }.into_any(),
                None => view! { <code>{label}</code> }.into_any(),
            }}
            <span class="what">{d.title.clone()}
                {whose.map(|p| view! { <span class="whose">" · "{p.label()}</span> })}
            </span>
        </li>
    }
}

/// The link without its scheme, and cut when long (the whole is its title).
fn shorten(link: &str) -> String {
    let bare = link
        .split_once("://")
        .map_or(link, |(_, rest)| rest)
        .split('?')
        .next()
        .unwrap_or_default();
    if bare.chars().count() > 48 {
        format!("{}…", bare.chars().take(47).collect::<String>())
    } else {
        bare.to_string()
    }
}
