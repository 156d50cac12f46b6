//! What the card shows, and how it moves from one state to the next. Pure:
//! the extension's card frame and the embed drive the same transitions, and
//! they are tested natively; `card.rs` only draws a [`CardState`].

use crate::diagnose::document::Bots;
use crate::diagnose::gather::{Gathered, Wants};
use crate::diagnose::{self, Diagnosis};
use crate::recall::error::ApiError;
use crate::recall::region::Region;

/// The card's whole input.
#[derive(Clone, Debug, PartialEq)]
pub enum CardState {
    /// Nothing to show; the frame is hidden.
    Idle,
    Loading {
        bot_id: String,
    },
    Ready(Box<Loaded>),
    Failed {
        bot_id: String,
        error: ApiError,
    },
    /// The bots sent to a meeting whose link the user hovered.
    Meeting(Box<Meeting>),
}

/// A meeting's list: its link and, once the worker answered, its bots.
#[derive(Clone, Debug, PartialEq)]
pub struct Meeting {
    /// The link as List Bots was asked for it.
    pub link: String,
    /// Recall's platform name for it (`zoom`, `google_meet`, …).
    pub platform: String,
    /// `None` while listing.
    pub listed: Option<Result<Bots, ApiError>>,
}

impl Meeting {
    /// What the "back" button of a bot opened from this list reads.
    pub fn back_label(&self) -> String {
        match &self.listed {
            Some(Ok(page)) if page.bots.len() == 1 => "The 1 bot sent to this meeting".into(),
            Some(Ok(page)) => format!("All {} bots sent to this meeting", page.bots.len()),
            _ => "The bots sent to this meeting".into(),
        }
    }
}

/// A diagnosed bot and the state of the parts fetched on demand.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub diagnosis: Diagnosis,
    /// The Markdown report behind "Copy report" ([`crate::diagnose::report::markdown`]),
    /// made where the engine runs: the extension's card frame carries no engine.
    pub report: String,
    pub screenshots: Section,
    pub logs: Section,
    /// When the data was fetched (ms since the epoch), for "updated 20 s ago".
    pub fetched_at_ms: f64,
}

/// A part of the card that is fetched only when the user opens it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Section {
    #[default]
    NotAsked,
    Loading,
    Shown,
    Failed(ApiError),
}

impl CardState {
    /// Diagnose a bot from the JSON Recall sent. Bad JSON becomes an error
    /// state, never a panic. (Pages that must stay small get a [`Diagnosis`]
    /// from elsewhere and build [`CardState::Ready`] themselves.)
    pub fn from_bot_json(
        bot_id: &str,
        body: &str,
        region: Option<Region>,
        now_ms: f64,
    ) -> CardState {
        let now = crate::recall::time::Timestamp::from_js(now_ms);
        match serde_json::from_str::<crate::recall::model::Bot>(body) {
            Ok(bot) => CardState::ready(diagnose::diagnose(&bot, None, None, region, now), now_ms),
            Err(e) => CardState::Failed {
                bot_id: bot_id.to_string(),
                error: ApiError::Malformed {
                    status: 200,
                    detail: format!("not a bot: {e}"),
                },
            },
        }
    }

    pub fn ready(diagnosis: Diagnosis, fetched_at_ms: f64) -> CardState {
        CardState::Ready(Box::new(Loaded {
            report: diagnose::report::markdown(&diagnosis),
            diagnosis,
            screenshots: Section::NotAsked,
            logs: Section::NotAsked,
            fetched_at_ms,
        }))
    }

    /// The state's name, as the card's `data-state` says it (`idle` when nothing shows).
    pub fn name(&self) -> &'static str {
        match self {
            CardState::Idle => "idle",
            CardState::Loading { .. } => "loading",
            CardState::Ready(_) => "ready",
            CardState::Failed { .. } => "error",
            CardState::Meeting(_) => "meeting",
        }
    }

    pub fn bot_id(&self) -> Option<&str> {
        match self {
            CardState::Idle | CardState::Meeting(_) => None,
            CardState::Loading { bot_id } | CardState::Failed { bot_id, .. } => Some(bot_id),
            CardState::Ready(loaded) => Some(&loaded.diagnosis.bot_id),
        }
    }

    /// A running bot is worth looking at again (every ≥ 10 s) while the card is open.
    pub fn wants_refresh(&self) -> bool {
        match self {
            CardState::Ready(loaded) => loaded.diagnosis.verdict == diagnose::Verdict::InProgress,
            // Throttling is retried when Recall says, not on this beat.
            CardState::Failed { error, .. } => {
                error.is_transient() && !matches!(error, ApiError::Throttled { .. })
            }
            _ => false,
        }
    }
}

