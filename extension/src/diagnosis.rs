//! The worker's answer to `Diagnose`: fetch the bot (and, when asked, its
//! screenshots and logs) through the background's cached look-ups and run
//! the diagnosis engine here, so the card frame stays small.

use botlens::diagnose::{diagnose, report, Timestamp};
use botlens::recall::client;
use botlens::recall::error::ApiError;
use botlens::recall::model::{Bot, Logs, Screenshots};
use serde::de::DeserializeOwned;

use crate::background;
use crate::messages::{Diagnosed, Reply, Request};

pub(crate) async fn answer(id: String, screenshots: bool, logs: bool) -> Reply {
    let (region, body) = match background::answer(Request::Bot { id: id.clone() }).await {
        Reply::Found { region, body } => (region, body),
        other => return other,
    };
    let bot: Bot = match serde_json::from_str(&body) {
        Ok(bot) => bot,
        Err(e) => {
            return Reply::Failed {
                error: ApiError::Malformed {
                    status: 200,
                    detail: format!("the bot is not in the shape botlens knows ({e})"),
                },
            }
        }
    };
    let (shots, screenshots_error) = if screenshots {
        optional::<Screenshots>(Request::Screenshots { id: id.clone() }).await
    } else {
        (None, None)
    };
    let (log_items, logs_error) = if logs {
        optional::<Logs>(Request::Logs { id }).await
    } else {
        (None, None)
    };
    #[allow(clippy::cast_possible_truncation)] // Date.now() is a whole number of ms
    let now = Timestamp::from_millis(js_sys::Date::now() as i64);
    let diagnosis = diagnose(&bot, shots.as_ref(), log_items.as_ref(), Some(region), now);
    Reply::Diagnosed(Box::new(Diagnosed {
        report: report::markdown(&diagnosis),
        diagnosis,
        screenshots_error,
        logs_error,
    }))
}

/// Screenshots and logs enrich the answer; failing to get them must not hide it.
async fn optional<T: DeserializeOwned>(request: Request) -> (Option<T>, Option<ApiError>) {
    match background::answer(request).await {
        Reply::Found { body, .. } => match client::parse_body(&body) {
            Ok(parsed) => (Some(parsed), None),
            Err(error) => (None, Some(error)),
        },
        Reply::Failed { error } => (None, Some(error)),
        _ => (None, None),
    }
}
