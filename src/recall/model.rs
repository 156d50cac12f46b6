//! The Recall bot as botlens reads it: serde types that accept both API
//! flavours and never fail on data Recall may add.
//!
//! # What parses
//!
//! * [`Bot`] — a Retrieve Bot object, current (v1.11, `recordings[].media_shortcuts`)
//!   or legacy (v1.10, `video_url`, `meeting_participants`). `meeting_url` may be an
//!   object, a string or `null`. Only `id` is required.
//! * [`Screenshots`] — a bare array or a paged envelope `{results, next, ...}`.
//! * [`Logs`] — an array of `{level, message, created_at}`, an envelope
//!   `{results: [...]}`, or `bot.log` / `bot.output_log` webhooks (one or an array).
//! * [`StatusWebhook`] — `bot.<status>` (v1.11: `data.data` + `data.bot`) and the
//!   legacy `bot.status_change` (`data.bot_id` + `data.status`).
//! * [`Scenario`] — `{bot, screenshots, logs, region}`, the simulator's format.
//! * [`parse_input`] — sniffs which of bot / scenario / webhook a document is.
//!
//! # Rules
//!
//! * Codes are open enums: known values plus `Other(String)` carrying the raw text
//!   (Recall adds codes without notice). Sub codes are plain strings: there are
//!   too many and they change too often for an enum; the diagnosis catalog
//!   says which ones we know.
//! * Unknown fields are ignored. A known field with an unexpected type (a number
//!   where a string was expected, a malformed timestamp) reads as absent rather
//!   than failing the whole bot.
//! * Nothing here panics on outside data.
//!
//! ```
//! use botlens::recall::model::{Bot, StatusCode};
//! let bot: Bot = serde_json::from_str(r#"{"id": "b1", "meeting_url": "https://meet.google.com/abc-defg-hij",
//!     "status_changes": [{"code": "joining_call", "created_at": "2025-01-01T00:00:00Z"},
//!                        {"code": "teleported", "sub_code": null}]}"#).unwrap();
//! assert_eq!(bot.current_status().map(|s| s.code.as_str()), Some("teleported"));
//! assert_eq!(bot.platform().map(|p| p.as_str().to_string()), Some("google_meet".to_string()));
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::region::Region;
pub use super::time::Timestamp;

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

/// A Retrieve Bot object, either API flavour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bot {
    /// The bot's UUID. The only required field.
    pub id: String,
    /// Where the bot was sent. `None` when absent, `null` (Recall clears it a
    /// few days after the call) or unreadable.
    #[serde(default, deserialize_with = "lenient")]
    pub meeting_url: Option<MeetingUrl>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub bot_name: Option<String>,
    /// Only readable on scheduled bots that have not joined yet.
    #[serde(default, deserialize_with = "lenient")]
    pub join_at: Option<Timestamp>,
    /// Chronological; the last entry is the current status.
    #[serde(default, deserialize_with = "lenient_list")]
    pub status_changes: Vec<StatusChange>,
    /// Empty if the bot never recorded. Legacy bots carry only ids and times.
    #[serde(default, deserialize_with = "lenient_list")]
    pub recordings: Vec<Recording>,
    #[serde(default, deserialize_with = "lenient")]
    pub recording_config: Option<RecordingConfig>,
    #[serde(default, deserialize_with = "lenient")]
    pub automatic_leave: Option<AutomaticLeave>,
    /// Legacy (v1.10): a signed mp4 link. `Some(Null)` when the key is present but null.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_url: Option<Value>,
    /// Legacy (v1.10): when the media is deleted.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_retention_end: Option<Timestamp>,
    /// Legacy (v1.10): who was in the meeting. Kept raw; presence marks the legacy shape.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub meeting_participants: Option<Value>,
    /// Legacy (v1.10): `{title, zoom_meeting_uuid}`.
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub meeting_metadata: Option<MeetingMetadata>,
    /// Slack huddle bots: `{id, metadata}`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub slack_team: Option<Value>,
    /// Legacy Slack huddle bots.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub slack_huddle_observer: Option<Value>,
    /// Zoom join settings (`join_token_url`, `zak_url`, `user_email`).
    #[serde(default, deserialize_with = "lenient")]
    pub zoom: Option<ZoomSettings>,
}

/// Which API flavour a bot object came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiShape {
    /// Current: recordings with media shortcuts.
    #[serde(rename = "v1.11")]
    V1_11,
    /// Legacy workspaces: `video_url`, `meeting_participants`, `media_retention_end`.
    #[serde(rename = "v1.10")]
    V1_10,
}

