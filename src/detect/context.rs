//! Context classification: what the bytes before a UUID say it is.
//!
//! Every rule looks at most [`LOOKBACK`] bytes before the UUID and never after it, so a streaming
//! scan that keeps that many bytes of history classifies exactly as a whole-text scan does.
//! All indexing goes through `get`, so no input can make a rule panic.

use super::Seen;

/// How far back (in bytes) any rule may look from the start of a UUID.
pub(crate) const LOOKBACK: usize = 8192;
/// How far back the JSON container walk may go (skipping over nested objects).
const CONTAINER_WINDOW: usize = 4096;
/// Separator bytes skipped between a label and its value (`"bot_id": "…"`, `bot_id=…`, `Bot: …`).
const MAX_SEP: usize = 16;
/// Longest label read back (`data.bot.id`, `recording_id`, `X-Bot-Id`).
pub(super) const MAX_LABEL: usize = 64;
/// Longest gap between two list items for the second to inherit the first's kind.
const MAX_LIST_GAP: usize = 64;

/// What a label says about the value that follows it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Label {
    /// `bot`, `bot_id`, `botId`, `Bot ID`, `data-bot-id`, `bots`, `bot_ids` …
    Bot,
    /// `recording_id`, `/recordings/`, `screenshots`, `video_mixed`, `request_id` …
    Other,
    /// A bare `id`/`uuid`: the enclosing object decides.
    Neutral,
    /// Nothing we know.
    Unknown,
}

/// Resource nouns: a UUID labelled by (or in a path segment named after) one of these is that
/// resource, not a bot. Compared case-insensitively after removing `_`, `-`, `.` and spaces.
const OTHER_NOUNS: &[&[u8]] = &[
    b"recording",
    b"recordings",
    b"screenshot",
    b"screenshots",
    b"transcript",
    b"transcripts",
    b"videomixed",
    b"audiomixed",
    b"videoseparate",
    b"audioseparate",
    b"participantevents",
    b"meetingmetadata",
    b"mediashortcuts",
    b"media",
    b"calendarevent",
    b"calendarevents",
    b"calendarmeeting",
    b"calendarmeetings",
    b"calendar",
    b"calendars",
    b"output",
    b"outputs",
    b"outputmedia",
    b"job",
    b"jobs",
    b"workspace",
    b"workspaces",
    b"realtimeendpoint",
    b"realtimeendpoints",
    b"sdkupload",
    b"sdkuploads",
    b"asynctranscription",
    b"asynctranscriptions",
];

/// Words that may precede a spaced `ID` to form a two-word label (`Recording ID`, `Request ID`).
const ID_PREFIX_WORDS: &[&[u8]] = &[
    b"bot",
    b"recording",
    b"screenshot",
    b"transcript",
    b"calendar",
    b"event",
    b"job",
    b"output",
    b"workspace",
    b"request",
    b"trace",
    b"span",
    b"session",
    b"user",
    b"customer",
    b"meeting",
    b"participant",
    b"media",
    b"organization",
    b"org",
    b"team",
    b"tenant",
    b"account",
    b"message",
    b"correlation",
    b"idempotency",
    b"external",
    b"organizer",
];

#[inline]
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[inline]
pub(super) fn is_label_byte(b: u8) -> bool {
    is_word(b) || b == b'-' || b == b'.'
}

#[inline]
fn is_sep(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'"' | b'\'' | b'`' | b':' | b'=' | b'>' | b'#' | b'(' | b'[' | b'*'
    )
}

/// Compare `word` with `lit` ignoring ASCII case and the joiners `_ - . space`.
fn norm_eq(word: &[u8], lit: &[u8]) -> bool {
    let mut it = word.iter().filter(|b| b.is_ascii_alphanumeric());
    for &l in lit {
        match it.next() {
            Some(b) if b.eq_ignore_ascii_case(&l) => {}
            _ => return false,
        }
    }
    it.next().is_none()
}

fn in_list(word: &[u8], list: &[&[u8]]) -> bool {
    list.iter().any(|lit| norm_eq(word, lit))
}

fn is_bot_word(word: &[u8]) -> bool {
    norm_eq(word, b"bot") || norm_eq(word, b"bots")
}

pub(super) fn is_id_word(word: &[u8]) -> bool {
    [&b"id"[..], b"ids", b"uuid", b"uuids", b"guid"]
        .iter()
        .any(|lit| norm_eq(word, lit))
}

