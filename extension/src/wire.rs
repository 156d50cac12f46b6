//! The card frame reads the worker's answer straight from the JavaScript
//! object, field by field, instead of through serde-wasm-bindgen.
//!
//! Why by hand: serde's derived deserializers for the whole [`Diagnosis`]
//! (and the generic machinery behind them) were the largest part of the card
//! frame's module we could remove — this module replaced ≈ 24 KB gzip of it
//! (docs/embed.md, "Sizes"). The field lists below are checked by the
//! compiler (each reader builds its struct with every field named), and
//! `extension/tests/web.rs` reads back what the worker's serializer writes
//! for every built-in scenario and every error.
//!
//! The shape is serde's (what `chrome::to_js` writes): structs are objects,
//! `None` is `null`, unit enums are their snake_case names, [`ApiError`] is
//! tagged by `kind`, [`Reply`](crate::messages::Reply) is externally tagged.
//! Anything else reads as `None`: the caller shows it as malformed data.

use botlens::diagnose::{
    Artifact, Cause, Diagnosis, Field, Media, Note, Phase, ScreenshotRef, Setting, TimelineEntry,
    Timestamp,
};
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use botlens::ui::placement::{Rect, Viewport};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

use botlens::diagnose::document::Bots;
use botlens::diagnose::gather::Gathered;

/// A value the card frame can read from a plain JavaScript value.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// `object[name]`, `undefined` when missing or when `object` is not an object.
pub fn field(object: &JsValue, name: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A plain object with these properties.
pub fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in properties {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object.into()
}

/// Read `object[name]` as a `T`.
pub fn read<T: FromJs>(object: &JsValue, name: &str) -> Option<T> {
    T::from_js(&field(object, name))
}

impl FromJs for String {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl FromJs for bool {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_bool()
    }
}

/// Whole numbers only; JavaScript numbers hold these exactly up to 2^53.
fn whole(value: &JsValue) -> Option<f64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0)
}

impl FromJs for i64 {
    #[allow(clippy::cast_possible_truncation)] // whole() bounds it
    fn from_js(value: &JsValue) -> Option<Self> {
        whole(value).map(|n| n as i64)
    }
}

impl FromJs for u32 {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromJs for u16 {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| u16::try_from(n).ok())
    }
}

impl FromJs for usize {
    fn from_js(value: &JsValue) -> Option<Self> {
        i64::from_js(value).and_then(|n| usize::try_from(n).ok())
    }
}

impl FromJs for f64 {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_f64()
    }
}

/// `null` and `undefined` are `None`; anything else must read as a `T`.
impl<T: FromJs> FromJs for Option<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        if value.is_null() || value.is_undefined() {
            Some(None)
        } else {
            T::from_js(value).map(Some)
        }
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        let array = value.dyn_ref::<js_sys::Array>()?;
        array.iter().map(|item| T::from_js(&item)).collect()
    }
}

impl FromJs for Timestamp {
    fn from_js(value: &JsValue) -> Option<Self> {
        Timestamp::parse(&value.as_string()?)
    }
}

impl FromJs for Region {
    fn from_js(value: &JsValue) -> Option<Self> {
        value.as_string()?.parse().ok()
    }
}

/// Unit enums, by the names serde gives them (their own derive reads the name).
macro_rules! unit_enums {
    ($($ty:ty),* $(,)?) => {$(
        impl FromJs for $ty {
            fn from_js(value: &JsValue) -> Option<Self> {
                let name = value.as_string()?;
                <$ty>::deserialize(StrDeserializer::<ValueError>::new(&name)).ok()
            }
        }
    )*};
}

unit_enums!(
    botlens::diagnose::Verdict,
    botlens::diagnose::Category,
    botlens::diagnose::Party,
    botlens::diagnose::PhaseName,
    botlens::diagnose::Availability,
    botlens::diagnose::NoteSource,
    botlens::diagnose::NoteLevel,
    botlens::diagnose::Evidence,
    botlens::recall::model::ApiShape,
);

/// Structs whose fields keep their Rust names on the wire.
macro_rules! structs {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl FromJs for $ty {
            fn from_js(value: &JsValue) -> Option<Self> {
                Some($ty { $($field: read(value, stringify!($field))?,)* })
            }
        }
    )*};
}

