//! The diagnosis engine: from a bot (plus screenshots and logs, when we have
//! them) to a verdict, the reason, what happened, what to do, the phases,
//! notable logs and media. Pure Rust: no clock, no I/O, no web APIs.
//!
//! # API
//!
//! ```
//! use botlens::diagnose::{diagnose, Verdict};
//! use botlens::recall::model::Bot;
//! use botlens::recall::region::Region;
//!
//! let bot: Bot = serde_json::from_str(r#"{"id": "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
//!   "meeting_url": {"platform": "zoom", "meeting_id": "1"},
//!   "status_changes": [
//!     {"code": "joining_call", "created_at": "2025-11-04T16:59:02Z"},
//!     {"code": "in_waiting_room", "created_at": "2025-11-04T16:59:14Z"},
//!     {"code": "call_ended", "sub_code": "timeout_exceeded_waiting_room", "created_at": "2025-11-04T17:19:14Z"},
//!     {"code": "done", "created_at": "2025-11-04T17:19:20Z"}]}"#).unwrap();
//! let d = diagnose(&bot, None, None, Some(Region::UsWest2), None);
//! assert_eq!(d.verdict, Verdict::Failed);
//! assert_eq!(d.reason.as_deref(), Some("timeout_exceeded_waiting_room"));
//! assert!(d.reason_known);
//! let markdown = botlens::diagnose::report::markdown(&d);
//! assert!(markdown.contains("timeout_exceeded_waiting_room"));
//! ```
//!
//! * [`diagnose_json`] — the same from JSON text (bot, scenario or webhook).
//! * [`diagnose`] — the whole answer as a [`Diagnosis`] (serde, for the card and `--json`).
//! * [`report::markdown`] — the same as Markdown for a support ticket (no secrets).
//! * [`catalog::lookup`] — our explanation of any code.
//!
//! `now` is passed in (epoch millis via [`Timestamp::from_millis`]): it measures
//! the current phase of a running bot and the time left before media expires.
//! Without it those durations are simply absent.
//!
//! The verdict rules are listed in [`verdict`] and explained in `docs/diagnosis.md`.

pub mod archive;
pub mod catalog;
pub mod document;
pub mod evidence;
pub mod gather;
pub mod media;
pub mod other;
mod patterns;
pub mod report;
pub mod settings;
pub mod timeline;
pub mod triage;
pub mod verdict;

use serde::{Deserialize, Serialize};

pub use self::catalog::{Category, Party};
pub use self::evidence::Evidence;
pub use self::media::{expiring, Artifact, Availability, Media};
pub use self::settings::Setting;
pub use self::timeline::{Phase, PhaseName, TimelineEntry};
use self::verdict::lower_first;
pub use self::verdict::Verdict;
use crate::recall::model::{
    self, ApiShape, Bot, LogLevel, Logs, Scenario, Screenshots, StatusCode,
};
use crate::recall::region::Region;
pub use crate::recall::time::Timestamp;

