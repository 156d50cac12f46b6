//! A Markdown debug report to paste into a support ticket.
//!
//! It carries the bot ID, region, platform, verdict, reason, what happened,
//! what to do, the timeline, notable logs and links. It never carries a
//! secret: signed download and screenshot links are left out (they grant
//! access to the media), query strings of any URL in a log line are cut,
//! and long token-like strings are masked.

use super::document::Bots;
use super::{Diagnosis, Evidence, Verdict};
use crate::recall::time::human_duration;

/// The diagnosis as Markdown.
pub fn markdown(d: &Diagnosis) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "## Recall bot `{}`: {}\n\n",
        cell(&d.bot_id),
        d.verdict.label()
    ));
    o.push_str("| | |\n|---|---|\n");
    row(&mut o, "Bot ID", &format!("`{}`", cell(&d.bot_id)));
    if let Some(n) = &d.bot_name {
        // Names and titles are set by whoever made the bot or the meeting: text, never Markdown.
        row(&mut o, "Bot name", &plain(n));
    }
    let region = if d.region_assumed {
        format!("{} (assumed, not confirmed)", d.region)
    } else {
        d.region.clone()
    };
    row(&mut o, "Region", &region);
    let mut platform = cell(&d.platform_name);
    if let Some(raw) = &d.platform {
        platform.push_str(&format!(" (`{}`)", cell(raw)));
    }
    row(&mut o, "Platform", &platform);
    if let Some(t) = &d.meeting_title {
        row(&mut o, "Meeting", &plain(t));
    }
    if !d.participants.is_empty() {
        row(&mut o, "Participants", &plain(&d.participants.join(", ")));
    }
    if !d.metadata.is_empty() {
        let pairs: Vec<String> = d
            .metadata
            .iter()
            .map(|f| format!("{} = {}", plain(&f.key), plain(&f.value)))
            .collect();
        row(&mut o, "Metadata", &pairs.join("; "));
    }
    row(&mut o, "Verdict", &format!("**{}**", d.verdict.label()));
    if let Some(r) = &d.reason {
        let unknown = if d.reason_known {
            ""
        } else {
            " (not in the botlens catalog yet)"
        };
        row(&mut o, "Reason", &format!("`{}`{unknown}", cell(r)));
    }
    let status = match (&d.status, d.status_at) {
        (Some(s), Some(at)) => format!("`{}` since {}", cell(s), at.human()),
        (Some(s), None) => format!("`{}`", cell(s)),
        (None, _) => "none yet".to_string(),
    };
    match d.evidence {
        Evidence::Live => row(&mut o, "Current status", &status),
        Evidence::Saved => {
            row(&mut o, "Last status seen", &status);
            row(&mut o, "Source", "a saved copy, not the bot now");
        }
        Evidence::Events => {
            row(&mut o, "Last status seen", &status);
            row(
                &mut o,
                "Source",
                "status events (a webhook log), not the bot now",
            );
        }
        Evidence::OneEvent => {
            row(&mut o, "Status in the event", &status);
            row(&mut o, "Source", "one status event, not the bot's history");
        }
    }
    if let Some(c) = d.category {
        row(&mut o, "Cause lies with", c.label());
    }
    if let Some(p) = d.whose_move {
        row(&mut o, "Whose move", p.label());
    }
    if matches!(d.verdict, Verdict::Failed | Verdict::Warning) {
        row(
            &mut o,
            "Retry may help",
            if d.retry_may_help { "yes" } else { "no" },
        );
    }
    let shape = match d.api_shape {
        crate::recall::model::ApiShape::V1_11 => "v1.11",
        crate::recall::model::ApiShape::V1_10 => "v1.10 (legacy)",
    };
    row(&mut o, "API shape", shape);

    o.push_str(&format!(
        "\n### What happened\n\n**{}**\n\n{}\n",
        plain(&d.title),
        redact(&d.explanation)
    ));
    if let Some(c) = &d.detail {
        let unknown = if c.known {
            ""
        } else {
            " (not in the botlens catalog yet)"
        };
        o.push_str(&format!(
            "\nUnderlying cause: `{}`{unknown}: {}. {}\n",
            c.code, c.title, c.explanation
        ));
    }
    o.push_str(&format!("\n### What to do\n\n{}\n", d.remedy));
    if let Some(c) = d
        .detail
        .as_ref()
        .filter(|c| c.category != Some(super::Category::Normal))
    {
        o.push_str(&format!("\nFor `{}`: {}\n", c.code, c.remedy));
    }

    if !d.settings.is_empty() {
        o.push_str("\n### Settings against what happened\n\n");
        for s in &d.settings {
            o.push_str(&format!(
                "- `{}` {}: {}{}\n",
                cell(&s.name),
                setting_value(s),
                s.happened,
                if s.ended_it {
                    " **(why the bot left)**"
                } else {
                    ""
                }
            ));
        }
    }

    if !d.timeline.is_empty() {
        o.push_str("\n### Timeline (UTC)\n\n| Time | Status | Sub code | Lasted | Meaning |\n|---|---|---|---|---|\n");
        for t in &d.timeline {
            let at = t.at.map_or_else(|| "?".to_string(), |a| a.human());
            let sub = t
                .sub_code
                .as_deref()
                .map(|s| format!("`{}`", cell(s)))
                .unwrap_or_default();
            let lasted = t.seconds.map(human_duration).unwrap_or_default();
            o.push_str(&format!(
                "| {at} | `{}` | {sub} | {lasted} | {} |\n",
                cell(&t.code),
                cell(&t.label)
            ));
        }
    }
    if !d.phases.is_empty() {
        o.push_str("\n### Time spent\n\n| Phase | Time |\n|---|---|\n");
        for p in &d.phases {
            let t = p.seconds.map_or_else(|| "?".to_string(), human_duration);
            let ongoing = if p.ongoing { " (ongoing)" } else { "" };
            o.push_str(&format!("| {} | {t}{ongoing} |\n", p.label));
        }
    }
    if !d.notes.is_empty() {
        o.push_str("\n### Notable logs and patterns\n\n");
        for n in &d.notes {
            let at = n.at.map(|a| format!(" {}", a.clock())).unwrap_or_default();
            o.push_str(&format!(
                "- **{}**{at} {}: {}\n",
                n.level.label(),
                n.title,
                n.text
            ));
            if let Some(m) = &n.message {
                o.push_str(&format!("  `{}`\n", redact(m).replace('`', "'")));
            }
        }
    }
    let m = &d.media;
    o.push_str("\n### Media\n\n");
    o.push_str(&format!("- Recording: {}", m.recording.label()));
    if let Some(id) = &m.recording_id {
        o.push_str(&format!(" (recording `{}`)", cell(id)));
    }
    o.push('\n');
    o.push_str(&format!("- Transcript: {}\n", m.transcript.label()));
    if let Some(e) = m.expires_at {
        o.push_str(&format!("- Media is deleted after {}\n", e.human()));
    }
    if !d.screenshots.is_empty() {
        let times: Vec<String> = d
            .screenshots
            .iter()
            .map(|s| {
                let at = s.recorded_at.map_or_else(|| "?".into(), |a| a.clock());
                match &s.status {
                    Some(st) => format!("{at} ({st})"),
                    None => at,
                }
            })
            .collect();
        o.push_str(&format!(
            "- Screenshots: {} — {}\n",
            d.screenshots.len(),
            times.join(", ")
        ));
    }
    o.push_str("- Download and screenshot links are signed, so they are left out; open the Explorer to see them.\n");
    o.push_str(&format!("\n### Links\n\n- Explorer: {}\n", d.explorer_url));
    if let Some(u) = &d.docs_url {
        o.push_str(&format!("- Recall docs: {u}\n"));
    }
    o.push_str("\n_Report by botlens. Times are UTC._\n");
    o
}

