//! What the extension stores, and where.
//!
//! - `storage.local` ([`Settings`]): the key and what goes with it, the team
//!   proxy too. Only the background reads it (and the options page, which
//!   writes it); the background also restricts it to extension pages where the
//!   browser allows (Chromium; docs/security.md says what that means in Firefox).
//! - `storage.session`: the key instead, when the user keeps it for the
//!   browser session only (`api_key`, with `key_in_session` set in `storage.local`).
//! - `storage.sync` ([`Prefs`]): preferences that are not secret, which the
//!   content scripts read to honour the per-site switch and the detection mode.
//!   Items: `sites_off` (host names), `theme` (`auto`|`light`|`dark`),
//!   `detection` (`hover`|`overview`), `meeting_links` (bool: hovering a
//!   meeting link lists the bots sent there; off unless turned on). A
//!   `proxy_url` there is an older version's and is read until the next Save.

use botlens::recall::region::{check_host_template, is_loopback, Region, DEFAULT_HOST_TEMPLATE};
use serde::{Deserialize, Serialize};

/// The `storage.session` item that holds the key when it is kept for the
/// browser session only.
pub const SESSION_KEY: &str = "api_key";

/// `storage.local`: the key and the region it last worked in.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub host_template: Option<String>,
    /// The region the key last worked in: tried first next time.
    #[serde(default)]
    pub region: Option<Region>,
    /// The team proxy's optional shared token, sent as `Authorization: Token …`.
    #[serde(default)]
    pub proxy_token: Option<String>,
    /// A team proxy that holds the key; when set, botlens asks it instead of Recall.
    #[serde(default)]
    pub proxy_url: Option<String>,
    /// The key lives in `storage.session`: gone when the browser closes.
    #[serde(default)]
    pub key_in_session: bool,
}

impl Settings {
    /// Where Recall is: the saved template when the key may go there
    /// ([`check_host_template`]: a tampered `http://` host never gets it),
    /// Recall itself otherwise.
    pub fn host(&self) -> &str {
        self.host_template
            .as_deref()
            .filter(|h| !h.trim().is_empty() && check_host_template(h).is_ok())
            .unwrap_or(DEFAULT_HOST_TEMPLATE)
    }

    /// What `storage.local` holds, completed: the key from `storage.session`
    /// when it is kept there, and an older version's proxy URL from `storage.sync`.
    pub fn completed(mut self, session_key: Option<String>, prefs: &Prefs) -> Settings {
        if self.key_in_session {
            self.api_key = session_key;
        }
        if self.proxy().is_none() {
            self.proxy_url.clone_from(&prefs.proxy_url);
        }
        self
    }

    /// The proxy URL when one is set.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy_url
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    pub fn has_key(&self) -> bool {
        self.api_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty())
    }
}

/// `storage.sync`: preferences the content scripts may read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// Where older versions kept the team proxy (now in [`Settings`]).
    #[serde(default)]
    pub proxy_url: Option<String>,
    /// Sites (host names) where botlens does nothing.
    #[serde(default)]
    pub sites_off: Vec<String>,
    /// `auto`, `light` or `dark`.
    #[serde(default)]
    pub theme: Option<String>,
    /// `hover` (default) or `overview` (hover plus underlined IDs and the badge).
    #[serde(default)]
    pub detection: Option<String>,
    /// Hovering a meeting link lists the bots sent there (one List Bots call).
    #[serde(default)]
    pub meeting_links: bool,
}