/// Everything the card, the CLI and the report show about one bot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub bot_id: String,
    pub bot_name: Option<String>,
    /// Raw platform code (`zoom`, `google_meet`, …), when known.
    pub platform: Option<String>,
    /// `Zoom`, `Google Meet`, … or `Unknown platform`.
    pub platform_name: String,
    pub meeting_title: Option<String>,
    /// The bot's `metadata`, as `key = value` pairs (see [`Bot::metadata_fields`]).
    #[serde(default)]
    pub metadata: Vec<Field>,
    /// Who was in the meeting (legacy `meeting_participants`).
    #[serde(default)]
    pub participants: Vec<String>,
    /// The region label used for links (`us-west-2`, …). See `region_assumed`.
    pub region: String,
    /// `true` when neither the caller nor the bot's own download links named the
    /// region, and us-east-1 was assumed.
    pub region_assumed: bool,
    pub api_shape: ApiShape,

    pub verdict: Verdict,
    /// The raw code that explains the verdict (a sub code, `fatal`, …), even
    /// when our catalog does not know it. `None` when healthy or in progress.
    pub reason: Option<String>,
    /// The reason is in our catalog (`true` when there is no reason).
    pub reason_known: bool,
    /// Raw current status code (last status change), `None` before the first one.
    pub status: Option<String>,
    /// Plain-language current status.
    pub status_label: String,
    pub status_at: Option<Timestamp>,
    /// Sub code of the current status.
    pub sub_code: Option<String>,
    /// One line: what happened.
    pub title: String,
    /// A few sentences: why.
    pub explanation: String,
    /// What to do about it.
    pub remedy: String,
    pub category: Option<Category>,
    /// Who must act: the host, you, the platform, Recall, or nobody (a
    /// normal end). `None` while running, when unknown, or for a code we do not know.
    #[serde(default)]
    pub whose_move: Option<Party>,
    /// A retry (sending a new bot) may help.
    pub retry_may_help: bool,
    /// Recall documentation for the reason.
    pub docs_url: Option<String>,
    /// A second cause that helps, e.g. why recording was refused before the bot left.
    pub detail: Option<Cause>,

    pub phases: Vec<Phase>,
    /// The bot's timeouts and `join_at` beside what happened.
    #[serde(default)]
    pub settings: Vec<Setting>,
    pub timeline: Vec<TimelineEntry>,
    /// Notable logs and named patterns, most important first.
    pub notes: Vec<Note>,
    pub media: Media,
    pub screenshots: Vec<ScreenshotRef>,
    pub explorer_url: String,
    /// First and last status change.
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// The `now` the diagnosis was made with, if any.
    pub now: Option<Timestamp>,
    /// What the answer rests on: the bot now, a saved copy, or one event.
    #[serde(default)]
    pub evidence: Evidence,
}

/// One `key = value` pair of the bot's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub key: String,
    pub value: String,
}

/// A code with our words for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub code: String,
    pub known: bool,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
    pub category: Option<Category>,
    pub docs_url: Option<String>,
}

impl Cause {
    /// Describe any code; unknown codes get honest generic words.
    pub fn of(code: &str) -> Cause {
        let entry = catalog::lookup(code);
        let (title, explanation, remedy) = verdict::words(code, "");
        Cause {
            code: code.to_string(),
            known: entry.is_some(),
            title,
            explanation,
            remedy,
            category: entry.map(|e| e.category),
            docs_url: entry.and_then(catalog::Entry::recall_docs),
        }
    }
}

/// Where a note comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteSource {
    /// A bot log line.
    Log,
    /// A situation botlens recognises in the history.
    Pattern,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    Info,
    Warning,
    Error,
}

impl NoteLevel {
    pub fn label(self) -> &'static str {
        match self {
            NoteLevel::Info => "info",
            NoteLevel::Warning => "warning",
            NoteLevel::Error => "error",
        }
    }
}

/// A notable log line or a named pattern, explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub source: NoteSource,
    /// How much it matters here (not the log's own level).
    pub level: NoteLevel,
    /// The code it is about, when there is one.
    pub code: Option<String>,
    pub title: String,
    pub text: String,
    pub at: Option<Timestamp>,
    /// The raw log message.
    pub message: Option<String>,
}

/// A debug screenshot placed on the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreenshotRef {
    pub id: Option<String>,
    /// Signed, time-limited image link.
    pub url: Option<String>,
    pub recorded_at: Option<Timestamp>,
    /// The status the bot was in when it was taken.
    pub status: Option<String>,
    pub status_label: Option<String>,
}

/// At most this many log notes: the card has limited room.
const MAX_LOG_NOTES: usize = 30;

/// Diagnose one bot fetched from Recall just now.
///
/// * `screenshots`, `logs`: when fetched; they enrich the answer.
/// * `region`: where the bot lives, for the Explorer link; `None` assumes
///   us-east-1 (also Recall's legacy `api.recall.ai`) and says so in `region_assumed`.
/// * `now`: the caller's clock; see the module docs.
pub fn diagnose(
    bot: &Bot,
    screenshots: Option<&Screenshots>,
    logs: Option<&Logs>,
    region: Option<Region>,
    now: Option<Timestamp>,
) -> Diagnosis {
    diagnose_as(Evidence::Live, bot, screenshots, logs, region, now)
}

