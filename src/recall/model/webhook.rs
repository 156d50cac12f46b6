//! Bot status webhooks, current (`bot.<status>`) and legacy (`bot.status_change`).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::*;

/// A bot status webhook, current or legacy, reduced to what it says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusWebhook {
    /// `bot.fatal`, `bot.call_ended`, …, or `bot.status_change` (legacy).
    pub event: String,
    pub bot_id: String,
    pub status: StatusChange,
    /// `true` for the v1.10 `bot.status_change` shape.
    pub legacy: bool,
    /// `data.bot.metadata`, what the caller attached to the bot (v1.11).
    pub metadata: Option<Value>,
}

impl StatusWebhook {
    /// Read a webhook body; the error says what is missing.
    pub fn from_value(v: &Value) -> Result<StatusWebhook, String> {
        let event = v
            .get("event")
            .and_then(Value::as_str)
            .ok_or("a webhook needs an `event` string")?
            .to_string();
        let data = v.get("data").ok_or("the webhook has no `data`")?;
        let (bot_id, status, legacy) = if let Some(status) = data.get("status") {
            let id = data.get("bot_id").and_then(Value::as_str);
            (id, status, true)
        } else if let Some(status) = data.get("data") {
            let id = data
                .get("bot")
                .and_then(|b| b.get("id"))
                .and_then(Value::as_str);
            (id, status, false)
        } else {
            return Err(format!(
                "`{event}` is not a bot status webhook (no `data.data` or `data.status`)"
            ));
        };
        let bot_id =
            bot_id.ok_or("the webhook does not name its bot (`data.bot.id` or `data.bot_id`)")?;
        let status: StatusChange = serde_json::from_value(status.clone())
            .map_err(|e| format!("the webhook's status is unreadable: {e}"))?;
        Ok(StatusWebhook {
            event,
            bot_id: bot_id.to_string(),
            status,
            legacy,
            metadata: data.pointer("/bot/metadata").cloned(),
        })
    }

    /// A minimal bot carrying this one status, ready for diagnosis.
    pub fn to_bot(&self) -> Bot {
        let mut bot = Bot::from_status(&self.bot_id, self.status.clone());
        bot.metadata = self.metadata.clone();
        bot
    }
}

impl<'de> Deserialize<'de> for StatusWebhook {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        StatusWebhook::from_value(&v).map_err(serde::de::Error::custom)
    }
}
