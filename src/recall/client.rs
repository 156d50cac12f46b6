//! The requests botlens makes and how Recall's answers are read. Pure: the
//! browser, the proxy and the tests each bring their own [`Transport`]; the
//! region search over it is [`super::lookup`].

use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::region::{expand_host_template, Region};

/// The three read-only endpoints botlens uses. Nothing else is ever requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Bot,
    Screenshots,
    Logs,
}

impl Endpoint {
    /// The path of this endpoint for one bot, with Recall's trailing slash.
    pub fn path(self, bot_id: &str) -> String {
        match self {
            Endpoint::Bot => format!("/api/v1/bot/{bot_id}/"),
            Endpoint::Screenshots => format!("/api/v1/bot/{bot_id}/screenshots/"),
            Endpoint::Logs => format!("/api/v1/bot/{bot_id}/logs/"),
        }
    }

    /// The inverse of [`Endpoint::path`]: the bot segment and the endpoint of
    /// `/api/v1/bot/{id}/`, `…/screenshots/` or `…/logs/` (trailing slash
    /// optional). The segment is not checked: servers say how a bad one reads.
    pub fn parse(path: &str) -> Option<(&str, Endpoint)> {
        let rest = path.strip_prefix("/api/v1/bot/")?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let mut parts = rest.split('/');
        let id = parts.next().filter(|id| !id.is_empty())?;
        let endpoint = match parts.next() {
            None => Endpoint::Bot,
            Some("screenshots") => Endpoint::Screenshots,
            Some("logs") => Endpoint::Logs,
            Some(_) => return None,
        };
        parts.next().is_none().then_some((id, endpoint))
    }
}

/// The full URL of an endpoint in a region, from a host template such as
/// `https://{region}.recall.ai` or `http://{region}.localhost:8787`.
pub fn url(host_template: &str, region: Region, endpoint: Endpoint, bot_id: &str) -> String {
    format!(
        "{}{}",
        expand_host_template(host_template, region),
        endpoint.path(bot_id)
    )
}

/// What proves a request may be answered: Recall's key, or the shared token
/// of a botlens proxy (which holds the key itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    None,
    /// `Authorization: Token <key>`, as Recall documents.
    RecallKey(&'a str),
    /// `X-Botlens-Token: <token>`, as the botlens proxy asks.
    ProxyToken(&'a str),
}

impl Credential<'_> {
    /// The header to send, if any. Transports mark it sensitive where they can.
    pub fn header(&self) -> Option<(&'static str, String)> {
        match self {
            Credential::None => None,
            Credential::RecallKey(key) => Some(("Authorization", format!("Token {}", key.trim()))),
            Credential::ProxyToken(token) => Some(("X-Botlens-Token", token.trim().to_string())),
        }
    }
}

/// `scheme://host[:port]` of a URL: what a transport's errors name, so they
/// never echo a path or a query.
pub fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url
        .get(after_scheme..)
        .and_then(|rest| rest.find(['/', '?', '#']))
        .map_or(url.len(), |i| after_scheme + i);
    url.get(..end).unwrap_or(url)
}

/// An HTTP answer, as much of it as botlens reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
    /// `X-Botlens-Region`: where a botlens proxy found the bot (Recall never sends it).
    pub region: Option<String>,
}

/// How one region answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// 2xx with a JSON body.
    Found(String),
    /// 401: the key is not valid here (keys are region-bound).
    Unauthorized,
    /// 404: no such bot here.
    NotFound,
    /// Anything else ends the search.
    Failed(ApiError),
}

/// Read one reply. Only a JSON body counts as found: a 200 HTML page from a
/// captive portal is malformed, not a bot.
pub fn read_reply(reply: &HttpReply) -> Answer {
    let looks_like_json = {
        let start = reply.body.trim_start();
        start.starts_with('{') || start.starts_with('[')
    };
    match reply.status {
        200..=299
            if looks_like_json
                && serde_json::from_str::<serde::de::IgnoredAny>(&reply.body).is_ok() =>
        {
            Answer::Found(reply.body.clone())
        }
        200..=299 => Answer::Failed(ApiError::Malformed {
            status: reply.status,
            detail: snippet(&reply.body),
        }),
        401 => Answer::Unauthorized,
        404 => Answer::NotFound,
        403 => Answer::Failed(ApiError::Blocked),
        429 => Answer::Failed(ApiError::Throttled {
            retry_after_s: retry_after_seconds(reply.retry_after.as_deref()),
        }),
        500..=599 => Answer::Failed(ApiError::Server {
            status: reply.status,
        }),
        status => {
            Answer::Failed(
                refused(status, &reply.body).unwrap_or_else(|| ApiError::Malformed {
                    status,
                    detail: snippet(&reply.body),
                }),
            )
        }
    }
}

