//! The evidence file: one HTML page holding what was known about a bot when
//! it was saved — the diagnosis, the timeline, the logs, the screenshots and
//! the bot's JSON. Recall deletes screenshots and logs after about a week and
//! its signed links expire within hours, so the page carries everything
//! itself: images as `data:` URIs, its style inline, and a Content Security
//! Policy that lets it load nothing at all when opened.
//!
//! Everything a document said is HTML-escaped; secrets are taken out the way
//! the rest of botlens takes them out (meeting passwords and signed links by
//! [`trim`], query strings and tokens in free text by [`report::redact`]).
//! Pure: the caller fetches, reads the clock and writes the file.

pub mod keep;

use serde_json::Value;

use super::{report, Diagnosis, Evidence, NoteLevel, Verdict};
use crate::recall::model::Logs;
use crate::recall::time::{human_duration, Timestamp};
use crate::recall::trim;

/// Nothing from the network: images only from `data:`, style only inline.
pub const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/// Image types a browser shows from a `data:` URI in an `<img>` (where SVG
/// runs no script and loads nothing).
const IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/svg+xml",
];

/// At most this many log lines are written (Recall keeps far fewer per bot).
const MAX_LOG_ROWS: usize = 5000;

/// What replaces a signed link in the bot's JSON.
const SIGNED_LINK: &str = "[signed link left out]";

/// One screenshot, already fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub bytes: Vec<u8>,
    /// As the server said it (`image/png`, `image/svg+xml; charset=utf-8`…).
    pub content_type: String,
    pub taken_at: Option<Timestamp>,
}

/// Everything the page is made from.
pub struct Archive<'a> {
    pub diagnosis: &'a Diagnosis,
    /// The bot as Recall answered it, or the file it was read from.
    pub document: &'a str,
    pub logs: Option<&'a Logs>,
    pub images: &'a [Image],
    /// What could not be kept, in a sentence each (shown at the end).
    pub left_out: &'a [String],
    pub saved_at: Timestamp,
}

/// `content_type` as an image type the page can embed, else `None`.
pub fn image_type(content_type: &str) -> Option<&'static str> {
    let bare = content_type.split(';').next().unwrap_or_default().trim();
    IMAGE_TYPES
        .iter()
        .copied()
        .find(|t| t.eq_ignore_ascii_case(bare))
}

/// The page.
pub fn html(a: &Archive<'_>) -> String {
    let d = a.diagnosis;
    let mut o = String::with_capacity(
        64 * 1024
            + a.images
                .iter()
                .map(|i| i.bytes.len() * 4 / 3)
                .sum::<usize>(),
    );
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
    ));
    o.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    o.push_str(&format!(
        "<title>{} — bot {} — botlens evidence</title>\n",
        esc(d.verdict.label()),
        esc(&d.bot_id)
    ));
    o.push_str(&format!(
        "<style>\n{}</style>\n</head>\n<body>\n",
        include_str!("page.css")
    ));
    let document = Document::read(a.document);
    header(&mut o, a);
    facts(&mut o, d, document.meeting.as_deref());
    story(&mut o, d);
    settings(&mut o, d);
    timeline(&mut o, d);
    notes(&mut o, d);
    screenshots(&mut o, d, a.images);
    logs(&mut o, a.logs);
    links(&mut o, d);
    section(&mut o, "document", "Bot JSON");
    o.push_str("<p class=\"muted\">Meeting passwords and token endpoints taken out, signed links left out, query strings of other links cut.</p>\n");
    o.push_str(&format!("<pre>{}</pre>\n", esc(&document.text)));
    section(&mut o, "report", "Markdown report");
    o.push_str("<p class=\"muted\">The same diagnosis, to paste into a ticket.</p>\n");
    o.push_str(&format!("<pre>{}</pre>\n", esc(&report::markdown(d))));
    footer(&mut o, a);
    o.push_str("</body>\n</html>\n");
    o
}

/// `text` safe as HTML text and inside a double- or single-quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648), for the `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digit = |n: u32| char::from(DIGITS[(n & 63) as usize]);
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        out.push(digit(n >> 18));
        out.push(digit(n >> 12));
        out.push(if chunk.len() > 1 { digit(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { digit(n) } else { '=' });
    }
    out
}

/// The document as shown: secrets out, pretty printed; and its meeting link.
struct Document {
    text: String,
    meeting: Option<String>,
}

