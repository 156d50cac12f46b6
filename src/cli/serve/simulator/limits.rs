//! Recall's per-workspace rate limits, when `--limit-per-minute` asks for
//! them: a sliding minute per key and endpoint (Retrieve Bot and Bot Logs at
//! the limit, screenshots at a fifth of it); one request over answers 429
//! with the `Retry-After` Recall would send.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use botlens::recall::client::Endpoint;

const MINUTE: Duration = Duration::from_secs(60);

pub use botlens::recall::budget::Call;

pub struct Limits {
    per_minute: u32,
    /// A minute, unless a test asks for a shorter one.
    window: Duration,
    /// (key, call) → when its requests of the last minute came.
    seen: Mutex<HashMap<(String, Call), VecDeque<Instant>>>,
}

impl Limits {
    pub fn new(per_minute: u32, window: Option<Duration>) -> Limits {
        Limits {
            per_minute: per_minute.max(1),
            window: window.unwrap_or(MINUTE),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Count one request; `Some(seconds)` to wait when it is over the limit.
    pub fn over(&self, key: &str, call: Call, now: Instant) -> Option<u64> {
        let limit = match call {
            Call::One(Endpoint::Screenshots) | Call::List => (self.per_minute / 5).max(1),
            Call::One(Endpoint::Bot | Endpoint::Logs) => self.per_minute,
        } as usize;
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let window = seen.entry((key.to_string(), call)).or_default();
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.window)
        {
            window.pop_front();
        }
        if window.len() >= limit {
            let oldest = window.front().copied().unwrap_or(now);
            let wait = self
                .window
                .saturating_sub(now.saturating_duration_since(oldest));
            return Some(wait.as_secs().max(1));
        }
        window.push_back(now);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOT: Call = Call::One(Endpoint::Bot);
    const SHOTS: Call = Call::One(Endpoint::Screenshots);

    #[test]
    fn a_minute_per_key_and_endpoint() {
        let limits = Limits::new(10, None);
        let t0 = Instant::now();
        for _ in 0..10 {
            assert_eq!(limits.over("k", BOT, t0), None);
        }
        assert_eq!(limits.over("k", BOT, t0), Some(60));
        assert_eq!(limits.over("other", BOT, t0), None, "per key");
        assert_eq!(
            limits.over("k", Call::List, t0),
            None,
            "List Bots counts apart"
        );
        assert_eq!(limits.over("k", SHOTS, t0), None);
        assert_eq!(limits.over("k", SHOTS, t0), None);
        assert!(limits.over("k", SHOTS, t0).is_some(), "a fifth");
        assert_eq!(
            limits.over("k", BOT, t0 + MINUTE),
            None,
            "the window slides"
        );
    }
}
