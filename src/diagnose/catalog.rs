//! Every Recall code botlens can explain, compiled in from `catalog.json`.
//!
//! The data file lists status codes, sub codes, log codes and a few artifact
//! and API error codes. Codes are Recall's; titles, explanations and remedies
//! are ours. Adding a code is a data change: no Rust to touch.
//!
//! ```
//! use botlens::diagnose::catalog::{self, Category};
//! let e = catalog::lookup("zoom_local_recording_disabled").unwrap();
//! assert_eq!(e.category, Category::HostSetting);
//! assert!(catalog::lookup("zoom_quantum_flux_error").is_none());
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// What kind of code an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `status_changes[].code`.
    Status,
    /// `status_changes[].sub_code` (of `fatal`, `call_ended` or `recording_permission_denied`).
    SubCode,
    /// A code that appears in bot logs.
    Log,
    /// A recording or media artifact outcome (`recording.failed`, …).
    Artifact,
    /// An error code the API returns (e.g. at bot creation).
    ApiError,
}

/// Where the cause lies, in the terms a support engineer would use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A setting of the host, their account or their admin.
    HostSetting,
    /// The meeting link, a passcode, or your app's credentials.
    LinkOrCredentials,
    /// The bot's sign-in to the platform.
    SignIn,
    /// The meeting platform failed or refused.
    PlatformError,
    /// A limit of the platform or of your plan.
    PlatformLimit,
    /// Recall's own infrastructure.
    RecallInfrastructure,
    /// A timeout: the bot waited and gave up.
    Timeout,
    /// Someone in the meeting did something (removed, declined, locked).
    SomeonesAction,
    /// A normal end of a meeting.
    Normal,
    /// A lifecycle status, not a cause.
    Lifecycle,
}

impl Category {
    /// Short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Category::HostSetting => "host setting",
            Category::LinkOrCredentials => "link or credentials",
            Category::SignIn => "sign-in",
            Category::PlatformError => "platform error",
            Category::PlatformLimit => "platform limit",
            Category::RecallInfrastructure => "Recall infrastructure",
            Category::Timeout => "timeout",
            Category::SomeonesAction => "someone's action",
            Category::Normal => "normal end",
            Category::Lifecycle => "status",
        }
    }
}

/// Whose move it is: who must act for the next bot to do better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The meeting's host or an attendee (admit the bot, grant recording, a setting).
    Host,
    /// You: the bot's configuration or your integration (links, sign-in, timing, limits).
    You,
    /// The meeting platform (its errors, captchas, blocks, unsupported meetings).
    Platform,
    /// Recall's own infrastructure.
    Recall,
    /// Nobody: the meeting ended the way meetings end.
    Nobody,
}

impl Party {
    /// Its serde name (`host`, `you`, …), for the card's DOM contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Host => "host",
            Party::You => "you",
            Party::Platform => "platform",
            Party::Recall => "recall",
            Party::Nobody => "nobody",
        }
    }

    /// Short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Party::Host => "meeting host or attendee",
            Party::You => "you (bot configuration or integration)",
            Party::Platform => "the meeting platform",
            Party::Recall => "Recall",
            Party::Nobody => "nobody (a normal end)",
        }
    }
}

impl Category {
    /// Who usually acts on a cause of this category; an entry may say otherwise.
    pub fn party(self) -> Option<Party> {
        match self {
            Category::HostSetting | Category::SomeonesAction | Category::Timeout => {
                Some(Party::Host)
            }
            Category::LinkOrCredentials | Category::SignIn => Some(Party::You),
            Category::PlatformError => Some(Party::Platform),
            Category::PlatformLimit => Some(Party::Host),
            Category::RecallInfrastructure => Some(Party::Recall),
            Category::Normal => Some(Party::Nobody),
            Category::Lifecycle => None,
        }
    }
}

/// How a `call_ended` sub code ended the bot's visit, which decides the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// The meeting ended the way meetings end.
    Normal,
    /// The bot was never let in.
    KeptOut,
    /// The bot was in but never allowed to record.
    NotAllowedToRecord,
    /// Someone removed the bot from the call.
    Removed,
    /// Nobody else came.
    NoShow,
    /// A platform or plan limit cut the meeting.
    Limit,
}

