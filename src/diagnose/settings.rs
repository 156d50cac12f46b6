//! The bot's own settings set against what happened: which timeout made it
//! leave, how long it really spent where that timeout counts, and how late it
//! set off after `join_at`. "Waited 20m 03s in the waiting room;
//! `waiting_room_timeout` is 1200 s" answers most "why did it leave" questions
//! before anyone opens the docs.

use serde::{Deserialize, Serialize};

use super::timeline::{Phase, PhaseName};
use crate::recall::model::{AutomaticLeave, Bot, StatusChange, StatusCode};
use crate::recall::time::{human_duration, Timestamp};

/// One setting beside what it governed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    /// As in the bot's JSON: `automatic_leave.waiting_room_timeout`, `join_at`.
    pub name: String,
    /// The value in words: `1200 s (20m 00s)`, `not set (Recall's default: 20m 00s)`.
    /// Empty when the value is a time (`at`).
    pub value: String,
    /// The value when it is a moment (`join_at`).
    pub at: Option<Timestamp>,
    /// What happened, in words: `20m 03s in the waiting room`.
    pub happened: String,
    /// This setting is why the bot left.
    pub ended_it: bool,
}

/// Where a timeout counts.
#[derive(Clone, Copy)]
enum Span {
    Phase(PhaseName),
    /// In the call, recording or not.
    InCall,
    /// From recording being refused to the end.
    AfterRefusal,
    /// Nothing the history can measure.
    Unmeasured,
}

struct Timeout {
    key: &'static str,
    /// Recall's default when the bot does not set it; `None`: no limit.
    default: Option<f64>,
    value: fn(&AutomaticLeave) -> Option<f64>,
    /// The sub code the timeout leaves with.
    code: &'static str,
    span: Span,
    /// What the measured time was spent doing.
    doing: &'static str,
    /// Shown only when it ended the bot (its span says little otherwise).
    only_when_it_ended: bool,
}

const TIMEOUTS: [Timeout; 6] = [
    Timeout {
        key: "waiting_room_timeout",
        default: Some(1200.0),
        value: |a| a.waiting_room_timeout,
        code: "timeout_exceeded_waiting_room",
        span: Span::Phase(PhaseName::WaitingRoom),
        doing: "in the waiting room",
        only_when_it_ended: false,
    },
    Timeout {
        key: "noone_joined_timeout",
        default: Some(1200.0),
        value: |a| a.noone_joined_timeout,
        code: "timeout_exceeded_noone_joined",
        span: Span::InCall,
        doing: "in the call, with nobody else joining",
        only_when_it_ended: true,
    },
    Timeout {
        key: "in_call_not_recording_timeout",
        default: Some(3600.0),
        value: |a| a.in_call_not_recording_timeout,
        code: "timeout_exceeded_in_call_not_recording",
        span: Span::Phase(PhaseName::InCallNotRecording),
        doing: "in the call without recording",
        only_when_it_ended: false,
    },
    Timeout {
        key: "in_call_recording_timeout",
        default: None,
        value: |a| a.in_call_recording_timeout,
        code: "timeout_exceeded_in_call_recording",
        span: Span::Phase(PhaseName::Recording),
        doing: "recording",
        only_when_it_ended: false,
    },
    Timeout {
        key: "recording_permission_denied_timeout",
        default: Some(30.0),
        value: |a| a.recording_permission_denied_timeout,
        code: "timeout_exceeded_recording_permission_denied",
        span: Span::AfterRefusal,
        doing: "in the call after recording was refused",
        only_when_it_ended: false,
    },
    Timeout {
        key: "everyone_left_timeout",
        default: Some(2.0),
        value: |a| a.everyone_left_timeout,
        code: "timeout_exceeded_everyone_left",
        span: Span::Unmeasured,
        doing: "",
        only_when_it_ended: true,
    },
];

/// The platform's own lobby limit: it ends a bot before `waiting_room_timeout` does.
const PLATFORM_LOBBY_LIMIT: &str = "call_ended_by_platform_waiting_room_timeout";

