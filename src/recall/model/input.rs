//! What a JSON document is: a bot, a scenario, a webhook, or something
//! botlens cannot read (and says why).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::*;
use crate::recall::region::Region;

/// The simulator's scenario format: a bot plus what the API would return for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub bot: Bot,
    #[serde(default, deserialize_with = "lenient")]
    pub screenshots: Option<Screenshots>,
    #[serde(default, deserialize_with = "lenient")]
    pub logs: Option<Logs>,
    /// The bot's region label, e.g. `eu-central-1`.
    #[serde(default, deserialize_with = "lenient")]
    pub region: Option<Region>,
}

/// What a document turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Bot(Box<Bot>),
    Scenario(Box<Scenario>),
    Webhook(Box<StatusWebhook>),
    /// A webhook about a recording, a transcript, … (not the bot's status).
    Event(Box<ArtifactEvent>),
    /// Recall's answer to a failed request.
    ErrorBody(Box<ErrorBody>),
    /// An object that belongs to a bot without being one (a recording, a
    /// transcript, a calendar event…).
    Related(Box<Related>),
    /// A bare status `{code, sub_code, updated_at}`, naming no bot.
    Status(Box<StatusChange>),
    /// A List Bots page (`{results: [...]}`) or a bare array of bots.
    Page(Box<Page>),
    /// Bots rebuilt from a log of their status webhooks (JSON Lines or an array).
    Histories(Vec<Bot>),
}

/// The bots of a list page, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub bots: Vec<Bot>,
    /// Items that were not bots (or not readable as one).
    pub skipped: usize,
    /// The page says more follow (`next` is set).
    pub more: bool,
}

impl Page {
    /// The bots among `items` (objects with a bot's ID and one of its keys).
    pub fn from_items(items: &[Value], more: bool) -> Page {
        let bots: Vec<Bot> = items
            .iter()
            .filter(|v| v.as_object().is_some_and(looks_like_a_bot))
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect();
        Page {
            skipped: items.len() - bots.len(),
            bots,
            more,
        }
    }
}

/// A bot's own ID (`id`, or `bot_id` in some docs snippets) and one of a bot's keys.
fn looks_like_a_bot(o: &Map<String, Value>) -> bool {
    let id = o.get("id").or(o.get("bot_id"));
    id.is_some_and(Value::is_string) && BOT_KEYS.iter().any(|k| o.contains_key(*k))
}

/// Why a document could not be read as a bot, scenario or webhook. The
/// message is one sentence a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("not valid JSON ({0})")]
    NotJson(String),
    #[error("{0}")]
    Shape(String),
}

/// Read a bot object, a scenario `{bot, ...}` or a status webhook `{event, data}`.
pub fn parse_input(text: &str) -> Result<Input, InputError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse_value(v),
        Err(e) => {
            // A webhook log: one JSON document after another (JSON Lines).
            let many: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(text)
                .into_iter::<Value>()
                .collect();
            if let Some(input) = many.ok().filter(|v| v.len() > 1).and_then(histories) {
                return Ok(input);
            }
            // Recall's firewall and proxies in between answer with HTML pages.
            ErrorBody::from_html(text)
                .map(|b| Input::ErrorBody(Box::new(b)))
                .ok_or_else(|| InputError::NotJson(e.to_string()))
        }
    }
}

/// Status webhooks (a log of them, in any order) read back into each bot's
/// history: one bot, or a page of them. `None` unless two or more are status
/// webhooks; other documents among them (artifact events, logs) are left out.
fn histories(values: Vec<Value>) -> Option<Input> {
    let mut bots: Vec<Bot> = Vec::new();
    let mut events = 0;
    for v in values {
        let Ok(Input::Webhook(w)) = parse_value(v) else {
            continue;
        };
        events += 1;
        match bots.iter_mut().find(|b| b.id == w.bot_id) {
            Some(bot) => bot.status_changes.push(w.status.clone()),
            None => bots.push(w.to_bot()),
        }
    }
    // The diagnosis orders each history (`diagnose::timeline::ordered`).
    if events < 2 {
        return None;
    }
    Some(Input::Histories(bots))
}

