//! What the bot produced: is there a recording, a transcript, where to get
//! them and until when.

use serde::{Deserialize, Serialize};

use crate::recall::model::{ArtifactStatus, ArtifactStatusCode, Bot, MediaShortcut, Recording};
use crate::recall::time::Timestamp;

/// Whether a piece of media can be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Ready to download.
    Available,
    /// Still being produced.
    Processing,
    /// Production failed.
    Failed,
    /// Deleted, or past its retention.
    Deleted,
    /// The bot never produced it.
    None,
    /// The bot object does not say (legacy shape, or a webhook).
    Unknown,
}

impl Availability {
    pub fn label(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Processing => "processing",
            Availability::Failed => "failed",
            Availability::Deleted => "deleted",
            Availability::None => "none",
            Availability::Unknown => "unknown",
        }
    }
}

/// One media artifact of one of the bot's recordings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// The recording it belongs to (a bot may have several).
    #[serde(default)]
    pub recording_id: Option<String>,
    /// When Recall deletes it, when the artifact says.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// `video_mixed`, `transcript`, `audio_mixed`, `participant_events`, `meeting_metadata`.
    pub kind: String,
    pub availability: Availability,
    /// Raw artifact status code and sub code.
    pub status: Option<String>,
    pub sub_code: Option<String>,
    /// Signed, time-limited download link (never put in reports).
    pub url: Option<String>,
}

/// Recording and transcript availability, links and expiry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// The bot reached `in_call_recording` (or a recording exists).
    pub recorded: bool,
    pub recording: Availability,
    pub recording_id: Option<String>,
    /// Raw recording status code and sub code (v1.11).
    pub recording_status: Option<String>,
    pub recording_sub_code: Option<String>,
    pub recording_started_at: Option<Timestamp>,
    pub recording_completed_at: Option<Timestamp>,
    /// Signed mp4 link (v1.11 `video_mixed`, or legacy `video_url`).
    pub video_url: Option<String>,
    pub transcript: Availability,
    pub transcript_url: Option<String>,
    /// When Recall deletes the media.
    pub expires_at: Option<Timestamp>,
    /// Seconds from `now` to `expires_at` (negative once expired); needs `now`.
    pub expires_in_seconds: Option<i64>,
    pub meeting_title: Option<String>,
    /// Every recording's artifacts; the ones of `recording_id` decide.
    pub artifacts: Vec<Artifact>,
    /// How many recordings the bot has, and how many of them failed.
    #[serde(default)]
    pub recording_count: usize,
    #[serde(default)]
    pub failed_recordings: usize,
}

impl Media {
    /// The artifacts of the recording that decides (see [`summarize`]).
    pub fn main_artifacts(&self) -> impl Iterator<Item = &Artifact> {
        self.artifacts
            .iter()
            .filter(|a| a.recording_id == self.recording_id)
    }
}

fn availability(status: Option<&ArtifactStatus>) -> Availability {
    match status.map(|s| &s.code) {
        Some(ArtifactStatusCode::Done) => Availability::Available,
        Some(ArtifactStatusCode::Processing | ArtifactStatusCode::Paused) => {
            Availability::Processing
        }
        Some(ArtifactStatusCode::Failed) => Availability::Failed,
        Some(ArtifactStatusCode::Deleted) => Availability::Deleted,
        Some(ArtifactStatusCode::Other(_)) | None => Availability::Unknown,
    }
}

fn artifact(kind: &str, m: &MediaShortcut, recording_id: Option<&String>) -> Artifact {
    let data = m.data.as_ref();
    let url = data.and_then(|d| {
        d.download_url
            .clone()
            .or_else(|| d.participant_events_download_url.clone())
    });
    Artifact {
        recording_id: recording_id.cloned(),
        expires_at: m.expires_at,
        kind: kind.to_string(),
        availability: availability(m.status.as_ref()),
        status: m.status.as_ref().map(|s| s.code.as_str().to_string()),
        sub_code: m.status.as_ref().and_then(|s| s.sub_code.clone()),
        url,
    }
}