/// Split off the last word of a label: words are separated by `_ - . space` and by camelCase
/// boundaries (`recordingId` → `recording` + `Id`, `botID` → `bot` + `ID`).
pub(super) fn split_last_word(label: &[u8]) -> (&[u8], &[u8]) {
    let mut end = label.len();
    while end > 0
        && label
            .get(end - 1)
            .is_some_and(|b| !b.is_ascii_alphanumeric())
    {
        end -= 1;
    }
    let Some(&last) = label.get(end.wrapping_sub(1)) else {
        return (&[], &[]);
    };
    let mut start = end - 1;
    if last.is_ascii_uppercase() {
        // An all-caps run (`ID`), stopping where a lowercase letter precedes it.
        while start > 0 && label.get(start - 1).is_some_and(|b| b.is_ascii_uppercase()) {
            start -= 1;
        }
    } else {
        while start > 0
            && label
                .get(start - 1)
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            start -= 1;
        }
        // `Id` in `recordingId`: take the one capital that starts the word.
        if start > 0 && label.get(start - 1).is_some_and(|b| b.is_ascii_uppercase()) {
            start -= 1;
        }
    }
    (
        label.get(..start).unwrap_or_default(),
        label.get(start..end).unwrap_or_default(),
    )
}

/// Classify a label: a key, a header cell, an attribute name, a path segment.
pub(crate) fn classify_label(label: &[u8]) -> Label {
    let (rest, last) = split_last_word(label);
    if last.is_empty() {
        return Label::Unknown;
    }
    if is_id_word(last) {
        let (_, prev) = split_last_word(rest);
        if prev.is_empty() {
            return Label::Neutral;
        }
        return if is_bot_word(prev) {
            Label::Bot
        } else {
            // `recording_id`, `request_id`, `organizer_id`: a key naming some other resource.
            Label::Other
        };
    }
    if is_bot_word(last) {
        return Label::Bot;
    }
    if in_list(label, OTHER_NOUNS) || in_list(last, OTHER_NOUNS) {
        return Label::Other;
    }
    Label::Unknown
}

/// A path segment before `/<uuid>`: only the segments we know decide.
fn classify_segment(seg: &[u8]) -> Label {
    if is_bot_word(seg) {
        Label::Bot
    } else if in_list(seg, OTHER_NOUNS) {
        Label::Other
    } else {
        Label::Unknown
    }
}

/// Start of the label that ends at `end` (exclusive), reading back over label bytes.
fn label_start(ctx: &[u8], end: usize) -> usize {
    let mut i = end;
    while i > 0 && end - i < MAX_LABEL && ctx.get(i - 1).is_some_and(|&b| is_label_byte(b)) {
        i -= 1;
    }
    i
}

/// Skip separators backwards from `pos`; returns the new position.
fn skip_seps(ctx: &[u8], pos: usize, max: usize) -> usize {
    let mut i = pos;
    while i > 0 && pos - i < max && ctx.get(i - 1).is_some_and(|&b| is_sep(b)) {
        i -= 1;
    }
    i
}

/// The label written just before `pos` (key, prose word, `Bot ID`), and where it starts.
fn label_before(ctx: &[u8], pos: usize) -> Option<(Label, usize)> {
    let end = skip_seps(ctx, pos, MAX_SEP);
    let start = label_start(ctx, end);
    let label = ctx.get(start..end)?;
    if label.is_empty() {
        return None;
    }
    let mut class = classify_label(label);
    let mut from = start;
    // `Bot ID: …`, `Recording ID …`, `Calendar event …`: a spaced two-word label.
    if matches!(class, Label::Neutral | Label::Unknown)
        && start >= 2
        && ctx.get(start - 1) == Some(&b' ')
    {
        let pstart = label_start(ctx, start - 1);
        if let Some(prev) = ctx.get(pstart..start - 1).filter(|p| !p.is_empty()) {
            if class == Label::Neutral && in_list(prev, ID_PREFIX_WORDS) {
                class = if is_bot_word(prev) {
                    Label::Bot
                } else {
                    Label::Other
                };
                from = pstart;
            } else if class == Label::Unknown
                && ctx
                    .get(pstart..end)
                    .is_some_and(|two| in_list(two, OTHER_NOUNS))
            {
                class = Label::Other;
                from = pstart;
            }
        }
    }
    Some((class, from))
}

