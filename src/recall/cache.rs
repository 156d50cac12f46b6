//! The cache policy botlens applies to Recall's answers, shared by the
//! extension's background worker and the `botlens serve --proxy` process.
//!
//! Pure: the clock is a parameter (`now_ms`, milliseconds since the Unix
//! epoch or any other monotonic origin), so it compiles for wasm32, where
//! `SystemTime::now` panics, and tests need no sleeping.
//!
//! The rule ([`ttl_ms`]):
//! - a bot that has shut down (a `done` or `fatal` status, or a post-terminal
//!   code such as `analysis_done`) no longer changes: [`FINISHED_BOT_TTL_MS`];
//! - a bot still running changes every few seconds: [`LIVE_BOT_TTL_MS`]
//!   (also used when the body cannot be read as a bot);
//! - "no such bot" in every region tried: [`NOT_FOUND_TTL_MS`];
//! - screenshots and logs: [`MEDIA_TTL_MS`];
//! - every other error (401, 429, 5xx, unreachable, malformed): not cached,
//!   so the next request asks again (the caller honours `Retry-After`).

use std::collections::HashMap;
use std::hash::Hash;

use super::client::Endpoint;
use super::error::ApiError;
use super::model::Bot;

/// A bot that has shut down: ten minutes.
pub const FINISHED_BOT_TTL_MS: f64 = 600_000.0;
/// A bot still joining, waiting or recording: ten seconds.
pub const LIVE_BOT_TTL_MS: f64 = 10_000.0;
/// No such bot in the regions tried: one minute.
pub const NOT_FOUND_TTL_MS: f64 = 60_000.0;
/// Screenshots and logs: one minute.
pub const MEDIA_TTL_MS: f64 = 60_000.0;

/// How long an answer may be reused, or `None` when it must not be cached.
/// `answer` is the JSON body Recall sent (`Ok`) or the error it came to.
pub fn ttl_ms(endpoint: Endpoint, answer: Result<&str, &ApiError>) -> Option<f64> {
    match answer {
        Ok(body) => Some(match endpoint {
            Endpoint::Bot if bot_is_finished(body) => FINISHED_BOT_TTL_MS,
            Endpoint::Bot => LIVE_BOT_TTL_MS,
            Endpoint::Screenshots | Endpoint::Logs => MEDIA_TTL_MS,
        }),
        Err(ApiError::NotFound { .. }) => Some(NOT_FOUND_TTL_MS),
        Err(_) => None,
    }
}

/// True when the bot JSON shows a terminal status (`done`, `fatal`) or a code
/// that only comes after one. Unreadable JSON counts as still running, so it
/// is asked again soon.
pub fn bot_is_finished(body: &str) -> bool {
    match serde_json::from_str::<Bot>(body) {
        Ok(bot) => bot
            .status_changes
            .iter()
            .any(|c| c.code.is_terminal() || c.code.is_post_terminal()),
        Err(_) => false,
    }
}

