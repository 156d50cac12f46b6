//! What users see. `placement` (geometry) and `state` (what the card shows,
//! and its transitions) are pure; the Leptos components exist only in browser
//! builds.

pub mod placement;
pub mod state;

#[cfg(target_arch = "wasm32")]
pub mod card;
#[cfg(target_arch = "wasm32")]
mod focus;
#[cfg(target_arch = "wasm32")]
pub mod full;
#[cfg(target_arch = "wasm32")]
mod logs;
#[cfg(target_arch = "wasm32")]
mod media;
#[cfg(target_arch = "wasm32")]
pub mod meeting;
#[cfg(target_arch = "wasm32")]
mod screenshots;
#[cfg(target_arch = "wasm32")]
mod timeline;
#[cfg(target_arch = "wasm32")]
pub mod triage;
#[cfg(target_arch = "wasm32")]
pub mod when;

/// Links from Recall's data are only followed when they are web links:
/// a `javascript:` or `data:` URL in an API answer never becomes clickable.
pub fn safe_url(url: &str) -> Option<String> {
    let trimmed = url.trim();
    // A media link of the team proxy at the page's own origin (`recall::trim`).
    if trimmed.starts_with("/api/v1/bot/") {
        return Some(trimmed.to_string());
    }
    let scheme_ok = trimmed
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        || trimmed
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
    scheme_ok.then(|| trimmed.to_string())
}

/// Copy text with the asynchronous clipboard API (the card frame is allowed
/// `clipboard-write`); failures are silent, the text stays visible anyway.
#[cfg(target_arch = "wasm32")]
pub fn copy_to_clipboard(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::safe_url;

    #[test]
    fn only_web_links_are_followed() {
        assert_eq!(
            safe_url(" https://x.test/a "),
            Some("https://x.test/a".into())
        );
        assert_eq!(safe_url("HTTP://x.test"), Some("HTTP://x.test".into()));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,<b>"), None);
        assert_eq!(safe_url("//x.test"), None);
        assert_eq!(
            safe_url("/api/v1/bot/b/media?of=bot"),
            Some("/api/v1/bot/b/media?of=bot".into())
        );
        assert_eq!(safe_url("héllo"), None);
    }
}
