//! What a JSON document is: a bot, a scenario, a webhook, or something
//! botlens cannot read (and says why).

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    let v: Value = serde_json::from_str(text).map_err(|e| InputError::NotJson(e.to_string()))?;
    parse_value(v)
}

/// [`parse_input`] for an already-parsed document.
pub fn parse_value(v: Value) -> Result<Input, InputError> {
    let shape = |m: String| InputError::Shape(m);
    let Value::Object(o) = &v else {
        return Err(shape(format!(
            "expected a JSON object (a bot, a scenario or a status webhook), found {}",
            kind_of(&v)
        )));
    };
    if o.contains_key("bot") && !o.contains_key("event") {
        if !o.get("bot").is_some_and(Value::is_object) {
            return Err(shape("`bot` must be a bot object".into()));
        }
        return serde_json::from_value::<Scenario>(v)
            .map(|s| Input::Scenario(Box::new(s)))
            .map_err(|e| shape(format!("the scenario's bot is unreadable: {e}")));
    }
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
    if let Some(body) = ErrorBody::from_object(o) {
        return Ok(Input::ErrorBody(Box::new(body)));
    }
    if o.contains_key("results") {
        return Err(shape(
            "this looks like a list page (`results`); pass one bot object".into(),
        ));
    }
    match o.get("id") {
        Some(Value::String(_)) => serde_json::from_value::<Bot>(v)
            .map(|b| Input::Bot(Box::new(b)))
            .map_err(|e| shape(format!("the bot object is unreadable: {e}"))),
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
