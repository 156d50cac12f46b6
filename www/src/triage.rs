//! The grouped view of many bots, for internal tools: each bot fetched through
//! the botlens proxy (one at a time; the proxy keeps the workspace under
//! Recall's limits), diagnosed, grouped by the core's triage, shown with the
//! view the extension's popup uses (`ui::triage`).

use std::cell::RefCell;

use botlens::diagnose::gather::diagnose_found;
use botlens::diagnose::triage::triage;
use botlens::diagnose::Timestamp;
use botlens::recall::browser::{BrowserClock, BrowserFetch};
use botlens::recall::client::Endpoint;
use botlens::recall::lookup::{self, Lookups};
use botlens::recall::retry::Retries;
use botlens::ui::triage::TriageView;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// At most this many bots in one view.
const MAX_BOTS: usize = 500;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    api_base: Option<String>,
    token: Option<String>,
}

#[derive(Clone)]
enum View {
    Loading { done: usize, of: usize },
    Done(Box<botlens::diagnose::triage::Triage>),
}

/// A mounted grouped view; dropping it (or `unmount()`) removes it.
#[wasm_bindgen]
pub struct BotTriage {
    mounted: Option<Box<dyn std::any::Any>>,
}

#[wasm_bindgen]
impl BotTriage {
    pub fn unmount(mut self) {
        self.mounted.take();
    }
}

/// Mount the grouped view of `ids` (bot IDs; other strings are left out) into `element`.
#[wasm_bindgen(js_name = mountTriage)]
pub fn mount_triage(
    element: web_sys::HtmlElement,
    ids: Vec<String>,
    options: JsValue,
) -> Result<BotTriage, JsError> {
    let options: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("botlens: bad options: {e}")))?
    };
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = ids
        .iter()
        .map(|id| id.trim().to_ascii_lowercase())
        .filter(|id| botlens::detect::is_uuid(id) && seen.insert(id.clone()))
        .take(MAX_BOTS)
        .collect();
    let upstream = super::proxy(options.api_base, options.token);
    let view = RwSignal::new(View::Loading {
        done: 0,
        of: ids.len(),
    });
    let handle = leptos::mount::mount_to(element, move || {
        view! {
            {move || match view.get() {
                View::Loading { done, of } => view! {
                    <div class="botlens-triage" data-state="loading" role="status">
                        {format!("Looking up {done} of {of} bots…")}
                    </div>
                }.into_any(),
                View::Done(t) => view! { <TriageView triage=*t/> }.into_any(),
            }}
        }
    });
    // After mounting: that is what starts Leptos's executor.
    leptos::task::spawn_local(async move {
        let memory = RefCell::new(Lookups::default());
        let (transport, clock) = (BrowserFetch, BrowserClock);
        let mut diagnoses = Vec::new();
        let mut failed = Vec::new();
        let of = ids.len();
        for (i, id) in ids.into_iter().enumerate() {
            let looked = lookup::find(
                &memory,
                &transport,
                &clock,
                Retries::Bounded,
                &upstream,
                Endpoint::Bot,
                &id,
            )
            .await;
            let now = Timestamp::from_js(js_sys::Date::now());
            let answer = looked.result.and_then(|found| diagnose_found(&found, now));
            match answer {
                Ok(d) => diagnoses.push(d),
                Err(e) => failed.push((id, e)),
            }
            view.set(View::Loading { done: i + 1, of });
        }
        view.set(View::Done(Box::new(triage(&diagnoses, &failed))));
    });
    Ok(BotTriage {
        mounted: Some(Box::new(handle)),
    })
}
