//! The verdict rules. `docs/diagnosis.md` explains each one in prose; the
//! data-driven tests in `tests/data/diagnose/` pin them down.
//!
//! 1. No status change yet → `in_progress`.
//! 2. A `fatal` ends the bot (also when a `done` follows it) → `failed`, reason
//!    = its sub code, or `fatal` when it has none.
//! 3. The bot is not finished (last status is neither `done` nor `fatal`; this
//!    includes `call_ended`, which `done` follows within seconds) → `in_progress`,
//!    reason `null`.
//! 4. `done`: the last `call_ended` sub code decides, through its catalog
//!    `ending`:
//!    * `kept_out` / `not_allowed_to_record` → `failed`, reason = that sub code;
//!      an earlier `recording_permission_denied` sub code becomes the `detail`.
//!    * `removed` → `failed` if nothing was recorded, else `warning` (partial).
//!    * `no_show`, `limit` → `warning`.
//!    * `normal` → `healthy` (reason `null`) if it recorded; otherwise the
//!      bot missed the meeting: `failed` when a recording refusal or the lobby
//!      explains why, `failed` with reason `in_call_not_recording` on Zoom
//!      when it sat for two minutes or more without any permission answer,
//!      else `warning` with the sub code.
//!    * a sub code we do not know → `warning` if it recorded, else `failed`;
//!      the reason is the raw code either way.
//!    * no `call_ended` or no sub code → `healthy` if it recorded, else
//!      `warning` (reason `call_ended` or `done`).
//! 5. Media can only make things worse: a failed recording turns
//!    healthy/warning into `failed` (reason: the recording's sub code or
//!    `recording.failed`); a failed transcript or `analysis_failed` turns
//!    healthy into `warning`.

use serde::{Deserialize, Serialize};

use super::catalog::{self, Ending, Entry};
use super::media::{Availability, Media};
use super::patterns::{media_overrides, patterns, ZOOM_NO_HOST_REMEDY};
use super::timeline::{self, Phase, PhaseName};
use super::{Cause, Note, NoteLevel, NoteSource};
use crate::recall::model::{StatusChange, StatusCode};
use crate::recall::time::{human_duration, Timestamp};

/// The one-word answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Recorded and ended normally.
    Healthy,
    /// Still going (or shutting down).
    InProgress,
    /// The bot did not get the job done.
    Failed,
    /// Ended without a clear failure, but something deserves a look.
    Warning,
    /// The evidence cannot tell (one event, an old saved copy): see `evidence`.
    Unknown,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Healthy => "Healthy",
            Verdict::InProgress => "In progress",
            Verdict::Failed => "Failed",
            Verdict::Warning => "Warning",
            Verdict::Unknown => "Unknown",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::InProgress => "in_progress",
            Verdict::Failed => "failed",
            Verdict::Warning => "warning",
            Verdict::Unknown => "unknown",
        }
    }
}

/// What the rules need to know about the bot.
pub(super) struct Facts<'a> {
    /// Ordered status changes up to and including the final `done`/`fatal`.
    pub changes: &'a [StatusChange],
    /// Statuses after the end (`analysis_failed`, `media_expired`, …).
    pub after_end: &'a [StatusChange],
    pub family: &'static str,
    pub phases: &'a [Phase],
    pub media: &'a Media,
    pub now: Option<Timestamp>,
    pub join_at: Option<Timestamp>,
    /// A Zoom bot that joins on behalf of a user (an OBF token).
    pub zoom_obf: bool,
}

/// The rules' answer.
pub(super) struct Outcome {
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
    /// The catalog entry of the reason (or of the current status while running).
    pub entry: Option<&'static Entry>,
    pub retry_may_help: bool,
    pub detail: Option<Cause>,
    pub notes: Vec<Note>,
    /// The title already tells the Zoom no-answer story; don't repeat it as a note.
    pub skip_zoom_pattern: bool,
}

impl Outcome {
    pub(super) fn new(
        verdict: Verdict,
        reason: Option<String>,
        title: String,
        explanation: String,
        remedy: String,
    ) -> Outcome {
        Outcome {
            verdict,
            reason,
            title,
            explanation,
            remedy,
            entry: None,
            retry_may_help: false,
            detail: None,
            notes: Vec::new(),
            skip_zoom_pattern: false,
        }
    }

