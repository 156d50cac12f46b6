use super::*;
use crate::diagnose::diagnose;
use crate::recall::model::Bot;
use crate::recall::region::Region;

const HOSTILE_BOT: &str = r#"{"id": "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
    "bot_name": "<script>alert(1)</script>",
    "meeting_url": "https://us02web.zoom.us/j/81234567890?pwd=SECRETPWD",
    "meeting_metadata": {"title": "\"><img src=x onerror=alert(2)>"},
    "metadata": {"team": "</td><script src=https://evil.example/x.js></script>"},
    "video_url": "https://s3.example/v.mp4?X-Amz-Signature=SIGNED&X-Amz-Expires=60",
    "status_changes": [
      {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
      {"code": "in_waiting_room", "created_at": "2026-01-01T10:00:05Z"},
      {"code": "call_ended", "sub_code": "timeout_exceeded_waiting_room", "created_at": "2026-01-01T10:20:05Z"},
      {"code": "done", "created_at": "2026-01-01T10:20:09Z"}]}"#;

const HOSTILE_LOGS: &str = r#"[
    {"level": "error", "message": "<script>steal()</script> GET https://x.example/a?token=TOKENVALUE", "created_at": "2026-01-01T10:00:06Z"},
    {"level": "<b>odd</b>", "message": "'><svg onload=alert(3)>", "created_at": "2026-01-01T10:00:07Z"}]"#;

fn page(document: &str, logs: Option<&Logs>, images: &[Image], left_out: &[String]) -> String {
    let bot: Bot = serde_json::from_str(document).unwrap();
    let d = diagnose(&bot, None, logs, Some(Region::UsWest2), None);
    html(&Archive {
        diagnosis: &d,
        document,
        logs,
        images,
        left_out,
        saved_at: Timestamp::parse("2026-02-01T12:00:00Z").unwrap(),
    })
}

/// The value of every `name="…"` attribute in the page.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let marker = format!(" {name}=\"");
    html.split(marker.as_str())
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[test]
fn base64_matches_the_rfc_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
    }
    assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    assert_eq!(base64(&[0, 0, 0, 0xff]), "AAAA/w==");
}

#[test]
fn what_a_document_says_stays_text_and_secrets_stay_out() {
    let logs: Logs = serde_json::from_str(HOSTILE_LOGS).unwrap();
    let left_out = vec!["<script>left</script>".to_string()];
    let out = page(HOSTILE_BOT, Some(&logs), &[], &left_out);
    assert!(
        !out.to_ascii_lowercase().contains("<script"),
        "a script tag in:\n{out}"
    );
    for live in ["<img src=x", "<svg onload", "<b>odd", "</td><script"] {
        assert!(!out.contains(live), "{live} is live HTML");
    }
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(out.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(out.contains("&#39;&gt;&lt;svg onload=alert(3)&gt;"));
    assert!(out.contains("&lt;script&gt;left&lt;/script&gt;"));
    for secret in ["SECRETPWD", "TOKENVALUE", "SIGNED", "X-Amz"] {
        assert!(!out.contains(secret), "{secret} leaked");
    }
    // The meeting link is still there, without its passcode.
    assert!(out.contains("https://us02web.zoom.us/j/81234567890?[redacted]"));
    assert!(out.contains(SIGNED_LINK));
}

#[test]
fn the_page_loads_nothing_and_embeds_its_screenshots() {
    let png = Image {
        bytes: vec![0x89, b'P', b'N', b'G', 0, 1, 2],
        content_type: "image/png".into(),
        taken_at: Timestamp::parse("2026-01-01T10:00:06Z"),
    };
    let html_page = Image {
        bytes: b"<script>x</script>".to_vec(),
        content_type: "text/html".into(),
        taken_at: None,
    };
    let out = page(HOSTILE_BOT, None, &[png, html_page], &[]);
    assert!(out.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    )));
    assert!(out.contains("src=\"data:image/png;base64,iVBORwABAg==\""));
    assert!(
        out.contains("during: Waiting to be let in"),
        "placed on the timeline"
    );
    let sources = attributes(&out, "src");
    assert_eq!(sources.len(), 1, "only the PNG: {sources:?}");
    assert!(sources.iter().all(|s| s.starts_with("data:image/")));
    // Links are for the reader to follow: only <a href>, only https.
    for href in attributes(&out, "href") {
        assert!(href.starts_with("https://"), "{href}");
        assert!(out.contains(&format!("<a href=\"{href}\"")));
    }
    assert!(out.contains("<a href=\"https://us-west-2.recall.ai/dashboard/explorer/bot/4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e\""));
    for loader in ["<link", "<script", "@import", "url(", "<iframe", "<object"] {
        assert!(!out.contains(loader), "{loader}");
    }
    assert!(out.contains("saved 2026-02-01 12:00:00 UTC · botlens version "));
    assert!(out.contains("prefers-color-scheme: dark") && out.contains("@media print"));
}

#[test]
fn the_timeline_phases_and_logs_are_tables() {
    let logs: Logs = serde_json::from_str(HOSTILE_LOGS).unwrap();
    let out = page(HOSTILE_BOT, Some(&logs), &[], &[]);
    assert!(out.contains("<span class=\"verdict v-failed\">Failed</span>"));
    assert!(out.contains("<code>timeout_exceeded_waiting_room</code>"));
    assert!(
        out.contains("<td class=\"time\">2026-01-01 10:00:05</td><td><code>in_waiting_room</code>")
    );
    assert!(out.contains("<td>Waiting room</td>"), "time in each phase");
    assert!(out.contains("20m"), "how long it waited");
    assert!(out.contains("<tr class=\"l-error\"><td class=\"time\">2026-01-01 10:00:06</td><td class=\"lvl\">error</td>"));
    assert!(
        out.contains("<tr class=\"l-other\">"),
        "an unknown level is text, not a class"
    );
}

#[test]
fn a_structured_meeting_keeps_its_id_and_loses_its_password() {
    let bot = r#"{"id": "b1", "meeting_url": {"meeting_id": "81234567890",
        "meeting_password": "cXdlcnR5", "platform": "zoom"},
        "status_changes": [{"code": "done", "created_at": "2026-01-01T00:00:00Z"}]}"#;
    let out = page(bot, None, &[], &[]);
    assert!(!out.contains("cXdlcnR5") && !out.contains("meeting_password"));
    assert!(out.contains("meeting ID 81234567890"));
}

#[test]
fn only_images_are_embedded() {
    assert_eq!(
        image_type("image/svg+xml; charset=utf-8"),
        Some("image/svg+xml")
    );
    assert_eq!(image_type("IMAGE/PNG"), Some("image/png"));
    assert_eq!(image_type("text/html"), None);
    assert_eq!(image_type("image/png\"><script>"), None);
}
