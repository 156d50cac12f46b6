//! Asking Recall from the command line: the key from `RECALL_API_KEY` (never a
//! flag, which would land in the shell's history), the core's look-up and
//! gather over the shared HTTP client, retries as the core allows them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use botlens::diagnose::gather::{gather, Gathered, Wants};
use botlens::recall::client::{Credential, Endpoint, HttpReply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Lookups, Upstream};
use botlens::recall::region::{Region, DEFAULT_HOST_TEMPLATE};
use botlens::recall::retry::{Clock, Retries};
use botlens::recall::time::Timestamp;

/// Where the key comes from.
pub const KEY_VARIABLE: &str = "RECALL_API_KEY";

/// How to reach Recall.
pub struct Settings {
    /// A host template with `{region}` (the simulator: `http://{region}.localhost:8787`).
    pub host: Option<String>,
    /// The only region to ask; otherwise every region, as the extension does.
    pub region: Option<Region>,
}

/// The command line's way to Recall: one key, one client, one memory of
/// answers and regions for the whole run.
pub struct Live {
    http: reqwest::Client,
    key: String,
    host: String,
    region: Option<Region>,
    lookups: Mutex<Lookups>,
    remembered: Mutex<Option<Region>>,
    started: Instant,
}

impl Live {
    /// Read the key from the environment; the error is one sentence to act on.
    pub fn from_env(settings: Settings) -> Result<Live, String> {
        let key = std::env::var(KEY_VARIABLE)
            .ok()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                format!("set {KEY_VARIABLE} to your Recall API key to look bots up (botlens never takes a key as a flag: it would land in your shell history)")
            })?;
        let host = settings
            .host
            .unwrap_or_else(|| DEFAULT_HOST_TEMPLATE.to_string());
        if !host.contains("://") {
            return Err(format!(
                "--host must be a URL template such as {DEFAULT_HOST_TEMPLATE}"
            ));
        }
        Ok(Live {
            http: super::http::client(&host, "botlens-cli")?,
            key,
            host,
            region: settings.region,
            lookups: Mutex::new(Lookups::default()),
            remembered: Mutex::new(None),
            started: Instant::now(),
        })
    }

    /// One endpoint of one bot, region by region with the core's rules.
    async fn find(
        &self,
        endpoint: Endpoint,
        id: &str,
    ) -> Result<botlens::recall::client::Found, ApiError> {
        let remembered = *self.remembered.lock().unwrap_or_else(|e| e.into_inner());
        let upstream = Upstream::Recall {
            key: self.key.clone(),
            host: self.host.clone(),
            remembered,
            only: self.region,
        };
        let transport = Native(&self.http);
        let clock = Tokio(self.started);
        let looked = lookup::find(
            &self.lookups,
            &transport,
            &clock,
            Retries::Bounded,
            &upstream,
            endpoint,
            id,
        )
        .await;
        if let Some(region) = looked.key_region {
            *self.remembered.lock().unwrap_or_else(|e| e.into_inner()) = Some(region);
        }
        looked.result
    }

    /// The bot, its screenshots and its logs, diagnosed as it is now.
    pub async fn gather(&self, id: &str, now: Option<Timestamp>) -> Result<Gathered, ApiError> {
        let wants = Wants {
            screenshots: true,
            logs: true,
        };
        gather(async |endpoint| self.find(endpoint, id).await, wants, now).await
    }
}

struct Native<'a>(&'a reqwest::Client);

impl Transport for Native<'_> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        super::http::get(self.0, url, credential).await
    }
}

/// Tokio's time, and jitter from the standard library's random hasher keys.
struct Tokio(Instant);

impl Clock for Tokio {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }

    fn random(&self) -> f64 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(self.0.elapsed().as_nanos());
        // The top 53 bits as a fraction in [0, 1).
        #[allow(clippy::cast_precision_loss)]
        let r = (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64;
        r
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }
}
