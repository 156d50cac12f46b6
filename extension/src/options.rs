//! The options page: the Recall key (or a team proxy instead), a connection
//! test that names the region the key works in, the sites where botlens stays
//! off, the theme, the detection mode and whether hovering a meeting link
//! lists the bots sent there.
//!
//! DOM contract (the end-to-end tests use it): `#api-key`, `#host-template`,
//! `#key-session`, `#proxy-url`, `#proxy-token`, `#save`, `#saved`, `#test`, `#test-result`
//! (`data-outcome` = `ok` | `bad`, `data-region` when a region was found),
//! `#site-input`, `#site-add`, `#sites-off li[data-site]`, `#theme`,
//! `#detection-hover`, `#detection-overview`, `#meeting-links` (checkbox).

use botlens::recall::error::ApiError;
use botlens::recall::region::{check_host_template, DEFAULT_HOST_TEMPLATE};
use leptos::prelude::*;
use serde::Serialize;

use crate::chrome;
use crate::messages::{Reply, Request};
use crate::prefs::{parse_proxy_url, site_of, Prefs, Settings, SESSION_KEY};

/// Entry point of `options.html`.
pub fn start_options() {
    leptos::mount::mount_to_body(Options);
}

/// What Save writes to `storage.local`. `region` is cleared so the next look-up searches afresh.
#[derive(Serialize)]
struct SavedLocal {
    /// Left out when the field is empty, so saving the host keeps the saved
    /// key; `Some(None)` clears it (the key moved to the session).
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy_token: Option<String>,
    host_template: String,
    proxy_url: Option<String>,
    key_in_session: bool,
    region: Option<()>,
}

/// An older version kept the proxy URL in `storage.sync`: cleared on Save.
#[derive(Serialize)]
struct SyncedProxyCleared {
    proxy_url: Option<()>,
}

#[derive(Serialize)]
struct SavedSites<'a> {
    sites_off: &'a [String],
}

#[derive(Serialize)]
struct SavedTheme<'a> {
    theme: &'a str,
}

#[derive(Serialize)]
struct SavedDetection<'a> {
    detection: &'a str,
}

#[derive(Serialize)]
struct SavedMeetingLinks {
    meeting_links: bool,
}

/// The outcome of Test connection: a sentence, whether it is good news, the region found.
#[derive(Clone)]
struct Tested {
    ok: bool,
    text: String,
    next: String,
    region: Option<String>,
}

