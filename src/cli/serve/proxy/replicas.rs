//! What replicas of the proxy share through Redis (`--redis URL`): Recall's
//! per-workspace budget (one token bucket per kind of call, kept by a script
//! inside Redis on Redis's own clock), the answers (with the cache's own
//! lifetimes), and who is asking Recall for what right now, so N replicas make
//! the calls of one.
//!
//! Redis is a help, never a dependency of an answer: every command has a short
//! deadline, and while Redis cannot be reached each replica keeps its own
//! budget at 1/N of the workspace's (N: the most replicas seen alive lately,
//! at least `--replicas`), says so once in the log, and shows it in
//! `/metrics` (`botlens_proxy_redis_up`). Keys are `botlens:<workspace>:…`,
//! the workspace being a hash of the Recall key: two teams' proxies may share
//! one Redis, and the key itself never reaches it.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use botlens::recall::budget::Call;
use botlens::recall::client::Endpoint;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;
use sha2::{Digest, Sha256};

use super::media::hex;
use super::{lock, Key};

/// Longest a replica waits on Redis for one command.
const DEADLINE: Duration = Duration::from_millis(250);
/// While Redis is down, how often it is tried again.
const RETRY: Duration = Duration::from_secs(1);
/// How often a replica says it is alive; one silent for three beats is gone.
pub const HEARTBEAT: Duration = Duration::from_secs(2);

/// A token bucket on Redis's clock: refill, then take one token or say how
/// many milliseconds until there is one. A pause after Recall's 429 (its own
/// key, expiring) refuses everything of that kind until it ends.
const TAKE: &str = r"
local pause = redis.call('PTTL', KEYS[2])
if pause > 0 then return {0, pause, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local ok, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000)
return {ok, wait, math.floor(tokens)}
";

pub struct Replicas {
    redis: ConnectionManager,
    prefix: String,
    /// This replica, in the heartbeat set.
    me: String,
    up: AtomicBool,
    /// While down: when Redis is tried again.
    next_try: Mutex<Instant>,
    /// The most replicas seen alive at once (at least `--replicas`).
    seen: AtomicU32,
    floor: u32,
    /// Tokens the last admission left in the bot bucket, for `/metrics`.
    left: AtomicU32,
    take: redis::Script,
}

/// What Redis said about a budget: admitted, or seconds to wait.
pub type Admitted = Result<(), f64>;

impl Replicas {
    /// Set up (lazily: Redis need not be up yet) for the workspace of `recall_key`.
    pub fn new(url: &str, recall_key: &str, floor: u32) -> Result<Replicas, String> {
        let client = redis::Client::open(url).map_err(|e| format!("--redis: {e}"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEADLINE))
            .set_response_timeout(Some(DEADLINE))
            .set_number_of_retries(1);
        let redis = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("--redis: {e}"))?;
        let workspace = Sha256::digest(format!("botlens workspace\n{recall_key}"));
        let prefix = format!("botlens:{}:", hex(&workspace[..8]));
        let me = format!("{}-{}", std::process::id(), hex(&rand_bytes()));
        Ok(Replicas {
            redis,
            prefix,
            me,
            up: AtomicBool::new(true),
            next_try: Mutex::new(Instant::now()),
            seen: AtomicU32::new(floor.max(1)),
            floor: floor.max(1),
            left: AtomicU32::new(0),
            take: redis::Script::new(TAKE),
        })
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// How many replicas share the budget: each keeps 1/N of it while Redis is away.
    pub fn count(&self) -> u32 {
        self.seen.load(Ordering::Relaxed).max(self.floor)
    }

    /// Replicas heard from lately, this one included.
    pub fn seen(&self) -> u32 {
        self.seen.load(Ordering::Relaxed)
    }

    /// Tokens left in the shared bot bucket after the last admission.
    pub fn left(&self) -> u32 {
        self.left.load(Ordering::Relaxed)
    }

