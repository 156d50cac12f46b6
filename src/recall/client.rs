//! The requests botlens makes and how their answers are read. Pure: the
//! browser, the proxy and the tests each bring their own [`Transport`].

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

/// The `Authorization` header value Recall documents.
pub fn authorization(key: &str) -> String {
    format!("Token {}", key.trim())
}

/// An HTTP answer, as much of it as botlens reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
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
pub fn read_reply(reply: &Reply) -> Answer {
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
        status => Answer::Failed(ApiError::Malformed {
            status,
            detail: snippet(&reply.body),
        }),
    }
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

/// The order in which regions are tried: the one that worked last time first.
pub fn region_order(remembered: Option<Region>) -> Vec<Region> {
    let mut order: Vec<Region> = remembered.into_iter().collect();
    order.extend(Region::ALL.into_iter().filter(|r| Some(*r) != remembered));
    order
}

/// Where a bot was found, and its JSON as Recall sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub region: Region,
    pub body: String,
}

/// Sends one GET. Each delivery channel brings its own (browser fetch, the proxy's client, tests).
#[allow(async_fn_in_trait)] // used on one thread per context; no Send bound wanted in the browser
pub trait Transport {
    async fn get(&self, url: &str, authorization: &str) -> Result<Reply, ApiError>;
}

/// Look a bot's endpoint up region by region: the remembered region first,
/// then the others while the answer is 401 (key from another region) or 404
/// (bot lives elsewhere). Any other answer ends the search.
pub async fn find_in_regions<T: Transport>(
    transport: &T,
    host_template: &str,
    key: &str,
    endpoint: Endpoint,
    bot_id: &str,
    regions: &[Region],
) -> Result<Found, ApiError> {
    if key.trim().is_empty() {
        return Err(ApiError::NoKey);
    }
    let auth = authorization(key);
    let mut refused = Vec::new();
    let mut missing = Vec::new();
    for &region in regions {
        let reply = transport
            .get(&url(host_template, region, endpoint, bot_id), &auth)
            .await?;
        match read_reply(&reply) {
            Answer::Found(body) => return Ok(Found { region, body }),
            Answer::Unauthorized => refused.push(region),
            Answer::NotFound => missing.push(region),
            Answer::Failed(error) => return Err(error),
        }
    }
    if missing.is_empty() {
        Err(ApiError::Unauthorized {
            regions_tried: refused,
        })
    } else {
        // The key worked somewhere, so "not found" is the informative answer.
        Err(ApiError::NotFound {
            regions_tried: missing,
        })
    }
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
    use std::cell::RefCell;
    use std::collections::HashMap;

    struct Scripted {
        replies: HashMap<String, Reply>,
        asked: RefCell<Vec<String>>,
    }

    impl Transport for Scripted {
        async fn get(&self, url: &str, authorization: &str) -> Result<Reply, ApiError> {
            assert_eq!(authorization, "Token k");
            self.asked.borrow_mut().push(url.to_string());
            Ok(self.replies.get(url).cloned().unwrap_or(Reply {
                status: 401,
                body: r#"{"code":"authentication_failed"}"#.into(),
                retry_after: None,
            }))
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // The scripted transport never pends, so one poll finishes the future.
        let mut f = std::pin::pin!(f);
        let waker = std::task::Waker::noop();
        match f.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("scripted transport pended"),
        }
    }

    const ID: &str = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";

    #[test]
    fn finds_the_region_that_accepts_the_key() {
        let t = Scripted {
            replies: HashMap::from([(
                url(
                    "http://{region}.localhost:8787",
                    Region::EuCentral1,
                    Endpoint::Bot,
                    ID,
                ),
                Reply {
                    status: 200,
                    body: "{}".into(),
                    retry_after: None,
                },
            )]),
            asked: RefCell::default(),
        };
        let found = block_on(find_in_regions(
            &t,
            "http://{region}.localhost:8787",
            "k",
            Endpoint::Bot,
            ID,
            &region_order(None),
        ));
        assert_eq!(found.map(|f| f.region), Ok(Region::EuCentral1));
        assert_eq!(
            t.asked.borrow().len(),
            3,
            "stops at the region that answered"
        );
    }

    #[test]
    fn a_key_valid_nowhere_names_every_region_tried() {
        let t = Scripted {
            replies: HashMap::new(),
            asked: RefCell::default(),
        };
        let err = block_on(find_in_regions(
            &t,
            "h/{region}",
            "k",
            Endpoint::Bot,
            ID,
            &region_order(None),
        ));
        assert_eq!(
            err,
            Err(ApiError::Unauthorized {
                regions_tried: Region::ALL.to_vec()
            })
        );
        assert!(err
            .unwrap_err()
            .to_string()
            .contains("us-west-2, us-east-1, eu-central-1, ap-northeast-1"));
    }

    #[test]
    fn throttling_stops_the_search_and_keeps_retry_after() {
        let t = Scripted {
            replies: HashMap::from([(
                url("h/{region}", Region::UsWest2, Endpoint::Logs, ID),
                Reply {
                    status: 429,
                    body: "{}".into(),
                    retry_after: Some("17".into()),
                },
            )]),
            asked: RefCell::default(),
        };
        let err = block_on(find_in_regions(
            &t,
            "h/{region}",
            "k",
            Endpoint::Logs,
            ID,
            &region_order(None),
        ));
        assert_eq!(err, Err(ApiError::Throttled { retry_after_s: 17 }));
        assert_eq!(t.asked.borrow().len(), 1);
    }

    #[test]
    fn replies_are_read_defensively() {
        let reply = |status, body: &str| Reply {
            status,
            body: body.into(),
            retry_after: None,
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
        assert_eq!(retry_after_seconds(Some("soon")), 5);
        assert_eq!(retry_after_seconds(Some("99999")), 300);
        assert_eq!(
            region_order(Some(Region::ApNortheast1))[0],
            Region::ApNortheast1
        );
        assert_eq!(region_order(Some(Region::ApNortheast1)).len(), 4);
    }

    #[test]
    fn no_key_is_said_before_any_request() {
        let t = Scripted {
            replies: HashMap::new(),
            asked: RefCell::default(),
        };
        let err = block_on(find_in_regions(
            &t,
            "h/{region}",
            "  ",
            Endpoint::Bot,
            ID,
            &region_order(None),
        ));
        assert_eq!(err, Err(ApiError::NoKey));
        assert!(t.asked.borrow().is_empty());
    }
}
