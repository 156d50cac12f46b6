//! What a team proxy hands out: Recall's answer with only what the card, the
//! full view and the report use. Secrets go (meeting passwords, Zoom token
//! endpoints, the integration's webhook and media-output targets), and every
//! signed download link is replaced by a link back to the proxy, which hands
//! out a fresh signed URL only when the user opens it.
//!
//! Pure: the proxy says what a replacement link is (`link`), and resolves it
//! later with [`resolve`] on the answer it keeps.

use serde_json::Value;

/// Replacement links start with this; the client puts its proxy's base in
/// front (`lookup::read_proxy_reply`), so they work wherever the proxy is.
pub const PROXY_LINK: &str = "botlens-proxy:";

/// Keys that never leave the proxy, wherever they are: secrets, and what only
/// the integration needs (its endpoints, its media to play in the meeting).
const DROPPED: &[&str] = &[
    "zak_url",
    "join_token_url",
    "realtime_endpoints",
    "output_media",
    "automatic_video_output",
    "automatic_audio_output",
    "webhook_url",
    "callback_url",
];

fn dropped(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    DROPPED.contains(&k.as_str())
        || k.contains("password")
        || k.contains("passcode")
        || k.contains("secret")
        || k == "token"
        || k.ends_with("_token")
}

/// A link that carries its own credentials (a signed S3 or CDN URL).
fn signed(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let Some((_, query)) = lower.split_once('?') else {
        return false;
    };
    web && [
        "signature=",
        "x-amz-",
        "token=",
        "sig=",
        "expires=",
        "key-pair-id=",
    ]
    .iter()
    .any(|k| query.contains(k))
}

/// `body` (a bot or a screenshots page) for the card: secrets dropped, each
/// signed link replaced by `link(pointer)` — `pointer` being the JSON pointer
/// of the value it replaces. Not JSON: an error, and nothing is handed out.
pub fn for_card(body: &str, link: &dyn Fn(&str) -> String) -> Result<String, serde_json::Error> {
    let mut value: Value = serde_json::from_str(body)?;
    walk(&mut value, &mut String::new(), link);
    serde_json::to_string(&value)
}

fn walk(value: &mut Value, pointer: &mut String, link: &dyn Fn(&str) -> String) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !dropped(key));
            for (key, child) in map.iter_mut() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                walk(child, pointer, link);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                walk(child, pointer, link);
                pointer.truncate(len);
            }
        }
        Value::String(s) if signed(s) => *s = link(pointer),
        _ => {}
    }
}

/// The signed link at `pointer` in the answer the proxy keeps, if it is one.
pub fn resolve(body: &str, pointer: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let url = value.pointer(pointer)?.as_str()?;
    signed(url).then(|| url.to_string())
}

/// The bot's JSON as a person may read it (the full view, saved evidence):
/// meeting passwords and other secrets out, as [`for_card`] takes them out,
/// each signed link replaced by a note (the media section links them), indented.
pub fn for_reading(document: &str) -> String {
    let trimmed = for_card(document, &|_| "[signed link: see Media]".to_string())
        .unwrap_or_else(|_| document.to_string());
    serde_json::from_str::<serde_json::Value>(&trimmed)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: &str = r#"{"id": "b1",
        "meeting_url": {"meeting_id": "81234567890", "meeting_password": "cXdlcnR5", "platform": "zoom"},
        "zoom": {"zak_url": "https://acme.example/zak", "join_token_url": null},
        "recording_config": {"realtime_endpoints": [{"url": "wss://acme.example/rt"}]},
        "metadata": {"customer_id": "cus_1"},
        "video_url": "https://s3.example/v.mp4?X-Amz-Signature=abc&X-Amz-Expires=60",
        "recordings": [{"id": "r1", "media_shortcuts": {"transcript": {"data": {
            "download_url": "https://us-west-2.recall.ai/t.json?token=xyz"}}}}],
        "status_changes": [{"code": "done", "message": "https://docs.example/?x=1"}]}"#;

    #[test]
    fn secrets_go_and_signed_links_point_back_to_the_proxy() {
        let out = for_card(BOT, &|p| format!("{PROXY_LINK}{p}")).unwrap();
        for gone in [
            "cXdlcnR5",
            "meeting_password",
            "zak_url",
            "wss://",
            "X-Amz-Signature",
            "token=xyz",
        ] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["video_url"], "botlens-proxy:/video_url");
        assert_eq!(
            v["recordings"][0]["media_shortcuts"]["transcript"]["data"]["download_url"],
            "botlens-proxy:/recordings/0/media_shortcuts/transcript/data/download_url"
        );
        // What the card reads stays.
        assert_eq!(v["meeting_url"]["meeting_id"], "81234567890");
        assert_eq!(v["metadata"]["customer_id"], "cus_1");
        assert_eq!(
            v["status_changes"][0]["message"],
            "https://docs.example/?x=1"
        );
    }

    #[test]
    fn a_link_resolves_only_to_a_signed_url_of_the_kept_answer() {
        assert_eq!(
            resolve(BOT, "/video_url").as_deref(),
            Some("https://s3.example/v.mp4?X-Amz-Signature=abc&X-Amz-Expires=60")
        );
        assert_eq!(resolve(BOT, "/metadata/customer_id"), None);
        assert_eq!(resolve(BOT, "/meeting_url/meeting_password"), None);
        assert_eq!(resolve(BOT, "/nowhere"), None);
        assert!(for_card("not json", &|p| p.to_string()).is_err());
    }

    #[test]
    fn for_reading_keeps_no_secret_and_no_signed_link() {
        let doc = r#"{"id":"b","meeting_url":{"platform":"zoom","meeting_id":"123","meeting_password":"hunter2"},
            "video_url":"https://s3.example/v.mp4?X-Amz-Signature=abc","bot_name":"Notes"}"#;
        let shown = for_reading(doc);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("X-Amz-Signature"), "{shown}");
        assert!(shown.contains("[signed link: see Media]"));
        assert!(
            shown.contains("\"meeting_id\": \"123\""),
            "indented: {shown}"
        );
        assert_eq!(for_reading("not json"), "not json");
    }
}