    /// An outcome whose reason is `code`, worded from the catalog (or, for a
    /// code we do not know, from what we can tell about it).
    pub(super) fn coded(verdict: Verdict, code: &str, context: &str) -> Outcome {
        let entry = catalog::lookup(code);
        let (title, explanation, remedy) = words(code, context);
        Outcome {
            verdict,
            reason: Some(code.to_string()),
            title,
            explanation,
            remedy,
            entry,
            retry_may_help: entry.map_or(verdict == Verdict::Failed, |e| e.retry_may_help),
            detail: None,
            notes: Vec::new(),
            skip_zoom_pattern: false,
        }
    }

    pub(super) fn note(&mut self, level: NoteLevel, code: Option<&str>, title: &str, text: String) {
        self.notes.push(Note {
            source: NoteSource::Pattern,
            level,
            code: code.map(str::to_string),
            title: title.to_string(),
            text,
            at: None,
            message: None,
        });
    }
}

/// Title, explanation and remedy for a code; `context` says where it came
/// from (e.g. "as the reason the bot left") for codes we do not know.
pub(super) fn words(code: &str, context: &str) -> (String, String, String) {
    match catalog::lookup(code) {
        Some(e) if e.documented() => (e.title.clone(), e.explanation.clone(), e.remedy.clone()),
        Some(e) => (
            e.title.clone(),
            format!("{} (`{code}` is not in Recall's documentation: botlens knows it from reports outside Recall.)", e.explanation),
            e.remedy.clone(),
        ),
        None => {
            let origin = [
                "zoom_",
                "google_meet_",
                "microsoft_teams_",
                "webex_",
                "goto_",
                "slack_",
            ]
            .iter()
            .find(|p| code.starts_with(*p))
            .map(|p| {
                let name = match *p {
                    "zoom_" => "Zoom",
                    "google_meet_" => "Google Meet",
                    "microsoft_teams_" => "Microsoft Teams",
                    "webex_" => "Webex",
                    "goto_" => "GoTo Meeting",
                    _ => "Slack",
                };
                format!(" Its prefix says it comes from {name}.")
            })
            .unwrap_or_default();
            (
                format!("Unrecognised code: {code}"),
                format!(
                    "Recall reported `{code}`{context}. botlens does not know this code yet (Recall adds codes without notice), so read it literally: \"{}\".{origin}",
                    catalog::humanize(code)
                ),
                "Open the bot in the Recall Explorer for its screenshots and logs, and check Recall's sub-codes page for the newest list. If the bot failed, sending a new bot is a reasonable first try.".to_string(),
            )
        }
    }
}

pub(super) fn has(changes: &[StatusChange], code: &StatusCode) -> bool {
    changes.iter().any(|c| &c.code == code)
}

fn duration_of(phases: &[Phase], name: PhaseName) -> Option<String> {
    timeline::total(phases, name).map(human_duration)
}