impl Document {
    fn read(raw: &str) -> Document {
        // One JSON value, or several (a webhook log, one event a line).
        let values: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(raw)
            .into_iter::<Value>()
            .collect();
        match values {
            Ok(values) if !values.is_empty() => {
                let clean: Vec<Value> = values.iter().map(clean).collect();
                let text = clean
                    .iter()
                    .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                let meeting = clean.iter().find_map(meeting_link);
                Document { text, meeting }
            }
            // Not JSON (an error page): shown as text, free-text secrets masked.
            _ => Document {
                text: raw
                    .lines()
                    .map(report::redact)
                    .collect::<Vec<_>>()
                    .join("\n"),
                meeting: None,
            },
        }
    }
}

/// `value` with what the proxy never hands out taken out, and every string
/// masked as a report masks free text.
fn clean(value: &Value) -> Value {
    let trimmed = serde_json::to_string(value)
        .ok()
        .and_then(|s| trim::for_card(&s, &|_| SIGNED_LINK.to_string()).ok())
        .and_then(|s| serde_json::from_str(&s).ok());
    let mut v = trimmed.unwrap_or(Value::Null);
    mask_strings(&mut v);
    v
}

fn mask_strings(value: &mut Value) {
    match value {
        Value::String(s) => *s = report::redact(s),
        Value::Array(items) => items.iter_mut().for_each(mask_strings),
        Value::Object(map) => map.values_mut().for_each(mask_strings),
        _ => {}
    }
}

/// The first `meeting_url` in a cleaned document: a link (its query already
/// cut), or the meeting ID of Recall's structured form.
fn meeting_link(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => match map.get("meeting_url") {
            Some(Value::String(link)) => Some(link.clone()),
            Some(Value::Object(m)) => {
                let id = m.get("meeting_id").and_then(Value::as_str)?;
                Some(format!("meeting ID {id}"))
            }
            _ => map.values().find_map(meeting_link),
        },
        Value::Array(items) => items.iter().find_map(meeting_link),
        _ => None,
    }
}

fn section(o: &mut String, id: &str, title: &str) {
    o.push_str(&format!("<h2 id=\"{id}\">{}</h2>\n", esc(title)));
}

fn header(o: &mut String, a: &Archive<'_>) {
    let d = a.diagnosis;
    o.push_str("<header>\n");
    o.push_str(&format!(
        "<p class=\"meta\">botlens evidence · saved {} · botlens version {}</p>\n",
        a.saved_at.human(),
        env!("CARGO_PKG_VERSION")
    ));
    o.push_str(&format!(
        "<h1><span class=\"verdict v-{}\">{}</span> {}</h1>\n",
        d.verdict.as_str(),
        esc(d.verdict.label()),
        esc(&d.title)
    ));
    if let Some(r) = &d.reason {
        let unknown = if d.reason_known {
            ""
        } else {
            " (not in botlens's catalog yet)"
        };
        o.push_str(&format!(
            "<p>Reason: <code>{}</code>{unknown}</p>\n",
            esc(r)
        ));
    }
    o.push_str("</header>\n");
}

fn row(o: &mut String, key: &str, value_html: &str) {
    o.push_str(&format!("<tr><th>{key}</th><td>{value_html}</td></tr>\n"));
}

fn facts(o: &mut String, d: &Diagnosis, meeting: Option<&str>) {
    section(o, "bot", "The bot");
    o.push_str("<table class=\"facts\">\n");
    row(o, "Bot ID", &format!("<code>{}</code>", esc(&d.bot_id)));
    if let Some(n) = &d.bot_name {
        row(o, "Bot name", &esc(n));
    }
    let mut platform = esc(&d.platform_name);
    if let Some(raw) = &d.platform {
        platform.push_str(&format!(" (<code>{}</code>)", esc(raw)));
    }
    row(o, "Platform", &platform);
    if let Some(t) = &d.meeting_title {
        row(o, "Meeting", &esc(t));
    }
    if let Some(m) = meeting {
        row(
            o,
            "Meeting link",
            &format!("<span class=\"mono\">{}</span>", esc(m)),
        );
    }
    if !d.participants.is_empty() {
        row(o, "Participants", &esc(&d.participants.join(", ")));
    }
    if !d.metadata.is_empty() {
        let pairs: Vec<String> = d
            .metadata
            .iter()
            .map(|f| format!("{} = {}", esc(&f.key), esc(&f.value)))
            .collect();
        row(o, "Metadata", &pairs.join("<br>"));
    }
    let assumed = if d.region_assumed {
        " (assumed, not confirmed)"
    } else {
        ""
    };
    row(o, "Region", &format!("{}{assumed}", esc(&d.region)));
    let status = match (&d.status, d.status_at) {
        (Some(s), Some(at)) => format!("<code>{}</code> since {}", esc(s), at.human()),
        (Some(s), None) => format!("<code>{}</code>", esc(s)),
        (None, _) => "none yet".to_string(),
    };
    row(o, "Status", &status);
    let source = match d.evidence {
        Evidence::Live => "the bot as Recall answered when this file was saved",
        Evidence::Saved => "a saved copy, not the bot at saving time",
        Evidence::OneEvent => "one status event, not the bot's history",
        Evidence::Events => "status events (a webhook log), not the bot at saving time",
    };
    row(o, "Source", source);
    if let Some(p) = d.whose_move.filter(|_| d.verdict != Verdict::Healthy) {
        row(o, "Whose move", p.label());
    }
    if let Some(c) = d.category {
        row(o, "Cause lies with", c.label());
    }
    if matches!(d.verdict, Verdict::Failed | Verdict::Warning) {
        row(
            o,
            "Retry may help",
            if d.retry_may_help { "yes" } else { "no" },
        );
    }
    let m = &d.media;
    let mut media = format!(
        "recording {} · transcript {}",
        m.recording.label(),
        m.transcript.label()
    );
    if let Some(e) = m.expires_at {
        media.push_str(&format!(" · deleted by Recall after {}", e.human()));
    }
    row(o, "Media", &media);
    o.push_str("</table>\n");
}