/// [`diagnose`] a bot that came from somewhere else than Recall just now: a
/// saved copy or one event. Its history is measured against its own time,
/// never against `now` (which only dates the evidence and media links).
pub fn diagnose_as(
    evidence: Evidence,
    bot: &Bot,
    screenshots: Option<&Screenshots>,
    logs: Option<&Logs>,
    region: Option<Region>,
    now: Option<Timestamp>,
) -> Diagnosis {
    let clock = now;
    // Only a live bot's last status lasts until now.
    let now = now.filter(|_| evidence == Evidence::Live);
    let ordered = timeline::ordered(&bot.status_changes);
    let end = ordered.iter().rposition(|c| c.code.is_terminal());
    let (mut changes, mut after_end) = match end {
        Some(i) => (
            ordered.get(..=i).unwrap_or_default().to_vec(),
            ordered.get(i + 1..).unwrap_or_default().to_vec(),
        ),
        None => (ordered.clone(), Vec::new()),
    };
    changes.retain(|c| {
        let post = c.code.is_post_terminal();
        if post {
            after_end.push(c.clone());
        }
        !post
    });
    let running = changes.last().is_none_or(|c| !c.code.is_terminal());

    let platform = bot.platform();
    let family = platform.as_ref().map_or("other", |p| p.family());
    let phases = timeline::phases(&changes, running, now);
    let timeline_entries = timeline::entries(&ordered, running, now);

    let recorded_by_status = changes.iter().any(|c| {
        matches!(
            c.code,
            StatusCode::InCallRecording | StatusCode::RecordingDone
        )
    });
    let history_says_in_call = changes.iter().any(|c| {
        matches!(
            c.code,
            StatusCode::InCallNotRecording | StatusCode::InCallRecording
        )
    });
    let mut media = media::summarize(bot, recorded_by_status, clock);
    let lobby_only =
        !history_says_in_call && changes.iter().any(|c| c.code == StatusCode::InWaitingRoom);
    if (history_says_in_call || lobby_only) && !recorded_by_status {
        // A recording object can exist before recording starts, or hold only
        // the lobby: the history wins.
        media.recorded = false;
    }
    if matches!(evidence, Evidence::OneEvent | Evidence::Events) {
        // Status events carry no media: their absence from them says nothing.
        media.recording = Availability::Unknown;
        media.transcript = Availability::Unknown;
    }

    let facts = verdict::Facts {
        changes: &changes,
        after_end: &after_end,
        family,
        phases: &phases,
        media: &media,
        now,
        join_at: bot.join_at,
        zoom_obf: bot.zoom.as_ref().is_some_and(|z| z.obf_token_url.is_some()),
    };
    let mut outcome = evidence::temper(verdict::decide(&facts), &facts, evidence, clock);
    if let Some(e) = outcome.entry.filter(|e| outcome.remedy == e.remedy) {
        outcome.remedy = e.remedy_for(family).to_string();
    }

    let mut notes = std::mem::take(&mut outcome.notes);
    if let Some(logs) = logs {
        notes.extend(log_notes(
            logs,
            media.recorded,
            history_says_in_call,
            family,
        ));
    }
    if after_end.iter().any(|c| c.code == StatusCode::MediaExpired)
        || media.recording == Availability::Deleted
    {
        notes.push(Note {
            source: NoteSource::Pattern,
            level: NoteLevel::Info,
            code: Some("media_expired".into()),
            title: "Media deleted".into(),
            text: "The recording and debug data for this bot have been deleted (retention ran out or someone deleted them). The status history and logs are all that is left.".into(),
            at: after_end.iter().find(|c| c.code == StatusCode::MediaExpired).and_then(|c| c.created_at),
            message: None,
        });
    }
    // Most important first; stable, so equal levels keep their order.
    notes.sort_by_key(|n| std::cmp::Reverse(n.level));
    raise_errors(&mut outcome, &notes);

    let whose_move = match outcome.verdict {
        Verdict::Healthy => Some(Party::Nobody),
        Verdict::Failed | Verdict::Warning => outcome
            .reason
            .as_deref()
            .and_then(catalog::lookup)
            .and_then(catalog::Entry::whose_move),
        Verdict::InProgress | Verdict::Unknown => None,
    };
    let settings = settings::against_history(bot, &changes, &phases, now);
    let current = ordered.last();
    let region = region.or_else(|| region_from_links(&media));
    let region_used = region.unwrap_or(Region::UsEast1);
    let entry = outcome.entry;
    Diagnosis {
        bot_id: bot.id.clone(),
        bot_name: bot.bot_name.clone(),
        platform: platform.as_ref().map(|p| p.as_str().to_string()),
        platform_name: platform
            .as_ref()
            .map_or("Unknown platform", |p| p.name())
            .to_string(),
        meeting_title: media.meeting_title.clone(),
        metadata: bot
            .metadata_fields()
            .into_iter()
            .map(|(key, value)| Field { key, value })
            .collect(),
        participants: bot.participant_names(),
        region: region_used.label().to_string(),
        region_assumed: region.is_none(),
        api_shape: bot.shape(),
        verdict: outcome.verdict,
        reason_known: outcome
            .reason
            .as_deref()
            .is_none_or(|r| catalog::lookup(r).is_some()),
        reason: outcome.reason,
        status: current.map(|c| c.code.as_str().to_string()),
        status_label: current.map_or_else(|| "No status yet".to_string(), timeline::label),
        status_at: current.and_then(|c| c.created_at),
        sub_code: current.and_then(|c| c.sub_code.clone()),
        title: outcome.title,
        explanation: outcome.explanation,
        remedy: outcome.remedy,
        category: entry.map(|e| e.category),
        whose_move,
        retry_may_help: outcome.retry_may_help,
        docs_url: entry.and_then(catalog::Entry::recall_docs),
        detail: outcome.detail,
        phases,
        settings,
        timeline: timeline_entries,
        notes,
        screenshots: screenshots
            .map(|s| place_screenshots(s, &ordered))
            .unwrap_or_default(),
        media,
        explorer_url: region_used.explorer_url(&url_safe(&bot.id)),
        started_at: ordered.first().and_then(|c| c.created_at),
        ended_at: if running {
            None
        } else {
            changes.last().and_then(|c| c.created_at)
        },
        now: clock,
        evidence,
    }
}