/// One code with our explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub code: String,
    pub kind: Kind,
    /// For sub codes: the status they come with.
    #[serde(default)]
    pub status: Option<String>,
    /// `all`, `zoom`, `google_meet`, `microsoft_teams`, `webex`, `goto_meeting` or `slack`.
    pub platform: String,
    pub category: Category,
    pub title: String,
    pub explanation: String,
    pub remedy: String,
    pub retry_may_help: bool,
    /// A path under `https://docs.recall.ai/`.
    pub docs: String,
    /// Where the code is known from: `docs`, `docs-old`, `spec`, `3p`, `3p-single`.
    pub source: String,
    #[serde(default)]
    pub ending: Option<Ending>,
    /// A sharper remedy for one platform family (`zoom`, `google_meet`, …).
    #[serde(default)]
    pub remedy_by_platform: std::collections::BTreeMap<String, String>,
    /// Whose move, when the category's usual party is not it.
    #[serde(default)]
    pub who: Option<Party>,
}

impl Entry {
    /// The Recall documentation page for this code.
    pub fn docs_url(&self) -> String {
        format!(
            "https://docs.recall.ai/{}",
            self.docs.trim_start_matches('/')
        )
    }

    /// The Recall page that documents this code; `None` for codes Recall does
    /// not document (a link would present them as Recall's).
    pub fn recall_docs(&self) -> Option<String> {
        self.documented().then(|| self.docs_url())
    }

    /// Whose move it is when this code is the reason.
    pub fn whose_move(&self) -> Option<Party> {
        self.who.or_else(|| self.category.party())
    }

    /// The remedy for a platform family, falling back to the general one.
    pub fn remedy_for(&self, family: &str) -> &str {
        self.remedy_by_platform
            .get(family)
            .map_or(self.remedy.as_str(), String::as_str)
    }

    /// `false` for codes seen only in third-party code or examples.
    pub fn documented(&self) -> bool {
        self.source.starts_with("docs")
    }
}

#[derive(Deserialize)]
struct File {
    entries: Vec<Entry>,
}

struct Catalog {
    entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
}

const DATA: &str = include_str!("catalog.json");

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The file is ours and tested; if it were ever broken the catalog is
        // empty and every code reads as unknown rather than panicking.
        let entries = serde_json::from_str::<File>(DATA)
            .map(|f| f.entries)
            .unwrap_or_default();
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.code.clone(), i))
            .collect();
        Catalog { entries, by_code }
    })
}

/// The entry for a code (status, sub code, log code, …), if we know it.
pub fn lookup(code: &str) -> Option<&'static Entry> {
    let c = catalog();
    c.by_code.get(code.trim()).and_then(|&i| c.entries.get(i))
}

/// Every entry, in file order.
pub fn entries() -> &'static [Entry] {
    &catalog().entries
}

/// Known log codes that appear inside a log message.
pub fn log_codes_in(message: &str) -> impl Iterator<Item = &'static Entry> + '_ {
    entries()
        .iter()
        .filter(move |e| e.kind == Kind::Log && message.contains(e.code.as_str()))
}

/// `zoom_quantum_flux_error` → `Zoom quantum flux error`: a readable title for
/// a code we do not know.
pub fn humanize(code: &str) -> String {
    let spaced = code.trim().replace(['_', '.', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses_and_codes_are_unique() {
        let file: File = serde_json::from_str(DATA).expect("catalog.json parses");
        assert!(file.entries.len() > 100);
        assert_eq!(
            catalog().by_code.len(),
            file.entries.len(),
            "duplicate codes"
        );
        for e in &file.entries {
            assert!(
                !e.title.is_empty() && !e.explanation.is_empty() && !e.remedy.is_empty(),
                "{}",
                e.code
            );
            if e.kind == Kind::SubCode {
                assert!(e.status.is_some(), "{} needs a status", e.code);
            }
            if e.status.as_deref() == Some("call_ended") {
                assert!(e.ending.is_some(), "{} needs an ending", e.code);
            }
        }
    }

    #[test]
    fn humanize_unknown_codes() {
        assert_eq!(
            humanize("zoom_quantum_flux_error"),
            "Zoom quantum flux error"
        );
        assert_eq!(humanize(""), "");
    }
}
