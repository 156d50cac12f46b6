//! Asking Recall: the core's look-up ([`botlens::recall::lookup`]) over the
//! proxy's HTTP client, kept under Recall's per-minute limits (the core's
//! budget, never waited for: a client over it is told when to come back), with answers
//! kept by the shared cache policy and identical requests in flight shared —
//! within this process, and with the other replicas when they share a Redis.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use botlens::recall::budget::{Admission, Budget, Budgeted, Call};
use botlens::recall::cache::ttl_ms;
use botlens::recall::client::{Credential, Endpoint, Found, HttpReply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Upstream};
use botlens::recall::region::Region;
use botlens::recall::retry::Retries;
use serde_json::{json, Value};
use tokio::sync::watch;

use super::replicas::Replicas;
use super::{lock, metrics, Fetched, Key, Proxy};
use crate::cli::http::Uptime;

/// Recall's budget for the key's workspace. Alone, this process keeps all of
/// it; replicas keep it in Redis, and while Redis is away each keeps 1/N.
pub(super) struct Workspace {
    per_minute: u32,
    /// This process's budget and the N it is 1/N of (1 when alone).
    local: Mutex<(u32, Budget)>,
    replicas: Option<Arc<Replicas>>,
    /// Whole calls of the workspace's limit, for the shared bucket's sizes.
    full: Budget,
}

impl Workspace {
    pub fn new(per_minute: u32, replicas: Option<Arc<Replicas>>) -> Workspace {
        let n = replicas.as_ref().map_or(1, |r| r.count());
        Workspace {
            per_minute,
            local: Mutex::new((n, Budget::new(per_minute / n, 0.0))),
            replicas,
            full: Budget::new(per_minute, 0.0),
        }
    }

    /// The calls of Retrieve Bot that could go at once now (for `/metrics`).
    pub fn left(&self, now_ms: f64) -> f64 {
        match &self.replicas {
            Some(r) if r.is_up() => f64::from(r.left()),
            _ => lock(&self.local).1.left(Endpoint::Bot, now_ms),
        }
    }

    /// The replicas' N changed (or Redis went away): this process's 1/N anew.
    fn local_share(&self, now_ms: f64) -> std::sync::MutexGuard<'_, (u32, Budget)> {
        let mut local = lock(&self.local);
        if let Some(n) = self.replicas.as_ref().map(|r| r.count()) {
            if local.0 != n {
                *local = (n, Budget::new(self.per_minute / n, now_ms));
            }
        }
        local
    }
}

impl Admission for Workspace {
    async fn admit(&self, call: Call, now_ms: f64) -> Result<(), f64> {
        if let Some(replicas) = &self.replicas {
            let (rate, burst) = self.full.limit(call);
            if let Some(admitted) = replicas.admit(call, rate, burst).await {
                return admitted;
            }
        }
        self.local_share(now_ms).1.admit(call, now_ms)
    }

    async fn block(&self, call: Call, seconds: f64, now_ms: f64) {
        lock(&self.local).1.block(call, seconds, now_ms);
        if let Some(replicas) = &self.replicas {
            replicas.pause(call, seconds).await;
        }
    }
}

impl Proxy {
    /// Ask Recall (through the limits, without retries: the client decides),
    /// region by region, with the core's one region rule.
    async fn fetch(&self, endpoint: Endpoint, id: &str) -> Result<Found, ApiError> {
        let upstream = Upstream::Recall {
            key: self.config.key.expose().to_string(),
            host: self.config.upstream.clone(),
            remembered: *lock(&self.remembered),
            only: self.config.region,
        };
        let clock = Uptime(self.started);
        // The workspace's budget, never waited for here: the client is told to come back.
        let transport = Budgeted {
            transport: &Plain(self),
            clock: &clock,
            budget: &self.budget,
            max_wait_ms: 0,
        };
        let looked = lookup::find(
            &self.lookups,
            &transport,
            &clock,
            Retries::Never,
            &upstream,
            endpoint,
            id,
        )
        .await;
        if let (Some(region), None) = (looked.key_region, self.config.region) {
            *lock(&self.remembered) = Some(region);
        }
        // What /readyz reports: a look-up that found Recall unusable.
        let problem = match &looked.result {
            Err(ApiError::Unauthorized { .. }) => Some("Recall refused the key in every region"),
            Err(ApiError::Unreachable { .. }) => Some("Recall could not be reached"),
            Err(ApiError::Server { .. }) => Some("Recall answered with a server error"),
            _ => None,
        };
        *lock(&self.last_upstream) = Some((self.now_ms(), problem));
        looked.result
    }

    /// A kept answer: this process's, else one another replica kept (Redis).
    pub(super) async fn kept(&self, endpoint: Endpoint, id: &str) -> Option<Fetched> {
        if !self.config.cache {
            return None;
        }
        let key: Key = (endpoint, id.to_string());
        if let Some(hit) = lock(&self.cache).get(&key, self.now_ms()) {
            return Some(hit.clone());
        }
        let (stored, ttl) = self.replicas.as_ref()?.answer(&key).await?;
        let outcome = self.keep(endpoint, id, unstore(&stored)?);
        lock(&self.cache).insert(key, outcome.clone(), ttl, self.now_ms());
        Some(outcome)
    }