/// For a bare `id` key: the key of the enclosing JSON-ish object, or of the list holding it.
fn container_label(ctx: &[u8], pos: usize) -> Label {
    let floor = pos.saturating_sub(CONTAINER_WINDOW);
    let Some(open) = enclosing_open(ctx, pos, floor) else {
        return Label::Unknown;
    };
    let Some(&bracket) = ctx.get(open) else {
        return Label::Unknown;
    };
    let key_end = skip_ws(ctx, open);
    let before = key_end.checked_sub(1).and_then(|i| ctx.get(i)).copied();
    if bracket == b'{' && matches!(before, Some(b',') | Some(b'[')) {
        // An object inside a list: the list's key decides (`"screenshots": [{"id": …}]`).
        let Some(list) = enclosing_open(ctx, open, floor) else {
            return Label::Unknown;
        };
        if ctx.get(list) != Some(&b'[') {
            return Label::Unknown;
        }
        return key_label(ctx, list);
    }
    key_label(ctx, open)
}

fn key_label(ctx: &[u8], open: usize) -> Label {
    match label_before(ctx, open) {
        Some((Label::Neutral, _)) | None => Label::Unknown,
        Some((l, _)) => l,
    }
}

fn skip_ws(ctx: &[u8], pos: usize) -> usize {
    let mut i = pos;
    while i > 0 && ctx.get(i - 1).is_some_and(|b| b.is_ascii_whitespace()) {
        i -= 1;
    }
    i
}

