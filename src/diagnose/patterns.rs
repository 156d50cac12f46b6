//! What the verdict rules add on top: named situations worth explaining in
//! plain words (a Zoom bot with no host to grant recording, …), and rule 5 of
//! `verdict.rs`: media failures can only make a verdict worse.

use super::media::Availability;
use super::timeline::{self, PhaseName};
use super::verdict::{has, lower_first, Facts, Outcome, Verdict};
use super::{catalog, Cause, Note, NoteLevel, NoteSource};
use crate::recall::model::StatusCode;
use crate::recall::time::human_duration;

pub(super) const ZOOM_NO_HOST_REMEDY: &str = "Have the host join signed in to the Zoom account that owns the meeting, and accept the recording request; or set up Recall's Zoom OAuth integration (join tokens) so the bot can record without a host.";

/// Named situations worth explaining in plain words.
pub(super) fn patterns(f: &Facts<'_>, recorded: bool, running: bool) -> Vec<Note> {
    let mut notes = Vec::new();
    let any_permission_event = has(f.changes, &StatusCode::RecordingPermissionAllowed)
        || has(f.changes, &StatusCode::RecordingPermissionDenied);
    let not_recording = timeline::total(f.phases, PhaseName::InCallNotRecording);
    let current = f.phases.last().filter(|p| p.ongoing).map(|p| p.name);
    if f.family == "zoom" && !recorded && !any_permission_event && not_recording.is_some() {
        let stuck_now = running && current == Some(PhaseName::InCallNotRecording);
        let long = not_recording.is_some_and(|s| s >= 120);
        if stuck_now || long {
            let dur = match not_recording {
                Some(s) if s > 0 => format!(" for {}", human_duration(s)),
                _ => String::new(),
            };
            notes.push(Note {
                source: NoteSource::Pattern,
                level: if long { NoteLevel::Warning } else { NoteLevel::Info },
                code: Some("in_call_not_recording".into()),
                title: "Zoom: in the call, no answer about recording".into(),
                text: format!(
                    "The bot has been in the call{dur} without recording, and Zoom has sent neither a grant nor a refusal. That is what happens when no host is in the meeting, or when the host is there but not signed in to the Zoom account that owns it: only that account can grant recording. {ZOOM_NO_HOST_REMEDY}"
                ),
                at: None,
                message: None,
            });
        }
    }
    let was_in_lobby = timeline::total(f.phases, PhaseName::WaitingRoom).is_some();
    let never_in = !f
        .phases
        .iter()
        .any(|p| matches!(p.name, PhaseName::InCallNotRecording | PhaseName::Recording));
    // Does the story add up? A long wait in the lobby, then an error: the
    // lobby is usually the real story, not a crash.
    let lobby = timeline::total(f.phases, PhaseName::WaitingRoom).unwrap_or(0);
    if let (Some(fatal), true) = (
        f.changes.iter().rev().find(|c| c.code == StatusCode::Fatal),
        lobby >= 120 && never_in,
    ) {
        let code = fatal.sub_code.as_deref().unwrap_or("fatal");
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Warning,
            code: Some("in_waiting_room".into()),
            title: "An error after a long wait in the lobby".into(),
            text: format!(
                "The bot sat in the lobby for {} before `{code}` ended it, and never got in. A long wait then an error usually means nobody admitted it, or the platform turned it away, rather than a crash: look at who could admit it first.",
                human_duration(lobby)
            ),
            at: fatal.created_at,
            message: None,
        });
    }
    // A Zoom bot that joins on behalf of a user (OBF) leaves when that user leaves.
    let ended = f
        .changes
        .iter()
        .rev()
        .find(|c| c.code == StatusCode::CallEnded);
    let kept_out = ended
        .and_then(|c| c.sub_code.as_deref())
        .and_then(catalog::lookup)
        .is_some_and(|e| e.ending == Some(catalog::Ending::KeptOut));
    if f.family == "zoom" && f.zoom_obf && ended.is_some() && !kept_out && !never_in {
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Info,
            code: None,
            title: "Zoom OBF: the bot leaves with its user".into(),
            text: "This bot joined on behalf of a Zoom user (an OBF token). Zoom lets it stay only while that user is in the meeting, so an early end can simply mean the user left before the others; the recording then stops there too.".into(),
            at: ended.and_then(|c| c.created_at),
            message: None,
        });
    }
    let m = f.media;
    let has_recording = m.recording_count > 0 || m.video_url.is_some();
    if was_in_lobby && never_in && has_recording && !has(f.changes, &StatusCode::InCallRecording) {
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Warning,
            code: Some("in_waiting_room".into()),
            title: "The recording holds only the lobby".into(),
            text: "A recording exists, but the bot never got past the lobby: whatever it holds is the waiting screen, not the meeting. The verdict counts it as not recorded.".into(),
            at: None,
            message: None,
        });
    }
    if m.failed_recordings > 0 && m.recording != Availability::Failed {
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Warning,
            code: Some("recording.failed".into()),
            title: format!("{} of {} recordings failed", m.failed_recordings, m.recording_count),
            text: "The bot recorded more than once (recording was stopped and started again), and part of it failed: the meeting is only partly in the recordings that are done.".into(),
            at: None,
            message: None,
        });
    }
    if f.family == "google_meet" && was_in_lobby && never_in {
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Info,
            code: Some("in_waiting_room".into()),
            title: "Google Meet: only hosts can admit".into(),
            text: "On Google Meet only the meeting's host and co-hosts see the request to let a guest in. If none of them is in the meeting, nobody can admit the bot, however many people are there. A signed-in bot whose account is on the invite joins without knocking.".into(),
            at: None,
            message: None,
        });
    }
    notes
}