impl Bot {
    /// The current status: the last status change.
    pub fn current_status(&self) -> Option<&StatusChange> {
        self.status_changes.last()
    }

    /// The meeting platform, from `meeting_url` (object or link) or the Slack fields.
    pub fn platform(&self) -> Option<Platform> {
        let from_url = self.meeting_url.as_ref().and_then(|m| {
            m.platform
                .clone()
                .or_else(|| m.link.as_deref().and_then(Platform::from_link))
        });
        from_url.or_else(|| {
            let slack = |v: &Option<Value>| v.as_ref().is_some_and(|v| !v.is_null());
            (slack(&self.slack_team) || slack(&self.slack_huddle_observer))
                .then_some(Platform::SlackHuddleObserver)
        })
    }

    /// v1.10 if any legacy-only field is present, else v1.11.
    pub fn shape(&self) -> ApiShape {
        if self.video_url.is_some()
            || self.meeting_participants.is_some()
            || self.media_retention_end.is_some()
        {
            ApiShape::V1_10
        } else {
            ApiShape::V1_11
        }
    }

    /// The legacy signed video link, when it is a non-empty string.
    pub fn legacy_video_url(&self) -> Option<&str> {
        self.video_url
            .as_ref()
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A bot that only knows its id and one status (built from a webhook).
    pub fn from_status(id: &str, change: StatusChange) -> Bot {
        Bot {
            id: id.to_string(),
            meeting_url: None,
            bot_name: None,
            join_at: None,
            status_changes: vec![change],
            recordings: Vec::new(),
            recording_config: None,
            automatic_leave: None,
            video_url: None,
            media_retention_end: None,
            meeting_participants: None,
            meeting_metadata: None,
            slack_team: None,
            slack_huddle_observer: None,
            zoom: None,
        }
    }
}

/// `meeting_url`: the structured object Recall returns today, or a plain link
/// (older payloads). Credentials such as `meeting_password` are not kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MeetingUrl {
    pub platform: Option<Platform>,
    pub meeting_id: Option<String>,
    /// Set when `meeting_url` was a plain string.
    pub link: Option<String>,
}

impl<'de> Deserialize<'de> for MeetingUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Object {
            #[serde(default, deserialize_with = "lenient")]
            platform: Option<Platform>,
            #[serde(default, deserialize_with = "lenient_text")]
            meeting_id: Option<String>,
            #[serde(default, deserialize_with = "lenient_text")]
            link: Option<String>,
        }
        match Value::deserialize(d)? {
            Value::String(link) => Ok(MeetingUrl {
                platform: Platform::from_link(&link),
                meeting_id: None,
                link: Some(link),
            }),
            v @ Value::Object(_) => {
                let o: Object = serde_json::from_value(v).map_err(serde::de::Error::custom)?;
                Ok(MeetingUrl {
                    platform: o.platform,
                    meeting_id: o.meeting_id,
                    link: o.link,
                })
            }
            _ => Err(serde::de::Error::custom(
                "meeting_url is neither an object nor a link",
            )),
        }
    }
}

/// One entry of `status_changes` (or the status carried by a webhook).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub code: StatusCode,
    /// Why, for `call_ended`, `fatal` and `recording_permission_denied`. Empty reads as `None`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub sub_code: Option<String>,
    /// Legacy bots explain the sub code here in Recall's words.
    #[serde(default, deserialize_with = "lenient_text")]
    pub message: Option<String>,
    /// When the status was entered (`updated_at` in v1.11 webhooks).
    #[serde(default, alias = "updated_at", deserialize_with = "lenient")]
    pub created_at: Option<Timestamp>,
}

impl StatusChange {
    pub fn new(code: &str, sub_code: Option<&str>, at: Option<Timestamp>) -> StatusChange {
        StatusChange {
            code: StatusCode::from(code),
            sub_code: sub_code.map(str::to_string),
            message: None,
            created_at: at,
        }
    }
}

/// A recording (v1.11: full object; v1.10: id and times only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub created_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient")]
    pub started_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient")]
    pub completed_at: Option<Timestamp>,
    /// When Recall deletes the media (retention).
    #[serde(default, deserialize_with = "lenient")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<ArtifactStatus>,
    #[serde(default, deserialize_with = "lenient")]
    pub media_shortcuts: Option<MediaShortcuts>,
}

/// `{code, sub_code, updated_at}` of a recording or media artifact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtifactStatus {
    pub code: ArtifactStatusCode,
    #[serde(default, deserialize_with = "lenient_text")]
    pub sub_code: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub updated_at: Option<Timestamp>,
}

