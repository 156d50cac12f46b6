//! Asking Recall: the core's look-up ([`botlens::recall::lookup`]) over the
//! proxy's HTTP client, kept under Recall's per-minute limits (the core's
//! budget, never waited for: a client over it is told when to come back), with answers
//! kept by the shared cache policy and identical requests in flight shared.

use std::sync::Arc;

use botlens::recall::budget::Budgeted;
use botlens::recall::client::{Credential, Endpoint, HttpReply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Upstream};
use botlens::recall::region::Region;
use botlens::recall::retry::Retries;
use tokio::sync::watch;

use super::{lock, metrics, Fetched, Key, Proxy};
use crate::cli::http::Uptime;

impl Proxy {
    /// Ask Recall (through the limits, without retries: the client decides),
    /// region by region, with the core's one region rule.
    async fn fetch(&self, endpoint: Endpoint, id: &str) -> Fetched {
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
            budget: &self.upstream,
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

    /// Is a fresh answer for this kept (a hit costs Recall nothing)?
    pub(super) fn is_cached(&self, endpoint: Endpoint, id: &str) -> bool {
        self.config.cache
            && lock(&self.cache)
                .get(&(endpoint, id.to_string()), self.now_ms())
                .is_some()
    }

    /// The cached answer, a share of an identical request in flight, or a new upstream call.
    pub(super) async fn lookup(
        self: &Arc<Self>,
        endpoint: Endpoint,
        id: &str,
    ) -> (Fetched, &'static str) {
        let key: Key = (endpoint, id.to_string());
        if self.config.cache {
            if let Some(hit) = lock(&self.cache).get(&key, self.now_ms()) {
                return (hit.clone(), "hit");
            }
        }
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
                        let outcome = proxy.fetch(key.0, &key.1).await;
                        if proxy.config.cache {
                            let answer = outcome.as_ref().map(|f| f.body.as_str());
                            let now = proxy.now_ms();
                            lock(&proxy.cache).remember(
                                key.clone(),
                                outcome.clone(),
                                key.0,
                                answer,
                                now,
                            );
                        }
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
