//! Where is this bot, and what did Recall say? The one answer, for every
//! channel: the extension's worker, the botlens proxy, the embed and the CLI
//! each bring a [`Transport`] and a [`Clock`], nothing else.
//!
//! - **Regions** ([`regions`]): a key belongs to one region and a bot lives in
//!   one. A bot is searched for in the remembered region first, then the
//!   others while the answer is 401 (the key is not valid there) or 404 (the
//!   bot lives elsewhere); any other answer ends the search. Screenshots and
//!   logs go straight to the region the bot was found in. The first region
//!   that does not answer 401 is where the key works ([`Looked::key_region`]),
//!   for the caller to remember.
//! - **Memory** ([`Lookups`]): a 404 per region is kept for a minute, so the
//!   next search skips that region; each bot's region is kept as long as a
//!   finished bot; [`lookup`] also keeps answers, with the policy of
//!   [`super::cache`]. The proxy keeps answers itself (it shares requests in
//!   flight across clients) and calls [`find`].
//! - **A botlens proxy** ([`Upstream::Proxy`]) searches the regions itself and
//!   says where it found the bot in `X-Botlens-Region`; [`read_proxy_reply`]
//!   is the one reader of its answers.
//! - **Retries**: [`super::retry`].

use serde::Deserialize;

use super::cache::{self, Cache, FINISHED_BOT_TTL_MS, NOT_FOUND_TTL_MS};
use super::client::{self, Answer, Credential, Endpoint, Found, HttpReply, Transport};
use super::error::ApiError;
use super::region::Region;
use super::retry::{self, Clock, Retries};
use super::shared::Shared;

/// Entries kept in each memory.
const CAPACITY: usize = 2000;

/// A bot no one can have: a key test asks for it and reads 404 as "the key works".
pub const PROBE_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Where requests go. Its `Debug` hides the key and the token.
#[derive(Clone, PartialEq, Eq)]
pub enum Upstream {
    /// Recall itself with a key. `host` is a template with `{region}`;
    /// `remembered` is asked first; `only`, when set, is the only region asked.
    Recall {
        key: String,
        host: String,
        remembered: Option<Region>,
        only: Option<Region>,
    },
    /// A botlens proxy at `base` that holds the key and searches the regions;
    /// `token` is its optional shared token.
    Proxy { base: String, token: Option<String> },
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upstream::Recall {
                host,
                remembered,
                only,
                ..
            } => f
                .debug_struct("Recall")
                .field("host", host)
                .field("remembered", remembered)
                .field("only", only)
                .finish_non_exhaustive(),
            Upstream::Proxy { base, .. } => f
                .debug_struct("Proxy")
                .field("base", base)
                .finish_non_exhaustive(),
        }
    }
}

impl Upstream {
    /// Recall with a key, every region, the remembered one first.
    pub fn recall(key: &str, host: &str, remembered: Option<Region>) -> Upstream {
        Upstream::Recall {
            key: key.to_string(),
            host: host.to_string(),
            remembered,
            only: None,
        }
    }
}

/// What a caller remembers between look-ups (one per worker or proxy).
#[derive(Debug)]
pub struct Lookups {
    answers: Cache<String, Found>,
    /// `region/id` → the bot is not there.
    missing: Cache<String, ()>,
    /// `id` → the bot's region, from its last fetch.
    home: Cache<String, Region>,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            answers: Cache::new(CAPACITY),
            missing: Cache::new(CAPACITY),
            home: Cache::new(CAPACITY),
        }
    }
}

impl Lookups {
    /// Where this bot was found last, while that is remembered.
    pub fn home(&self, id: &str, now_ms: f64) -> Option<Region> {
        self.home.get(&id.to_string(), now_ms).copied()
    }

    /// Forget everything (the key, the host or the proxy changed).
    pub fn clear(&mut self) {
        self.answers.clear();
        self.missing.clear();
        self.home.clear();
    }
}

/// A finished look-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Looked {
    pub result: Result<Found, ApiError>,
    /// The region the key was seen to work in (not 401), to remember.
    pub key_region: Option<Region>,
}

impl Looked {
    fn failed(error: ApiError) -> Looked {
        Looked {
            result: Err(error),
            key_region: None,
        }
    }
}

fn answer_key(endpoint: Endpoint, id: &str) -> String {
    format!("{endpoint:?}/{id}")
}