/// [`parse_input`] for an already-parsed document.
pub fn parse_value(v: Value) -> Result<Input, InputError> {
    let shape = |m: String| InputError::Shape(m);
    let o = match &v {
        Value::Object(o) => o,
        Value::Array(items) => {
            let page = Page::from_items(items, false);
            if page.bots.is_empty() {
                if let Some(input) = histories(items.clone()) {
                    return Ok(input);
                }
                return Err(shape(
                    "an array with no bot in it: pass a bot object, a list page or a webhook"
                        .into(),
                ));
            }
            return Ok(Input::Page(Box::new(page)));
        }
        other => {
            return Err(shape(format!(
                "expected a JSON object (a bot, a scenario or a webhook), found {}",
                kind_of(other)
            )))
        }
    };
    if let Some(event) = o.get("event").and_then(Value::as_str) {
        // Only `bot.<status>` and the legacy `bot.status_change` carry the bot's
        // own status; `recording.done` says the recording is done, not the bot.
        let about_the_bot =
            event.starts_with("bot.") && !matches!(event, "bot.log" | "bot.output_log");
        if !about_the_bot {
            return Ok(Input::Event(Box::new(ArtifactEvent::from_value(event, &v))));
        }
    }
    if o.contains_key("event") {
        return StatusWebhook::from_value(&v)
            .map(|w| Input::Webhook(Box::new(w)))
            .map_err(shape);
    }
    if let Some(Value::Array(items)) = o.get("results") {
        let page = Page::from_items(items, o.get("next").is_some_and(|n| !n.is_null()));
        if page.bots.is_empty() && !items.is_empty() {
            return Err(shape("a list page whose items are not bots".into()));
        }
        return Ok(Input::Page(Box::new(page)));
    }
    if o.contains_key("bot") && !o.contains_key("id") {
        if !o.get("bot").is_some_and(Value::is_object) {
            return Err(shape("`bot` must be a bot object".into()));
        }
        return serde_json::from_value::<Scenario>(v)
            .map(|s| Input::Scenario(Box::new(s)))
            .map_err(|e| shape(format!("the scenario's bot is unreadable: {e}")));
    }
    if let Some(related) = Related::from_object(o) {
        return Ok(Input::Related(Box::new(related)));
    }
    if is_bare_status(o) {
        if let Ok(status) = serde_json::from_value::<StatusChange>(v.clone()) {
            return Ok(Input::Status(Box::new(status)));
        }
    }
    if let Some(body) = ErrorBody::from_object(o) {
        return Ok(Input::ErrorBody(Box::new(body)));
    }
    let id = o.get("id").or(o.get("bot_id"));
    match id {
        Some(Value::String(_)) if looks_like_a_bot(o) => {
            let mut bot = o.clone();
            if !bot.contains_key("id") {
                // Docs snippets key the bot `bot_id`; it is the same ID.
                bot.insert("id".into(), id.cloned().unwrap_or_default());
            }
            serde_json::from_value::<Bot>(Value::Object(bot))
                .map(|b| Input::Bot(Box::new(b)))
                .map_err(|e| shape(format!("the bot object is unreadable: {e}")))
        }
        Some(Value::String(_)) => Err(shape(
            "an object with an ID but none of a bot's fields (`status_changes`, `meeting_url`, …): pass a bot object (Retrieve Bot), a webhook or an error body".into(),
        )),
        Some(other) => Err(shape(format!(
            "`id` must be a string, found {}",
            kind_of(other)
        ))),
        None => Err(shape(
            "no `id`: this is not a bot object, a scenario `{bot: ...}` or a status webhook `{event, data}`"
                .into(),
        )),
    }
}

/// `{code, sub_code, updated_at}` (or `created_at`): a status, not an error.
fn is_bare_status(o: &Map<String, Value>) -> bool {
    o.get("code").is_some_and(Value::is_string)
        && ["sub_code", "updated_at", "created_at"]
            .iter()
            .any(|k| o.contains_key(*k))
        && !["id", "detail", "errors"]
            .iter()
            .any(|k| o.contains_key(*k))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