fn describe(reply: Result<Reply, String>, proxy: bool) -> Tested {
    let bad = |text: String, next: String| Tested {
        ok: false,
        text,
        next,
        region: None,
    };
    match reply {
        Ok(Reply::KeyWorks { region: None }) => Tested {
            ok: true,
            text: "The team proxy answers.".into(),
            next: String::new(),
            region: None,
        },
        Ok(Reply::KeyWorks {
            region: Some(region),
        }) => Tested {
            ok: true,
            text: format!("The key works in {region}."),
            next: "botlens asks that region first.".into(),
            region: Some(region.to_string()),
        },
        Ok(Reply::Failed {
            error: ApiError::Unauthorized { regions_tried },
        }) if !proxy => bad(
            format!(
                "This key is valid in no Recall region: {} refused it.",
                regions_tried
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Check that you copied the whole key, and that it has not been revoked.".into(),
        ),
        Ok(Reply::Failed {
            error: ApiError::Unauthorized { .. },
        }) => bad(
            "The team proxy refused the request.".into(),
            "Check the proxy token with whoever runs the proxy.".into(),
        ),
        Ok(Reply::Failed { error }) => bad(error.to_string(), error.next_step()),
        Ok(_) | Err(_) => bad(
            "The background worker did not answer.".into(),
            "Reload the extension and try again.".into(),
        ),
    }
}

#[component]
fn Options() -> impl IntoView {
    let key = RwSignal::new(String::new());
    let host = RwSignal::new(String::new());
    let proxy = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let has_key = RwSignal::new(false);
    let has_token = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let tested = RwSignal::new(None::<Tested>);
    let testing = RwSignal::new(false);
    let sites = RwSignal::new(Vec::<String>::new());
    let site_input = RwSignal::new(String::new());
    let theme = RwSignal::new("auto".to_string());
    let detection = RwSignal::new("hover".to_string());
    let meeting_links = RwSignal::new(false);
    let key_in_session = RwSignal::new(false);
    // Where the saved key is now: moving it takes pasting it again.
    let stored_in_session = RwSignal::new(false);

    leptos::task::spawn_local(async move {
        let prefs = chrome::storage_sync_get::<Prefs>()
            .await
            .unwrap_or_default();
        if let Ok(local) = chrome::storage_get::<Settings>().await {
            let session_key = chrome::session_get(SESSION_KEY)
                .await
                .ok()
                .and_then(|v| v.as_string());
            key_in_session.set(local.key_in_session);
            stored_in_session.set(local.key_in_session);
            let settings = local.completed(session_key, &prefs);
            has_key.set(settings.has_key());
            proxy.update(|p| {
                if p.is_empty() {
                    *p = settings.proxy().unwrap_or_default().to_string();
                }
            });
            has_token.set(
                settings
                    .proxy_token
                    .as_deref()
                    .is_some_and(|t| !t.is_empty()),
            );
            // What the user typed meanwhile wins over what was stored.
            host.update(|h| {
                if h.is_empty() {
                    *h = settings.host().to_string();
                }
            });
        }
        sites.set(prefs.sites_off);
        theme.set(prefs.theme.unwrap_or_else(|| "auto".into()));
        detection.set(prefs.detection.unwrap_or_else(|| "hover".into()));
        meeting_links.set(prefs.meeting_links);
    });

    // The page follows its own theme setting.
    Effect::new(move |_| {
        let value = theme.get();
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-theme", &value);
        }
    });

    let save = move |_| {
        saved.set(false);
        problem.set(None);
        let proxy_text = proxy.get_untracked().trim().to_string();
        let parsed = (!proxy_text.is_empty()).then(|| parse_proxy_url(&proxy_text));
        let (proxy_url, permission) = match parsed {
            Some(Err(message)) => {
                problem.set(Some(message));
                return;
            }
            // Asked now, inside the click: browsers grant optional permissions only on a user gesture.
            Some(Ok((base, pattern))) => (Some(base), Some(chrome::request_origin(&pattern))),
            None => (None, None),
        };
        let host_template = host.get_untracked().trim().to_string();
        if let Err(message) = check_host_template(&host_template) {
            problem.set(Some(message));
            return;
        }
        let typed = Some(key.get_untracked().trim().to_string()).filter(|k| !k.is_empty());
        let in_session = key_in_session.get_untracked();
        let local = SavedLocal {
            // In session mode the key is written to storage.session, never here.
            api_key: if in_session {
                Some(None)
            } else {
                typed.clone().map(Some)
            },
            proxy_token: Some(token.get_untracked().trim().to_string()).filter(|t| !t.is_empty()),
            host_template,
            proxy_url,
            key_in_session: in_session,
            region: None,
        };
        if typed.is_none()
            && has_key.get_untracked()
            && in_session != stored_in_session.get_untracked()
        {
            problem.set(Some(
                "Paste the key again: it moves between this session and the disk only when typed."
                    .into(),
            ));
            return;
        }
        let session_key = typed.filter(|_| in_session);
        leptos::task::spawn_local(async move {
            if let Some(permission) = permission {
                if !matches!(permission.await, Ok(true)) {
                    problem.set(Some(
                        "botlens needs your permission to reach the team proxy. Save again and allow it."
                            .into(),
                    ));
                    return;
                }
            }
            let new_key = matches!(local.api_key, Some(Some(_))) || session_key.is_some();
            let new_token = local.proxy_token.is_some();
            let session_stored = match &session_key {
                Some(k) => chrome::session_set(SESSION_KEY, &k.into()).await.is_ok(),
                None => true,
            };
            let stored = session_stored
                && chrome::storage_set(&local).await.is_ok()
                && chrome::storage_sync_set(&SyncedProxyCleared { proxy_url: None })
                    .await
                    .is_ok();
            if stored {
                stored_in_session.set(in_session);
                has_key.update(|has| *has |= new_key);
                has_token.update(|has| *has |= new_token);
                key.set(String::new());
                token.set(String::new());
                saved.set(true);
            } else {
                problem.set(Some("The browser refused to store the settings.".into()));
            }
        });
    };

    let test = move |_| {
        let typed = key.get_untracked().trim().to_string();
        let proxy_text = proxy.get_untracked().trim().to_string();
        let via_proxy = !proxy_text.is_empty();
        let permission = match via_proxy.then(|| parse_proxy_url(&proxy_text)) {
            Some(Ok((_, pattern))) => Some(chrome::request_origin(&pattern)),
            _ => None,
        };
        let request = Request::TestKey {
            key: (!typed.is_empty()).then_some(typed),
            host: Some(host.get_untracked().trim().to_string()).filter(|h| !h.is_empty()),
            proxy: via_proxy.then_some(proxy_text),
        };
        tested.set(None);
        testing.set(true);
        leptos::task::spawn_local(async move {
            if let Some(permission) = permission {
                let _ = permission.await;
            }
            let reply = chrome::send_message::<_, Reply>(&request).await;
            testing.set(false);
            tested.set(Some(describe(reply, via_proxy)));
        });
    };

    let store_sites = move || {
        let list = sites.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = chrome::storage_sync_set(&SavedSites { sites_off: &list }).await;
        });
    };
    let add_site = move || {
        if let Some(site) = site_of(&site_input.get_untracked()) {
            sites.update(|list| {
                if !list.contains(&site) {
                    list.push(site);
                    list.sort();
                }
            });
            site_input.set(String::new());
            store_sites();
        }
    };

    view! {
        <main class="options">
            <h1>"botlens options"</h1>

            <section class="group">
                <h2>"Connection"</h2>
                <label for="api-key">"Recall API key"</label>
                <input id="api-key" type="password" autocomplete="off" spellcheck="false"
                    placeholder=move || if has_key.get() { "a key is saved — type to replace it" } else { "paste your key" }
                    prop:value=move || key.get()
                    on:input=move |ev| { key.set(event_target_value(&ev)); saved.set(false); }/>
                <p class="hint">"Kept in this browser's extension storage. Only the botlens background worker reads it, and it is sent only to Recall."</p>
                <label class="choice">
                    <input type="checkbox" id="key-session" prop:checked=move || key_in_session.get()
                        on:change=move |ev| { key_in_session.set(event_target_checked(&ev)); saved.set(false); }/>
                    "Keep the key for this browser session only (paste it again after a restart; it is never written to disk)"
                </label>
                <label for="host-template">"Recall host"</label>
                <input id="host-template" type="url" spellcheck="false" placeholder=DEFAULT_HOST_TEMPLATE
                    prop:value=move || host.get()
                    on:input=move |ev| { host.set(event_target_value(&ev)); saved.set(false); }/>
                <p class="hint">"{region} becomes us-west-2, us-east-1, eu-central-1 or ap-northeast-1. Leave it as it is unless you test against a simulator."</p>

                <label for="proxy-url">"Team proxy URL (instead of a personal key)"</label>
                <input id="proxy-url" type="url" spellcheck="false" placeholder="https://botlens.example.com"
                    prop:value=move || proxy.get()
                    on:input=move |ev| { proxy.set(event_target_value(&ev)); saved.set(false); }/>
                <label for="proxy-token">"Proxy token (if your proxy asks for one)"</label>
                <input id="proxy-token" type="password" autocomplete="off" spellcheck="false"
                    placeholder=move || if has_token.get() { "a token is saved — type to replace it" } else { "optional" }
                    prop:value=move || token.get()
                    on:input=move |ev| { token.set(event_target_value(&ev)); saved.set(false); }/>
                <p class="hint">"When a proxy is set, botlens asks it and never sends your key. Saving asks the browser for access to that one site."</p>

                <div class="actions">
                    <button id="save" on:click=save>"Save"</button>
                    <button id="test" on:click=test disabled=move || testing.get()>"Test connection"</button>
                    <Show when=move || saved.get()>
                        <span id="saved" role="status">"Saved."</span>
                    </Show>
                    <Show when=move || testing.get()>
                        <span class="hint" role="status">"Trying each region…"</span>
                    </Show>
                </div>
                {move || problem.get().map(|text| view! { <p id="problem" class="bad" role="alert">{text}</p> })}
                {move || tested.get().map(|t| view! {
                    <p id="test-result" class=if t.ok { "ok" } else { "bad" } role="status"
                        data-outcome=if t.ok { "ok" } else { "bad" } data-region=t.region.clone()>
                        {t.text.clone()}" "<span class="next">{t.next.clone()}</span>
                    </p>
                })}
            </section>

            <section class="group">
                <h2>"Sites where botlens is off"</h2>
                <ul id="sites-off">
                    <For each=move || sites.get() key=|site| site.clone() children=move |site| {
                        let remove = site.clone();
                        view! {
                            <li data-site=site.clone()>
                                <span>{site.clone()}</span>
                                <button class="link" on:click=move |_| {
                                    sites.update(|list| list.retain(|s| *s != remove));
                                    store_sites();
                                }>"Remove"</button>
                            </li>
                        }
                    }/>
                </ul>
                <Show when=move || sites.with(Vec::is_empty)>
                    <p class="hint">"None: botlens works on every site. Switch a site off here or from the toolbar popup."</p>
                </Show>
                <div class="actions">
                    <input id="site-input" type="text" spellcheck="false" placeholder="app.example.com"
                        prop:value=move || site_input.get()
                        on:input=move |ev| site_input.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { add_site() }/>
                    <button id="site-add" on:click=move |_| add_site()>"Switch off"</button>
                </div>
            </section>

            <section class="group">
                <h2>"Look"</h2>
                <label for="theme">"Theme"</label>
                <select id="theme" prop:value=move || theme.get()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        theme.set(value.clone());
                        leptos::task::spawn_local(async move {
                            let _ = chrome::storage_sync_set(&SavedTheme { theme: &value }).await;
                        });
                    }>
                    <option value="auto">"Automatic (follow the page and the system)"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>

                <fieldset class="detection">
                    <legend>"Detection"</legend>
                    {[("hover", "Hover only: a card when the pointer rests on a bot ID"),
                      ("overview", "Hover plus overview: bot IDs underlined, their number on the toolbar button")]
                        .into_iter()
                        .map(|(value, label)| view! {
                            <label class="choice">
                                <input type="radio" name="detection" id=format!("detection-{value}") value=value
                                    prop:checked=move || detection.get() == value
                                    on:change=move |_| {
                                        detection.set(value.to_string());
                                        leptos::task::spawn_local(async move {
                                            let _ = chrome::storage_sync_set(&SavedDetection { detection: value }).await;
                                        });
                                    }/>
                                {label}
                            </label>
                        })
                        .collect_view()}
                    <label class="choice">
                        <input type="checkbox" id="meeting-links" prop:checked=move || meeting_links.get()
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                meeting_links.set(on);
                                leptos::task::spawn_local(async move {
                                    let _ = chrome::storage_sync_set(&SavedMeetingLinks { meeting_links: on }).await;
                                });
                            }/>
                        "Meeting links too: hovering a Zoom, Meet, Teams, Webex or GoTo link lists the bots \
                         your workspace sent there (one List Bots call per link and minute; needs a Recall key)"
                    </label>
                </fieldset>
            </section>
        </main>
    }
}