/// Apply the rules.
pub(super) fn decide(f: &Facts<'_>) -> Outcome {
    let Some(last) = f.changes.last() else {
        return not_started(f);
    };
    let recorded_by_status = has(f.changes, &StatusCode::InCallRecording);
    let recorded = recorded_by_status || f.media.recorded;
    let denied = f
        .changes
        .iter()
        .rev()
        .find(|c| c.code == StatusCode::RecordingPermissionDenied);

    // Rule 2: fatal.
    if last.code.is_terminal() {
        if let Some(fatal) = f.changes.iter().rev().find(|c| c.code == StatusCode::Fatal) {
            let mut out = fatal_outcome(fatal, recorded_by_status, f);
            if let Some(d) = denied {
                let code = d
                    .sub_code
                    .as_deref()
                    .unwrap_or("recording_permission_denied");
                if out.reason.as_deref() != Some(code) {
                    out.detail = Some(Cause::of(code));
                }
            }
            return media_overrides(out, f);
        }
    }

    // Rule 3: still running.
    if last.code != StatusCode::Done {
        return running(last, f);
    }

    // Rule 4: done.
    let call_ended = f
        .changes
        .iter()
        .rev()
        .find(|c| c.code == StatusCode::CallEnded);
    let sub = call_ended.and_then(|c| c.sub_code.as_deref());
    let Some(sub) = sub else {
        let (verdict, reason) = match (recorded, call_ended.is_some()) {
            (true, _) => (Verdict::Healthy, None),
            (false, true) => (Verdict::Warning, Some("call_ended")),
            (false, false) => (Verdict::Warning, Some("done")),
        };
        let out = if verdict == Verdict::Healthy {
            healthy("The bot left without giving a reason.", f)
        } else {
            let mut o = Outcome::new(
                verdict,
                reason.map(str::to_string),
                "Finished without recording".to_string(),
                "The bot finished without ever recording, and Recall gave no reason for leaving."
                    .to_string(),
                "Look at the timeline and the screenshots; the Recall Explorer may show more."
                    .to_string(),
            );
            o.entry = reason.and_then(catalog::lookup);
            o
        };
        return media_overrides(out, f);
    };

    let entry = catalog::lookup(sub);
    let ending = entry.and_then(|e| e.ending);
    let denial_detail = denied.map(|d| {
        Cause::of(
            d.sub_code
                .as_deref()
                .unwrap_or("recording_permission_denied"),
        )
    });
    let waited = duration_of(f.phases, PhaseName::WaitingRoom);
    let not_recording = timeline::total(f.phases, PhaseName::InCallNotRecording);
    let in_lobby_at_end = last_phase(f.phases) == Some(PhaseName::WaitingRoom);

    let out = match ending {
        Some(Ending::KeptOut | Ending::NotAllowedToRecord) => {
            let mut o = Outcome::coded(Verdict::Failed, sub, " as the reason the bot left");
            if let (Some(w), true) = (&waited, ending == Some(Ending::KeptOut)) {
                o.explanation
                    .push_str(&format!(" It waited {w} in the lobby."));
            }
            if ending == Some(Ending::NotAllowedToRecord) {
                if let Some(s) = not_recording.map(human_duration) {
                    o.explanation
                        .push_str(&format!(" It spent {s} in the call without recording."));
                }
            }
            o.detail = denial_detail.filter(|d| d.code != sub);
            if recorded {
                o.note(
                    NoteLevel::Info,
                    None,
                    "A partial recording exists",
                    format!(
                        "The bot did record for {} before this, so part of the meeting is in the recording.",
                        duration_of(f.phases, PhaseName::Recording).unwrap_or_else(|| "a while".into())
                    ),
                );
            }
            o
        }
        Some(Ending::Removed) => {
            let verdict = if recorded {
                Verdict::Warning
            } else {
                Verdict::Failed
            };
            let mut o = Outcome::coded(verdict, sub, " as the reason the bot left");
            if recorded {
                o.title = format!("{} while it was recording", o.title);
                o.explanation.push_str(&format!(
                    " It had recorded for {}, so the recording covers the meeting only up to that point.",
                    duration_of(f.phases, PhaseName::Recording).unwrap_or_else(|| "a while".into())
                ));
            } else {
                o.title = format!("{} before it could record", o.title);
            }
            o.detail = denial_detail;
            o
        }
        Some(Ending::NoShow | Ending::Limit) => {
            let mut o = Outcome::coded(Verdict::Warning, sub, " as the reason the bot left");
            if ending == Some(Ending::Limit) && recorded {
                o.explanation
                    .push_str(" The recording stops where the meeting was cut.");
            }
            o.detail = denial_detail;
            o
        }
        Some(Ending::Normal) if recorded => {
            let why = entry
                .map(|e| e.title.clone())
                .unwrap_or_else(|| sub.to_string());
            let mut o = healthy(&format!("Why it left: {}.", lower_first(&why)), f);
            o.entry = entry;
            o
        }
        Some(Ending::Normal) => missed_meeting(sub, denied, in_lobby_at_end, not_recording, f),
        None if recorded => {
            let mut o = Outcome::coded(Verdict::Warning, sub, " as the reason the bot left");
            o.explanation
                .push_str(" It had recorded before leaving, so a recording exists.");
            o.detail = denial_detail;
            o
        }
        None => {
            let mut o = Outcome::coded(Verdict::Failed, sub, " as the reason the bot left");
            o.explanation.push_str(" It never recorded.");
            o.detail = denial_detail;
            o
        }
    };
    let mut out = media_overrides(out, f);
    let mut found = patterns(f, recorded_by_status, false);
    if out.skip_zoom_pattern {
        found.retain(|n| n.code.as_deref() != Some("in_call_not_recording"));
    }
    out.notes.extend(found);
    out
}

