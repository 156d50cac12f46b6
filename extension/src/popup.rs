//! The toolbar popup: the bot IDs found on the current page with their status
//! badges (diagnosed when the popup opens, through the worker's cache), the
//! page's triage (`triage.rs`), an on/off switch for this site, and a look-up
//! box that takes a bot ID or an Explorer URL and opens the full view.
//!
//! The list comes from the page's content script (`overview/`), asked with
//! `{kind: "list_bots"}` through `chrome.tabs.sendMessage`; it answers
//! `{host, off, bots: [{id, kind}]}`. No `tabs` permission is needed.
//!
//! DOM contract: `#site`, `#site-toggle`, `#bots li[data-bot-id]` with
//! `.badge[data-verdict][data-status]` once known (`data-verdict="none"` when
//! Recall has no such bot), `#no-bots`, `#unavailable`, `#lookup`, `#lookup-go`,
//! `#lookup-error`.

use botlens::recall::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::chrome;
use crate::messages::bot_in;
use crate::prefs::{site_of, Prefs};
use crate::triage::PageTriage;

/// At most this many bots get a status badge (the list shows them all).
const DIAGNOSED: usize = 30;

/// Entry point of `popup.html`.
pub fn start_popup() {
    leptos::mount::mount_to_body(Popup);
}

#[derive(Serialize)]
struct ListBots {
    kind: &'static str,
}

/// A frame's content script's answer.
#[derive(Clone, Debug, Default, Deserialize)]
struct PageList {
    #[serde(default)]
    host: String,
    /// The tab's top frame (its host is the site's).
    #[serde(default)]
    top: bool,
    #[serde(default)]
    bots: Vec<PageBot>,
}

