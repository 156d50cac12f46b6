//! The bot's history: status changes in order, each with a plain-language
//! label, and the phases (joining, waiting room, in call not recording,
//! recording) with the time spent in each.

use serde::{Deserialize, Serialize};

use super::catalog;
use crate::recall::model::{StatusChange, StatusCode};
use crate::recall::time::Timestamp;

/// One status change as the card shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Raw status code, e.g. `call_ended`.
    pub code: String,
    /// Raw sub code, when there is one.
    pub sub_code: Option<String>,
    /// Recall's own message (legacy bots fill it).
    pub message: Option<String>,
    pub at: Option<Timestamp>,
    /// `Left the meeting: Nobody admitted the bot`.
    pub label: String,
    /// Our explanation of the sub code, or of the status when there is none.
    pub explanation: String,
    /// The status code is in our catalog.
    pub code_known: bool,
    /// The sub code is in our catalog (`true` when there is no sub code).
    pub sub_code_known: bool,
    /// Seconds until the next change (or until `now` for the current status of a running bot).
    pub seconds: Option<i64>,
}

/// The phases a bot goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    Joining,
    WaitingRoom,
    InCallNotRecording,
    Recording,
}

impl PhaseName {
    pub fn label(self) -> &'static str {
        match self {
            PhaseName::Joining => "Joining",
            PhaseName::WaitingRoom => "Waiting room",
            PhaseName::InCallNotRecording => "In call, not recording",
            PhaseName::Recording => "Recording",
        }
    }
}

/// A stretch of time in one phase. Repeated phases (recording, pause,
/// recording) appear once per stretch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: PhaseName,
    pub label: String,
    pub start: Option<Timestamp>,
    /// `None` while the phase is still going on.
    pub end: Option<Timestamp>,
    /// Time spent; for an ongoing phase, up to `now` when it was given.
    pub seconds: Option<i64>,
    pub ongoing: bool,
}

/// What phase a status puts the bot in. `None` means the phases are over
/// (left, finished); `Some(None)` keeps the current phase (a status that says
/// nothing about the bot itself, or one we do not know).
fn phase_of(code: &StatusCode) -> Option<Option<PhaseName>> {
    Some(Some(match code {
        StatusCode::JoiningCall => PhaseName::Joining,
        StatusCode::InWaitingRoom => PhaseName::WaitingRoom,
        StatusCode::InCallNotRecording
        | StatusCode::RecordingPermissionAllowed
        | StatusCode::RecordingPermissionDenied => PhaseName::InCallNotRecording,
        StatusCode::InCallRecording => PhaseName::Recording,
        StatusCode::Other(raw) if raw == "recording_paused" => PhaseName::InCallNotRecording,
        StatusCode::Ready | StatusCode::ParticipantInWaitingRoom | StatusCode::Other(_) => {
            return Some(None)
        }
        StatusCode::CallEnded
        | StatusCode::RecordingDone
        | StatusCode::Done
        | StatusCode::Fatal
        | StatusCode::AnalysisDone
        | StatusCode::AnalysisFailed
        | StatusCode::MediaExpired => return None,
    }))
}

/// Status changes in time order. The array is meant to be chronological; when
/// every entry has a timestamp we sort by it (stable, so ties keep array
/// order), otherwise we trust the array.
pub fn ordered(changes: &[StatusChange]) -> Vec<StatusChange> {
    let mut out = changes.to_vec();
    if out.iter().all(|c| c.created_at.is_some()) {
        out.sort_by_key(|c| c.created_at);
    }
    out
}

/// Plain-language label of a status with its sub code.
pub fn label(change: &StatusChange) -> String {
    let status = catalog::lookup(change.code.as_str())
        .filter(|e| e.kind == catalog::Kind::Status)
        .map(|e| e.title.clone())
        .unwrap_or_else(|| catalog::humanize(change.code.as_str()));
    match &change.sub_code {
        Some(sub) => {
            let sub_title = catalog::lookup(sub)
                .map(|e| e.title.clone())
                .unwrap_or_else(|| format!("{} (unrecognised)", catalog::humanize(sub)));
            format!("{status}: {sub_title}")
        }
        None => status,
    }
}

/// The timeline entries; `running` says whether the last status is still current
/// (then its duration runs until `now`).
pub fn entries(
    changes: &[StatusChange],
    running: bool,
    now: Option<Timestamp>,
) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = Vec::with_capacity(changes.len());
    for (i, c) in changes.iter().enumerate() {
        let next_at = match changes.get(i + 1) {
            Some(next) => next.created_at,
            None if running => now,
            None => None,
        };
        let seconds = match (c.created_at, next_at) {
            (Some(a), Some(b)) if b >= a => Some(a.seconds_until(b)),
            _ => None,
        };
        let code_entry = catalog::lookup(c.code.as_str());
        let sub_entry = c.sub_code.as_deref().and_then(catalog::lookup);
        let explanation = match (&c.sub_code, sub_entry, code_entry) {
            (Some(_), Some(e), _) => e.explanation.clone(),
            (Some(sub), None, _) => format!(
                "`{sub}` is not in botlens's catalog yet; Recall adds codes without notice."
            ),
            (None, _, Some(e)) => e.explanation.clone(),
            (None, _, None) => format!(
                "`{}` is a status botlens does not know yet.",
                c.code.as_str()
            ),
        };
        out.push(TimelineEntry {
            code: c.code.as_str().to_string(),
            sub_code: c.sub_code.clone(),
            message: c.message.clone(),
            at: c.created_at,
            label: label(c),
            explanation,
            code_known: code_entry.is_some(),
            sub_code_known: c.sub_code.is_none() || sub_entry.is_some(),
            seconds,
        });
    }
    out
}

/// Phases from the ordered status changes. When the bot is still running the
/// last phase is ongoing and measured up to `now` (if given).
pub fn phases(changes: &[StatusChange], running: bool, now: Option<Timestamp>) -> Vec<Phase> {
    let mut out: Vec<Phase> = Vec::new();
    let mut current: Option<usize> = None;
    for c in changes {
        match phase_of(&c.code) {
            Some(Some(name)) => {
                if let Some(i) = current {
                    if out.get(i).is_some_and(|p| p.name == name) {
                        continue;
                    }
                    close(out.get_mut(i), c.created_at);
                }
                out.push(Phase {
                    name,
                    label: name.label().to_string(),
                    start: c.created_at,
                    end: None,
                    seconds: None,
                    ongoing: false,
                });
                current = Some(out.len() - 1);
            }
            Some(None) => {}
            None => {
                if let Some(i) = current.take() {
                    close(out.get_mut(i), c.created_at);
                }
            }
        }
    }
    if let Some(p) = current.and_then(|i| out.get_mut(i)) {
        if running {
            p.ongoing = true;
            p.seconds = match (p.start, now) {
                (Some(a), Some(b)) if b >= a => Some(a.seconds_until(b)),
                _ => None,
            };
        }
    }
    out
}

fn close(phase: Option<&mut Phase>, at: Option<Timestamp>) {
    if let Some(p) = phase {
        p.end = at;
        p.seconds = match (p.start, at) {
            (Some(a), Some(b)) if b >= a => Some(a.seconds_until(b)),
            _ => None,
        };
    }
}

/// Total seconds spent in one kind of phase.
pub fn total(phases: &[Phase], name: PhaseName) -> Option<i64> {
    let mut any = false;
    let sum = phases
        .iter()
        .filter(|p| p.name == name)
        .filter_map(|p| {
            any = true;
            p.seconds
        })
        .sum();
    any.then_some(sum)
}