/// A bounded map whose entries expire. Expired entries are never returned and
/// are dropped lazily; when full, the entry closest to expiry makes room.
#[derive(Clone, Debug)]
pub struct Cache<K, V> {
    entries: HashMap<K, (f64, V)>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> Cache<K, V> {
    /// A cache of at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Cache {
            entries: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// The value of `key` if it has not expired at `now_ms`.
    pub fn get(&self, key: &K, now_ms: f64) -> Option<&V> {
        self.entries
            .get(key)
            .filter(|(expires, _)| *expires > now_ms)
            .map(|(_, value)| value)
    }

    /// Milliseconds `key` stays fresh after `now_ms`, if it is cached.
    pub fn remaining_ms(&self, key: &K, now_ms: f64) -> Option<f64> {
        self.entries
            .get(key)
            .map(|(expires, _)| expires - now_ms)
            .filter(|left| *left > 0.0)
    }

    /// Keep `value` until `now_ms + ttl_ms`. A non-positive or non-finite TTL stores nothing.
    pub fn insert(&mut self, key: K, value: V, ttl_ms: f64, now_ms: f64) {
        if !(ttl_ms.is_finite() && ttl_ms > 0.0 && now_ms.is_finite()) {
            return;
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.purge(now_ms);
            if self.entries.len() >= self.capacity {
                let soonest = self
                    .entries
                    .iter()
                    .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                    .map(|(k, _)| k.clone());
                if let Some(k) = soonest {
                    self.entries.remove(&k);
                }
            }
        }
        self.entries.insert(key, (now_ms + ttl_ms, value));
    }

    /// Store an answer under the policy of [`ttl_ms`]; errors that must not be cached are skipped.
    pub fn remember(
        &mut self,
        key: K,
        value: V,
        endpoint: Endpoint,
        answer: Result<&str, &ApiError>,
        now_ms: f64,
    ) {
        if let Some(ttl) = ttl_ms(endpoint, answer) {
            self.insert(key, value, ttl, now_ms);
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key).map(|(_, v)| v)
    }

    /// Drop every entry expired at `now_ms`.
    pub fn purge(&mut self, now_ms: f64) {
        self.entries.retain(|_, (expires, _)| *expires > now_ms);
    }

    /// Entries held, expired or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recall::region::Region;

    const RUNNING: &str = r#"{"id":"0b5f5b0e-1111-4a4a-8b8b-123456789abc","status_changes":[
        {"code":"joining_call","created_at":"2026-11-25T10:00:00Z"},
        {"code":"in_call_recording","created_at":"2026-11-25T10:01:00Z"}]}"#;
    const DONE: &str = r#"{"id":"0b5f5b0e-1111-4a4a-8b8b-123456789abc","status_changes":[
        {"code":"joining_call"},{"code":"call_ended","sub_code":"bot_received_leave_call"},{"code":"done"}]}"#;
    const FATAL: &str = r#"{"id":"0b5f5b0e-1111-4a4a-8b8b-123456789abc","status_changes":[
        {"code":"joining_call"},{"code":"fatal","sub_code":"meeting_requires_sign_in"}]}"#;
    const LEGACY_AFTER: &str = r#"{"id":"0b5f5b0e-1111-4a4a-8b8b-123456789abc","status_changes":[
        {"code":"media_expired"}]}"#;

    #[test]
    fn finished_bots_are_kept_long_running_ones_briefly() {
        assert!(bot_is_finished(DONE));
        assert!(bot_is_finished(FATAL));
        assert!(bot_is_finished(LEGACY_AFTER));
        assert!(!bot_is_finished(RUNNING));
        assert!(!bot_is_finished("not json"));
        assert!(!bot_is_finished("[]"));
        assert_eq!(ttl_ms(Endpoint::Bot, Ok(DONE)), Some(FINISHED_BOT_TTL_MS));
        assert_eq!(ttl_ms(Endpoint::Bot, Ok(RUNNING)), Some(LIVE_BOT_TTL_MS));
        const { assert!(LIVE_BOT_TTL_MS <= 10_000.0) };
        assert_eq!(ttl_ms(Endpoint::Bot, Ok("{}")), Some(LIVE_BOT_TTL_MS));
    }

    #[test]
    fn media_and_not_found_for_a_minute_errors_never() {
        assert_eq!(ttl_ms(Endpoint::Logs, Ok("[]")), Some(MEDIA_TTL_MS));
        assert_eq!(ttl_ms(Endpoint::Screenshots, Ok("[]")), Some(MEDIA_TTL_MS));
        let missing = ApiError::NotFound {
            regions_tried: vec![Region::UsWest2],
        };
        assert_eq!(ttl_ms(Endpoint::Bot, Err(&missing)), Some(NOT_FOUND_TTL_MS));
        for error in [
            ApiError::Throttled { retry_after_s: 3 },
            ApiError::Server { status: 503 },
            ApiError::Unauthorized {
                regions_tried: vec![],
            },
            ApiError::Blocked,
            ApiError::Malformed {
                status: 200,
                detail: "x".into(),
            },
            ApiError::Unreachable {
                host: "h".into(),
                detail: "d".into(),
            },
        ] {
            assert_eq!(ttl_ms(Endpoint::Bot, Err(&error)), None, "{error:?}");
        }
    }

    #[test]
    fn entries_expire_at_their_time() {
        let mut cache = Cache::new(10);
        cache.insert("a", 1, 1000.0, 0.0);
        assert_eq!(cache.get(&"a", 999.0), Some(&1));
        assert_eq!(cache.remaining_ms(&"a", 400.0), Some(600.0));
        assert_eq!(cache.get(&"a", 1000.0), None);
        assert_eq!(cache.remaining_ms(&"a", 1000.0), None);
        cache.insert("b", 2, 0.0, 0.0);
        cache.insert("c", 3, f64::NAN, 0.0);
        cache.insert("d", 4, 10.0, f64::INFINITY);
        assert_eq!(cache.len(), 1, "bad TTLs store nothing");
        cache.purge(2000.0);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_full_cache_drops_expired_then_the_soonest() {
        let mut cache = Cache::new(2);
        cache.insert(1, "one", 10.0, 0.0);
        cache.insert(2, "two", 100.0, 0.0);
        cache.insert(3, "three", 50.0, 0.0);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(&1, 0.0), None, "closest to expiry went");
        assert_eq!(cache.get(&2, 0.0), Some(&"two"));
        // Replacing an existing key never evicts another.
        cache.insert(2, "two again", 100.0, 1.0);
        assert_eq!(cache.get(&3, 1.0), Some(&"three"));
        // Expired entries make room first.
        cache.insert(4, "four", 100.0, 60.0);
        assert_eq!(cache.get(&2, 60.0), Some(&"two again"));
        assert_eq!(cache.get(&4, 60.0), Some(&"four"));
        assert_eq!(cache.remove(&4), Some("four"));
    }

    #[test]
    fn remember_applies_the_policy() {
        let mut cache = Cache::new(8);
        let missing = ApiError::NotFound {
            regions_tried: vec![],
        };
        cache.remember("bot", 1, Endpoint::Bot, Ok(DONE), 0.0);
        cache.remember("gone", 2, Endpoint::Bot, Err(&missing), 0.0);
        cache.remember("busy", 3, Endpoint::Bot, Err(&ApiError::Blocked), 0.0);
        assert_eq!(cache.get(&"bot", 599_999.0), Some(&1));
        assert_eq!(cache.get(&"gone", 59_999.0), Some(&2));
        assert_eq!(cache.get(&"gone", 60_000.0), None);
        assert_eq!(cache.get(&"busy", 0.0), None);
    }
}
