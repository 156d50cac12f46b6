//! The Recall bot as botlens reads it: serde types that accept both API
//! flavours and never fail on data Recall may add.
//!
//! # What parses
//!
//! * [`Bot`] — a Retrieve Bot object, current (v1.11, `recordings[].media_shortcuts`)
//!   or legacy (v1.10, `video_url`, `meeting_participants`). `meeting_url` may be an
//!   object, a string or `null`. Only `id` is required.
//! * [`Screenshots`] — a bare array or a paged envelope `{results, next, ...}`.
//! * [`Logs`] — an array of `{level, message, created_at}`, an envelope
//!   `{results: [...]}`, or `bot.log` / `bot.output_log` webhooks (one or an array).
//! * [`StatusWebhook`] — `bot.<status>` (v1.11: `data.data` + `data.bot`) and the
//!   legacy `bot.status_change` (`data.bot_id` + `data.status`).
//! * [`Scenario`] — `{bot, screenshots, logs, region}`, the simulator's format.
//! * [`parse_input`] — sniffs which of bot / scenario / webhook a document is.
//!
//! One file a concern: `codes` (open enums: status codes, platforms, levels),
//! `bot` (the bot and its parts), `lists` (screenshots, logs), `webhook`,
//! `input` (what a document is); the lenient readers they share are here.
//!
//! # Rules
//!
//! * Codes are open enums: known values plus `Other(String)` carrying the raw text
//!   (Recall adds codes without notice). Sub codes are plain strings: there are
//!   too many and they change too often for an enum; the diagnosis catalog
//!   says which ones we know.
//! * Unknown fields are ignored. A known field with an unexpected type (a number
//!   where a string was expected, a malformed timestamp) reads as absent rather
//!   than failing the whole bot.
//! * Nothing here panics on outside data.
//!
//! ```
//! use botlens::recall::model::{Bot, StatusCode};
//! let bot: Bot = serde_json::from_str(r#"{"id": "b1", "meeting_url": "https://meet.google.com/abc-defg-hij",
//!     "status_changes": [{"code": "joining_call", "created_at": "2025-01-01T00:00:00Z"},
//!                        {"code": "teleported", "sub_code": null}]}"#).unwrap();
//! assert_eq!(bot.current_status().map(|s| s.code.as_str()), Some("teleported"));
//! assert_eq!(bot.platform().map(|p| p.as_str().to_string()), Some("google_meet".to_string()));
//! ```

mod bot;
mod codes;
mod event;
mod input;
mod lists;
mod webhook;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

pub use self::bot::*;
pub use self::codes::*;
pub use self::event::*;
pub use self::input::*;
pub use self::lists::*;
pub use self::webhook::*;
pub use super::time::Timestamp;

/// Items of a list that read as `T`; unreadable items are skipped.
pub(super) fn items_of<T: DeserializeOwned>(items: Vec<Value>) -> Vec<T> {
    items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// A field that reads as absent when it has an unexpected shape.
pub(super) fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// A text field: strings (non-empty) only; anything else reads as absent.
pub(super) fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        _ => None,
    })
}

/// A list whose unreadable items are skipped; a non-list reads as empty.
pub(super) fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items_of(items),
        _ => Vec::new(),
    })
}

/// Keeps a field's raw value, so a present `null` differs from an absent key.
pub(super) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values() {
        let c: StatusCode = serde_json::from_str("\"teleported\"").unwrap();
        assert_eq!(c, StatusCode::Other("teleported".into()));
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"teleported\"");
        let n: StatusCode = serde_json::from_str("42").unwrap();
        assert!(!n.is_known());
        assert_eq!(LogLevel::from("warn"), LogLevel::Warning);
    }

    #[test]
    fn meeting_url_in_three_shapes() {
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":"https://us02web.zoom.us/j/123?pwd=abc"}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), Some(Platform::Zoom));
        let b: Bot = serde_json::from_str(r#"{"id":"x","meeting_url":null}"#).unwrap();
        assert_eq!(b.platform(), None);
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":{"platform":"webex","meeting_subdomain":"acme"}}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), Some(Platform::Webex));
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":7,"status_changes":"nope","recordings":[1,{}]}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), None);
        assert!(b.status_changes.is_empty());
        assert_eq!(b.recordings.len(), 1);
    }

    #[test]
    fn screenshots_and_logs_envelopes() {
        let a: Screenshots =
            serde_json::from_str(r#"[{"id":"s","recorded_at":"2025-01-01T00:00:00Z","url":"u"}]"#)
                .unwrap();
        let b: Screenshots = serde_json::from_str(
            r#"{"next":"n","results":[{"id":"s","recorded_at":"2025-01-01T00:00:00Z","url":"u"}]}"#,
        )
        .unwrap();
        assert_eq!(a.items, b.items);
        assert_eq!(b.next.as_deref(), Some("n"));
        let l: Logs = serde_json::from_str(r#"{"event":"bot.output_log","data":{"bot_id":"b","log":{"level":"error","message":"m"}}}"#).unwrap();
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.items[0].level, LogLevel::Error);
    }

    #[test]
    fn webhooks_both_shapes() {
        let cur = r#"{"event":"bot.fatal","data":{"data":{"code":"fatal","sub_code":"bot_errored","updated_at":"2025-01-29T23:49:58.570998+00:00"},"bot":{"id":"b","metadata":{}}}}"#;
        let Ok(Input::Webhook(w)) = parse_input(cur) else {
            panic!()
        };
        assert_eq!(w.status.code, StatusCode::Fatal);
        assert!(w.status.created_at.is_some());
        let old = r#"{"event":"bot.status_change","data":{"bot_id":"b","status":{"code":"call_ended","sub_code":"bot_kicked_from_call","created_at":"2024-02-23T17:31:33.741790Z","message":"m"}}}"#;
        let Ok(Input::Webhook(w)) = parse_input(old) else {
            panic!()
        };
        assert!(w.legacy);
        assert_eq!(w.status.sub_code.as_deref(), Some("bot_kicked_from_call"));
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        assert!(matches!(parse_input("{"), Err(InputError::NotJson(_))));
        assert!(matches!(parse_input("[]"), Err(InputError::Shape(_))));
        assert!(matches!(
            parse_input(r#"{"id": 3}"#),
            Err(InputError::Shape(_))
        ));
        assert!(matches!(
            parse_input(r#"{"name": "x"}"#),
            Err(InputError::Shape(_))
        ));
    }
}