/// An error the bot logged is raised next to a verdict that is otherwise
/// fine (healthy, or still running), never left under "nothing to do".
fn raise_errors(outcome: &mut verdict::Outcome, notes: &[Note]) {
    if !matches!(outcome.verdict, Verdict::Healthy | Verdict::InProgress) {
        return;
    }
    let Some(error) = notes.iter().find(|n| n.level == NoteLevel::Error) else {
        return;
    };
    outcome.explanation.push_str(&format!(
        " It logged an error on the way: {}.",
        lower_first(&error.title)
    ));
    outcome.remedy = format!(
        "Look at the error the bot logged ({}): {}",
        error.title, error.text
    );
}

/// Diagnose a saved or pasted JSON document: a bot object, a scenario `{bot,
/// screenshots, logs, region}` or a status webhook, read as
/// [`document::answer`] reads it. `now_ms` is epoch milliseconds (JavaScript's
/// `Date.now()`). The error is one sentence (also for documents that are not a bot).
pub fn diagnose_json(
    text: &str,
    region: Option<Region>,
    now_ms: Option<f64>,
) -> Result<Diagnosis, String> {
    let now = now_ms.and_then(Timestamp::from_js);
    let input = model::parse_input(text).map_err(|e| e.to_string())?;
    match document::answer(&input, document::Beside::default(), region, now) {
        document::Answer::Diagnosis(d) => Ok(*d),
        document::Answer::Bots(page) => Err(format!(
            "a list page of {} bots: diagnose them one at a time",
            page.bots.len()
        )),
        // Not a bot: said for what it is, never diagnosed as one.
        document::Answer::Said(said) => Err(said.line()),
    }
}

/// [`diagnose`] for the simulator's scenario format; `region` overrides the scenario's.
pub fn diagnose_scenario(
    s: &Scenario,
    region: Option<Region>,
    now: Option<Timestamp>,
) -> Diagnosis {
    diagnose(
        &s.bot,
        s.screenshots.as_ref(),
        s.logs.as_ref(),
        region.or(s.region),
        now,
    )
}

impl Diagnosis {
    /// `Failed · timeout_exceeded_waiting_room · Nobody admitted the bot`.
    pub fn headline(&self) -> String {
        match &self.reason {
            Some(r) => format!("{} · {} · {}", self.verdict.label(), r, self.title),
            None => format!("{} · {}", self.verdict.label(), self.title),
        }
    }
}

