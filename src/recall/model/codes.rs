//! The open enums of the model: status codes, platforms, artifact statuses
//! and log levels. Known values plus `Other(String)`: Recall adds codes
//! without notice.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Declares an open enum: known values (each with its wire text and optional
/// aliases) plus `Other(String)` for everything else, with string serde.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value botlens does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The code as Recall writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(raw) => raw,
                }
            }

            /// `false` for [`Self::Other`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $( $text $(| $alias)* => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(match Value::deserialize(d)? {
                    Value::String(s) => Self::from(s.as_str()),
                    other => Self::Other(other.to_string()),
                })
            }
        }
    };
}

open_enum! {
    /// `status_changes[].code`. Terminal: `done` and `fatal`; `analysis_done`,
    /// `analysis_failed` and `media_expired` come after the end (legacy).
    pub enum StatusCode {
        Ready = "ready",
        JoiningCall = "joining_call",
        InWaitingRoom = "in_waiting_room",
        ParticipantInWaitingRoom = "participant_in_waiting_room",
        InCallNotRecording = "in_call_not_recording",
        RecordingPermissionAllowed = "recording_permission_allowed",
        RecordingPermissionDenied = "recording_permission_denied",
        InCallRecording = "in_call_recording",
        CallEnded = "call_ended",
        RecordingDone = "recording_done",
        Done = "done",
        Fatal = "fatal",
        AnalysisDone = "analysis_done",
        AnalysisFailed = "analysis_failed",
        MediaExpired = "media_expired",
    }
}

impl StatusCode {
    /// `done` or `fatal`: the bot has shut down.
    pub fn is_terminal(&self) -> bool {
        matches!(self, StatusCode::Done | StatusCode::Fatal)
    }

    /// Legacy codes that arrive after the bot has shut down.
    pub fn is_post_terminal(&self) -> bool {
        matches!(
            self,
            StatusCode::AnalysisDone | StatusCode::AnalysisFailed | StatusCode::MediaExpired
        )
    }
}

open_enum! {
    /// `meeting_url.platform` (and the List Bots `platform` filter).
    pub enum Platform {
        Zoom = "zoom",
        GoogleMeet = "google_meet",
        GotoMeeting = "goto_meeting",
        MicrosoftTeams = "microsoft_teams",
        MicrosoftTeamsLive = "microsoft_teams_live",
        Webex = "webex",
        ChimeSdk = "chime_sdk",
        ZoomRtms = "zoom_rtms",
        GoogleMeetMediaApi = "google_meet_media_api",
        SlackAuthenticator = "slack_authenticator",
        SlackHuddleObserver = "slack_huddle_observer" | "slack",
        Webrtc = "webrtc",
    }
}

impl Platform {
    /// The product name people know: `Zoom`, `Google Meet`, `Microsoft Teams`, …
    pub fn name(&self) -> &str {
        match self {
            Platform::Zoom | Platform::ZoomRtms => "Zoom",
            Platform::GoogleMeet | Platform::GoogleMeetMediaApi => "Google Meet",
            Platform::GotoMeeting => "GoTo Meeting",
            Platform::MicrosoftTeams | Platform::MicrosoftTeamsLive => "Microsoft Teams",
            Platform::Webex => "Webex",
            Platform::ChimeSdk => "Amazon Chime",
            Platform::SlackAuthenticator | Platform::SlackHuddleObserver => "Slack huddle",
            Platform::Webrtc => "WebRTC",
            Platform::Other(raw) => raw,
        }
    }

    /// The family used by catalog entries: `zoom`, `google_meet`,
    /// `microsoft_teams`, `webex`, `goto_meeting`, `slack` or `other`.
    pub fn family(&self) -> &'static str {
        match self {
            Platform::Zoom | Platform::ZoomRtms => "zoom",
            Platform::GoogleMeet | Platform::GoogleMeetMediaApi => "google_meet",
            Platform::MicrosoftTeams | Platform::MicrosoftTeamsLive => "microsoft_teams",
            Platform::Webex => "webex",
            Platform::GotoMeeting => "goto_meeting",
            Platform::SlackAuthenticator | Platform::SlackHuddleObserver => "slack",
            _ => "other",
        }
    }

    /// Guess the platform from a meeting link (legacy string `meeting_url`).
    pub fn from_link(link: &str) -> Option<Platform> {
        let lower = link.trim().to_ascii_lowercase();
        let rest = lower.split("://").nth(1).unwrap_or(&lower);
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        Some(if is("zoom.us") || is("zoomgov.com") {
            Platform::Zoom
        } else if is("meet.google.com") {
            Platform::GoogleMeet
        } else if is("teams.live.com") {
            Platform::MicrosoftTeamsLive
        } else if is("teams.microsoft.com") || is("teams.microsoft.us") {
            Platform::MicrosoftTeams
        } else if is("webex.com") {
            Platform::Webex
        } else if is("gotomeeting.com") || is("goto.com") || is("gotomeet.me") {
            Platform::GotoMeeting
        } else if is("slack.com") {
            Platform::SlackHuddleObserver
        } else {
            return None;
        })
    }
}

open_enum! {
    /// Status of a recording or media artifact (`recordings[].status.code`).
    pub enum ArtifactStatusCode {
        Processing = "processing",
        Paused = "paused",
        Done = "done",
        Failed = "failed",
        Deleted = "deleted",
    }
}

open_enum! {
    /// A log entry's level. `warn` reads as [`LogLevel::Warning`].
    pub enum LogLevel {
        Debug = "debug",
        Info = "info",
        Warning = "warning" | "warn",
        Error = "error",
    }
}