/// `recordings[].media_shortcuts`: each artifact or `null`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaShortcuts {
    #[serde(default, deserialize_with = "lenient")]
    pub video_mixed: Option<MediaShortcut>,
    #[serde(default, deserialize_with = "lenient")]
    pub transcript: Option<MediaShortcut>,
    #[serde(default, deserialize_with = "lenient")]
    pub participant_events: Option<MediaShortcut>,
    #[serde(default, deserialize_with = "lenient")]
    pub meeting_metadata: Option<MediaShortcut>,
    #[serde(default, deserialize_with = "lenient")]
    pub audio_mixed: Option<MediaShortcut>,
}

/// One media artifact of a recording.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaShortcut {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub created_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient")]
    pub status: Option<ArtifactStatus>,
    #[serde(default, deserialize_with = "lenient")]
    pub data: Option<MediaData>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub format: Option<String>,
}

/// The `data` of a media shortcut: signed download links (time-limited) and the title.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaData {
    #[serde(default, deserialize_with = "lenient_text")]
    pub download_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub provider_data_download_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub participant_events_download_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub speaker_timeline_download_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub participants_download_url: Option<String>,
    /// `meeting_metadata.data.title`.
    #[serde(default, deserialize_with = "lenient_text")]
    pub title: Option<String>,
}

/// Legacy `meeting_metadata`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetingMetadata {
    #[serde(default, deserialize_with = "lenient_text")]
    pub title: Option<String>,
}

/// The parts of `recording_config` the diagnosis reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingConfig {
    /// `{"type": "timed", "hours": 168}` or `{"type": "forever"}`.
    #[serde(default, deserialize_with = "lenient")]
    pub retention: Option<Value>,
    /// `transcript.provider` is an object keyed by provider name.
    #[serde(default, deserialize_with = "lenient")]
    pub transcript: Option<Value>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub start_recording_on: Option<String>,
}

impl RecordingConfig {
    /// The transcript provider's name (`recallai_streaming`, `meeting_captions`, …).
    pub fn transcript_provider(&self) -> Option<&str> {
        self.transcript
            .as_ref()?
            .get("provider")?
            .as_object()?
            .keys()
            .next()
            .map(String::as_str)
    }
}

/// `automatic_leave`: the timeouts (seconds) that make a bot leave on its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AutomaticLeave {
    #[serde(default, deserialize_with = "lenient")]
    pub waiting_room_timeout: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    pub noone_joined_timeout: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    pub in_call_not_recording_timeout: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    pub in_call_recording_timeout: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    pub recording_permission_denied_timeout: Option<f64>,
}

/// Zoom join settings on the bot. Only whether each is set matters to us.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoomSettings {
    #[serde(default, deserialize_with = "lenient_text")]
    pub join_token_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub zak_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub user_email: Option<String>,
}

/// One debug screenshot: `{id, recorded_at, url}` (`url` is signed and expires).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Screenshot {
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub recorded_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "lenient_text")]
    pub url: Option<String>,
}

/// List Bot Screenshots: a bare array or `{results, next, previous, count}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Screenshots {
    pub items: Vec<Screenshot>,
    /// The next page, when the envelope had one.
    pub next: Option<String>,
}

impl<'de> Deserialize<'de> for Screenshots {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(items) => Ok(Screenshots {
                items: items_of(items),
                next: None,
            }),
            Value::Object(mut o) => match o.remove("results") {
                Some(Value::Array(items)) => Ok(Screenshots {
                    items: items_of(items),
                    next: o
                        .remove("next")
                        .and_then(|v| v.as_str().map(str::to_string)),
                }),
                _ => Err(serde::de::Error::custom(
                    "screenshots: expected an array or an object with `results`",
                )),
            },
            _ => Err(serde::de::Error::custom(
                "screenshots: expected an array or an object with `results`",
            )),
        }
    }
}

/// One bot log line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    #[serde(default = "default_level")]
    pub level: LogLevel,
    #[serde(default, deserialize_with = "lenient_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub created_at: Option<Timestamp>,
    /// Which realtime endpoint/output the line is about (`bot.output_log`).
    #[serde(default, deserialize_with = "lenient_text")]
    pub output_id: Option<String>,
}

fn default_level() -> LogLevel {
    LogLevel::Info
}

/// Bot logs: an array, `{results: [...]}`, or `bot.log`/`bot.output_log` webhooks.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Logs {
    pub items: Vec<LogEntry>,
}