/// Media can make a verdict worse, never better.
pub(super) fn media_overrides(mut out: Outcome, f: &Facts<'_>) -> Outcome {
    let failed_recording = f.media.recording == Availability::Failed
        || f.media
            .main_artifacts()
            .any(|a| a.kind == "video_mixed" && a.availability == Availability::Failed);
    if failed_recording && matches!(out.verdict, Verdict::Healthy | Verdict::Warning) {
        let code = f
            .media
            .recording_sub_code
            .clone()
            .or_else(|| {
                f.media
                    .main_artifacts()
                    .find(|a| a.kind == "video_mixed")
                    .and_then(|a| a.sub_code.clone())
            })
            .unwrap_or_else(|| {
                if f.media.recording == Availability::Failed {
                    "recording.failed".to_string()
                } else {
                    "video_mixed.failed".to_string()
                }
            });
        let previous = out.reason.take();
        let mut o = Outcome::coded(Verdict::Failed, &code, " as the recording's failure reason");
        if catalog::lookup(&code).is_none() {
            o.title = "The recording failed to process".to_string();
        }
        o.detail = previous.map(|p| Cause::of(&p)).or(out.detail.take());
        o.notes = out.notes;
        return o;
    }
    if out.verdict == Verdict::Healthy {
        let transcript = f.media.main_artifacts().find(|a| a.kind == "transcript");
        if let Some(t) = transcript.filter(|t| t.availability == Availability::Failed) {
            let code = t
                .sub_code
                .clone()
                .unwrap_or_else(|| "transcript.failed".to_string());
            let mut o = Outcome::coded(
                Verdict::Warning,
                &code,
                " as the transcript's failure reason",
            );
            o.title = format!(
                "Recorded, but the transcript failed: {}",
                lower_first(&o.title)
            );
            o.notes = out.notes;
            return o;
        }
        if let Some(a) = f
            .after_end
            .iter()
            .find(|c| c.code == StatusCode::AnalysisFailed)
        {
            let mut o = Outcome::coded(Verdict::Warning, "analysis_failed", "");
            o.title = "Recorded, but post-call analysis failed".to_string();
            if let Some(m) = &a.message {
                o.explanation
                    .push_str(&format!(" Recall's message: \"{m}\"."));
            }
            o.notes = out.notes;
            return o;
        }
    }
    out
}