/// A list page as one Markdown table: each bot's verdict, reason and title.
pub fn page_markdown(page: &Bots) -> String {
    let mut o = format!("## {} Recall bots\n\n", page.bots.len());
    o.push_str("| Bot | Verdict | Reason | What happened |\n|---|---|---|---|\n");
    for d in &page.bots {
        o.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            cell(&d.bot_id),
            d.verdict.label(),
            d.reason
                .as_deref()
                .map_or_else(String::new, |r| format!("`{}`", cell(r))),
            plain(&d.title)
        ));
    }
    if page.more {
        o.push_str("\nThe page says more bots follow (`next`).\n");
    }
    o
}

/// A setting's value in words: `1200 s (20m 00s)`, or its moment in UTC.
pub fn setting_value(s: &super::Setting) -> String {
    match s.at {
        Some(at) => at.human(),
        None => s.value.clone(),
    }
}

fn row(o: &mut String, key: &str, value: &str) {
    o.push_str(&format!("| {key} | {value} |\n"));
}

/// Safe inside a table cell or inline code: no pipe, backtick or line break.
pub(super) fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
}

/// Text from outside as Markdown that renders as the same text: secrets
/// masked, every character Markdown or HTML would act on escaped, one line,
/// and no link either — GitHub-flavoured Markdown turns a bare `https://…`,
/// `www.…` or e-mail address into one, so those are broken up by escapes
/// that render as nothing.
pub fn plain(text: &str) -> String {
    let text = redact(text);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&' | '@' => {
                out.push('\\');
                out.push(c);
            }
            ':' if rest.starts_with("://") => {
                out.push_str(r":\/");
                rest = &rest[1..]; // the first '/' is written escaped
            }
            '.' if out.to_ascii_lowercase().ends_with("www") => out.push_str(r"\."),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Mask what could be a secret in free text (log lines come from outside).
