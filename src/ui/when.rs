//! Times as the user reads them: in the browser's time zone and locale, with
//! the date, the zone and UTC a hover away (`<time datetime>` keeps the exact
//! instant for tools). Recall's data is in UTC; a New York user should not
//! have to add five hours in their head.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::recall::time::Timestamp;

/// `14:05:09` in the browser's zone and locale.
pub fn local_clock(at: Timestamp) -> String {
    format_with(
        at,
        &[
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("second", "2-digit"),
        ],
    )
    .unwrap_or_else(|| format!("{} UTC", at.clock()))
}

/// `Tue, 7 Oct 2025, 14:05:09 EDT` in the browser's zone and locale, then UTC.
pub fn full(at: Timestamp) -> String {
    let local = format_with(
        at,
        &[
            ("weekday", "short"),
            ("year", "numeric"),
            ("month", "short"),
            ("day", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
            ("second", "2-digit"),
            ("timeZoneName", "short"),
        ],
    );
    let utc = format!("{} UTC", at.human());
    match local {
        Some(local) => format!("{local} · {utc}"),
        None => utc,
    }
}

fn format_with(at: Timestamp, options: &[(&str, &str)]) -> Option<String> {
    #[allow(clippy::cast_precision_loss)] // milliseconds since 1970 fit in f64 exactly
    let date = js_sys::Date::new(&JsValue::from_f64(at.millis() as f64));
    let object = js_sys::Object::new();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), &(*value).into()).ok()?;
    }
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".into());
    let text: String = date.to_locale_string(&locale, &object).into();
    (!text.is_empty() && text != "Invalid Date").then_some(text)
}

/// A moment: local time shown, date, zone and UTC on hover.
#[component]
pub fn When(at: Option<Timestamp>) -> impl IntoView {
    at.map(|at| {
        view! { <time class="at" datetime=at.to_rfc3339() title=full(at)>{local_clock(at)}</time> }
    })
}
