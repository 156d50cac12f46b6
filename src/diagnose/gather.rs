//! Fetch, then diagnose: the bot, and its screenshots and logs when the user
//! opened those sections. Every channel that shows a card (the extension's
//! worker, the embed) gathers this way; each brings only its fetch.

use serde::{Deserialize, Serialize};

use super::{diagnose, report, Diagnosis, Timestamp};
use crate::recall::client::{self, Endpoint, Found};
use crate::recall::error::ApiError;
use crate::recall::model::{Bot, Logs, Screenshots};

/// The parts of the card fetched only once the user opens them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wants {
    pub screenshots: bool,
    pub logs: bool,
}

/// A diagnosis, its Markdown report, and what went wrong fetching the parts
/// that only enrich it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gathered {
    pub diagnosis: Diagnosis,
    /// For "Copy report", made where the engine runs (the extension's card
    /// frame carries no engine).
    pub report: String,
    pub screenshots_error: Option<ApiError>,
    pub logs_error: Option<ApiError>,
}

/// Fetch the bot (and the parts in `wants`) with `fetch`, then diagnose.
/// Failing to get the bot is the answer; failing to get screenshots or logs
/// is noted beside the diagnosis, never instead of it.
pub async fn gather(
    fetch: impl AsyncFn(Endpoint) -> Result<Found, ApiError>,
    wants: Wants,
    now: Option<Timestamp>,
) -> Result<Gathered, ApiError> {
    let found = fetch(Endpoint::Bot).await?;
    let bot = read_bot(&found)?;
    let optional = async |asked: bool, endpoint| {
        if !asked {
            return (None, None);
        }
        match fetch(endpoint).await {
            Ok(found) => (Some(found.body), None),
            Err(error) => (None, Some(error)),
        }
    };
    let (shots_body, screenshots_error) = optional(wants.screenshots, Endpoint::Screenshots).await;
    let (logs_body, logs_error) = optional(wants.logs, Endpoint::Logs).await;
    let (shots, screenshots_error) = parse::<Screenshots>(shots_body, screenshots_error);
    let (logs, logs_error) = parse::<Logs>(logs_body, logs_error);
    let diagnosis = diagnose(&bot, shots.as_ref(), logs.as_ref(), found.region, now);
    Ok(Gathered {
        report: report::markdown(&diagnosis),
        diagnosis,
        screenshots_error,
        logs_error,
    })
}

/// The bot Recall answered, diagnosed as it is now without its screenshots
/// or logs: each bot of a triage. Its shape is checked as [`gather`] checks it.
pub fn diagnose_found(found: &Found, now: Option<Timestamp>) -> Result<Diagnosis, ApiError> {
    Ok(diagnose(&read_bot(found)?, None, None, found.region, now))
}

fn read_bot(found: &Found) -> Result<Bot, ApiError> {
    serde_json::from_str(&found.body).map_err(|e| ApiError::Malformed {
        status: 200,
        detail: format!("the bot is not in the shape botlens knows ({e})"),
    })
}

/// A part's body read as `T`; a shape botlens cannot read is that part's error.
fn parse<T: serde::de::DeserializeOwned>(
    body: Option<String>,
    error: Option<ApiError>,
) -> (Option<T>, Option<ApiError>) {
    match body.map(|b| client::parse_body::<T>(&b)) {
        Some(Ok(parsed)) => (Some(parsed), error),
        Some(Err(parse_error)) => (None, Some(parse_error)),
        None => (None, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recall::region::Region;
    use crate::testing::block_on;
    use std::cell::RefCell;

    const ID: &str = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";

    fn bot() -> String {
        format!(
            r#"{{"id":"{ID}","meeting_url":{{"platform":"zoom"}},"status_changes":[{{"code":"joining_call","created_at":"2026-01-01T00:00:00Z"}},{{"code":"fatal","sub_code":"meeting_full","created_at":"2026-01-01T00:01:00Z"}}]}}"#
        )
    }

    #[test]
    fn the_bot_then_only_the_parts_asked_for() {
        let asked = RefCell::new(Vec::new());
        let fetch = async |endpoint: Endpoint| {
            asked.borrow_mut().push(endpoint);
            match endpoint {
                Endpoint::Bot => Ok(Found {
                    region: Some(Region::EuCentral1),
                    body: bot(),
                }),
                Endpoint::Screenshots => Err(ApiError::Server { status: 503 }),
                Endpoint::Logs => Ok(Found {
                    region: Some(Region::EuCentral1),
                    body: "[]".into(),
                }),
            }
        };
        let nothing = block_on(gather(&fetch, Wants::default(), None)).unwrap();
        assert_eq!(asked.borrow().as_slice(), [Endpoint::Bot]);
        assert_eq!(nothing.diagnosis.reason.as_deref(), Some("meeting_full"));
        assert_eq!(nothing.diagnosis.region, "eu-central-1");
        assert!(nothing.report.contains(ID));

        let both = Wants {
            screenshots: true,
            logs: true,
        };
        let all = block_on(gather(&fetch, both, None)).unwrap();
        assert_eq!(
            all.screenshots_error,
            Some(ApiError::Server { status: 503 }),
            "a failed part is noted, the diagnosis stays"
        );
        assert_eq!(all.logs_error, None);
        assert_eq!(all.diagnosis, nothing.diagnosis);
    }

    #[test]
    fn a_bot_botlens_cannot_read_is_malformed_not_a_panic() {
        let fetch = async |_| {
            Ok(Found {
                region: None,
                body: r#"{"id": 7}"#.into(),
            })
        };
        let error = block_on(gather(fetch, Wants::default(), None)).unwrap_err();
        assert!(matches!(error, ApiError::Malformed { status: 200, .. }));
        let fetch = async |_| Err(ApiError::NoKey);
        assert_eq!(
            block_on(gather(fetch, Wants::default(), None)),
            Err(ApiError::NoKey)
        );
    }

    #[test]
    fn unreadable_logs_are_the_logs_error() {
        let fetch = async |endpoint: Endpoint| {
            Ok(Found {
                region: None,
                body: match endpoint {
                    Endpoint::Bot => bot(),
                    _ => "\"not a list\"".into(),
                },
            })
        };
        let wants = Wants {
            screenshots: false,
            logs: true,
        };
        let gathered = block_on(gather(fetch, wants, None)).unwrap();
        assert!(matches!(
            gathered.logs_error,
            Some(ApiError::Malformed { .. })
        ));
        assert_eq!(gathered.screenshots_error, None);
    }
}