impl CardState {
    /// What a gathering came to, for `bot_id`; the parts in `wants` are shown
    /// or carry their error.
    pub fn gathered(
        bot_id: &str,
        answer: Result<Gathered, ApiError>,
        wants: Wants,
        fetched_at_ms: f64,
    ) -> CardState {
        let section = |asked: bool, error: Option<ApiError>| match (asked, error) {
            (false, _) => Section::NotAsked,
            (true, None) => Section::Shown,
            (true, Some(error)) => Section::Failed(error),
        };
        match answer {
            Ok(gathered) => CardState::Ready(Box::new(Loaded {
                diagnosis: gathered.diagnosis,
                report: gathered.report,
                screenshots: section(wants.screenshots, gathered.screenshots_error),
                logs: section(wants.logs, gathered.logs_error),
                fetched_at_ms,
            })),
            Err(error) => CardState::Failed {
                bot_id: bot_id.to_string(),
                error,
            },
        }
    }

    /// The user just opened a part: it shows as loading until the answer comes.
    pub fn show_asked(&mut self, wants: Wants) {
        if let CardState::Ready(loaded) = self {
            for (asked, section) in [
                (wants.screenshots, &mut loaded.screenshots),
                (wants.logs, &mut loaded.logs),
            ] {
                if asked && *section == Section::NotAsked {
                    *section = Section::Loading;
                }
            }
        }
    }

    /// When to load again after throttling: exactly when Recall said.
    pub fn retry_after_ms(&self) -> Option<f64> {
        match self {
            CardState::Failed {
                error: ApiError::Throttled { retry_after_s },
                ..
            } => Some(f64::from(*retry_after_s) * 1000.0),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::Verdict;

    fn gathered(last: &str) -> Gathered {
        let body = format!(
            r#"{{"id":"b","status_changes":[{{"code":"joining_call","created_at":"2026-01-01T00:00:00Z"}},{{"code":"{last}","created_at":"2026-01-01T00:01:00Z"}}]}}"#
        );
        let diagnosis = diagnose::diagnose_json(&body, None, None).unwrap();
        Gathered {
            report: diagnose::report::markdown(&diagnosis),
            diagnosis,
            screenshots_error: Some(ApiError::Server { status: 503 }),
            logs_error: None,
        }
    }

    #[test]
    fn parts_show_only_when_asked_and_keep_their_errors() {
        let wants = Wants {
            screenshots: true,
            logs: false,
        };
        let CardState::Ready(loaded) = CardState::gathered("b", Ok(gathered("done")), wants, 5.0)
        else {
            panic!("not ready");
        };
        assert_eq!(
            loaded.screenshots,
            Section::Failed(ApiError::Server { status: 503 })
        );
        assert_eq!(loaded.logs, Section::NotAsked);
        assert_eq!(loaded.fetched_at_ms, 5.0);

        let mut state = CardState::Ready(loaded);
        state.show_asked(Wants {
            screenshots: true,
            logs: true,
        });
        let CardState::Ready(loaded) = &state else {
            panic!("not ready");
        };
        assert_eq!(loaded.logs, Section::Loading, "newly opened");
        assert!(matches!(loaded.screenshots, Section::Failed(_)), "kept");
    }

    #[test]
    fn running_bots_and_passing_errors_come_back_throttling_when_told() {
        let running = CardState::gathered(
            "b",
            Ok(gathered("in_call_recording")),
            Wants::default(),
            0.0,
        );
        assert!(
            matches!(&running, CardState::Ready(l) if l.diagnosis.verdict == Verdict::InProgress)
        );
        assert!(running.wants_refresh());
        let done = CardState::gathered("b", Ok(gathered("done")), Wants::default(), 0.0);
        assert!(!done.wants_refresh());
        let throttled = CardState::gathered(
            "b",
            Err(ApiError::Throttled { retry_after_s: 7 }),
            Wants::default(),
            0.0,
        );
        assert_eq!(throttled.bot_id(), Some("b"));
        assert!(!throttled.wants_refresh(), "not on the regular beat");
        assert_eq!(throttled.retry_after_ms(), Some(7000.0));
        let down = CardState::gathered(
            "b",
            Err(ApiError::Server { status: 503 }),
            Wants::default(),
            0.0,
        );
        assert!(down.wants_refresh());
        assert_eq!(down.retry_after_ms(), None);
        let gone = CardState::gathered(
            "b",
            Err(ApiError::NotFound {
                regions_tried: vec![],
            }),
            Wants::default(),
            0.0,
        );
        assert!(!gone.wants_refresh());
    }
}
