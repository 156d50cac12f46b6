//! Asking Recall: the core's look-up ([`botlens::recall::lookup`]) over the
//! proxy's HTTP client, kept under Recall's per-minute limits, with answers
//! kept by the shared cache policy and identical requests in flight shared.

use std::sync::Arc;
use std::time::{Duration, Instant};

use botlens::recall::client::{self, Credential, Endpoint, HttpReply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Upstream};
use botlens::recall::retry::{Clock, Retries};
use tokio::sync::watch;

use super::guard::throttled;
use super::{lock, Fetched, Key, Proxy};

impl Proxy {
    /// May the proxy call Recall once more on this endpoint now?
    fn admit_upstream(&self, endpoint: Endpoint) -> Result<(), ApiError> {
        lock(&self.upstream)
            .admit(endpoint, Instant::now())
            .map_err(throttled)
    }

    fn block_upstream(&self, endpoint: Endpoint, seconds: u32) {
        lock(&self.upstream).block(endpoint, f64::from(seconds), Instant::now());
    }

    /// Ask Recall (through the limits, without retries: the client decides),
    /// region by region, with the core's one region rule.
    async fn fetch(&self, endpoint: Endpoint, id: &str) -> Fetched {
        let upstream = Upstream::Recall {
            key: self.config.key.expose().to_string(),
            host: self.config.upstream.clone(),
            remembered: *lock(&self.remembered),
            only: self.config.region,
        };
        let transport = Limited {
            proxy: self,
            endpoint,
        };
        let clock = Uptime(self.started);
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
        looked.result
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

/// The proxy's transport: Recall's per-minute limits, then reqwest.
/// The proxy's clock: time since it started. Never asked to sleep (no retries).
struct Uptime(Instant);

impl Clock for Uptime {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }

    fn random(&self) -> f64 {
        0.5
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }
}

struct Limited<'a> {
    proxy: &'a Proxy,
    endpoint: Endpoint,
}

impl Transport for Limited<'_> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        self.proxy.admit_upstream(self.endpoint)?;
        let reply = crate::cli::http::get(&self.proxy.http, url, credential).await?;
        if reply.status == 429 {
            self.proxy.block_upstream(
                self.endpoint,
                client::retry_after_seconds(reply.retry_after.as_deref()),
            );
        }
        Ok(reply)
    }
}