pub(super) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn last_phase(phases: &[Phase]) -> Option<PhaseName> {
    phases.last().map(|p| p.name)
}

fn not_started(f: &Facts<'_>) -> Outcome {
    if f.media.recorded {
        // A recording without a status history: the copy lost its history.
        let state = match f.media.recording {
            Availability::Available => "is done",
            Availability::Processing => "is being processed",
            Availability::Failed => "failed",
            Availability::Deleted => "has been deleted",
            _ => "exists",
        };
        let mut o = Outcome::new(
            Verdict::Unknown,
            None,
            format!("It recorded (the recording {state}), but its status history is missing"),
            "A recording means the bot joined and recorded. How it got in, how long it stayed and how it left are in its status history (`status_changes`), which this copy does not have.".to_string(),
            super::evidence::LOOK_UP.to_string(),
        );
        o.entry = None;
        return o;
    }
    let (title, explanation) = match f.join_at {
        Some(at) => (
            "Scheduled, not started".to_string(),
            format!(
                "The bot is scheduled to join at {} and has no status yet.",
                at.human()
            ),
        ),
        None => (
            "No status yet".to_string(),
            "Recall has not reported any status for this bot yet.".to_string(),
        ),
    };
    Outcome::new(
        Verdict::InProgress,
        None,
        title,
        explanation,
        "Nothing to do yet; check again once it is due to join.".to_string(),
    )
}

fn healthy(why: &str, f: &Facts<'_>) -> Outcome {
    let mut parts = Vec::new();
    if let Some(w) = duration_of(f.phases, PhaseName::WaitingRoom) {
        parts.push(format!("The bot waited {w} in the lobby, then joined."));
    }
    match duration_of(f.phases, PhaseName::Recording) {
        Some(r) => parts.push(format!("It recorded for {r}.")),
        None => parts.push("It recorded the meeting.".to_string()),
    }
    parts.push(why.to_string());
    parts.push(match f.media.recording {
        Availability::Available => "The recording is ready.".to_string(),
        Availability::Processing => "The recording is still being processed.".to_string(),
        Availability::Deleted => {
            "The recording has since been deleted (retention or a delete request).".to_string()
        }
        _ => String::new(),
    });
    Outcome::new(
        Verdict::Healthy,
        None,
        "Recorded the meeting and left normally".to_string(),
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        "Nothing to do.".to_string(),
    )
}

/// A normal end, but the bot never recorded.
fn missed_meeting(
    sub: &str,
    denied: Option<&StatusChange>,
    in_lobby_at_end: bool,
    not_recording: Option<i64>,
    f: &Facts<'_>,
) -> Outcome {
    let (why_left, ..) = words(sub, "");
    if let Some(d) = denied {
        let code = d
            .sub_code
            .as_deref()
            .unwrap_or("recording_permission_denied");
        let mut o = Outcome::coded(Verdict::Failed, code, " when the bot asked to record");
        o.title = format!("Not allowed to record: {}", lower_first(&o.title));
        o.explanation.push_str(&format!(
            " The bot never recorded; the meeting then ended ({}).",
            lower_first(&why_left)
        ));
        o.detail = Some(Cause::of(sub));
        return o;
    }
    if in_lobby_at_end {
        let mut o = Outcome::coded(Verdict::Failed, sub, " as the reason the bot left");
        o.title = "Never admitted: the meeting ended while the bot waited in the lobby".to_string();
        o.explanation = format!(
            "The bot waited {} in the lobby and nobody let it in before the meeting ended ({}).",
            duration_of(f.phases, PhaseName::WaitingRoom).unwrap_or_else(|| "some time".into()),
            lower_first(&why_left)
        );
        o.remedy = "Ask someone who can admit guests to let the bot in, or use a signed-in bot that skips the lobby.".to_string();
        return o;
    }
    if f.family == "zoom" && not_recording.is_some_and(|s| s >= 120) {
        let mut o = Outcome::coded(Verdict::Failed, "in_call_not_recording", "");
        o.title = "Zoom never let the bot record".to_string();
        o.explanation = format!(
            "The bot sat in the call for {} without recording and Zoom never answered its request to record, then the meeting ended ({}).",
            human_duration(not_recording.unwrap_or_default()),
            lower_first(&why_left)
        );
        o.remedy = ZOOM_NO_HOST_REMEDY.to_string();
        o.retry_may_help = true;
        o.detail = Some(Cause::of(sub));
        o.skip_zoom_pattern = true;
        return o;
    }
    let mut o = Outcome::coded(Verdict::Warning, sub, " as the reason the bot left");
    o.title = format!("Ended before the bot recorded: {}", lower_first(&o.title));
    o.explanation
        .push_str(" The bot was never recording, so there is no recording.");
    o
}