/// One endpoint of one bot: from the kept answers, or [`find`] with bounded
/// retries (the browser's way).
pub async fn lookup<T: Transport, C: Clock>(
    state: &impl Shared<Lookups>,
    transport: &T,
    clock: &C,
    upstream: &Upstream,
    endpoint: Endpoint,
    id: &str,
) -> Looked {
    let key = answer_key(endpoint, id);
    let kept = state.with(|s| s.answers.get(&key, clock.now_ms()).cloned());
    if let Some(found) = kept {
        return Looked {
            result: Ok(found),
            key_region: None,
        };
    }
    let looked = find(
        state,
        transport,
        clock,
        Retries::Bounded,
        upstream,
        endpoint,
        id,
    )
    .await;
    if let Ok(found) = &looked.result {
        if let Some(ttl) = cache::ttl_ms(endpoint, Ok(&found.body)) {
            let now = clock.now_ms();
            state.with(|s| s.answers.insert(key, found.clone(), ttl, now));
        }
    }
    looked
}

/// Ask the upstream, region by region (see the module docs); remembers each
/// bot's region and each 404, not the answers.
pub async fn find<T: Transport, C: Clock>(
    state: &impl Shared<Lookups>,
    transport: &T,
    clock: &C,
    retries: Retries,
    upstream: &Upstream,
    endpoint: Endpoint,
    id: &str,
) -> Looked {
    let looked = match upstream {
        Upstream::Proxy { base, token } => Looked {
            result: via_proxy(
                transport,
                clock,
                retries,
                base,
                token.as_deref(),
                endpoint,
                id,
            )
            .await,
            key_region: None,
        },
        Upstream::Recall {
            key,
            host,
            remembered,
            only,
        } => {
            let now = clock.now_ms();
            let home = state.with(|s| s.home.get(&id.to_string(), now).copied());
            let order = regions(endpoint, *only, *remembered, home);
            search(
                state, transport, clock, retries, key, host, &order, endpoint, id,
            )
            .await
        }
    };
    if let (
        Endpoint::Bot,
        Ok(Found {
            region: Some(r), ..
        }),
    ) = (endpoint, &looked.result)
    {
        let now = clock.now_ms();
        state.with(|s| s.home.insert(id.to_string(), *r, FINISHED_BOT_TTL_MS, now));
    }
    looked
}