impl PageList {
    /// The page's list from every frame's: the top frame's host, each ID once
    /// (a bot in any frame is a bot), in the frames' order.
    fn merged(frames: Vec<PageList>) -> Option<PageList> {
        let host = frames
            .iter()
            .find(|f| f.top)
            .or(frames.first())?
            .host
            .clone();
        let mut bots: Vec<PageBot> = Vec::new();
        for bot in frames.into_iter().flat_map(|f| f.bots) {
            match bots.iter_mut().find(|b| b.id == bot.id) {
                Some(seen) if bot.kind == "bot" => seen.kind = bot.kind,
                Some(_) => {}
                None => bots.push(bot),
            }
        }
        Some(PageList {
            host,
            top: true,
            bots,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct PageBot {
    id: String,
    #[serde(default)]
    kind: String,
}

/// A bot's badge.
#[derive(Clone, Debug, PartialEq)]
enum Badge {
    Loading,
    Known { verdict: String, status: String },
    NotABot,
    Failed(String),
}

#[derive(Serialize)]
struct SavedSites<'a> {
    sites_off: &'a [String],
}

#[component]
fn Popup() -> impl IntoView {
    let tab = RwSignal::new(None::<i32>);
    let list = RwSignal::new(None::<Result<PageList, ()>>);
    let badges = RwSignal::new(Vec::<(String, Badge)>::new());
    let site_off = RwSignal::new(false);
    let sites = RwSignal::new(Vec::<String>::new());
    let lookup = RwSignal::new(String::new());
    let lookup_error = RwSignal::new(None::<String>);

    leptos::task::spawn_local(async move {
        if let Ok(prefs) = chrome::storage_sync_get::<Prefs>().await {
            sites.set(prefs.sites_off);
        }
        let Some(tab_id) = chrome::active_tab().await else {
            list.set(Some(Err(())));
            return;
        };
        tab.set(Some(tab_id));
        let answer =
            chrome::ask_every_frame::<_, PageList>(tab_id, &ListBots { kind: "list_bots" }, 10_000)
                .await;
        let Some(page) = answer.ok().and_then(PageList::merged) else {
            list.set(Some(Err(())));
            return;
        };
        let host = site_of(&page.host).unwrap_or_default();
        site_off.set(sites.with_untracked(|s| s.contains(&host)));
        let ids: Vec<String> = page.bots.iter().map(|b| b.id.clone()).collect();
        badges.set(ids.iter().map(|id| (id.clone(), Badge::Loading)).collect());
        list.set(Some(Ok(PageList { host, ..page })));
        // Status badges, on demand: only now that the popup is open.
        for id in ids.into_iter().take(DIAGNOSED) {
            let badge = diagnose(&id).await;
            badges.update(|all| {
                if let Some(entry) = all.iter_mut().find(|(i, _)| *i == id) {
                    entry.1 = badge;
                }
            });
        }
    });

    let toggle_site = move |on: bool| {
        let Some(Ok(page)) = list.get_untracked() else {
            return;
        };
        if page.host.is_empty() {
            return;
        }
        sites.update(|all| {
            all.retain(|s| *s != page.host);
            if !on {
                all.push(page.host.clone());
                all.sort();
            }
        });
        site_off.set(!on);
        let all = sites.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = chrome::storage_sync_set(&SavedSites { sites_off: &all }).await;
        });
    };

    let open = move |id: String| {
        let url = chrome::extension_url(&format!("explorer.html#{id}"));
        leptos::task::spawn_local(async move {
            if chrome::open_tab(&url).await.is_ok() {
                let _ = window().close();
            }
        });
    };
    let go = move || match bot_in(&lookup.get_untracked()) {
        Some(id) => {
            lookup_error.set(None);
            open(id);
        }
        None => lookup_error.set(Some(
            "No bot ID there. Paste a bot ID (8-4-4-4-12 hex digits) or an Explorer URL.".into(),
        )),
    };

    view! {
        <main class="popup">
            <header class="popup-head">
                <h1 class="popup-title">"botlens"</h1>
                {move || match list.get() {
                    Some(Ok(page)) if !page.host.is_empty() => view! {
                        <label class="switch">
                            <input id="site-toggle" type="checkbox" prop:checked=move || !site_off.get()
                                on:change=move |ev| toggle_site(event_target_checked(&ev))/>
                            " on "<span id="site">{page.host.clone()}</span>
                        </label>
                    }.into_any(),
                    _ => ().into_any(),
                }}
            </header>
            <section class="found">
                {move || match list.get() {
                    None => view! { <p class="hint">"Looking at this page…"</p> }.into_any(),
                    Some(Err(())) => view! {
                        <p id="unavailable" class="hint">"botlens cannot look at this page (browser pages and the extension stores are off limits). Reload the page if it was open before botlens was installed."</p>
                    }.into_any(),
                    Some(Ok(page)) if page.bots.is_empty() => view! {
                        <p id="no-bots" class="hint">{if site_off.get() { "botlens is off on this site." } else { "No bot IDs on this page." }}</p>
                    }.into_any(),
                    Some(Ok(page)) => view! {
                        <ul id="bots">
                            {page.bots.into_iter().map(|bot| {
                                let id = bot.id.clone();
                                let for_badge = bot.id.clone();
                                let badge = move || badges.with(|all| all.iter().find(|(i, _)| *i == for_badge).map(|(_, b)| b.clone()));
                                view! {
                                    <li data-bot-id=bot.id.clone() data-kind=bot.kind.clone()>
                                        <button class="bot" title="Open the full view" on:click=move |_| open(id.clone())>
                                            <code>{botlens::ui::card::short_id(&bot.id)}</code>
                                        </button>
                                        {move || badge().map(|b| match b {
                                            Badge::Loading => view! { <span class="badge badge-loading">"…"</span> }.into_any(),
                                            Badge::Known { verdict, status } => view! {
                                                <span class=format!("badge badge-{verdict}") data-verdict=verdict.clone() data-status=status.clone()>
                                                    {label(&verdict)}" · "{status.clone()}
                                                </span>
                                            }.into_any(),
                                            Badge::NotABot => view! { <span class="badge badge-none" data-verdict="none">"not found"</span> }.into_any(),
                                            Badge::Failed(why) => view! { <span class="badge badge-error" data-verdict="error" title=why>"no data"</span> }.into_any(),
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
            </section>
            {move || match list.get() {
                Some(Ok(page)) if !page.bots.is_empty() => {
                    let ids: Vec<String> = page.bots.iter().map(|b| b.id.clone()).collect();
                    view! { <PageTriage tab=tab ids=Signal::stored(ids)/> }.into_any()
                }
                _ => ().into_any(),
            }}
            <section class="lookup">
                <label for="lookup">"Look up a bot"</label>
                <div class="row">
                    <input id="lookup" type="text" spellcheck="false" placeholder="bot ID or Explorer URL"
                        prop:value=move || lookup.get()
                        on:input=move |ev| lookup.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { go() }/>
                    <button id="lookup-go" on:click=move |_| go()>"Open"</button>
                </div>
                {move || lookup_error.get().map(|e| view! { <p id="lookup-error" class="bad" role="alert">{e}</p> })}
            </section>
            <footer class="popup-foot">
                <button class="link" on:click=move |_| { leptos::task::spawn_local(async { let _ = chrome::open_options().await; }); }>"Options"</button>
            </footer>
        </main>
    }
}

fn label(verdict: &str) -> &'static str {
    match verdict {
        "healthy" => "healthy",
        "failed" => "failed",
        "warning" => "warning",
        "in_progress" => "in progress",
        _ => "unknown",
    }
}

async fn diagnose(id: &str) -> Badge {
    match crate::triage::diagnosis(id).await {
        Ok(d) => Badge::Known {
            verdict: d.verdict.as_str().to_string(),
            status: d.status.unwrap_or_default(),
        },
        Err(ApiError::NotFound { .. }) => Badge::NotABot,
        Err(error) => Badge::Failed(error.to_string()),
    }
}