/// Recall's own error answer (`{code, detail}`, a field map, …) in its words.
fn refused(status: u16, body: &str) -> Option<ApiError> {
    let body = match crate::recall::model::parse_input(body).ok()? {
        // An HTML page is not Recall's words (a proxy or firewall answered).
        crate::recall::model::Input::ErrorBody(b) if !b.html => b,
        _ => return None,
    };
    let mut detail = body.detail.clone().unwrap_or_default();
    for (field, messages) in &body.fields {
        detail.push_str(&format!(" {field}: {}", messages.join(" ")));
    }
    Some(ApiError::Refused {
        status,
        code: body.code.clone(),
        detail: snippet(&detail),
    })
}

/// Parse a body Recall answered 2xx with; a shape botlens cannot read is a
/// malformed answer, never a panic.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Malformed {
        status: 200,
        detail: e.to_string(),
    })
}

/// `Retry-After` in seconds; Recall sends whole seconds. Missing or unreadable
/// values fall back to a short wait, capped so a bad header cannot stall us.
pub fn retry_after_seconds(header: Option<&str>) -> u32 {
    header
        .and_then(|h| h.trim().parse::<u32>().ok())
        .unwrap_or(5)
        .clamp(1, 300)
}

/// Where a bot was found, and its JSON as Recall sent it. The region is
/// `None` only when a proxy answered without saying where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub region: Option<Region>,
    pub body: String,
}

/// Sends one GET. Each delivery channel brings its own (browser fetch, the proxy's client, tests).
#[allow(async_fn_in_trait)] // used on one thread per context; no Send bound wanted in the browser
pub trait Transport {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError>;
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(80).collect();
    if one_line.chars().count() > 80 {
        cut.push('…');
    }
    if cut.is_empty() {
        "an empty body".into()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_defensively() {
        let reply = |status, body: &str| HttpReply {
            status,
            body: body.into(),
            ..HttpReply::default()
        };
        assert_eq!(
            read_reply(&reply(200, "<html>portal</html>")).clone(),
            Answer::Failed(ApiError::Malformed {
                status: 200,
                detail: "<html>portal</html>".into()
            })
        );
        assert!(matches!(
            read_reply(&reply(200, "{\"id\": ")),
            Answer::Failed(ApiError::Malformed { .. })
        ));
        assert_eq!(
            read_reply(&reply(403, "<html>")),
            Answer::Failed(ApiError::Blocked)
        );
        assert_eq!(
            read_reply(&reply(503, "")),
            Answer::Failed(ApiError::Server { status: 503 })
        );
        // Recall's own error answers keep its words and code.
        assert_eq!(
            read_reply(&reply(
                400,
                r#"{"code": "cannot_command_unstarted_bot", "detail": "Bot has not started."}"#
            )),
            Answer::Failed(ApiError::Refused {
                status: 400,
                code: Some("cannot_command_unstarted_bot".into()),
                detail: "Bot has not started.".into(),
            })
        );
        let Answer::Failed(e) = read_reply(&reply(
            400,
            r#"{"meeting_url": ["This field is required."]}"#,
        )) else {
            panic!()
        };
        assert!(
            e.to_string()
                .contains("meeting_url: This field is required."),
            "{e}"
        );
        let Answer::Failed(e) = read_reply(&reply(402, r#"{"detail": "Insufficient credits."}"#))
        else {
            panic!()
        };
        assert!(e.next_step().contains("credit"), "{}", e.next_step());
        assert!(matches!(
            read_reply(&reply(409, "<html>")),
            Answer::Failed(ApiError::Malformed { status: 409, .. })
        ));
        assert_eq!(retry_after_seconds(Some("soon")), 5);
        assert_eq!(retry_after_seconds(Some("99999")), 300);
    }

    #[test]
    fn paths_read_back_as_they_are_written() {
        for endpoint in [Endpoint::Bot, Endpoint::Screenshots, Endpoint::Logs] {
            let path = endpoint.path("b1");
            assert_eq!(Endpoint::parse(&path), Some(("b1", endpoint)));
            assert_eq!(
                Endpoint::parse(path.trim_end_matches('/')),
                Some(("b1", endpoint))
            );
        }
        for other in [
            "/api/v1/bot/",
            "/api/v1/bot//",
            "/api/v1/bot/b1/transcript/",
            "/api/v1/bot/b1/logs/x",
            "/x",
        ] {
            assert_eq!(Endpoint::parse(other), None, "{other}");
        }
    }

    #[test]
    fn errors_name_the_origin_only() {
        assert_eq!(
            origin("http://a.localhost:9/api/v1/bot/x/"),
            "http://a.localhost:9"
        );
        assert_eq!(origin("https://p.example?key=1"), "https://p.example");
        assert_eq!(origin("nonsense"), "nonsense");
        assert_eq!(origin("/api/v1/bot/x/"), "");
    }

    #[test]
    fn credentials_travel_in_their_own_headers() {
        assert_eq!(
            Credential::RecallKey(" k ").header(),
            Some(("Authorization", "Token k".into()))
        );
        assert_eq!(
            Credential::ProxyToken("t").header(),
            Some(("X-Botlens-Token", "t".into()))
        );
        assert_eq!(Credential::None.header(), None);
    }
}
