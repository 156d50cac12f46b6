//! `botlens serve --proxy`: the process that holds the Recall key so web pages
//! never do. It answers at Recall's own paths, so a client only changes its
//! API base, and it does nothing but read three endpoints:
//!
//! `GET /api/v1/bot/{uuid}/`, `…/screenshots/`, `…/logs/` (trailing slash
//! optional, query strings ignored and never forwarded).
//!
//! Everything else is refused before Recall is asked: other paths (404), other
//! methods (405), malformed IDs (400), a body on a GET (400), origins that are
//! not allowed (403), a missing or wrong shared token (401) and clients over
//! their rate (429). Answers are cached with the shared policy of
//! [`botlens::recall::cache`], identical requests in flight share one upstream
//! call, and the upstream calls stay under Recall's per-minute limits (a 429
//! from Recall blocks that endpoint for its `Retry-After`).
//!
//! The key is sent to Recall in `Authorization` and nowhere else: it is not
//! logged, not echoed, not part of any error text.
//!
//! - `client`: who is asking (an SSO proxy's user, a forwarded address, an
//!   address; IPv6 by /64);
//! - `guard`: who may ask (host, origin, token, each client's rate and share);
//! - `upstream`: asking Recall (the core's look-up, Recall's limits, answers
//!   kept and requests in flight shared);
//! - `front`: what a request meets first (routing, host and origin, CORS, the
//!   log line), kept per connection;
//! - `handlers`: the answers (paths, the checks in order, responses);
//! - `metrics`: `/metrics` for Prometheus;
//! - `media`: the signed links that stand in for Recall's download URLs
//!   (answers go out trimmed to what the card needs: `recall::trim`);
//! - `replicas`: what replicas share through Redis (`--redis`): the budget,
//!   the answers, who is asking Recall right now.

mod client;
mod front;
mod guard;
mod handlers;
pub mod listen;
mod media;
mod metrics;
mod replicas;
mod upstream;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use botlens::recall::cache::Cache;
use botlens::recall::client::{Endpoint, Found};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::Lookups;
use botlens::recall::region::Region;
use tokio::sync::watch;

use axum::body::Bytes;
use botlens::recall::budget::Bucket;
use botlens::recall::share::{ShareLimits, Shares};
pub use client::{Client, Identify};
pub use front::Front;

