//! Recall's per-workspace limits, kept by every channel that calls Recall —
//! the extension's worker, the proxy and the command line: a token bucket per
//! kind of call a tenth under Recall's limits (Retrieve Bot and Bot Logs 300 a
//! minute; screenshots and List Bots a fifth of that), and a pause on a kind
//! after Recall answers 429. Pure: time is the caller's milliseconds.
//!
//! [`Budgeted`] puts it in front of any [`Transport`]: a call waits for its
//! token up to the caller's limit, else it is refused as throttled without
//! reaching Recall.

use super::client::{origin, retry_after_seconds, Credential, Endpoint, HttpReply, Transport};
use super::error::ApiError;
use super::list;
use super::retry::Clock;
use super::shared::Shared;

/// Recall's limit on Retrieve Bot and Bot Logs, per workspace and minute.
pub const RECALL_PER_MINUTE: u32 = 300;

/// What a request costs against: one bot's endpoint, or List Bots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    One(Endpoint),
    List,
}

impl From<Endpoint> for Call {
    fn from(endpoint: Endpoint) -> Call {
        Call::One(endpoint)
    }
}

impl Call {
    /// The kind of call a URL botlens built is (a bot's endpoint by default).
    pub fn of_url(url: &str) -> Call {
        let path = url
            .get(origin(url).len()..)
            .unwrap_or_default()
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        if path == list::PATH {
            return Call::List;
        }
        Endpoint::parse(path).map_or(Call::One(Endpoint::Bot), |(_, e)| Call::One(e))
    }
}

/// A token bucket; times in milliseconds from any fixed origin.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f64,
    last_ms: f64,
}

impl Bucket {
    pub fn full(burst: f64, now_ms: f64) -> Bucket {
        Bucket {
            tokens: burst,
            last_ms: now_ms,
        }
    }

    /// Take one token, or say how many seconds until one is there.
    pub fn take(&mut self, per_second: f64, burst: f64, now_ms: f64) -> Result<(), f64> {
        self.take_n(1.0, per_second, burst, now_ms)
    }

    /// Take `n` tokens (at most `burst` are ever asked for), or say how many
    /// seconds until they are there.
    pub fn take_n(&mut self, n: f64, per_second: f64, burst: f64, now_ms: f64) -> Result<(), f64> {
        let n = n.min(burst);
        let elapsed = ((now_ms - self.last_ms) / 1000.0).max(0.0);
        self.tokens = (self.tokens + elapsed * per_second).min(burst);
        self.last_ms = self.last_ms.max(now_ms);
        if self.tokens >= n {
            self.tokens -= n;
            Ok(())
        } else {
            Err((n - self.tokens) / per_second)
        }
    }

    /// The tokens there would be now, without taking any.
    pub fn level(&self, per_second: f64, burst: f64, now_ms: f64) -> f64 {
        let elapsed = ((now_ms - self.last_ms) / 1000.0).max(0.0);
        (self.tokens + elapsed * per_second).min(burst)
    }

    /// When it was last used.
    pub fn last_ms(&self) -> f64 {
        self.last_ms
    }
}

/// The calls one workspace may still make, kind by kind.
#[derive(Clone, Debug)]
pub struct Budget {
    limits: [(f64, f64); 4],
    buckets: [Bucket; 4],
    /// After a 429 from Recall: no call of that kind before this.
    blocked_until_ms: [f64; 4],
}

impl Budget {
    pub fn new(per_minute: u32, now_ms: f64) -> Budget {
        let limits = limits(f64::from(per_minute.max(1)));
        Budget {
            limits,
            buckets: limits.map(|(_, burst)| Bucket::full(burst, now_ms)),
            blocked_until_ms: [f64::NEG_INFINITY; 4],
        }
    }

