//! A Retrieve Bot object, current (v1.11) or legacy (v1.10), and its parts.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::*;

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
    /// What the caller attached when creating the bot (`{customer_id: …}`), raw.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Value>,
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
    /// When the bot was to join: its `join_at`, else its first status change.
    /// List Bots' time filters and "in the order they were sent" use it.
    pub fn join_time(&self) -> Option<Timestamp> {
        self.join_at
            .or_else(|| self.status_changes.iter().find_map(|c| c.created_at))
    }

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

    /// `metadata` as `key = value` pairs in order: strings as they are, other
    /// values as JSON; at most 20, each cut to 200 characters.
    pub fn metadata_fields(&self) -> Vec<(String, String)> {
        let Some(Value::Object(m)) = &self.metadata else {
            return Vec::new();
        };
        m.iter()
            .take(20)
            .map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (cut(k, 200), cut(&value, 200))
            })
            .collect()
    }

    /// Legacy `meeting_participants[].name`, in order, without repeats (at most 50).
    pub fn participant_names(&self) -> Vec<String> {
        let Some(Value::Array(people)) = &self.meeting_participants else {
            return Vec::new();
        };
        let mut names: Vec<String> = Vec::new();
        for p in people {
            let name = p.get("name").and_then(Value::as_str).map(str::trim);
            if let Some(name) = name.filter(|n| !n.is_empty()) {
                if names.len() < 50 && !names.iter().any(|n| n == name) {
                    names.push(cut(name, 200));
                }
            }
        }
        names
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
            metadata: None,
        }
    }
}

fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
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
    /// When Recall deletes this artifact.
    #[serde(default, deserialize_with = "lenient")]
    pub expires_at: Option<Timestamp>,
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
    /// A number of seconds, or (newer) `{timeout, activate_after}`.
    #[serde(default, deserialize_with = "seconds_or_timeout")]
    pub everyone_left_timeout: Option<f64>,
}

/// Seconds given as a number or as an object's `timeout`; anything else reads as absent.
fn seconds_or_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(v.as_f64()
        .or_else(|| v.get("timeout").and_then(Value::as_f64)))
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
    /// An OBF token: the bot joins on behalf of this user, only while they are in the meeting.
    #[serde(default, deserialize_with = "lenient_text", alias = "obf_token")]
    pub obf_token_url: Option<String>,
}