fn story(o: &mut String, d: &Diagnosis) {
    section(o, "what-happened", "What happened");
    o.push_str(&format!(
        "<p><strong>{}</strong></p>\n<p>{}</p>\n",
        esc(&d.title),
        esc(&d.explanation)
    ));
    if let Some(c) = &d.detail {
        o.push_str(&format!(
            "<p>Underlying cause: <code>{}</code> — {}. {}</p>\n",
            esc(&c.code),
            esc(&c.title),
            esc(&c.explanation)
        ));
    }
    section(o, "what-to-do", "What to do");
    o.push_str(&format!("<p>{}</p>\n", esc(&d.remedy)));
    if let Some(c) = d
        .detail
        .as_ref()
        .filter(|c| c.category != Some(super::Category::Normal))
    {
        o.push_str(&format!(
            "<p>For <code>{}</code>: {}</p>\n",
            esc(&c.code),
            esc(&c.remedy)
        ));
    }
}

fn settings(o: &mut String, d: &Diagnosis) {
    if !d.settings.is_empty() {
        section(o, "settings", "Settings against what happened");
        o.push_str("<table>\n<tr><th>Setting</th><th>Value</th><th>What happened</th></tr>\n");
        for s in &d.settings {
            o.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}{}</td></tr>\n",
                esc(&s.name),
                esc(&report::setting_value(s)),
                esc(&s.happened),
                if s.ended_it {
                    " <strong>(why the bot left)</strong>"
                } else {
                    ""
                }
            ));
        }
        o.push_str("</table>\n");
    }
}

fn timeline(o: &mut String, d: &Diagnosis) {
    if !d.timeline.is_empty() {
        section(o, "timeline", "Timeline (UTC)");
        o.push_str("<table>\n<tr><th>Time</th><th>Status</th><th>Sub code</th><th>Lasted</th><th>Meaning</th></tr>\n");
        for t in &d.timeline {
            let sub = t
                .sub_code
                .as_deref()
                .map(|s| format!("<code>{}</code>", esc(s)))
                .unwrap_or_default();
            o.push_str(&format!(
                "<tr><td class=\"time\">{}</td><td><code>{}</code></td><td>{sub}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                when(t.at),
                esc(&t.code),
                t.seconds.map(human_duration).unwrap_or_default(),
                esc(&t.label)
            ));
        }
        o.push_str("</table>\n");
    }
    if !d.phases.is_empty() {
        section(o, "phases", "Time in each phase");
        o.push_str("<table>\n<tr><th>Phase</th><th>From</th><th>Until</th><th>Time</th></tr>\n");
        for p in &d.phases {
            let time = p.seconds.map_or_else(|| "?".to_string(), human_duration);
            let until = if p.ongoing {
                "ongoing".to_string()
            } else {
                when(p.end)
            };
            o.push_str(&format!(
                "<tr><td>{}</td><td class=\"time\">{}</td><td class=\"time\">{until}</td><td class=\"num\">{time}</td></tr>\n",
                esc(&p.label),
                when(p.start)
            ));
        }
        o.push_str("</table>\n");
    }
}

/// A time as `2025-08-21 11:00:04` (the headings say UTC).
fn when(at: Option<Timestamp>) -> String {
    at.map_or_else(
        || "?".to_string(),
        |a| a.human().trim_end_matches(" UTC").to_string(),
    )
}