/// Recall's own download links name the region's host (`https://us-west-2.recall.ai/api/v1/download/…`).
fn region_from_links(media: &Media) -> Option<Region> {
    media
        .artifacts
        .iter()
        .filter_map(|a| a.url.as_deref())
        .chain(media.transcript_url.as_deref())
        .find_map(|url| {
            let host = url.split("://").nth(1)?.split(['/', '?', ':']).next()?;
            let label = host.strip_suffix(".recall.ai")?;
            label.parse().ok()
        })
}

/// Percent-encode anything but `[A-Za-z0-9-]`, so an odd id cannot bend a link.
fn url_safe(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.trim().bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn place_screenshots(
    s: &Screenshots,
    ordered: &[crate::recall::model::StatusChange],
) -> Vec<ScreenshotRef> {
    let mut out: Vec<ScreenshotRef> = s
        .items
        .iter()
        .map(|shot| {
            let at = shot.recorded_at;
            let status = at.and_then(|t| {
                ordered
                    .iter()
                    .rev()
                    .find(|c| c.created_at.is_some_and(|c_at| c_at <= t))
            });
            ScreenshotRef {
                id: shot.id.clone(),
                url: shot.url.clone(),
                recorded_at: at,
                status: status.map(|c| c.code.as_str().to_string()),
                status_label: status.map(timeline::label),
            }
        })
        .collect();
    out.sort_by_key(|s| s.recorded_at);
    out
}

fn log_notes(logs: &Logs, recorded: bool, in_call: bool, family: &str) -> Vec<Note> {
    let mut notes = Vec::new();
    for entry in &logs.items {
        if notes.len() >= MAX_LOG_NOTES {
            break;
        }
        let message = entry.message.clone().unwrap_or_default();
        let known: Vec<&catalog::Entry> = catalog::log_codes_in(&message).collect();
        if !known.is_empty() {
            for e in known {
                let zoom_oauth = e.code.contains("zoom_oauth");
                let (level, context) = if zoom_oauth && !matches!(family, "zoom" | "other") {
                    (
                        NoteLevel::Info,
                        " This bot was not in a Zoom meeting, so the line does not bear on it.",
                    )
                } else if zoom_oauth && recorded {
                    (NoteLevel::Info, " The bot recorded anyway (the host granted permission), so this is safe to ignore here.")
                } else if zoom_oauth && !in_call {
                    (
                        NoteLevel::Info,
                        " The bot never got into the call, so this is not what stopped it.",
                    )
                } else if zoom_oauth {
                    (NoteLevel::Warning, " The bot never got to record, so this matters here: the fallback of asking the host did not work either. Get Zoom OAuth working for this host's account, or make sure a host is present to accept the request.")
                } else {
                    (NoteLevel::Warning, "")
                };
                notes.push(Note {
                    source: NoteSource::Log,
                    level,
                    code: Some(e.code.clone()),
                    title: e.title.clone(),
                    text: format!("{}{}", e.explanation, context),
                    at: entry.created_at,
                    message: Some(message.clone()),
                });
            }
            continue;
        }
        let lower = message.to_ascii_lowercase();
        if lower.contains("transcription provider") {
            let creds =
                lower.contains("401") || lower.contains("credential") || lower.contains("unauthor");
            let text = if creds {
                "The bot could not connect to the real-time transcription provider: the provider rejected the credentials. The recording is not affected; the real-time transcript is. Fix the provider's API key in the Recall dashboard."
            } else {
                "The bot could not connect to the real-time transcription provider. The recording is not affected; the real-time transcript is. Check the provider settings and its status."
            };
            notes.push(Note {
                source: NoteSource::Log,
                level: NoteLevel::Error,
                code: None,
                title: "Real-time transcription provider failed".into(),
                text: text.into(),
                at: entry.created_at,
                message: Some(message),
            });
            continue;
        }
        let level = match entry.level {
            LogLevel::Error => NoteLevel::Error,
            LogLevel::Warning => NoteLevel::Warning,
            _ => continue,
        };
        notes.push(Note {
            source: NoteSource::Log,
            level,
            code: None,
            title: format!(
                "{} logged by the bot",
                if level == NoteLevel::Error {
                    "Error"
                } else {
                    "Warning"
                }
            ),
            text: "botlens has no explanation for this line; it is shown as the bot wrote it."
                .into(),
            at: entry.created_at,
            message: Some(message),
        });
    }
    notes
}