/// One client's share: `--client-share` calls Recall is asked for a minute, a
/// quarter of them at once (opening a card of a bot no region is known for
/// takes six). Replicas each give a client 1/N of it, so a client spread over
/// all of them still gets its share and no more.
fn share_limits(config: &Config) -> ShareLimits {
    let replicas = if config.redis.is_some() {
        config.replicas.max(1)
    } else {
        1
    };
    let per_minute = f64::from(config.client_share.max(1)) / f64::from(replicas);
    ShareLimits {
        per_second: (per_minute / 20.0).max(2.0),
        burst: (per_minute / 4.0).max(12.0),
        per_minute,
        remember_ms: 600_000.0,
    }
}

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: &str) -> Option<Secret> {
        let text = text.trim();
        (!text.is_empty()).then(|| Secret(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

pub use botlens::recall::budget::RECALL_PER_MINUTE;

#[derive(Debug)]
pub struct Config {
    pub key: Secret,
    /// Only this region (`--region`); otherwise every region, the one that worked first.
    pub region: Option<Region>,
    /// `https://{region}.recall.ai` or, in tests, `http://{region}.localhost:PORT`.
    pub upstream: String,
    /// `scheme://host[:port]` origins whose pages may call the proxy; `*` for any.
    pub allow_origins: Vec<String>,
    /// Host names the proxy answers to besides IP literals, `localhost`,
    /// `*.localhost` and the hosts of the allowed origins (DNS-rebinding guard).
    pub allow_hosts: Vec<String>,
    /// When set, API requests must carry `X-Botlens-Token: <token>`.
    pub token: Option<Secret>,
    /// Requests per second per client (burst: twice as many); 0 = no limit.
    pub client_rate: f64,
    /// Look-ups Recall is asked for per minute per client (cache hits are free).
    pub client_share: u32,
    /// How clients are told apart (`--trust-proxy`, `--user-header`).
    pub identify: client::Identify,
    /// Upstream requests per minute for the bot and logs endpoints (screenshots: a fifth).
    pub upstream_per_minute: u32,
    pub cache: bool,
    /// Replicas share the budget, answers and look-ups in flight here (`--redis URL`).
    pub redis: Option<String>,
    /// How many replicas run (`--replicas`): while Redis is away each keeps
    /// 1/N of the budget, N being this or the most seen alive, whichever is more.
    pub replicas: u32,
    /// Served at `/embed/` (botlens.js, the wasm, card.html).
    pub embed: Option<PathBuf>,
}

pub(super) type Key = (Endpoint, String);

/// An answer as the proxy keeps it: Recall's body (media links are resolved
/// against it) and the card's, trimmed once when it arrived.
#[derive(Clone, Debug)]
pub(super) struct Kept {
    pub region: Option<Region>,
    pub raw: Arc<str>,
    pub card: Bytes,
}

pub(super) type Fetched = Result<Kept, ApiError>;

pub struct Proxy {
    config: Config,
    http: reqwest::Client,
    started: Instant,
    cache: Mutex<Cache<Key, Fetched>>,
    inflight: Mutex<HashMap<Key, watch::Receiver<Option<Fetched>>>>,
    /// The region the key last worked in: tried first.
    remembered: Mutex<Option<Region>>,
    /// Where each bot was found, and the regions it is not in.
    lookups: Mutex<Lookups>,
    clients: Mutex<HashMap<Client, Bucket>>,
    /// Each client's share of the upstream budget, charged for misses only.
    shares: Mutex<Shares<Client, Key>>,
    /// Recall's budget for the workspace: this process's, or shared by replicas.
    budget: upstream::Workspace,
    /// Shared with other replicas through Redis, when `--redis` is given.
    replicas: Option<Arc<replicas::Replicas>>,
    /// Signs the media links that replace signed download URLs.
    media: media::MediaKey,
    metrics: metrics::Metrics,
    /// The last look-up at Recall: when (`now_ms`), and what made it fail, for `/readyz`.
    last_upstream: Mutex<Option<(f64, Option<&'static str>)>>,
}

pub type Shared = Arc<Proxy>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Proxy {
    pub fn new(config: Config) -> Result<Shared, String> {
        let shares = Shares::new(share_limits(&config));
        let http = crate::cli::http::client(&config.upstream, "botlens-proxy")?;
        let now = Instant::now();
        let replicas = match &config.redis {
            Some(url) => Some(Arc::new(replicas::Replicas::new(
                url,
                config.key.expose(),
                config.replicas,
            )?)),
            None => None,
        };
        let budget = upstream::Workspace::new(config.upstream_per_minute, replicas.clone());
        let media = media::MediaKey::for_key(config.key.expose());
        let metrics = metrics::Metrics::new(config.redis.is_some());
        let proxy = Arc::new(Proxy {
            remembered: Mutex::new(config.region),
            config,
            http,
            started: now,
            cache: Mutex::new(Cache::new(10_000)),
            inflight: Mutex::new(HashMap::new()),
            lookups: Mutex::default(),
            clients: Mutex::new(HashMap::new()),
            shares: Mutex::new(shares),
            budget,
            replicas,
            media,
            metrics,
            last_upstream: Mutex::new(None),
        });
        if let Some(replicas) = proxy.replicas.clone() {
            // Needs the runtime: `Proxy::new` runs inside it.
            tokio::spawn(async move {
                loop {
                    replicas.beat().await;
                    tokio::time::sleep(replicas::HEARTBEAT).await;
                }
            });
        }
        Ok(proxy)
    }

    /// The gauge the accept loop keeps of open connections.
    pub fn open_connections(&self) -> prometheus_client::metrics::gauge::Gauge {
        self.metrics.connections.clone()
    }

    /// Leave the replicas' count at shutdown.
    pub async fn leave(&self) {
        if let Some(replicas) = &self.replicas {
            replicas.leave().await;
        }
    }

    /// What Recall answered, as kept: the card's copy trimmed (`recall::trim`)
    /// with its signed links replaced by this proxy's; logs go as they are.
    pub(super) fn keep(
        &self,
        endpoint: Endpoint,
        id: &str,
        found: Result<Found, ApiError>,
    ) -> Fetched {
        let found = found?;
        let card = if endpoint == Endpoint::Logs {
            found.body.clone()
        } else {
            let link = |at: &str| self.media.link(id, endpoint, at);
            botlens::recall::trim::for_card(&found.body, &link).map_err(|e| {
                ApiError::Malformed {
                    status: 200,
                    detail: format!("not JSON ({e})"),
                }
            })?
        };
        Ok(Kept {
            region: found.region,
            raw: found.body.into(),
            card: Bytes::from(card),
        })
    }

    pub(super) fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("  k3y \n").unwrap();
        assert_eq!(s.expose(), "k3y");
        assert!(!format!("{s:?}").contains("k3y"));
        assert!(Secret::new("  ").is_none());
    }
}
