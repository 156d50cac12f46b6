//! Find Recall.ai bot IDs in text and classify them by context.
//!
//! This is the contract shared by the CLI (`botlens scan`), the extension (card frame and
//! background) and the embed. It is pure Rust with no regex, so it stays small in wasm.
//!
//! # What is found
//! A bot ID candidate is a **standalone UUID**: `8-4-4-4-12` hex digits, any version, any case,
//! reported in lowercase. Standalone means not glued to ASCII letters, digits or `_` on either
//! side (`x0b5f…` and 33-hex strings do not match). A `-` next to the UUID is a separator
//! (`bot-<uuid>`, `<uuid>-v2`, `_workspace-<uuid>`) unless the alphanumeric run beyond it is all
//! hex digits (`deadbeef-<uuid>`, `<uuid>-0001`): then the UUID is part of a longer dashed hex
//! string and is not reported. Non-ASCII text (CJK, accents) next to a UUID is a boundary.
//!
//! # How it is classified ([`Kind`])
//! Rules, first match wins, each looking only at the bytes *before* the UUID (at most 8 KiB):
//! 1. **Path segment**: `/bot/<id>`, `/bots/<id>` → bot. `/recording(s)/`, `/screenshots/`,
//!    `/transcript/`, `/video_mixed/`, `/audio_mixed/`, `/calendar_events/`, `/workspace/`, …
//!    → another resource (never reported). Media download URLs
//!    (`…/recordings/{r}/video_mixed/{m}/bot/{b}/…`) give exactly one bot.
//! 2. **Label** (key, attribute, prose): `bot_id`, `botId`, `Bot ID`, `data-bot-id`, `bot`,
//!    `bots`, `bot_ids` → bot. Any other `*_id`/`*Id`/`* ID` key (`recording_id`, `transcript_id`,
//!    `output_id`, `job_id`, `calendar_event_id`, `request_id`, `organizer_id`, …) and resource
//!    nouns (`recording`, `screenshot`, `transcript`, `workspace`, …) → another resource.
//!    A bare `id` key takes the key of its enclosing object or list: `"bot": {"id": …}` → bot;
//!    the `id` in `recordings`, `screenshots`, `calendar_event`, `media_shortcuts.video_mixed`,
//!    `transcript`, … → another resource; `results`/top level → candidate, unless the
//!    document is a bot (opens with `{`, names `status_changes` or `bot_name` and no
//!    `calendar_id` in its first 8 KiB): then the root's and `results[]` items' `id` → bot.
//!    A typed declaration's name is the label (`const BOT_ID: string = "…"`).
//! 3. **Table column**: in a Markdown table (`| Bot ID | Recording ID |` + `|---|`) or a
//!    CSV/TSV document whose first line is a header, the column's header is the label.
//! 4. **List**: a UUID that follows another after `,`/`;`/`and`/`or` (`"bot_ids": ["…", "…"]`,
//!    `bots X, Y and Z`) gets the previous one's kind.
//! 5. Otherwise → **candidate** (reported; the API confirms on hover).
//!
//! Then, per document: an ID shown to be a bot anywhere is a bot everywhere in it; an ID shown
//! to be another resource anywhere (and never a bot) is dropped everywhere (so the screenshot
//! `id` next to its `…/screenshots/<id>.png` URL is not reported).
//!
//! # API
//! - [`scan`]: all reportable IDs of a text with byte offsets.
//! - [`at`]: the reportable ID covering a byte offset (the card frame's hover snippet).
//! - [`is_uuid`]: validate a request's bot ID.
//! - [`classify_attribute`]: the IDs in one HTML attribute (`href`, `title`, `aria-label`, `data-*`).
//! - native only: [`stream`] (bounded-memory scan of a reader, used by `botlens scan`) and
//!   [`html`] (the same rules over a parsed HTML document).

mod context;
pub mod meeting;
mod scan;
mod table;
pub mod uuid;

pub use uuid::is_uuid;
use uuid::UUID_LEN;

#[cfg(not(target_arch = "wasm32"))]
pub mod html;
#[cfg(not(target_arch = "wasm32"))]
pub mod stream;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a reported UUID is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The context says it is a bot ID.
    Bot,
    /// A UUID with no telling context: the API confirms it on hover.
    Candidate,
}

/// What one occurrence's own context says (before the per-document merge).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// Shown to be a bot.
    Bot,
    /// Nothing telling.
    Candidate,
    /// Shown to be another resource (recording, screenshot, transcript, …): never reported.
    Other,
}

/// A reported UUID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// The UUID in lowercase.
    pub id: String,
    pub kind: Kind,
    /// Byte offset of the UUID's first character in the scanned text (a char boundary).
    pub start: usize,
    /// Byte offset just past the UUID (`start + 36`, a char boundary).
    pub end: usize,
}