/// Summarise the bot's media. `recorded` comes from the status history.
///
/// A bot may have several recordings (recording stopped and started again):
/// the one that decides is the last that is done, else the last one; every
/// recording's artifacts are listed.
pub fn summarize(bot: &Bot, recorded_by_status: bool, now: Option<Timestamp>) -> Media {
    let is_done = |r: &&Recording| {
        r.status
            .as_ref()
            .is_some_and(|s| s.code == ArtifactStatusCode::Done)
    };
    let rec = bot
        .recordings
        .iter()
        .rev()
        .find(is_done)
        .or(bot.recordings.last());
    let shortcuts = rec.and_then(|r| r.media_shortcuts.as_ref());
    let mut artifacts = Vec::new();
    for r in &bot.recordings {
        let Some(s) = r.media_shortcuts.as_ref() else {
            continue;
        };
        let all = [
            ("video_mixed", &s.video_mixed),
            ("transcript", &s.transcript),
            ("audio_mixed", &s.audio_mixed),
            ("participant_events", &s.participant_events),
            ("meeting_metadata", &s.meeting_metadata),
        ];
        for (kind, m) in all {
            if let Some(m) = m {
                artifacts.push(artifact(kind, m, r.id.as_ref()));
            }
        }
    }
    let failed_recordings = bot
        .recordings
        .iter()
        .filter(|r| {
            r.status
                .as_ref()
                .is_some_and(|s| s.code == ArtifactStatusCode::Failed)
        })
        .count();
    let main_id = rec.and_then(|r| r.id.as_ref());
    let find = |kind: &str| {
        artifacts
            .iter()
            .find(|a| a.kind == kind && a.recording_id.as_ref() == main_id)
    };
    let legacy_video = bot.legacy_video_url().map(str::to_string);
    let recorded = recorded_by_status || rec.is_some() || legacy_video.is_some();
    // The first deletion to come: the recording's, or one of its artifacts'.
    let expires_at = rec
        .and_then(|r| r.expires_at)
        .into_iter()
        .chain(
            artifacts
                .iter()
                .filter(|a| a.recording_id.as_ref() == main_id)
                .filter_map(|a| a.expires_at),
        )
        .min()
        .or(bot.media_retention_end);
    let expired = matches!((expires_at, now), (Some(e), Some(n)) if n >= e);
    let recording = match rec.and_then(|r| r.status.as_ref()) {
        Some(s) => availability(Some(s)),
        None if legacy_video.is_some() => Availability::Available,
        None if rec.is_some() => Availability::Unknown,
        None if recorded => Availability::Unknown,
        None => Availability::None,
    };
    let recording = if expired && recording != Availability::None {
        Availability::Deleted
    } else {
        recording
    };
    let video_url = find("video_mixed")
        .and_then(|a| a.url.clone())
        .or(legacy_video);
    let transcript = match find("transcript") {
        Some(a) => a.availability,
        None if !recorded => Availability::None,
        None => Availability::Unknown,
    };
    let transcript = if expired && transcript != Availability::None {
        Availability::Deleted
    } else {
        transcript
    };
    let transcript_url = find("transcript").and_then(|a| a.url.clone());
    let meeting_title = shortcuts
        .and_then(|s| s.meeting_metadata.as_ref())
        .and_then(|m| m.data.as_ref())
        .and_then(|d| d.title.clone())
        .or_else(|| bot.meeting_metadata.as_ref().and_then(|m| m.title.clone()));
    Media {
        recorded,
        recording,
        recording_id: rec.and_then(|r| r.id.clone()),
        recording_status: rec
            .and_then(|r| r.status.as_ref())
            .map(|s| s.code.as_str().to_string()),
        recording_sub_code: rec
            .and_then(|r| r.status.as_ref())
            .and_then(|s| s.sub_code.clone()),
        recording_started_at: rec.and_then(|r| r.started_at),
        recording_completed_at: rec.and_then(|r| r.completed_at),
        video_url,
        transcript,
        transcript_url,
        expires_at,
        expires_in_seconds: match (expires_at, now) {
            (Some(e), Some(n)) => Some(n.seconds_until(e)),
            _ => None,
        },
        meeting_title,
        artifacts,
        recording_count: bot.recordings.len(),
        failed_recordings,
    }
}
/// Recall keeps a bot's screenshots and logs about a week after it ends.
pub const DEBUG_DATA_KEPT_S: i64 = 7 * 24 * 3600;
/// Warn this long before something goes.
pub const WARN_BEFORE_S: i64 = 48 * 3600;

/// What will soon be gone, or is, in a sentence each: the media at its
/// `expires_at`, the screenshots and logs about a week after the bot ended.
/// Nothing without `now` (a saved file says where a bot stood when saved).
pub fn expiring(media: &Media, ended_at: Option<Timestamp>, now: Option<Timestamp>) -> Vec<String> {
    let Some(now) = now else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(left) = media.expires_in_seconds {
        if (1..=WARN_BEFORE_S).contains(&left) {
            out.push(format!(
                "The recording and transcript are deleted in {}: download them or save evidence now.",
                crate::recall::time::human_duration(left)
            ));
        }
    }
    if let Some(ended) = ended_at {
        let left = DEBUG_DATA_KEPT_S - ended.seconds_until(now);
        if (1..=WARN_BEFORE_S).contains(&left) {
            out.push(format!(
                "Recall deletes this bot's screenshots and logs about a week after it ends: in about {}. Save evidence to keep them.",
                crate::recall::time::human_duration(left)
            ));
        } else if left <= 0 {
            out.push(
                "This bot ended over a week ago: Recall has probably deleted its screenshots and logs."
                    .to_string(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_two_days_before_media_or_debug_data_go() {
        let at = |t: &str| Timestamp::parse(t);
        let now = at("2026-01-08T00:00:00Z");
        let mut media = summarize(&serde_json::from_str(r#"{"id": "b"}"#).unwrap(), false, now);
        media.expires_in_seconds = Some(30 * 3600);
        let soon = expiring(&media, at("2026-01-02T12:00:00Z"), now);
        assert_eq!(soon.len(), 2, "{soon:?}");
        assert!(soon[0].starts_with("The recording"), "{soon:?}");
        assert!(soon[1].contains("screenshots and logs"), "{soon:?}");
        media.expires_in_seconds = Some(10 * 24 * 3600);
        assert!(
            expiring(&media, at("2026-01-07T00:00:00Z"), now).is_empty(),
            "nothing close"
        );
        let old = expiring(&media, at("2025-12-20T00:00:00Z"), now);
        assert!(old[0].contains("probably deleted"), "{old:?}");
        assert!(
            expiring(&media, at("2025-12-20T00:00:00Z"), None).is_empty(),
            "a saved file: no clock"
        );
    }
}