pub fn redact(text: &str) -> String {
    let mut out = Vec::new();
    for word in text.split(' ') {
        let lower = word.to_ascii_lowercase();
        let masked = if word.contains("://") {
            match word.find('?') {
                Some(i) => format!("{}?[redacted]", word.get(..i).unwrap_or_default()),
                None => word.to_string(),
            }
        } else if [
            "token=",
            "signature=",
            "key=",
            "secret=",
            "password=",
            "pwd=",
        ]
        .iter()
        .any(|k| lower.contains(k))
        {
            match word.find('=') {
                Some(i) => format!("{}=[redacted]", word.get(..i).unwrap_or_default()),
                None => "[redacted]".to_string(),
            }
        } else if looks_like_token(word) {
            "[redacted]".to_string()
        } else {
            word.to_string()
        };
        out.push(masked);
    }
    out.join(" ")
}

/// 32+ characters of letters/digits with both kinds present and no dashes in
/// UUID positions: API keys and tokens, not bot IDs or words.
fn looks_like_token(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    w.len() >= 32
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+' || c == '/')
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars().any(|c| c.is_ascii_alphabetic())
}

/// Who must act on a bot that did not go well, and the words to send them
/// (the host, the Zoom account's admin, the team's own configuration):
/// what happened, why, what would fix it, and Recall's code to quote.
pub fn message_for(d: &Diagnosis) -> Option<(String, String)> {
    let who = d.whose_move.filter(|_| d.verdict != Verdict::Healthy)?;
    let name = d
        .bot_name
        .as_deref()
        .map(|n| format!(", \"{n}\""))
        .unwrap_or_default();
    let mut text = format!(
        "Our meeting bot ({}{name}): {}\n\n{}",
        d.bot_id, d.title, d.explanation
    );
    if !d.remedy.is_empty() {
        text.push_str(&format!("\n\nWhat would fix it: {}", d.remedy));
    }
    if let Some(reason) = &d.reason {
        text.push_str(&format!("\n\n(Recall's code: {reason}.)"));
    }
    Some((who.label().to_string(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_stays_text_in_markdown() {
        assert_eq!(
            plain("<img src=x> **b** [l](j:x) `c` | d\nnext"),
            r"\<img src=x\> \*\*b\*\* \[l\](j:x) \`c\` \| d next"
        );
    }

    #[test]
    fn a_meeting_organisers_words_paste_as_text() {
        let bot: crate::recall::model::Bot = serde_json::from_str(
            r#"{"id": "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
                "bot_name": "Notes ![x](https://evil.example/track.png) www.evil.example",
                "meeting_metadata": {"title": "<img src=https://evil.example/p.png> [click](https://evil.example)"},
                "video_url": "https://example.com/v.mp4",
                "status_changes": [{"code": "done", "created_at": "2024-01-01T00:00:00Z"}]}"#,
        )
        .unwrap();
        let md = markdown(&crate::diagnose::diagnose(&bot, None, None, None, None));
        // Escaped, a character is shown as it is: take the escaped ones out, then look.
        let unescaped = md.replace("\\<", "").replace("\\[", "").replace("\\!", "");
        for live in ["![x](", "<img", "[click](", "https://evil", "www.evil"] {
            assert!(
                !unescaped.contains(live),
                "{live} is live Markdown or HTML in:\n{md}"
            );
        }
        assert!(md.contains(r"\!\[x\]"), "{md}");
        assert!(md.contains(r"https:\//evil.example/p.png"), "{md}");
    }

    #[test]
    fn redaction_masks_secrets_not_ids() {
        let r = redact("GET https://x.s3.amazonaws.com/a.mp4?X-Amz-Signature=abc failed; Authorization: Token 0123456789abcdef0123456789abcdef01234567");
        assert!(!r.contains("Signature=abc"));
        assert!(r.contains("failed"));
        assert!(!r.contains("0123456789abcdef0123456789abcdef01234567"));
        assert!(redact("bot 4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e left")
            .contains("4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e"));
        assert_eq!(redact("api_key=sk_live_1"), "api_key=[redacted]");
    }

    #[test]
    fn the_message_names_what_happened_why_and_the_fix() {
        let bot: crate::recall::model::Bot = serde_json::from_str(
            r#"{"id": "dec11ed0-0003-4b07-8000-000000000003", "bot_name": "Notes",
                "status_changes": [
                  {"code": "joining_call", "created_at": "2024-01-01T00:00:00Z"},
                  {"code": "in_call_not_recording", "created_at": "2024-01-01T00:00:10Z"},
                  {"code": "recording_permission_denied", "sub_code": "zoom_local_recording_disabled", "created_at": "2024-01-01T00:00:20Z"},
                  {"code": "fatal", "sub_code": "timeout_exceeded_recording_permission_denied", "created_at": "2024-01-01T00:00:50Z"}]}"#,
        )
        .unwrap();
        let d = crate::diagnose::diagnose(&bot, None, None, None, None);
        let (who, text) = message_for(&d).expect("someone must act");
        assert!(!who.is_empty());
        assert!(
            text.contains("dec11ed0-0003-4b07-8000-000000000003"),
            "{text}"
        );
        assert!(
            text.contains(&d.title) && text.contains("What would fix it"),
            "{text}"
        );
        assert!(
            text.contains("timeout_exceeded_recording_permission_denied"),
            "{text}"
        );
    }
}