/// The settings that bear on this bot's history. `changes` are its status
/// changes in order up to the end; `now` counts an ongoing phase (a live bot only).
pub fn against_history(
    bot: &Bot,
    changes: &[StatusChange],
    phases: &[Phase],
    now: Option<Timestamp>,
) -> Vec<Setting> {
    // The sub code the bot left with (a normal end has one too, unlike the verdict's reason).
    let reason = changes
        .iter()
        .rev()
        .find(|c| matches!(c.code, StatusCode::CallEnded | StatusCode::Fatal))
        .and_then(|c| c.sub_code.as_deref());
    let mut out = Vec::new();
    if let Some(join_at) = bot.join_at {
        out.extend(set_off(join_at, changes, now));
    }
    let leave = bot.automatic_leave.as_ref();
    for t in &TIMEOUTS {
        let ended_it = reason == Some(t.code);
        let lobby_by_platform = reason == Some(PLATFORM_LOBBY_LIMIT)
            && matches!(t.span, Span::Phase(PhaseName::WaitingRoom));
        if t.only_when_it_ended && !ended_it {
            continue;
        }
        let spent = measure(t.span, changes, phases, now);
        if spent.is_none() && !ended_it {
            continue;
        }
        let limit = leave.and_then(t.value);
        let mut happened = match spent {
            Some(Spent { seconds, ongoing }) => {
                let mut text = format!("{} {}", human_duration(seconds), t.doing);
                if ongoing {
                    text.push_str(" so far");
                    if let Some(left) = limit.or(t.default).map(|l| l as i64 - seconds) {
                        text.push_str(&format!(
                            "; it leaves in {} unless that changes",
                            human_duration(left)
                        ));
                    }
                }
                text
            }
            None if t.code == "timeout_exceeded_everyone_left" => "everyone else left".into(),
            None => "not in the bot's history".into(),
        };
        if lobby_by_platform {
            happened.push_str(": the platform's own lobby limit ended it, not this setting");
        }
        out.push(Setting {
            name: format!("automatic_leave.{}", t.key),
            value: worded(limit, t.default, leave.is_some()),
            at: None,
            happened,
            ended_it,
        });
    }
    out
}

/// `join_at` beside when the bot set off (its first status), or how long until it does.
fn set_off(
    join_at: Timestamp,
    changes: &[StatusChange],
    now: Option<Timestamp>,
) -> Option<Setting> {
    let happened = match changes.first().and_then(|c| c.created_at) {
        Some(first) if first >= join_at => {
            format!(
                "set off {} after it",
                human_duration(join_at.seconds_until(first))
            )
        }
        Some(first) => format!(
            "set off {} before it",
            human_duration(first.seconds_until(join_at))
        ),
        None => match now {
            Some(now) if now < join_at => {
                format!(
                    "not yet: {} to go",
                    human_duration(now.seconds_until(join_at))
                )
            }
            _ => "no status yet".into(),
        },
    };
    Some(Setting {
        name: "join_at".into(),
        value: String::new(),
        at: Some(join_at),
        happened,
        ended_it: false,
    })
}

#[derive(Clone, Copy)]
struct Spent {
    seconds: i64,
    ongoing: bool,
}

fn measure(
    span: Span,
    changes: &[StatusChange],
    phases: &[Phase],
    now: Option<Timestamp>,
) -> Option<Spent> {
    let sum = |wanted: &dyn Fn(PhaseName) -> bool| {
        let mut found = phases.iter().filter(|p| wanted(p.name)).peekable();
        found.peek()?;
        let mut spent = Spent {
            seconds: 0,
            ongoing: false,
        };
        for p in found {
            spent.seconds += p.seconds?;
            spent.ongoing |= p.ongoing;
        }
        Some(spent)
    };
    match span {
        Span::Phase(name) => sum(&|n| n == name),
        Span::InCall => sum(&|n| matches!(n, PhaseName::InCallNotRecording | PhaseName::Recording)),
        Span::AfterRefusal => {
            let refused = changes
                .iter()
                .rposition(|c| c.code == StatusCode::RecordingPermissionDenied)?;
            let from = changes.get(refused)?.created_at?;
            let left = changes.iter().skip(refused).find(|c| ends_call(&c.code));
            let (to, ongoing) = match left.and_then(|c| c.created_at) {
                Some(end) => (end, false),
                None => (now?, true),
            };
            (to >= from).then(|| Spent {
                seconds: from.seconds_until(to),
                ongoing,
            })
        }
        Span::Unmeasured => None,
    }
}

fn ends_call(code: &StatusCode) -> bool {
    matches!(code, StatusCode::CallEnded | StatusCode::Fatal) || code.is_terminal()
}

/// `1200 s (20m 00s)`; unset: Recall's default, said as such.
fn worded(limit: Option<f64>, default: Option<f64>, object_present: bool) -> String {
    let seconds = |s: f64| format!("{s} s ({})", human_duration(s as i64));
    match (limit, default) {
        (Some(l), _) => seconds(l),
        (None, None) => "no limit".into(),
        (None, Some(d)) if object_present => format!("not set (Recall's default: {})", seconds(d)),
        (None, Some(d)) => format!("not in the bot's data (Recall's default: {})", seconds(d)),
    }
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
