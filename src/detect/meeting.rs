//! Is this link a meeting a bot could have been sent to? One answer for the
//! CLI's `botlens meeting` and the extension's meeting-link hover: only links
//! that name one meeting on a platform Recall joins, so hovering a platform's
//! home page or docs never costs a List Bots call.

/// A meeting link, as List Bots' `meeting_url` filter takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingLink {
    /// Recall's platform name (`zoom`, `google_meet`, `microsoft_teams`, `webex`,
    /// `goto_meeting`).
    pub platform: &'static str,
    /// The link, trimmed, without its `#fragment`.
    pub url: String,
}

/// Longest link considered: meeting links are short, pasted ones with
/// tracking parameters less so.
const MAX_LEN: usize = 2048;

/// The meeting `link` names, or `None` when it is not a meeting link.
pub fn meeting_link(link: &str) -> Option<MeetingLink> {
    let url = link.trim();
    let url = url.split('#').next().unwrap_or(url);
    if url.len() > MAX_LEN || url.chars().any(char::is_whitespace) {
        return None;
    }
    let rest = strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return None; // user-info: not a link anyone shares for a meeting
    }
    let host = authority.split(':').next()?.trim_end_matches('.');
    let host = host.to_ascii_lowercase();
    let path = path.split('?').next().unwrap_or("");
    let platform = platform_of(&host, path)?;
    Some(MeetingLink {
        platform,
        url: url.to_string(),
    })
}

fn platform_of(host: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first = segments.first().map(|s| s.to_ascii_lowercase());
    let first = first.as_deref();
    if on(host, "zoom.us") || on(host, "zoomgov.com") {
        // /j/<id>, /w/<id> (webinars), /s/<id> (host start), /my/<vanity>.
        let meeting = matches!(first, Some("j" | "w" | "s" | "my")) && segments.len() >= 2;
        return meeting.then_some("zoom");
    }
    if host == "meet.google.com" {
        // A meeting code: abc-defg-hij (letters, two dashes), or a lookup alias.
        let code = first?;
        let is_code = code.split('-').count() == 3
            && code.chars().all(|c| c.is_ascii_lowercase() || c == '-');
        let lookup = code == "lookup" && segments.len() >= 2;
        return (is_code || lookup).then_some("google_meet");
    }
    if host == "teams.microsoft.com" || host == "teams.live.com" || host == "teams.cloud.microsoft"
    {
        let lower = path.to_ascii_lowercase();
        let meeting = lower.starts_with("/l/meetup-join/") || lower.starts_with("/meet/");
        return meeting.then_some("microsoft_teams");
    }
    if on(host, "webex.com") {
        let lower = path.to_ascii_lowercase();
        let meeting = [
            "/meet/",
            "/join/",
            "/j.php",
            "/wbxmjs/joinservice/",
            "/webappng/sites/",
        ]
        .iter()
        .any(|p| lower.contains(p));
        return meeting.then_some("webex");
    }
    if host == "meet.goto.com" || on(host, "gotomeeting.com") || host == "gotomeet.me" {
        // meet.goto.com/<id>, global.gotomeeting.com/join/<id>, gotomeet.me/<name>.
        let id = segments
            .last()
            .is_some_and(|s| s.chars().any(|c| c.is_ascii_digit()));
        let meeting = match first {
            Some("join") => segments.len() >= 2,
            Some(_) => host != "gotomeeting.com" && (id || host == "gotomeet.me"),
            None => false,
        };
        return meeting.then_some("goto_meeting");
    }
    None
}

/// `host` is `domain` or one of its subdomains.
fn on(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.'))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(link: &str) -> Option<&'static str> {
        meeting_link(link).map(|m| m.platform)
    }

    #[test]
    fn meetings_on_each_platform() {
        assert_eq!(
            platform("https://us02web.zoom.us/j/81234567890?pwd=abc"),
            Some("zoom")
        );
        assert_eq!(platform("https://zoom.us/w/912345678"), Some("zoom"));
        assert_eq!(platform("https://acme.zoomgov.com/j/161234"), Some("zoom"));
        assert_eq!(
            platform("HTTPS://Meet.Google.com/abc-defg-hij"),
            Some("google_meet")
        );
        assert_eq!(
            platform("https://meet.google.com/tri-plet-bot?authuser=1"),
            Some("google_meet")
        );
        assert_eq!(
            platform("https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Q@thread.v2/0?context=%7b%7d"),
            Some("microsoft_teams")
        );
        assert_eq!(
            platform("https://teams.live.com/meet/9398850880914"),
            Some("microsoft_teams")
        );
        assert_eq!(platform("https://acme.webex.com/meet/jdoe"), Some("webex"));
        assert_eq!(
            platform("https://acme.webex.com/acme/j.php?MTID=m8d1f"),
            Some("webex")
        );
    }

    #[test]
    fn other_links_are_not_meetings() {
        for link in [
            "https://zoom.us/",
            "https://zoom.us/pricing",
            "https://zoom.us/j/",
            "https://notzoom.us/j/123",
            "https://zoom.us.evil.example/j/123",
            "https://evil.example/?u=https://zoom.us/j/1",
            "https://meet.google.com/",
            "https://meet.google.com/landing",
            "https://teams.microsoft.com/v2/",
            "https://www.webex.com/pricing",
            "https://www.goto.com/meeting",
            "https://meet.goto.com/",
            "https://user@zoom.us/j/1",
            "javascript:alert(1)//zoom.us/j/1",
            "zoom.us/j/123",
            "https://zoom.us/j/1 2",
            "",
        ] {
            assert_eq!(platform(link), None, "{link}");
        }
        assert_eq!(
            platform(&format!("https://zoom.us/j/{}", "1".repeat(3000))),
            None
        );
    }

    #[test]
    fn the_fragment_is_dropped_and_the_rest_kept() {
        let m = meeting_link("  https://zoom.us/j/81234567890?pwd=a#success ").unwrap();
        assert_eq!(m.url, "https://zoom.us/j/81234567890?pwd=a");
    }
}