fn fatal_outcome(fatal: &StatusChange, recorded: bool, f: &Facts<'_>) -> Outcome {
    let code = fatal.sub_code.as_deref().unwrap_or("fatal");
    let mut o = Outcome::coded(Verdict::Failed, code, " when the bot stopped with an error");
    if fatal.sub_code.is_none() {
        o.title = "Stopped by an error Recall did not name".to_string();
        o.explanation = "The bot stopped with an error and Recall gave no sub code.".to_string();
        if let Some(m) = &fatal.message {
            o.explanation
                .push_str(&format!(" Recall's message: \"{m}\"."));
        }
        o.remedy = "Send a new bot. If it happens again, report the bot ID to Recall with the screenshots.".to_string();
        o.retry_may_help = true;
    }
    if recorded {
        o.title = format!("{} (after recording started)", o.title);
        let span = duration_of(f.phases, PhaseName::Recording)
            .map(|d| format!(" for {d}"))
            .unwrap_or_default();
        o.note(
            NoteLevel::Warning,
            Some("fatal"),
            "A partial recording exists",
            format!(
                "The bot recorded{span} before the error, so the recording holds the meeting up to that point. Check the media below."
            ),
        );
    } else if let Some(p) = last_phase(f.phases) {
        let when = match p {
            PhaseName::Joining => "while it was joining",
            PhaseName::WaitingRoom => "while it waited in the lobby",
            PhaseName::InCallNotRecording => "while it was in the call, before recording",
            PhaseName::Recording => "while it was recording",
        };
        o.explanation.push_str(&format!(" It happened {when}."));
    }
    o.notes.extend(patterns(f, recorded, false));
    o
}

/// The current status of a bot that has not finished.
fn running(last: &StatusChange, f: &Facts<'_>) -> Outcome {
    let entry = catalog::lookup(last.code.as_str());
    let (title, mut explanation, remedy) = match (&last.code, last.sub_code.as_deref()) {
        (StatusCode::CallEnded | StatusCode::RecordingPermissionDenied, Some(sub)) => {
            let (t, e, r) = words(sub, "");
            let head = if last.code == StatusCode::CallEnded {
                "Leaving"
            } else {
                "Recording refused"
            };
            (format!("{head}: {}", lower_first(&t)), e, r)
        }
        _ => match entry {
            Some(e) => (e.title.clone(), e.explanation.clone(), e.remedy.clone()),
            None => words(last.code.as_str(), " as the bot's current status"),
        },
    };
    if last.code == StatusCode::CallEnded {
        explanation.push_str(" The bot is out of the call and shutting down; the verdict is final once `done` arrives.");
    }
    let mut o = Outcome::new(Verdict::InProgress, None, title, explanation, remedy);
    o.entry = last.sub_code.as_deref().and_then(catalog::lookup).or(entry);
    let since = f
        .phases
        .last()
        .filter(|p| p.ongoing)
        .and_then(|p| p.seconds);
    if let Some(s) = since {
        o.explanation
            .push_str(&format!(" (for {} so far)", human_duration(s)));
    }
    if let (Some(at), Some(now)) = (last.created_at, f.now) {
        let quiet = at.seconds_until(now);
        if quiet > 6 * 3600 {
            o.note(
                NoteLevel::Warning,
                None,
                "No news for a long time",
                format!(
                    "The last status change was {} ago. A running bot normally reports within minutes; it may be stuck. Check it in the Recall Explorer.",
                    human_duration(quiet)
                ),
            );
        }
    }
    o.notes.extend(patterns(
        f,
        has(f.changes, &StatusCode::InCallRecording),
        true,
    ));
    o
}
