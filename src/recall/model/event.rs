//! Documents that are not a bot but come up beside one: Recall's artifact
//! webhooks (a recording, a transcript, a realtime endpoint…, each with its own
//! status) and Recall's error answers. Read for what they are, so that no part
//! of them is mistaken for the bot's own status.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::recall::region::bot_in_url;

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

/// A Recall object that belongs to a bot (or several) without being one: a
/// recording, a transcript or another media object, a calendar event, a
/// calendar meeting. Its own ID is never taken for a bot's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Related {
    /// `recording`, `transcript`, `calendar event`, … (see [`Related::from_object`]).
    pub kind: &'static str,
    /// The object's own ID.
    pub id: Option<String>,
    /// Its own status (`status.code`), when it has one: not the bot's.
    pub status: Option<String>,
    pub sub_code: Option<String>,
    /// The bots it names, in order, without repeats.
    pub bot_ids: Vec<String>,
}

/// The keys only a bot object carries (either API flavour).
pub(super) const BOT_KEYS: [&str; 8] = [
    "status_changes",
    "meeting_url",
    "bot_name",
    "recordings",
    "join_at",
    "video_url",
    "meeting_participants",
    "automatic_leave",
];

impl Related {
    /// The object `o` is, if it belongs to a bot without being one: it has a
    /// key a bot never has (`bot`, `bots`, `bot_id` beside its own `id`,
    /// `recording`, `calendar_id`), or it names a bot by `bot_id` and has none
    /// of a bot's own keys.
    pub fn from_object(o: &Map<String, Value>) -> Option<Related> {
        let own_id = text(o.get("id"));
        let is_bot = BOT_KEYS.iter().any(|k| o.contains_key(*k));
        let mut bot_ids: Vec<String> = Vec::new();
        for path in [
            &["bot", "id"][..],
            &["bot_id"],
            &["recording", "bot", "id"],
            &["recording", "source", "bot", "id"],
            &["source", "bot", "id"],
        ] {
            bot_ids.extend(text(at(o, path)));
        }
        if bot_ids.is_empty() {
            // Media links name their bot: `…/transcript/<id>/bot/<bot id>/…`.
            let links = [at(o, &["data", "download_url"])].into_iter().chain(
                o.get("media_shortcuts")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|m| m.values().map(|s| s.pointer("/data/download_url"))),
            );
            bot_ids.extend(links.filter_map(|l| Some(bot_in_url(l?.as_str()?)?.0)));
        }
        if let Some(Value::Array(bots)) = o.get("bots") {
            for b in bots {
                bot_ids.extend(text(b.get("bot_id")).or_else(|| text(b.get("id"))));
            }
        }
        let mut seen = std::collections::HashSet::new();
        bot_ids.retain(|id| seen.insert(id.clone()));

        let calendar = o.contains_key("calendar_id") || o.contains_key("ical_uid");
        let kind = if calendar || o.get("bots").is_some_and(Value::is_array) {
            "calendar event"
        } else if own_id.is_some() && o.contains_key("bot_id") && o.contains_key("start_time") {
            "calendar meeting"
        } else if o.contains_key("media_shortcuts")
            || (own_id.is_some() && o.get("bot").is_some_and(Value::is_object))
        {
            "recording"
        } else if o.contains_key("provider") || o.get("recording").is_some_and(Value::is_object) {
            "transcript"
        } else if own_id.is_some() && o.contains_key("bot_id") {
            "Recall object"
        } else {
            return None;
        };
        if is_bot && !calendar && kind != "calendar meeting" {
            return None;
        }
        let status = o.get("status");
        Some(Related {
            kind,
            id: own_id,
            status: text(status.and_then(|s| s.get("code")).or(status)),
            sub_code: text(status.and_then(|s| s.get("sub_code"))),
            bot_ids,
        })
    }
}

/// The value at `path` below `o`, without copying `o` into a `Value` first.
fn at<'a>(o: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(o.get(*first)?, |v, key| v.get(*key))
}

/// A trimmed, non-empty string; anything else reads as absent.
fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
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
    /// The answer was an HTML page, not JSON (Recall's firewall answers 403 so).
    pub html: bool,
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
                html: false,
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
            html: false,
        })
    }

    /// An HTML page where JSON was expected; its words are its `<title>` and
    /// visible text, cut short (the page is never rendered).
    pub fn from_html(page: &str) -> Option<ErrorBody> {
        let start = page.trim_start();
        let lower = start.get(..start.len().min(512))?.to_ascii_lowercase();
        let is_html = ["<html", "<!doctype html", "<head", "<body", "<!--"]
            .iter()
            .any(|t| lower.starts_with(t))
            && page.to_ascii_lowercase().contains("<html");
        if !is_html {
            return None;
        }
        // Drop comments, tags and entities; keep the words.
        let mut words = String::new();
        let mut rest = page;
        while let Some(open) = rest.find('<') {
            words.push_str(&rest[..open]);
            words.push(' ');
            let close = if rest[open..].starts_with("<!--") {
                "-->"
            } else {
                ">"
            };
            match rest[open..].find(close) {
                Some(end) => rest = &rest[open + end + close.len()..],
                None => {
                    rest = "";
                    break;
                }
            }
        }
        words.push_str(rest);
        let words: Vec<&str> = words.split_whitespace().collect();
        let mut detail: String = words.join(" ").chars().take(200).collect();
        if detail.is_empty() {
            detail = "an HTML page with no text".into();
        }
        Some(ErrorBody {
            code: None,
            detail: Some(detail),
            fields: Vec::new(),
            html: true,
        })
    }
}
