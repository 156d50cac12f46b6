//! What the answer rests on. A bot fetched just now says where it stands now;
//! a saved copy says where it stood when it was saved; one status event says
//! one moment. The rules in [`super::verdict`] read a history; [`temper`] turns
//! their answer into what the evidence can carry, so an old file is never
//! "stuck for 585 days" and one `done` event never "finished without recording".

use serde::{Deserialize, Serialize};

use super::catalog::{self, Ending};
use super::timeline;
use super::verdict::{lower_first, words, Facts, Outcome, Verdict};
use super::NoteLevel;
use crate::recall::model::{StatusChange, StatusCode};
use crate::recall::time::{human_duration, Timestamp};

/// Where the bot in a diagnosis came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Fetched from Recall just now: its last status is its status now.
    #[default]
    Live,
    /// A saved bot object (a file, a paste): the bot as it was when saved.
    Saved,
    /// One status event (a webhook): one moment, nothing before or after it.
    OneEvent,
    /// Several status events of one bot (a webhook log): its history as far
    /// as the log holds it, and nothing about its media.
    Events,
}

/// Longer than any meeting a bot can sit in (Zoom and Teams end meetings at
/// 30 hours, Meet at 24): a status older than this is not the bot's status now.
pub const LONGEST_RUN_SECONDS: i64 = 2 * 24 * 3600;

/// Where to find what a saved copy or one event cannot tell.
pub const LOOK_UP: &str = "Look the bot up for its whole history as it is now: `botlens diagnose <bot ID>` (with RECALL_API_KEY set), hover its ID with botlens, or open the Explorer link.";

/// The rules' answer, limited to what `evidence` can carry. `now` is the
/// caller's clock, used only to tell how old the evidence is.
pub(super) fn temper(
    out: Outcome,
    f: &Facts<'_>,
    evidence: Evidence,
    now: Option<Timestamp>,
) -> Outcome {
    match evidence {
        Evidence::Live => out,
        Evidence::Saved | Evidence::Events => saved(out, f, now),
        Evidence::OneEvent => one_event(out, f, now),
    }
}

/// How long ago `change` happened, when both ends are known.
fn age(change: &StatusChange, now: Option<Timestamp>) -> Option<i64> {
    Some(change.created_at?.seconds_until(now?))
}

fn when(change: &StatusChange) -> String {
    change
        .created_at
        .map_or_else(|| "an unknown date".to_string(), Timestamp::human)
}

fn saved(mut out: Outcome, f: &Facts<'_>, now: Option<Timestamp>) -> Outcome {
    if out.verdict != Verdict::InProgress {
        return out;
    }
    let Some(last) = f.changes.last() else {
        out.note(
            NoteLevel::Info,
            None,
            "A saved copy",
            format!("This is a saved copy of the bot, not the bot now: it may have joined since. {LOOK_UP}"),
        );
        return out;
    };
    match age(last, now) {
        Some(age) if age > LONGEST_RUN_SECONDS => stale(out, last, age, "saved copy"),
        _ => {
            out.note(
                NoteLevel::Info,
                None,
                "A saved copy",
                format!(
                    "This is the bot as it was on {}, not the bot now: it may have moved on since. {LOOK_UP}",
                    when(last)
                ),
            );
            out
        }
    }
}

/// A running status too old to be the bot's status now.
fn stale(out: Outcome, last: &StatusChange, age: i64, what: &str) -> Outcome {
    let mut o = Outcome::new(
        Verdict::Unknown,
        None,
        format!(
            "This {what} is from {}; the bot's status now is unknown",
            last.created_at.map_or_else(|| "long ago".into(), Timestamp::date)
        ),
        format!(
            "The {what} shows the bot {} on {}, {} ago. No meeting bot runs that long, so it has finished since, but how it ended is not in the {what}.",
            lower_first(&timeline::label(last)),
            when(last),
            human_duration(age)
        ),
        LOOK_UP.to_string(),
    );
    o.notes = out.notes;
    o
}

fn one_event(out: Outcome, f: &Facts<'_>, now: Option<Timestamp>) -> Outcome {
    let Some(last) = f.changes.last().or(f.after_end.last()) else {
        return out;
    };
    let mut o = match &last.code {
        StatusCode::Fatal => out,
        StatusCode::Done | StatusCode::CallEnded => ended(last),
        code if code.is_post_terminal() => {
            let mut o = Outcome::new(
                Verdict::Unknown,
                None,
                format!("`{}` comes after the bot finished", code.as_str()),
                format!(
                    "{}: Recall sends this after the call, so it does not say how the bot did in it.",
                    timeline::label(last)
                ),
                LOOK_UP.to_string(),
            );
            o.entry = catalog::lookup(code.as_str());
            o
        }
        _ => match age(last, now) {
            Some(age) if age > LONGEST_RUN_SECONDS => stale(out, last, age, "event"),
            _ => out,
        },
    };
    o.note(
        NoteLevel::Info,
        None,
        "One event, not the history",
        format!(
            "This answer rests on one status event (`{}`, {}). What came before and after it — whether the bot was admitted, whether and how long it recorded, how it ended — is in the bot's history. {LOOK_UP}",
            last.code.as_str(),
            when(last)
        ),
    );
    o
}

/// A lone `call_ended` or `done`: its sub code settles the verdict only when
/// it does not hang on whether the bot recorded.
fn ended(last: &StatusChange) -> Outcome {
    let sub = last.sub_code.as_deref();
    let context = " as the reason the bot left";
    match sub.and_then(catalog::lookup).and_then(|e| e.ending) {
        Some(Ending::KeptOut | Ending::NotAllowedToRecord) => {
            Outcome::coded(Verdict::Failed, sub.unwrap_or_default(), context)
        }
        Some(Ending::NoShow | Ending::Limit) => {
            Outcome::coded(Verdict::Warning, sub.unwrap_or_default(), context)
        }
        _ => {
            let (title, explanation) = match sub {
                Some(code) => {
                    let (title, explanation, _) = words(code, context);
                    (
                        format!(
                            "Ended ({}); this event cannot say whether it recorded",
                            lower_first(&title)
                        ),
                        explanation,
                    )
                }
                None => (
                    "Ended; this event cannot say whether it recorded".to_string(),
                    "The bot finished.".to_string(),
                ),
            };
            let mut o = Outcome::new(
                Verdict::Unknown,
                sub.map(str::to_string),
                title,
                format!("{explanation} Whether it recorded, and for how long, is in its history, not in this event."),
                LOOK_UP.to_string(),
            );
            o.entry = sub.and_then(catalog::lookup);
            o
        }
    }
}
