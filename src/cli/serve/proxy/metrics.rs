//! What the proxy does, counted for Prometheus (`GET /metrics`, text format):
//! requests by outcome, cache hits, calls to Recall and their latency by
//! region, 429s by who said them, the upstream budget left. No label ever
//! holds a bot ID, a user, a key or anything of a bot's.

use std::sync::Mutex;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Status {
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Cache {
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Upstream {
    pub region: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Region {
    pub region: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Throttle {
    /// `recall` (Recall answered 429), `budget` (the workspace's budget was
    /// spent), `client` (a client over its rate or share).
    pub by: &'static str,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    pub requests: Family<Status, Counter>,
    pub cache: Family<Cache, Counter>,
    pub upstream: Family<Upstream, Counter>,
    pub upstream_seconds: Family<Region, Histogram>,
    pub throttled: Family<Throttle, Counter>,
    /// Retrieve Bot calls the workspace's budget allows at once, now.
    pub budget_left: Gauge,
    /// Connections open now.
    pub connections: Gauge,
    /// With `--redis`: 1 while Redis answers, 0 while each replica keeps 1/N alone.
    pub redis_up: Gauge,
    /// With `--redis`: replicas heard from lately (this one included).
    pub replicas: Gauge,
}

impl Metrics {
    /// `replicated`: whether `--redis` is given (the Redis gauges are shown only then).
    pub fn new(replicated: bool) -> Metrics {
        let requests = Family::<Status, Counter>::default();
        let cache = Family::<Cache, Counter>::default();
        let upstream = Family::<Upstream, Counter>::default();
        let upstream_seconds = Family::<Region, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.01, 2.0, 12))
        });
        let throttled = Family::<Throttle, Counter>::default();
        let budget_left = Gauge::default();
        let connections = Gauge::default();
        let redis_up = Gauge::default();
        let replicas = Gauge::default();
        let mut registry = Registry::with_prefix("botlens_proxy");
        registry.register(
            "requests",
            "Requests answered, by HTTP status",
            requests.clone(),
        );
        registry.register(
            "cache",
            "API answers by cache result (hit, miss, shared)",
            cache.clone(),
        );
        registry.register(
            "upstream_requests",
            "Calls to Recall, by region and status",
            upstream.clone(),
        );
        registry.register(
            "upstream_seconds",
            "Latency of calls to Recall, by region",
            upstream_seconds.clone(),
        );
        registry.register("throttled", "429s, by who said them", throttled.clone());
        registry.register(
            "budget_left",
            "Retrieve Bot calls the workspace's budget allows at once",
            budget_left.clone(),
        );
        registry.register("connections", "Connections open now", connections.clone());
        if replicated {
            registry.register(
                "redis_up",
                "1 while Redis answers; 0 while each replica keeps 1/N of the budget alone",
                redis_up.clone(),
            );
            registry.register(
                "replicas",
                "Replicas heard from lately, this one included",
                replicas.clone(),
            );
        }
        Metrics {
            registry: Mutex::new(registry),
            requests,
            cache,
            upstream,
            upstream_seconds,
            throttled,
            budget_left,
            connections,
            redis_up,
            replicas,
        }
    }

    /// One request answered with `status`.
    pub fn answered(&self, status: u16) {
        self.requests.get_or_create(&Status { status }).inc();
    }

    /// The Prometheus text exposition.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let registry = self
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = encode(&mut out, &registry);
        out
    }
}