    /// Run one command within the deadline; `None` when Redis is away (and it
    /// is not tried again for a second, so a dead Redis costs nothing per request).
    async fn run<T, F>(&self, command: impl FnOnce(ConnectionManager) -> F) -> Option<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if !self.is_up() && Instant::now() < *lock(&self.next_try) {
            return None;
        }
        let outcome = tokio::time::timeout(DEADLINE, command(self.redis.clone())).await;
        match outcome {
            Ok(Ok(value)) => {
                if !self.up.swap(true, Ordering::Relaxed) {
                    tracing::warn!(target: "botlens::proxy", "redis is back: the budget and answers are shared again");
                }
                Some(value)
            }
            Ok(Err(_)) | Err(_) => {
                *lock(&self.next_try) = Instant::now() + RETRY;
                if self.up.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
                        target: "botlens::proxy",
                        replicas = self.count(),
                        "redis cannot be reached: each replica keeps 1/{} of the budget on its own",
                        self.count()
                    );
                }
                None
            }
        }
    }

    fn key(&self, what: &str, key: &Key) -> String {
        format!("{}{what}:{}:{}", self.prefix, endpoint_name(key.0), key.1)
    }

    /// Take one call of this kind from the shared bucket (`per_second`, `burst`).
    pub async fn admit(&self, call: Call, per_second: f64, burst: f64) -> Option<Admitted> {
        let bucket = format!("{}budget:{}", self.prefix, call_name(call));
        let pause = format!("{}pause:{}", self.prefix, call_name(call));
        let take = &self.take;
        let (ok, wait_ms, left): (u32, u64, u32) = self
            .run(|mut redis| async move {
                take.key(&bucket)
                    .key(&pause)
                    .arg(per_second)
                    .arg(burst)
                    .invoke_async(&mut redis)
                    .await
            })
            .await?;
        if call == Call::One(Endpoint::Bot) {
            self.left.store(left, Ordering::Relaxed);
        }
        #[allow(clippy::cast_precision_loss)] // milliseconds, far below 2^52
        Some(if ok == 1 {
            Ok(())
        } else {
            Err(wait_ms as f64 / 1000.0)
        })
    }

    /// Recall answered 429: every replica pauses this kind for `seconds`.
    pub async fn pause(&self, call: Call, seconds: f64) {
        let key = format!("{}pause:{}", self.prefix, call_name(call));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let ms = (seconds.clamp(0.0, 600.0) * 1000.0) as u64;
        if ms > 0 {
            let _: Option<()> = self
                .run(|mut redis| async move { redis.pset_ex(key, 1, ms).await })
                .await;
        }
    }

    /// A kept answer and the milliseconds it has left.
    pub async fn answer(&self, key: &Key) -> Option<(String, f64)> {
        let name = self.key("answer", key);
        let (text, ttl): (Option<String>, i64) = self
            .run(|mut redis| async move {
                redis::pipe()
                    .get(&name)
                    .pttl(&name)
                    .query_async(&mut redis)
                    .await
            })
            .await?;
        #[allow(clippy::cast_precision_loss)]
        text.filter(|_| ttl > 0).map(|t| (t, ttl as f64))
    }

    /// Keep an answer for every replica; `ttl_ms` is `None` when it must not be
    /// kept, and it is then only handed to replicas waiting for it.
    pub async fn keep(&self, key: &Key, stored: &str, ttl_ms: Option<f64>) {
        let answer = self.key("answer", key);
        let settled = self.key("settled", key);
        let asking = self.key("asking", key);
        let _: Option<()> = self
            .run(|mut redis| async move {
                let mut pipe = redis::pipe();
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                if let Some(ms) = ttl_ms.filter(|ms| *ms >= 1.0) {
                    pipe.pset_ex(&answer, stored, ms as u64).ignore();
                }
                pipe.pset_ex(&settled, stored, 5_000).ignore();
                pipe.del(&asking).ignore();
                pipe.query_async(&mut redis).await
            })
            .await;
    }

    /// Claim asking Recall for `key`: `Some(false)` when another replica is asking.
    pub async fn claim(&self, key: &Key) -> Option<bool> {
        let asking = self.key("asking", key);
        let me = self.me.clone();
        let claimed: Option<String> = self
            .run(|mut redis| async move {
                redis::cmd("SET")
                    .arg(&asking)
                    .arg(me)
                    .arg("NX")
                    .arg("PX")
                    .arg(10_000)
                    .query_async(&mut redis)
                    .await
            })
            .await?;
        Some(claimed.is_some())
    }

    /// What the replica that claimed `key` got, once it has it (`None` after
    /// `patience`, or when Redis goes away: then ask Recall yourself).
    pub async fn settled(&self, key: &Key, patience: Duration) -> Option<String> {
        let settled = self.key("settled", key);
        let until = Instant::now() + patience;
        while Instant::now() < until {
            let name = settled.clone();
            let found: Option<String> = self
                .run(|mut redis| async move { redis.get(name).await })
                .await?;
            if found.is_some() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Say this replica is alive and count those that are; every `HEARTBEAT`.
    pub async fn beat(self: &Arc<Self>) {
        let set = format!("{}replicas", self.prefix);
        let me = self.me.clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        #[allow(clippy::cast_possible_truncation)]
        let now = now as u64;
        let gone = now.saturating_sub(3 * HEARTBEAT.as_millis() as u64);
        let alive: Option<(u32,)> = self
            .run(|mut redis| async move {
                redis::pipe()
                    .zadd(&set, &me, now)
                    .ignore()
                    .zrembyscore(&set, 0, gone)
                    .ignore()
                    .zcard(&set)
                    .pexpire(&set, 60_000)
                    .ignore()
                    .query_async(&mut redis)
                    .await
            })
            .await;
        if let Some((alive,)) = alive {
            // Those heard from in three beats: one that just died still counts
            // a few seconds, so each share never grows too early.
            self.seen.store(alive.max(1), Ordering::Relaxed);
        }
    }

    /// Leave the heartbeat set at shutdown, so the others' share grows at once.
    pub async fn leave(&self) {
        let set = format!("{}replicas", self.prefix);
        let me = self.me.clone();
        let _: Option<()> = self
            .run(|mut redis| async move { redis.zrem(set, me).await })
            .await;
    }
}

fn call_name(call: Call) -> &'static str {
    match call {
        Call::One(endpoint) => endpoint_name(endpoint),
        Call::List => "list",
    }
}

fn endpoint_name(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Bot => "bot",
        Endpoint::Screenshots => "screenshots",
        Endpoint::Logs => "logs",
    }
}

fn rand_bytes() -> [u8; 6] {
    let mut bytes = [0u8; 6];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
    bytes
}