/// The one region rule: the regions to ask, in order. A pinned region is the
/// only one; screenshots and logs go where the bot was found; otherwise the
/// remembered region first, then the others.
pub fn regions(
    endpoint: Endpoint,
    only: Option<Region>,
    remembered: Option<Region>,
    home: Option<Region>,
) -> Vec<Region> {
    if let Some(only) = only {
        return vec![only];
    }
    match (endpoint, home) {
        (Endpoint::Screenshots | Endpoint::Logs, Some(home)) => vec![home],
        _ => {
            let mut order: Vec<Region> = remembered.into_iter().collect();
            order.extend(Region::ALL.into_iter().filter(|r| Some(*r) != remembered));
            order
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn search<T: Transport, C: Clock>(
    state: &impl Shared<Lookups>,
    transport: &T,
    clock: &C,
    retries: Retries,
    key: &str,
    host: &str,
    order: &[Region],
    endpoint: Endpoint,
    id: &str,
) -> Looked {
    if key.trim().is_empty() {
        return Looked::failed(ApiError::NoKey);
    }
    let credential = Credential::RecallKey(key);
    let now = clock.now_ms();
    let mut refused = Vec::new();
    let mut missing = Vec::new();
    let mut key_region = None;
    for &region in order {
        let missing_key = format!("{region}/{id}");
        if state.with(|s| s.missing.get(&missing_key, now).is_some()) {
            missing.push(region);
            key_region = key_region.or(Some(region)); // a 404 there: the key works there
            continue;
        }
        let url = client::url(host, region, endpoint, id);
        let answer = match retry::get(transport, clock, retries, &url, &credential).await {
            Ok(reply) => client::read_reply(&reply),
            Err(error) => Answer::Failed(error),
        };
        if !matches!(answer, Answer::Unauthorized | Answer::Failed(_)) {
            key_region = key_region.or(Some(region));
        }
        match answer {
            Answer::Found(body) => {
                return Looked {
                    result: Ok(Found {
                        region: Some(region),
                        body,
                    }),
                    key_region,
                }
            }
            Answer::Unauthorized => refused.push(region),
            Answer::NotFound => {
                missing.push(region);
                if endpoint == Endpoint::Bot {
                    let now = clock.now_ms();
                    state.with(|s| s.missing.insert(missing_key, (), NOT_FOUND_TTL_MS, now));
                }
            }
            Answer::Failed(error) => {
                return Looked {
                    result: Err(error),
                    key_region,
                }
            }
        }
    }
    let error = if missing.is_empty() {
        ApiError::Unauthorized {
            regions_tried: refused,
        }
    } else {
        // The key worked somewhere, so "not found" is the informative answer.
        ApiError::NotFound {
            regions_tried: missing,
        }
    };
    Looked {
        result: Err(error),
        key_region,
    }
}

async fn via_proxy<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    retries: Retries,
    base: &str,
    token: Option<&str>,
    endpoint: Endpoint,
    id: &str,
) -> Result<Found, ApiError> {
    let base = base.trim().trim_end_matches('/');
    let url = format!("{base}{}", endpoint.path(id));
    let credential = match token.filter(|t| !t.trim().is_empty()) {
        Some(token) => Credential::ProxyToken(token),
        None => Credential::None,
    };
    let reply = retry::get(transport, clock, retries, &url, &credential).await?;
    read_proxy_reply(&reply, base)
}

/// The error body of a botlens proxy: its typed error (`botlens`) when Recall
/// or the search failed, or its own refusal (`code`, `detail`).
#[derive(Deserialize)]
struct ProxyError {
    #[serde(default)]
    botlens: Option<ApiError>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

/// Read a botlens proxy's answer: the bot's JSON and the region the proxy
/// named, or the error it sent. `base` names the proxy in errors.
pub fn read_proxy_reply(reply: &HttpReply, base: &str) -> Result<Found, ApiError> {
    let place = if base.is_empty() {
        "the botlens proxy at this page's origin".to_string()
    } else {
        format!("the botlens proxy at {base}")
    };
    if (200..300).contains(&reply.status) {
        return match client::read_reply(reply) {
            Answer::Found(body) => Ok(Found {
                region: reply.region.as_deref().and_then(|r| r.parse().ok()),
                // The proxy's media links, made absolute on the proxy asked.
                body: body.replace(
                    &format!("\"{}/", super::trim::PROXY_LINK),
                    &format!("\"{}/", base.trim_end_matches('/')),
                ),
            }),
            Answer::Failed(error) => Err(error),
            _ => Err(ApiError::Malformed {
                status: reply.status,
                detail: "an answer botlens cannot read".into(),
            }),
        };
    }
    let parsed = serde_json::from_str::<ProxyError>(&reply.body).ok();
    if let Some(error) = parsed.as_ref().and_then(|p| p.botlens.clone()) {
        return Err(error);
    }
    let refusal = parsed.and_then(|p| match (p.code, p.detail) {
        (_, Some(detail)) => Some(detail),
        (Some(code), None) => Some(code),
        _ => None,
    });
    Err(match (reply.status, refusal) {
        (429, _) => ApiError::Throttled {
            retry_after_s: client::retry_after_seconds(reply.retry_after.as_deref()),
        },
        (status @ 500..=599, None) => ApiError::Server { status },
        (status, refusal) => ApiError::Unreachable {
            host: place,
            detail: refusal.unwrap_or_else(|| format!("it answered {status}")),
        },
    })
}

/// Where a key works: a probe for a bot that cannot exist answers 404 where
/// the key is valid and 401 where it is not; the first 404 ends the test.
/// Through a proxy, `Ok(None)` when it answers: it searches the regions itself.
pub async fn test_key<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    upstream: &Upstream,
) -> Result<Option<Region>, ApiError> {
    let (key, host, order) = match upstream {
        Upstream::Proxy { base, token } => {
            let answer = via_proxy(
                transport,
                clock,
                Retries::Bounded,
                base,
                token.as_deref(),
                Endpoint::Bot,
                PROBE_ID,
            )
            .await;
            return match answer {
                Ok(_) | Err(ApiError::NotFound { .. }) => Ok(None),
                Err(error) => Err(error),
            };
        }
        Upstream::Recall {
            key,
            host,
            remembered,
            only,
        } => (key, host, regions(Endpoint::Bot, *only, *remembered, None)),
    };
    if key.trim().is_empty() {
        return Err(ApiError::NoKey);
    }
    let credential = Credential::RecallKey(key);
    let mut refused = Vec::new();
    for region in order {
        let url = client::url(host, region, Endpoint::Bot, PROBE_ID);
        let reply = retry::get(transport, clock, Retries::Bounded, &url, &credential).await?;
        match client::read_reply(&reply) {
            Answer::Unauthorized => refused.push(region),
            Answer::NotFound | Answer::Found(_) => return Ok(Some(region)),
            Answer::Failed(error) => return Err(error),
        }
    }
    Err(ApiError::Unauthorized {
        regions_tried: refused,
    })
}

#[cfg(test)]
mod tests;