    /// A share of an identical request in flight (here or at another
    /// replica), or a new upstream call. Not the cache: see [`Proxy::kept`].
    pub(super) async fn ask(
        self: &Arc<Self>,
        endpoint: Endpoint,
        id: &str,
    ) -> (Fetched, &'static str) {
        let key: Key = (endpoint, id.to_string());
        let (mut rx, how) = {
            let mut inflight = lock(&self.inflight);
            match inflight.get(&key) {
                Some(rx) => (rx.clone(), "shared"),
                None => {
                    let (tx, rx) = watch::channel(None);
                    inflight.insert(key.clone(), rx.clone());
                    // Its own task: a client that hangs up does not cancel the
                    // call the others wait for.
                    let proxy = Arc::clone(self);
                    tokio::spawn(async move {
                        let outcome = proxy.settle(&key).await;
                        lock(&proxy.inflight).remove(&key);
                        let _ = tx.send(Some(outcome));
                    });
                    (rx, "miss")
                }
            }
        };
        let outcome = match rx.wait_for(Option::is_some).await {
            Ok(value) => value.clone(),
            Err(_) => None,
        };
        let outcome = outcome.unwrap_or_else(|| {
            Err(ApiError::Unreachable {
                host: "the botlens proxy".into(),
                detail: "the upstream request was lost".into(),
            })
        });
        (outcome, how)
    }

    /// Ask Recall for `key` unless another replica already is (then wait a
    /// little for its answer), and keep what comes back for everyone.
    async fn settle(&self, key: &Key) -> Fetched {
        let (endpoint, id) = (key.0, key.1.as_str());
        if let Some(replicas) = &self.replicas {
            if replicas.claim(key).await == Some(false) {
                let theirs = replicas.settled(key, Duration::from_secs(3)).await;
                if let Some(found) = theirs.as_deref().and_then(unstore) {
                    return self.remember(key, found);
                }
            }
        }
        let found = self.fetch(endpoint, id).await;
        if let Some(replicas) = &self.replicas {
            let ttl = if self.config.cache {
                ttl_ms(endpoint, found.as_ref().map(|f| f.body.as_str()))
            } else {
                None
            };
            replicas.keep(key, &store(&found), ttl).await;
        }
        self.remember(key, found)
    }

    /// Keep Recall's answer in this process's cache, by the shared policy.
    fn remember(&self, key: &Key, found: Result<Found, ApiError>) -> Fetched {
        let ttl = ttl_ms(key.0, found.as_ref().map(|f| f.body.as_str()));
        let outcome = self.keep(key.0, &key.1, found);
        if let (true, Some(ttl)) = (self.config.cache, ttl) {
            lock(&self.cache).insert(key.clone(), outcome.clone(), ttl, self.now_ms());
        }
        outcome
    }
}

/// How an answer travels between replicas: Recall's body and region, or the error.
fn store(found: &Result<Found, ApiError>) -> String {
    match found {
        Ok(found) => json!({"region": found.region.map(Region::label), "body": found.body}),
        Err(error) => json!({ "error": error }),
    }
    .to_string()
}

fn unstore(text: &str) -> Option<Result<Found, ApiError>> {
    let value: Value = serde_json::from_str(text).ok()?;
    if let Some(error) = value.get("error") {
        return serde_json::from_value(error.clone()).ok().map(Err);
    }
    let region = value["region"]
        .as_str()
        .and_then(|label| Region::ALL.into_iter().find(|r| r.label() == label));
    let body = value["body"].as_str()?.to_string();
    Some(Ok(Found { region, body }))
}

/// reqwest, through the shared native client, counted in the metrics.
struct Plain<'a>(&'a Proxy);

impl Transport for Plain<'_> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        let started = std::time::Instant::now();
        let reply = crate::cli::http::get(&self.0.http, url, credential).await;
        let region = region_of(url);
        let status = reply.as_ref().map_or(0, |r| r.status);
        let m = &self.0.metrics;
        m.upstream
            .get_or_create(&metrics::Upstream { region, status })
            .inc();
        m.upstream_seconds
            .get_or_create(&metrics::Region { region })
            .observe(started.elapsed().as_secs_f64());
        if status == 429 {
            m.throttled
                .get_or_create(&metrics::Throttle { by: "recall" })
                .inc();
        }
        reply
    }
}

/// The region a call went to (its host's first label), as a fixed label.
fn region_of(url: &str) -> &'static str {
    let host = url.split_once("://").map_or(url, |(_, r)| r);
    Region::ALL
        .into_iter()
        .find(|r| host.starts_with(r.label()))
        .map_or("other", Region::label)
}