    /// Spend one call now, or say how many seconds to wait.
    pub fn admit(&mut self, call: impl Into<Call>, now_ms: f64) -> Result<(), f64> {
        let i = index(call.into());
        if self.blocked_until_ms[i] > now_ms {
            return Err((self.blocked_until_ms[i] - now_ms) / 1000.0);
        }
        let (rate, burst) = self.limits[i];
        self.buckets[i].take(rate, burst, now_ms)
    }

    /// The calls of this kind that could go at once now (0 while blocked).
    pub fn left(&self, call: impl Into<Call>, now_ms: f64) -> f64 {
        let i = index(call.into());
        if self.blocked_until_ms[i] > now_ms {
            return 0.0;
        }
        let (rate, burst) = self.limits[i];
        self.buckets[i].level(rate, burst, now_ms)
    }

    /// (tokens per second, burst) for this kind of call.
    pub fn limit(&self, call: impl Into<Call>) -> (f64, f64) {
        self.limits[index(call.into())]
    }

    /// Recall answered 429: nothing of this kind for `seconds`.
    pub fn block(&mut self, call: impl Into<Call>, seconds: f64, now_ms: f64) {
        let i = index(call.into());
        let until = now_ms + seconds.clamp(0.0, 600.0) * 1000.0;
        self.blocked_until_ms[i] = self.blocked_until_ms[i].max(until);
    }
}

fn index(call: Call) -> usize {
    match call {
        Call::One(Endpoint::Bot) => 0,
        Call::One(Endpoint::Screenshots) => 1,
        Call::One(Endpoint::Logs) => 2,
        Call::List => 3,
    }
}

/// (tokens per second, burst) per kind of call, a tenth under Recall's limits.
fn limits(per_minute: f64) -> [(f64, f64); 4] {
    let bot = per_minute * 0.9 / 60.0;
    let fifth = bot / 5.0;
    [
        (bot, (bot * 5.0).max(1.0)),
        (fifth, (fifth * 5.0).max(1.0)),
        (bot, (bot * 5.0).max(1.0)),
        (fifth, (fifth * 5.0).max(1.0)),
    ]
}

/// Where a budget is kept: in this process (any [`Shared`] [`Budget`]), or
/// shared by several processes (the proxy's replicas, through Redis).
#[allow(async_fn_in_trait)] // one thread per context in the browser; no Send bound wanted
pub trait Admission {
    /// Spend one call now, or say how many seconds to wait.
    async fn admit(&self, call: Call, now_ms: f64) -> Result<(), f64>;
    /// Recall answered 429: nothing of this kind for `seconds`.
    async fn block(&self, call: Call, seconds: f64, now_ms: f64);
}

impl<S: Shared<Budget>> Admission for S {
    async fn admit(&self, call: Call, now_ms: f64) -> Result<(), f64> {
        self.with(|b| b.admit(call, now_ms))
    }
    async fn block(&self, call: Call, seconds: f64, now_ms: f64) {
        self.with(|b| b.block(call, seconds, now_ms));
    }
}

/// A transport that keeps the budget: each call waits for its token up to
/// `max_wait_ms` in all (then it is refused as throttled, Recall not asked),
/// and a 429 pauses its kind for Recall's `Retry-After`.
pub struct Budgeted<'a, T, C, K> {
    pub transport: &'a T,
    pub clock: &'a C,
    pub budget: &'a K,
    pub max_wait_ms: u32,
}