impl<'de> Deserialize<'de> for Logs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn unwrap_webhook(v: Value) -> Value {
            match v.get("data").and_then(|d| d.get("log")) {
                Some(log) => log.clone(),
                None => v,
            }
        }
        let list = match Value::deserialize(d)? {
            Value::Array(items) => items,
            Value::Object(mut o) => match o.remove("results") {
                Some(Value::Array(items)) => items,
                _ if o.contains_key("event") || o.contains_key("message") => {
                    vec![Value::Object(o)]
                }
                _ => {
                    return Err(serde::de::Error::custom(
                        "logs: expected an array, `{results: [...]}` or a log webhook",
                    ))
                }
            },
            _ => {
                return Err(serde::de::Error::custom(
                    "logs: expected an array, `{results: [...]}` or a log webhook",
                ))
            }
        };
        Ok(Logs {
            items: items_of(list.into_iter().map(unwrap_webhook).collect()),
        })
    }
}

/// A bot status webhook, current or legacy, reduced to what it says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusWebhook {
    /// `bot.fatal`, `bot.call_ended`, …, or `bot.status_change` (legacy).
    pub event: String,
    pub bot_id: String,
    pub status: StatusChange,
    /// `true` for the v1.10 `bot.status_change` shape.
    pub legacy: bool,
}

impl StatusWebhook {
    /// Read a webhook body; the error says what is missing.
    pub fn from_value(v: &Value) -> Result<StatusWebhook, String> {
        let event = v
            .get("event")
            .and_then(Value::as_str)
            .ok_or("a webhook needs an `event` string")?
            .to_string();
        let data = v.get("data").ok_or("the webhook has no `data`")?;
        let (bot_id, status, legacy) = if let Some(status) = data.get("status") {
            let id = data.get("bot_id").and_then(Value::as_str);
            (id, status, true)
        } else if let Some(status) = data.get("data") {
            let id = data
                .get("bot")
                .and_then(|b| b.get("id"))
                .and_then(Value::as_str);
            (id, status, false)
        } else {
            return Err(format!(
                "`{event}` is not a bot status webhook (no `data.data` or `data.status`)"
            ));
        };
        let bot_id =
            bot_id.ok_or("the webhook does not name its bot (`data.bot.id` or `data.bot_id`)")?;
        let status: StatusChange = serde_json::from_value(status.clone())
            .map_err(|e| format!("the webhook's status is unreadable: {e}"))?;
        Ok(StatusWebhook {
            event,
            bot_id: bot_id.to_string(),
            status,
            legacy,
        })
    }

    /// A minimal bot carrying this one status, ready for diagnosis.
    pub fn to_bot(&self) -> Bot {
        Bot::from_status(&self.bot_id, self.status.clone())
    }
}

impl<'de> Deserialize<'de> for StatusWebhook {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        StatusWebhook::from_value(&v).map_err(serde::de::Error::custom)
    }
}

/// The simulator's scenario format: a bot plus what the API would return for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub bot: Bot,
    #[serde(default, deserialize_with = "lenient")]
    pub screenshots: Option<Screenshots>,
    #[serde(default, deserialize_with = "lenient")]
    pub logs: Option<Logs>,
    /// The bot's region label, e.g. `eu-central-1`.
    #[serde(default, deserialize_with = "lenient")]
    pub region: Option<Region>,
}

/// What a document turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Bot(Box<Bot>),
    Scenario(Box<Scenario>),
    Webhook(Box<StatusWebhook>),
}

/// Why a document could not be read as a bot, scenario or webhook. The
/// message is one sentence a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("not valid JSON ({0})")]
    NotJson(String),
    #[error("{0}")]
    Shape(String),
}

/// Read a bot object, a scenario `{bot, ...}` or a status webhook `{event, data}`.
pub fn parse_input(text: &str) -> Result<Input, InputError> {
    let v: Value = serde_json::from_str(text).map_err(|e| InputError::NotJson(e.to_string()))?;
    parse_value(v)
}