/// A team proxy URL as the user typed it → its base (`scheme://host[:port][/path]`,
/// no trailing slash) and the origin pattern to ask permission for.
/// Only `https:` URLs, and `http:` on loopback, are accepted; no user info,
/// query or fragment.
pub fn parse_proxy_url(text: &str) -> Result<(String, String), String> {
    let text = text.trim();
    let (scheme, rest) = text
        .split_once("://")
        .ok_or("The proxy URL must start with https://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return Err("The proxy URL needs a host name, without a user name or password.".into());
    }
    if path.contains(['?', '#']) || authority.contains(['?', '#']) {
        return Err("The proxy URL must not carry a query or fragment.".into());
    }
    if authority
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
    {
        return Err("The proxy URL's host name has characters a host name cannot have.".into());
    }
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(authority, |(h, _)| h)
        .to_ascii_lowercase();
    let loopback = is_loopback(&host);
    match scheme.as_str() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err("The proxy URL must use https:// (http:// only on this computer).".into()),
    }
    let base = format!(
        "{scheme}://{}{}",
        authority.to_ascii_lowercase(),
        path.trim_end_matches('/')
    );
    // Host patterns match every port, so the pattern names the host only.
    let pattern = format!("{scheme}://{host}/*");
    Ok((base, pattern))
}

/// A site as the per-site list stores it: the host name, lowercase.
pub fn site_of(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host
        .rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    ok.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_checked() {
        assert_eq!(
            parse_proxy_url(" https://Proxy.Example.com/botlens/ "),
            Ok((
                "https://proxy.example.com/botlens".into(),
                "https://proxy.example.com/*".into()
            ))
        );
        assert_eq!(
            parse_proxy_url("http://localhost:8790"),
            Ok(("http://localhost:8790".into(), "http://localhost/*".into()))
        );
        for bad in [
            "proxy.example.com",
            "http://proxy.example.com",
            "ftp://proxy.example.com",
            "https://user:pw@proxy.example.com",
            "https://proxy.example.com/?x=1",
            "https://",
            "https://pro xy/",
        ] {
            assert!(parse_proxy_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sites_are_host_names() {
        assert_eq!(
            site_of("https://GitHub.com/org/repo?x#y"),
            Some("github.com".into())
        );
        assert_eq!(site_of("127.0.0.1:8080"), Some("127.0.0.1".into()));
        assert_eq!(site_of("app.example.com."), Some("app.example.com".into()));
        assert_eq!(site_of(""), None);
        assert_eq!(site_of("https://<script>/"), None);
    }

    #[test]
    fn prefs_read_partial_storage() {
        let p: Prefs = serde_json::from_str(r#"{"theme":"dark","unrelated":1}"#).unwrap();
        assert_eq!(p.theme.as_deref(), Some("dark"));
        assert!(p.sites_off.is_empty());
        assert_eq!(p.proxy_url, None);
        let s: Settings = serde_json::from_str(r#"{"api_key":" "}"#).unwrap();
        assert!(!s.has_key());
        assert_eq!(s.host(), DEFAULT_HOST_TEMPLATE);
    }

    #[test]
    fn the_key_never_goes_to_a_clear_text_host() {
        let s: Settings = serde_json::from_str(
            r#"{"api_key":"k","host_template":"http://{region}.evil.example"}"#,
        )
        .unwrap();
        assert_eq!(
            s.host(),
            DEFAULT_HOST_TEMPLATE,
            "a tampered http host is ignored"
        );
        let sim: Settings =
            serde_json::from_str(r#"{"host_template":"http://{region}.localhost:8787"}"#).unwrap();
        assert_eq!(sim.host(), "http://{region}.localhost:8787");
    }

    #[test]
    fn settings_complete_from_the_session_and_an_older_sync() {
        let old_sync: Prefs = serde_json::from_str(r#"{"proxy_url":"https://p.example"}"#).unwrap();
        let local: Settings =
            serde_json::from_str(r#"{"api_key":"on disk","key_in_session":true}"#).unwrap();
        let s = local.completed(Some("in session".into()), &old_sync);
        assert_eq!(s.api_key.as_deref(), Some("in session"));
        assert_eq!(s.proxy(), Some("https://p.example"));
        let local: Settings =
            serde_json::from_str(r#"{"api_key":"on disk","proxy_url":"https://new.example"}"#)
                .unwrap();
        let s = local.completed(Some("ignored".into()), &old_sync);
        assert_eq!(s.api_key.as_deref(), Some("on disk"));
        assert_eq!(s.proxy(), Some("https://new.example"));
    }
}