impl<T: Transport, C: Clock, K: Admission> Transport for Budgeted<'_, T, C, K> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        let call = Call::of_url(url);
        let mut waited_ms = 0u32;
        loop {
            let now = self.clock.now_ms();
            match self.budget.admit(call, now).await {
                Ok(()) => break,
                Err(seconds) => {
                    // Whole milliseconds, at least one; a wait past the limit is refused.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let ms = (seconds * 1000.0).ceil().clamp(1.0, 600_000.0) as u32;
                    if waited_ms.saturating_add(ms) > self.max_wait_ms {
                        return Err(ApiError::throttled_for(seconds));
                    }
                    self.clock.sleep(ms).await;
                    waited_ms = waited_ms.saturating_add(ms);
                }
            }
        }
        let reply = self.transport.get(url, credential).await?;
        if reply.status == 429 {
            let seconds = f64::from(retry_after_seconds(reply.retry_after.as_deref()));
            let now = self.clock.now_ms();
            self.budget.block(call, seconds, now).await;
        }
        Ok(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;
    use std::cell::{Cell, RefCell};

    #[test]
    fn stays_under_recalls_limits_over_a_minute() {
        let [bot, shots, logs, list] = limits(f64::from(RECALL_PER_MINUTE));
        assert!(bot.0 * 60.0 < 300.0 && logs.0 * 60.0 < 300.0);
        assert!(shots.0 * 60.0 < 60.0 && list.0 * 60.0 < 60.0);
        let mut budget = Budget::new(RECALL_PER_MINUTE, 0.0);
        let mut calls = 0;
        for ms in 0..60_000 {
            while budget.admit(Endpoint::Bot, f64::from(ms)).is_ok() {
                calls += 1;
            }
        }
        assert!((250..300).contains(&calls), "{calls} calls in a minute");
        budget.block(Endpoint::Bot, 17.0, 0.0);
        assert!(budget.admit(Endpoint::Bot, 0.0).unwrap_err() > 16.9);
        assert_eq!(
            Call::of_url("https://us-west-2.recall.ai/api/v1/bot/?status=fatal"),
            Call::List
        );
        assert_eq!(
            Call::of_url("http://x.localhost:1/api/v1/bot/b1/logs/"),
            Call::One(Endpoint::Logs)
        );
    }

    struct Fake {
        calls: Cell<u32>,
    }

    impl Transport for Fake {
        async fn get(&self, _: &str, _: &Credential<'_>) -> Result<HttpReply, ApiError> {
            self.calls.set(self.calls.get() + 1);
            Ok(HttpReply {
                status: 200,
                body: "{}".into(),
                retry_after: None,
                region: None,
            })
        }
    }

    struct Manual(Cell<f64>);

    impl Clock for Manual {
        fn now_ms(&self) -> f64 {
            self.0.get()
        }
        fn random(&self) -> f64 {
            0.5
        }
        async fn sleep(&self, ms: u32) {
            self.0.set(self.0.get() + f64::from(ms));
        }
    }

    #[test]
    fn a_budgeted_transport_waits_within_its_limit_then_refuses() {
        let fake = Fake {
            calls: Cell::new(0),
        };
        let clock = Manual(Cell::new(0.0));
        let budget = RefCell::new(Budget::new(RECALL_PER_MINUTE, 0.0));
        let url = "https://us-west-2.recall.ai/api/v1/bot/b1/";
        let patient = Budgeted {
            transport: &fake,
            clock: &clock,
            budget: &budget,
            max_wait_ms: 60_000,
        };
        for _ in 0..100 {
            block_on(patient.get(url, &Credential::None)).unwrap();
        }
        assert_eq!(fake.calls.get(), 100);
        assert!(
            clock.now_ms() > 15_000.0,
            "paced: {} ms for 100 calls",
            clock.now_ms()
        );
        let impatient = Budgeted {
            transport: &fake,
            clock: &clock,
            budget: &budget,
            max_wait_ms: 0,
        };
        let refused = block_on(impatient.get(url, &Credential::None));
        assert!(
            matches!(refused, Err(ApiError::Throttled { .. })),
            "{refused:?}"
        );
        assert_eq!(fake.calls.get(), 100, "a refused call never reaches Recall");
        assert_eq!(
            ApiError::throttled_for(0.2),
            ApiError::Throttled { retry_after_s: 1 }
        );
        assert_eq!(
            ApiError::throttled_for(1e9),
            ApiError::Throttled { retry_after_s: 300 }
        );
    }
}