fn notes(o: &mut String, d: &Diagnosis) {
    if d.notes.is_empty() {
        return;
    }
    section(o, "notes", "Notable logs and patterns");
    o.push_str("<ul class=\"notes\">\n");
    for n in &d.notes {
        let class = match n.level {
            NoteLevel::Error => "note-error",
            NoteLevel::Warning => "note-warning",
            NoteLevel::Info => "",
        };
        let at = n.at.map(|a| format!(" {}", a.clock())).unwrap_or_default();
        o.push_str(&format!(
            "<li><span class=\"{class}\">{}</span>{at} <strong>{}</strong>: {}",
            n.level.label(),
            esc(&n.title),
            esc(&n.text)
        ));
        if let Some(m) = &n.message {
            o.push_str(&format!("<br><code>{}</code>", esc(&report::redact(m))));
        }
        o.push_str("</li>\n");
    }
    o.push_str("</ul>\n");
}

fn screenshots(o: &mut String, d: &Diagnosis, images: &[Image]) {
    let shown: Vec<(&Image, &'static str)> = images
        .iter()
        .filter_map(|i| Some((i, image_type(&i.content_type)?)))
        .collect();
    if shown.is_empty() {
        return;
    }
    section(o, "screenshots", "Screenshots");
    o.push_str("<div class=\"shots\">\n");
    for (image, kind) in shown {
        let at = image
            .taken_at
            .map_or_else(|| "time unknown".to_string(), Timestamp::human);
        // Placed on the timeline as the diagnosis places screenshots: the last
        // status at or before it.
        let during = image
            .taken_at
            .and_then(|taken| {
                d.timeline
                    .iter()
                    .rev()
                    .find(|t| t.at.is_some_and(|at| at <= taken))
            })
            .map(|t| format!(" · during: {}", esc(&t.label)))
            .unwrap_or_default();
        o.push_str(&format!(
            "<figure><img src=\"data:{kind};base64,{}\" alt=\"Screenshot taken {at}\"><figcaption>{at}{during}</figcaption></figure>\n",
            base64(&image.bytes)
        ));
    }
    o.push_str("</div>\n");
}

fn logs(o: &mut String, logs: Option<&Logs>) {
    let Some(logs) = logs.filter(|l| !l.items.is_empty()) else {
        return;
    };
    section(o, "logs", "Bot logs (UTC)");
    o.push_str("<p class=\"muted\">Query strings of links and token-like words are masked.</p>\n");
    o.push_str("<table>\n<tr><th>Time</th><th>Level</th><th>Message</th></tr>\n");
    for entry in logs.items.iter().take(MAX_LOG_ROWS) {
        let level = entry.level.as_str();
        o.push_str(&format!(
            "<tr class=\"l-{}\"><td class=\"time\">{}</td><td class=\"lvl\">{}</td><td class=\"msg mono\">{}</td></tr>\n",
            if entry.level.is_known() { level } else { "other" },
            when(entry.created_at),
            esc(level),
            esc(&report::redact(entry.message.as_deref().unwrap_or("")))
        ));
    }
    o.push_str("</table>\n");
    if logs.items.len() > MAX_LOG_ROWS {
        o.push_str(&format!(
            "<p class=\"muted\">{} more lines are not in this file.</p>\n",
            logs.items.len() - MAX_LOG_ROWS
        ));
    }
}

fn links(o: &mut String, d: &Diagnosis) {
    section(o, "links", "Links");
    o.push_str("<ul>\n");
    o.push_str(&format!(
        "<li>Recall Explorer: {}</li>\n",
        link(&d.explorer_url)
    ));
    if let Some(u) = &d.docs_url {
        o.push_str(&format!("<li>Recall docs: {}</li>\n", link(u)));
    }
    o.push_str("</ul>\n");
}

/// A link the reader may follow (never loaded by the page); anything but
/// https is written as text.
fn link(url: &str) -> String {
    if url.starts_with("https://") {
        format!(
            "<a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a>",
            esc(url)
        )
    } else {
        format!("<span class=\"mono\">{}</span>", esc(url))
    }
}

fn footer(o: &mut String, a: &Archive<'_>) {
    o.push_str("<footer>\n");
    if !a.left_out.is_empty() {
        o.push_str("<p><strong>Not in this file:</strong></p>\n<ul>\n");
        for line in a.left_out {
            o.push_str(&format!("<li>{}</li>\n", esc(line)));
        }
        o.push_str("</ul>\n");
    }
    o.push_str(&format!(
        "<p>Saved by botlens version {} at {}. Recall deletes screenshots and logs after about a week; this file keeps what there was when it was saved, and opens without a network.</p>\n",
        env!("CARGO_PKG_VERSION"),
        a.saved_at.human()
    ));
    o.push_str("</footer>\n");
}

#[cfg(test)]
mod tests;
