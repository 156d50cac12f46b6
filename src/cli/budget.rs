//! Recall's per-workspace limits, kept by everything native that calls Recall
//! (the proxy and the command line): a token bucket per endpoint a tenth
//! under Recall's limits (Retrieve Bot and Bot Logs 300 a minute, screenshots
//! a fifth of that), and a pause on an endpoint after Recall answers 429.

use std::time::{Duration, Instant};

use botlens::recall::client::Endpoint;

/// Recall's limit on Retrieve Bot and Bot Logs, per workspace and minute.
pub const RECALL_PER_MINUTE: u32 = 300;

/// What a request costs against: one bot's endpoint, or List Bots (which
/// Recall limits to a fifth, like screenshots).
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

/// A token bucket.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn full(burst: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst,
            last: now,
        }
    }

    /// Take one token, or say how many seconds until one is there.
    pub fn take(&mut self, per_second: f64, burst: f64, now: Instant) -> Result<(), f64> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - self.tokens) / per_second)
        }
    }

    /// When it was last used.
    pub fn last(&self) -> Instant {
        self.last
    }
}

/// The calls one workspace may still make, endpoint by endpoint.
pub struct Budget {
    limits: [(f64, f64); 4],
    buckets: [Bucket; 4],
    /// After a 429 from Recall: no request of that kind before this.
    blocked_until: [Option<Instant>; 4],
}

impl Budget {
    pub fn new(per_minute: u32, now: Instant) -> Budget {
        let limits = limits(f64::from(per_minute.max(1)));
        Budget {
            limits,
            buckets: limits.map(|(_, burst)| Bucket::full(burst, now)),
            blocked_until: [None; 4],
        }
    }

    /// Spend one call now, or say how many seconds to wait.
    pub fn admit(&mut self, call: impl Into<Call>, now: Instant) -> Result<(), f64> {
        let i = index(call.into());
        if let Some(until) = self.blocked_until[i] {
            if until > now {
                return Err(until.saturating_duration_since(now).as_secs_f64());
            }
            self.blocked_until[i] = None;
        }
        let (rate, burst) = self.limits[i];
        self.buckets[i].take(rate, burst, now)
    }

    /// Recall answered 429: nothing of this kind for `seconds`.
    pub fn block(&mut self, call: impl Into<Call>, seconds: f64, now: Instant) {
        let until = now + Duration::from_secs_f64(seconds.clamp(0.0, 600.0));
        let slot = &mut self.blocked_until[index(call.into())];
        *slot = Some(slot.map_or(until, |u| u.max(until)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_and_say_how_long_to_wait() {
        let t0 = Instant::now();
        let mut b = Bucket::full(2.0, t0);
        assert!(b.take(1.0, 2.0, t0).is_ok());
        assert!(b.take(1.0, 2.0, t0).is_ok());
        let wait = b.take(1.0, 2.0, t0).unwrap_err();
        assert!(wait > 0.9 && wait <= 1.0, "{wait}");
        assert!(b.take(1.0, 2.0, t0 + Duration::from_millis(1100)).is_ok());
    }

    #[test]
    fn stays_under_recalls_limits_over_a_minute() {
        let [bot, shots, logs, list] = limits(f64::from(RECALL_PER_MINUTE));
        assert!(bot.0 * 60.0 < 300.0);
        assert!(logs.0 * 60.0 < 300.0);
        assert!(shots.0 * 60.0 < 60.0);
        assert!(list.0 * 60.0 < 60.0);
        // Asking as fast as it lets us for a minute stays under 300 calls.
        let t0 = Instant::now();
        let mut budget = Budget::new(RECALL_PER_MINUTE, t0);
        let mut calls = 0;
        for ms in 0..60_000u64 {
            let now = t0 + Duration::from_millis(ms);
            while budget.admit(Endpoint::Bot, now).is_ok() {
                calls += 1;
            }
        }
        assert!((250..300).contains(&calls), "{calls} calls in a minute");
        budget.block(Endpoint::Bot, 17.0, t0);
        let wait = budget.admit(Endpoint::Bot, t0).unwrap_err();
        assert!(wait > 16.9, "{wait}");
    }
}