/// The innermost unclosed `{` or `[` before `pos`, not looking below `floor`.
fn enclosing_open(ctx: &[u8], pos: usize, floor: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = pos;
    while i > floor {
        i -= 1;
        match ctx.get(i) {
            Some(b'}') | Some(b']') => depth += 1,
            Some(b'{') | Some(b'[') => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Keys only a bot object has: a document that opens with `{` and names one
/// of them in its first [`LOOKBACK`] bytes is a bot (Retrieve Bot) or a page
/// of bots (List Bots). Deciding on the first window keeps a streaming scan
/// equal to a whole-text one.
/// (`meeting_url` is not one: calendar events carry it too, and say so.)
const BOT_KEYS: [&[u8]; 2] = [b"\"status_changes\"", b"\"bot_name\""];
const NOT_BOT_KEYS: [&[u8]; 2] = [b"\"calendar_id\"", b"\"ical_uid\""];

pub(crate) fn is_bot_document(doc: &[u8]) -> bool {
    let head = doc.get(..doc.len().min(LOOKBACK)).unwrap_or_default();
    let starts_object = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    let has = |k: &&[u8]| memchr::memmem::find(head, k).is_some();
    starts_object && BOT_KEYS.iter().any(has) && !NOT_BOT_KEYS.iter().any(has)
}

/// The `id` key starting at `key` sits in the document's root object, or in
/// an object directly inside the root's `results` list.
fn is_top_level_item(ctx: &[u8], key: usize) -> bool {
    let root = |open: usize| {
        ctx.get(..open)
            .is_some_and(|b| b.iter().all(u8::is_ascii_whitespace))
    };
    let Some(open) = enclosing_open(ctx, key, 0) else {
        return false;
    };
    if root(open) {
        return true;
    }
    let Some(list) = enclosing_open(ctx, open, 0).filter(|&l| ctx.get(l) == Some(&b'[')) else {
        return false;
    };
    let results = label_before(ctx, list)
        .and_then(|(_, start)| ctx.get(start..skip_seps(ctx, list, MAX_SEP)))
        .is_some_and(|l| l == b"results");
    results && enclosing_open(ctx, list, 0).is_some_and(root)
}

use super::table::column_label;
pub(crate) use super::table::Header;

/// The classification context of one UUID occurrence.
pub(crate) struct Ctx<'a> {
    /// Bytes before the UUID (at most [`LOOKBACK`]), ending right before it.
    pub before: &'a [u8],
    /// `before` starts at the start of the document.
    pub at_doc_start: bool,
    /// The document's CSV/TSV header, if it has one.
    pub header: Option<&'a Header>,
    /// The document is a bot object or a page of them (see [`is_bot_document`]).
    pub bot_document: bool,
    /// The previous UUID in the document: bytes from its end to this one, and its class, when
    /// that gap lies within `before`.
    pub prev: Option<(&'a [u8], Option<Seen>)>,
}

/// Classify an occurrence. `None` means no evidence: a candidate, unless a caller-supplied
/// default (an attribute name) says more.
pub(crate) fn classify(cx: &Ctx<'_>) -> Option<Seen> {
    let b = cx.before;
    let pos = b.len();
    // 1. A path: `/bot/<id>`, `/recordings/<id>`.
    if b.last() == Some(&b'/') {
        let seg_end = pos - 1;
        let mut s = seg_end;
        while s > 0 && seg_end - s < MAX_LABEL && b.get(s - 1).is_some_and(|&c| is_label_byte(c)) {
            s -= 1;
        }
        match classify_segment(b.get(s..seg_end).unwrap_or_default()) {
            Label::Bot => return Some(Seen::Bot),
            Label::Other => return Some(Seen::Other),
            _ => {}
        }
    }
    // 2. A label: `"bot_id": "`, `recording_id=`, `Bot ID:`, `bot-`, `"id": ` in a `bot` object.
    if let Some((label, start)) = label_before(b, pos) {
        match label {
            Label::Bot => return Some(Seen::Bot),
            Label::Other => return Some(Seen::Other),
            Label::Neutral => match container_label(b, start) {
                Label::Bot => return Some(Seen::Bot),
                Label::Other => return Some(Seen::Other),
                // A Retrieve Bot answer's own `id`, or a List Bots item's.
                _ if cx.bot_document && cx.at_doc_start && is_top_level_item(b, start) => {
                    return Some(Seen::Bot)
                }
                _ => {}
            },
            Label::Unknown => {}
        }
    }
    // A typed declaration: `const botId: string = "…"`, `BOT_ID: &str = "…"`.
    if let Some((Label::Unknown, start)) = label_before(b, pos) {
        let mut i = start;
        while i > 0 && b.get(i - 1).is_some_and(|&c| c == b' ' || c == b'&') {
            i -= 1;
        }
        if i > 0 && b.get(i - 1) == Some(&b':') {
            match label_before(b, i - 1) {
                Some((Label::Bot, _)) => return Some(Seen::Bot),
                Some((Label::Other, _)) => return Some(Seen::Other),
                _ => {}
            }
        }
    }
    // 3. A table column: Markdown table header or the CSV/TSV header line.
    match column_label(cx) {
        Label::Bot => return Some(Seen::Bot),
        Label::Other => return Some(Seen::Other),
        _ => {}
    }
    // 4. The next item of a list: `"bot_ids": ["…", "…"]`, `bots X, Y and Z`.
    if let Some((gap, class)) = cx.prev {
        if is_list_gap(gap) {
            return class;
        }
    }
    None
}

fn is_list_gap(gap: &[u8]) -> bool {
    if gap.len() > MAX_LIST_GAP {
        return false;
    }
    let mut joined = false;
    let mut word = [0u8; 3];
    let mut wlen = 0;
    for &c in gap {
        match c {
            b',' | b';' => joined = true,
            b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'`' => {}
            c if c.is_ascii_alphabetic() && wlen < word.len() => {
                if let Some(slot) = word.get_mut(wlen) {
                    *slot = c.to_ascii_lowercase();
                }
                wlen += 1;
            }
            _ => return false,
        }
    }
    match word.get(..wlen) {
        Some(b"and") | Some(b"or") => true,
        Some(b"") => joined,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(classify_label(b"bot_id"), Label::Bot);
        assert_eq!(classify_label(b"botId"), Label::Bot);
        assert_eq!(classify_label(b"BotID"), Label::Bot);
        assert_eq!(classify_label(b"data-bot-id"), Label::Bot);
        assert_eq!(classify_label(b"bot_ids"), Label::Bot);
        assert_eq!(classify_label(b"bot"), Label::Bot);
        assert_eq!(classify_label(b"recording_id"), Label::Other);
        assert_eq!(classify_label(b"recordingId"), Label::Other);
        assert_eq!(classify_label(b"request_id"), Label::Other);
        assert_eq!(classify_label(b"recording"), Label::Other);
        assert_eq!(classify_label(b"video_mixed"), Label::Other);
        assert_eq!(classify_label(b"id"), Label::Neutral);
        assert_eq!(classify_label(b"ID"), Label::Neutral);
        assert_eq!(classify_label(b"said"), Label::Unknown);
        assert_eq!(classify_label(b"results"), Label::Unknown);
        assert_eq!(classify_label(b""), Label::Unknown);
        assert_eq!(classify_label(b"_workspace-"), Label::Other);
    }

    #[test]
    fn list_gaps() {
        assert!(is_list_gap(b"\", \""));
        assert!(is_list_gap(b" and "));
        assert!(is_list_gap(b",\n    "));
        assert!(!is_list_gap(b" "));
        assert!(!is_list_gap(b" then "));
        assert!(!is_list_gap(b" | "));
    }
}