/// [`parse_input`] for an already-parsed document.
pub fn parse_value(v: Value) -> Result<Input, InputError> {
    let shape = |m: String| InputError::Shape(m);
    let Value::Object(o) = &v else {
        return Err(shape(format!(
            "expected a JSON object (a bot, a scenario or a status webhook), found {}",
            kind_of(&v)
        )));
    };
    if o.contains_key("bot") && !o.contains_key("event") {
        if !o.get("bot").is_some_and(Value::is_object) {
            return Err(shape("`bot` must be a bot object".into()));
        }
        return serde_json::from_value::<Scenario>(v)
            .map(|s| Input::Scenario(Box::new(s)))
            .map_err(|e| shape(format!("the scenario's bot is unreadable: {e}")));
    }
    if o.contains_key("event") {
        return StatusWebhook::from_value(&v)
            .map(|w| Input::Webhook(Box::new(w)))
            .map_err(shape);
    }
    if o.contains_key("results") {
        return Err(shape(
            "this looks like a list page (`results`); pass one bot object".into(),
        ));
    }
    match o.get("id") {
        Some(Value::String(_)) => serde_json::from_value::<Bot>(v)
            .map(|b| Input::Bot(Box::new(b)))
            .map_err(|e| shape(format!("the bot object is unreadable: {e}"))),
        Some(other) => Err(shape(format!(
            "`id` must be a string, found {}",
            kind_of(other)
        ))),
        None => Err(shape(
            "no `id`: this is not a bot object, a scenario `{bot: ...}` or a status webhook `{event, data}`"
                .into(),
        )),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Items of a list that read as `T`; unreadable items are skipped.
fn items_of<T: DeserializeOwned>(items: Vec<Value>) -> Vec<T> {
    items
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// A field that reads as absent when it has an unexpected shape.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// A text field: strings (non-empty) only; anything else reads as absent.
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.trim().is_empty() => Some(s),
        _ => None,
    })
}

/// A list whose unreadable items are skipped; a non-list reads as empty.
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items_of(items),
        _ => Vec::new(),
    })
}

/// Keeps a field's raw value, so a present `null` differs from an absent key.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_unknown_values() {
        let c: StatusCode = serde_json::from_str("\"teleported\"").unwrap();
        assert_eq!(c, StatusCode::Other("teleported".into()));
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"teleported\"");
        let n: StatusCode = serde_json::from_str("42").unwrap();
        assert!(!n.is_known());
        assert_eq!(LogLevel::from("warn"), LogLevel::Warning);
    }

    #[test]
    fn meeting_url_in_three_shapes() {
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":"https://us02web.zoom.us/j/123?pwd=abc"}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), Some(Platform::Zoom));
        let b: Bot = serde_json::from_str(r#"{"id":"x","meeting_url":null}"#).unwrap();
        assert_eq!(b.platform(), None);
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":{"platform":"webex","meeting_subdomain":"acme"}}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), Some(Platform::Webex));
        let b: Bot = serde_json::from_str(
            r#"{"id":"x","meeting_url":7,"status_changes":"nope","recordings":[1,{}]}"#,
        )
        .unwrap();
        assert_eq!(b.platform(), None);
        assert!(b.status_changes.is_empty());
        assert_eq!(b.recordings.len(), 1);
    }

    #[test]
    fn screenshots_and_logs_envelopes() {
        let a: Screenshots =
            serde_json::from_str(r#"[{"id":"s","recorded_at":"2025-01-01T00:00:00Z","url":"u"}]"#)
                .unwrap();
        let b: Screenshots = serde_json::from_str(
            r#"{"next":"n","results":[{"id":"s","recorded_at":"2025-01-01T00:00:00Z","url":"u"}]}"#,
        )
        .unwrap();
        assert_eq!(a.items, b.items);
        assert_eq!(b.next.as_deref(), Some("n"));
        let l: Logs = serde_json::from_str(r#"{"event":"bot.output_log","data":{"bot_id":"b","log":{"level":"error","message":"m"}}}"#).unwrap();
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.items[0].level, LogLevel::Error);
    }

    #[test]
    fn webhooks_both_shapes() {
        let cur = r#"{"event":"bot.fatal","data":{"data":{"code":"fatal","sub_code":"bot_errored","updated_at":"2025-01-29T23:49:58.570998+00:00"},"bot":{"id":"b","metadata":{}}}}"#;
        let Ok(Input::Webhook(w)) = parse_input(cur) else {
            panic!()
        };
        assert_eq!(w.status.code, StatusCode::Fatal);
        assert!(w.status.created_at.is_some());
        let old = r#"{"event":"bot.status_change","data":{"bot_id":"b","status":{"code":"call_ended","sub_code":"bot_kicked_from_call","created_at":"2024-02-23T17:31:33.741790Z","message":"m"}}}"#;
        let Ok(Input::Webhook(w)) = parse_input(old) else {
            panic!()
        };
        assert!(w.legacy);
        assert_eq!(w.status.sub_code.as_deref(), Some("bot_kicked_from_call"));
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        assert!(matches!(parse_input("{"), Err(InputError::NotJson(_))));
        assert!(matches!(parse_input("[]"), Err(InputError::Shape(_))));
        assert!(matches!(
            parse_input(r#"{"id": 3}"#),
            Err(InputError::Shape(_))
        ));
        assert!(matches!(
            parse_input(r#"{"name": "x"}"#),
            Err(InputError::Shape(_))
        ));
    }
}
