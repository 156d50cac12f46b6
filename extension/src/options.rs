//! The options page: the Recall key, the Recall host, and a connection test
//! that names the region the key works in.

use botlens::recall::region::DEFAULT_HOST_TEMPLATE;
use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::background::Settings;
use crate::chrome;
use crate::messages::{Reply, Request};

/// Entry point of `options.html`.
#[wasm_bindgen]
pub fn start_options() {
    leptos::mount::mount_to_body(Options);
}

/// What Save writes. `region` is cleared so the next look-up searches afresh.
#[derive(Serialize)]
struct Saved {
    /// Left out when the field is empty, so saving the host keeps the saved key.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<String>,
    host_template: String,
    region: Option<()>,
}

#[component]
fn Options() -> impl IntoView {
    let key = RwSignal::new(String::new());
    let host = RwSignal::new(String::new());
    let has_key = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let test_result = RwSignal::new(None::<Result<String, (String, String)>>);

    leptos::task::spawn_local(async move {
        if let Ok(settings) = chrome::storage_get::<Settings>().await {
            has_key.set(settings.api_key.as_deref().is_some_and(|k| !k.is_empty()));
            host.set(settings.host().to_string());
        }
    });

    let save = move |_| {
        let items = Saved {
            api_key: Some(key.get_untracked().trim().to_string()).filter(|k| !k.is_empty()),
            host_template: host.get_untracked().trim().to_string(),
            region: None,
        };
        leptos::task::spawn_local(async move {
            let new_key = items.api_key.is_some();
            if chrome::storage_set(&items).await.is_ok() {
                has_key.update(|has| *has |= new_key);
                saved.set(true);
            }
        });
    };

    let test = move |_| {
        let typed = key.get_untracked().trim().to_string();
        let request = Request::TestKey {
            key: (!typed.is_empty()).then_some(typed),
            host: Some(host.get_untracked().trim().to_string()).filter(|h| !h.is_empty()),
        };
        test_result.set(None);
        leptos::task::spawn_local(async move {
            let outcome = match chrome::send_message::<_, Reply>(&request).await {
                Ok(Reply::KeyWorks { region }) => Ok(format!("The key works in {region}.")),
                Ok(Reply::Failed { error }) => Err((error.to_string(), error.next_step())),
                Ok(Reply::Found { .. }) | Err(_) => Err((
                    "The background worker did not answer.".into(),
                    "Reload the extension and try again.".into(),
                )),
            };
            test_result.set(Some(outcome));
        });
    };

    view! {
        <main class="options">
            <h1>"botlens options"</h1>
            <label for="api-key">"Recall API key"</label>
            <input id="api-key" type="password" autocomplete="off" spellcheck="false"
                placeholder=move || if has_key.get() { "a key is saved — type to replace it" } else { "paste your key" }
                prop:value=move || key.get()
                on:input=move |ev| { key.set(event_target_value(&ev)); saved.set(false); }/>
            <p class="hint">"Stored in this browser's extension storage; only the botlens background worker reads it."</p>
            <label for="host-template">"Recall host"</label>
            <input id="host-template" type="url" spellcheck="false" placeholder=DEFAULT_HOST_TEMPLATE
                prop:value=move || host.get()
                on:input=move |ev| { host.set(event_target_value(&ev)); saved.set(false); }/>
            <p class="hint">"{region} is replaced by us-west-2, us-east-1, eu-central-1 or ap-northeast-1. Point it at a team proxy if you have one."</p>
            <div class="actions">
                <button id="save" on:click=save>"Save"</button>
                <button id="test" on:click=test>"Test connection"</button>
                <Show when=move || saved.get()>
                    <span id="saved" role="status">"Saved."</span>
                </Show>
            </div>
            {move || test_result.get().map(|outcome| match outcome {
                Ok(text) => view! { <p id="test-result" class="ok" role="status">{text}</p> }.into_any(),
                Err((what, next)) => view! {
                    <p id="test-result" class="bad" role="status">{what}" "<span class="next">{next}</span></p>
                }.into_any(),
            })}
        </main>
    }
}