/// The per-document merge of what each ID's occurrences showed.
#[derive(Default)]
pub struct Verdicts {
    ids: BTreeMap<[u8; UUID_LEN], (bool, bool)>,
}

impl Verdicts {
    /// Record one occurrence.
    pub fn note(&mut self, id: [u8; UUID_LEN], seen: Seen) {
        let e = self.ids.entry(id).or_default();
        match seen {
            Seen::Bot => e.0 = true,
            Seen::Other => e.1 = true,
            Seen::Candidate => {}
        }
    }

    /// The final kind of an ID: bot if any occurrence showed a bot; `None` (not reported) if
    /// one showed another resource and none a bot; otherwise a candidate.
    pub fn kind(&self, id: &[u8; UUID_LEN]) -> Option<Kind> {
        match self.ids.get(id) {
            Some((true, _)) => Some(Kind::Bot),
            Some((false, true)) => None,
            _ => Some(Kind::Candidate),
        }
    }
}

/// Merge raw occurrences `(start, id, seen)` of one document into reportable matches.
fn merge(raw: Vec<(usize, [u8; UUID_LEN], Seen)>) -> Vec<Match> {
    let mut verdicts = Verdicts::default();
    for (_, id, seen) in &raw {
        verdicts.note(*id, *seen);
    }
    raw.into_iter()
        .filter_map(|(start, id, _)| {
            let kind = verdicts.kind(&id)?;
            Some(Match {
                id: String::from_utf8_lossy(&id).into_owned(),
                kind,
                start,
                end: start + UUID_LEN,
            })
        })
        .collect()
}

fn raw_scan(text: &[u8]) -> Vec<(usize, [u8; UUID_LEN], Seen)> {
    let mut raw = Vec::new();
    scan::scan_all(text, |hit| {
        let seen = hit.seen.unwrap_or(Seen::Candidate);
        raw.push((hit.start, scan::lower_id(text, hit.start), seen));
    });
    raw
}

/// Raw occurrences `(start, id, seen)` in one attribute value; empty for attributes that are
/// not read. Used by [`classify_attribute`] and the HTML mode.
pub(crate) fn attribute_occurrences(name: &str, value: &str) -> Vec<(usize, [u8; UUID_LEN], Seen)> {
    let lower = name.trim().to_ascii_lowercase();
    let label = if let Some(rest) = lower.strip_prefix("data-") {
        rest
    } else if matches!(lower.as_str(), "href" | "title" | "aria-label") {
        ""
    } else {
        return Vec::new();
    };
    let default = match context::classify_label(label.as_bytes()) {
        context::Label::Bot => Some(Seen::Bot),
        context::Label::Other => Some(Seen::Other),
        _ => None,
    };
    let mut raw = Vec::new();
    scan::scan_fragment(value.as_bytes(), |hit| {
        let seen = hit.seen.or(default).unwrap_or(Seen::Candidate);
        raw.push((hit.start, scan::lower_id(value.as_bytes(), hit.start), seen));
    });
    raw
}

/// All reportable UUIDs in `text`, in order, with their kind and byte offsets.
/// Other-resource UUIDs (recordings, screenshots, …) are never returned.
///
/// ```
/// use botlens::detect::{scan, Kind};
/// let m = scan(r#"{"bot_id": "7C1E4B2A-9D3F-4E8A-B5C6-2F1A0D9E8B74", "recording_id": "e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f"}"#);
/// assert_eq!(m.len(), 1);
/// assert_eq!(m[0].id, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
/// assert_eq!(m[0].kind, Kind::Bot);
/// ```
pub fn scan(text: &str) -> Vec<Match> {
    merge(raw_scan(text.as_bytes()))
}

/// Like [`scan`] over bytes that may not be UTF-8 (offsets are byte offsets).
pub fn scan_bytes(text: &[u8]) -> Vec<Match> {
    merge(raw_scan(text))
}

/// The reportable UUID covering or touching byte `offset` of `text` (`start <= offset <= end`),
/// classified with the context inside `text`. Any `offset` is accepted: out of range or inside
/// a multi-byte character simply finds nothing or the nearest covering match.
pub fn at(text: &str, offset: usize) -> Option<Match> {
    scan(text)
        .into_iter()
        .find(|m| m.start <= offset && offset <= m.end)
}

/// The reportable UUIDs in one HTML attribute value, offsets relative to `value`.
///
/// Only `href`, `title`, `aria-label` and `data-*` attributes are read (others give nothing).
/// Context inside the value decides first (`/bot/<id>` → bot, `/recordings/<id>` → never);
/// otherwise the attribute name is the label: `data-bot-id` → bot, `data-recording-id` → never,
/// `data-id` or `title` → candidate.
pub fn classify_attribute(name: &str, value: &str) -> Vec<Match> {
    merge(attribute_occurrences(name, value))
}
