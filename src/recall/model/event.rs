//! Documents that are not a bot but come up beside one: Recall's artifact
//! webhooks (a recording, a transcript, a realtime endpoint…, each with its own
//! status) and Recall's error answers. Read for what they are, so that no part
//! of them is mistaken for the bot's own status.

use serde::Serialize;
use serde_json::{Map, Value};

/// A webhook about something other than the bot's own status: `recording.done`,
/// `transcript.failed`, `realtime_endpoint.failed`, `sdk_upload.complete`,
/// `calendar.update`, … `status` is the artifact's, never the bot's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtifactEvent {
    pub event: String,
    /// What the event is about: the part of `event` before its last dot.
    pub artifact: String,
    /// `data.data.code`: the artifact's status (`processing`, `done`, `failed`, …).
    pub status: Option<String>,
    /// `data.data.sub_code`; missing, `null` and `""` all read as none.
    pub sub_code: Option<String>,
    /// `data.data.error`, as Recall wrote it.
    pub error: Option<Value>,
    /// `data.bot.id`, when the event belongs to a bot.
    pub bot_id: Option<String>,
    pub updated_at: Option<String>,
}

impl ArtifactEvent {
    pub fn from_value(event: &str, v: &Value) -> ArtifactEvent {
        let text = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let inner = v.pointer("/data/data");
        ArtifactEvent {
            event: event.to_string(),
            artifact: event
                .rsplit_once('.')
                .map_or(event, |(what, _)| what)
                .to_string(),
            status: text(inner.and_then(|d| d.get("code"))),
            sub_code: text(inner.and_then(|d| d.get("sub_code"))),
            error: inner
                .and_then(|d| d.get("error"))
                .filter(|e| !e.is_null())
                .cloned(),
            bot_id: text(v.pointer("/data/bot/id")),
            updated_at: text(inner.and_then(|d| d.get("updated_at"))),
        }
    }
}

/// Recall's answer to a failed request: `{detail}`, `{code, detail}`,
/// `{code, message, errors}`, or a field map `{field: [messages]}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorBody {
    pub code: Option<String>,
    /// `detail` or `message`: Recall's own words.
    pub detail: Option<String>,
    /// Messages per field (`errors` or the body itself), in order.
    pub fields: Vec<(String, Vec<String>)>,
}

impl ErrorBody {
    /// The error body `o` is, if it is one (no bot ID, only the keys an error has).
    pub fn from_object(o: &Map<String, Value>) -> Option<ErrorBody> {
        let text = |key: &str| o.get(key).and_then(Value::as_str).map(str::to_string);
        let messages = |v: &Value| -> Option<Vec<String>> {
            match v {
                Value::String(s) => Some(vec![s.clone()]),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect(),
                _ => None,
            }
        };
        let field_map = |m: &Map<String, Value>| -> Option<Vec<(String, Vec<String>)>> {
            m.iter()
                .map(|(k, v)| messages(v).map(|m| (k.clone(), m)))
                .collect()
        };
        if o.contains_key("id") || o.is_empty() {
            return None;
        }
        let detail = text("detail").or_else(|| text("message"));
        if detail.is_some() || (text("code").is_some() && o.contains_key("errors")) {
            let fields = o
                .get("errors")
                .and_then(Value::as_object)
                .and_then(field_map)
                .unwrap_or_default();
            return Some(ErrorBody {
                code: text("code"),
                detail,
                fields,
            });
        }
        // A bare field map, as Django REST framework writes it: every value a
        // list of messages (`{"name": "x"}` is not one).
        let lists = o
            .values()
            .all(|v| v.as_array().is_some_and(|a| !a.is_empty()));
        field_map(o).filter(|_| lists).map(|fields| ErrorBody {
            code: None,
            detail: None,
            fields,
        })
    }
}