structs! {
    Gathered { diagnosis, report, screenshots_error, logs_error }
    Diagnosis {
        bot_id, bot_name, platform, platform_name, meeting_title, metadata, participants, region,
        region_assumed,
        api_shape, verdict, reason, reason_known, status, status_label, status_at, sub_code,
        title, explanation, remedy, category, whose_move, retry_may_help, docs_url, detail, phases,
        settings, timeline, notes, media, screenshots, explorer_url, started_at, ended_at, now, evidence,
    }
    Cause { code, known, title, explanation, remedy, category, docs_url }
    Field { key, value }
    Phase { name, label, start, end, seconds, ongoing }
    Setting { name, value, at, happened, ended_it }
    TimelineEntry {
        code, sub_code, message, at, label, explanation, code_known, sub_code_known, seconds,
    }
    Note { source, level, code, title, text, at, message }
    ScreenshotRef { id, url, recorded_at, status, status_label }
    Media {
        recorded, recording, recording_id, recording_status, recording_sub_code,
        recording_started_at, recording_completed_at, video_url, transcript, transcript_url,
        expires_at, expires_in_seconds, meeting_title, artifacts, recording_count,
        failed_recordings,
    }
    Artifact { recording_id, expires_at, kind, availability, status, sub_code, url }
    Bots { bots, skipped, more }
    Rect { left, top, width, height }
    Viewport { width, height }
}

impl<T: FromJs> FromJs for Box<T> {
    fn from_js(value: &JsValue) -> Option<Self> {
        T::from_js(value).map(Box::new)
    }
}

/// Tagged by `kind` (see [`ApiError::kind`]).
impl FromJs for ApiError {
    fn from_js(value: &JsValue) -> Option<Self> {
        let kind: String = read(value, "kind")?;
        Some(match kind.as_str() {
            "no_key" => ApiError::NoKey,
            "invalid_id" => ApiError::InvalidId {
                id: read(value, "id")?,
            },
            "unauthorized" => ApiError::Unauthorized {
                regions_tried: read(value, "regions_tried")?,
            },
            "not_found" => ApiError::NotFound {
                regions_tried: read(value, "regions_tried")?,
            },
            "throttled" => ApiError::Throttled {
                retry_after_s: read(value, "retry_after_s")?,
            },
            "server" => ApiError::Server {
                status: read(value, "status")?,
            },
            "blocked" => ApiError::Blocked,
            "malformed" => ApiError::Malformed {
                status: read(value, "status")?,
                detail: read(value, "detail")?,
            },
            "refused" => ApiError::Refused {
                status: read(value, "status")?,
                code: read(value, "code")?,
                detail: read(value, "detail")?,
            },
            "not_permitted" => ApiError::NotPermitted,
            "unreachable" => ApiError::Unreachable {
                host: read(value, "host")?,
                detail: read(value, "detail")?,
            },
            "unsupported" => ApiError::Unsupported {
                detail: read(value, "detail")?,
            },
            _ => return None,
        })
    }
}

/// The `diagnose` request of `messages.rs` (`Request::Diagnose`), as the card frame sends it.
pub fn diagnose_request(id: &str, screenshots: bool, logs: bool) -> JsValue {
    object(&[
        ("kind", "diagnose".into()),
        ("id", id.into()),
        ("screenshots", screenshots.into()),
        ("logs", logs.into()),
    ])
}

/// A `meeting` request for the bots sent to `url`.
pub fn meeting_request(url: &str) -> JsValue {
    object(&[("kind", "meeting".into()), ("url", url.into())])
}

/// The answer to `meeting` (`{"meeting": {bots, skipped, more}}` or `{"failed": …}`).
pub fn meeting_reply(value: &JsValue) -> Option<Result<Bots, ApiError>> {
    let listed = field(value, "meeting");
    if !listed.is_undefined() {
        return Bots::from_js(&listed).map(Ok);
    }
    read(&field(value, "failed"), "error").map(Err)
}

/// The two answers to `diagnose` (`{"diagnosed": …}` or `{"failed": {"error": …}}`).
#[derive(Debug, PartialEq)]
pub enum DiagnoseReply {
    Diagnosed(Box<Gathered>),
    Failed(ApiError),
}

impl FromJs for DiagnoseReply {
    fn from_js(value: &JsValue) -> Option<Self> {
        let diagnosed = field(value, "diagnosed");
        if !diagnosed.is_undefined() {
            return FromJs::from_js(&diagnosed).map(DiagnoseReply::Diagnosed);
        }
        read(&field(value, "failed"), "error").map(DiagnoseReply::Failed)
    }
}
