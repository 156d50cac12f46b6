//! The lists beside a bot: its debug screenshots and its logs, in every
//! envelope Recall uses.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::*;

/// One debug screenshot: `{id, recorded_at, url}` (`url` is signed and expires).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Screenshot {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub recorded_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub url: Option<String>,
}

/// List Bot Screenshots: a bare array or `{results, next, previous, count}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Screenshots {
    pub items: Vec<Screenshot>,
    /// The next page, when the envelope had one.
    pub next: Option<String>,
}

impl<'de> Deserialize<'de> for Screenshots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(items) => Ok(Screenshots {
                items: items_of(items),
                next: None,
            }),
            Value::Object(mut o) => match o.remove("results") {
                Some(Value::Array(items)) => Ok(Screenshots {
                    items: items_of(items),
                    next: o
                        .remove("next")
                        .and_then(|v| v.as_str().map(str::to_string)),
                }),
                _ => Err(serde::de::Error::custom(
                    "screenshots: expected an array or an object with `results`",
                )),
            },
            _ => Err(serde::de::Error::custom(
                "screenshots: expected an array or an object with `results`",
            )),
        }
    }
}

/// One bot log line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(default = "default_level")]
    pub level: LogLevel,
    #[serde(default, deserialize_with = "lenient_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub created_at: Option<Timestamp>,
    /// Which realtime endpoint/output the line is about (`bot.output_log`).
    #[serde(default, deserialize_with = "lenient_text")]
    pub output_id: Option<String>,
}

fn default_level() -> LogLevel {
    LogLevel::Info
}

/// Bot logs: an array, `{results: [...]}`, or `bot.log`/`bot.output_log` webhooks.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Logs {
    pub items: Vec<LogEntry>,
}

impl<'de> Deserialize<'de> for Logs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn unwrap_webhook(v: Value) -> Value {
            match v.get("data").and_then(|d| d.get("log")) {
                Some(log) => log.clone(),
                None => v,
            }
        }
        let list = match Value::deserialize(d)? {
            Value::Array(items) => items,
            Value::Object(mut o) => match o.remove("results") {
                Some(Value::Array(items)) => items,
                _ if o.contains_key("event") || o.contains_key("message") => {
                    vec![Value::Object(o)]
                }
                _ => {
                    return Err(serde::de::Error::custom(
                        "logs: expected an array, `{results: [...]}` or a log webhook",
                    ))
                }
            },
            _ => {
                return Err(serde::de::Error::custom(
                    "logs: expected an array, `{results: [...]}` or a log webhook",
                ))
            }
        };
        Ok(Logs {
            items: items_of(list.into_iter().map(unwrap_webhook).collect()),
        })
    }
}
