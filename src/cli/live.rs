//! Asking Recall from the command line: the key from `RECALL_API_KEY` (never a
//! flag, which would land in the shell's history), the core's look-up and
//! gather over the shared HTTP client, retries as the core allows them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use botlens::diagnose::gather::{gather, Gathered, Wants};
use botlens::recall::client::{Credential, Endpoint, Found, HttpReply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::list::{self, ListQuery};
use botlens::recall::lookup::{self, Lookups, Upstream};
use botlens::recall::model::Bot;
use botlens::recall::region::{check_host_template, Region, DEFAULT_HOST_TEMPLATE};
use botlens::recall::retry::{Clock, Retries};
use botlens::recall::time::Timestamp;

use super::cache::DiskCache;
use super::http::Uptime;
use botlens::diagnose::archive::keep::Miss;
pub use botlens::recall::budget::RECALL_PER_MINUTE;
use botlens::recall::budget::{Budget, Budgeted};

/// How often one bot is asked again after Recall kept answering 429.
const THROTTLED_TRIES: u32 = 5;

/// Where the key comes from.
pub const KEY_VARIABLE: &str = "RECALL_API_KEY";

/// Where Recall is, as every command that looks bots up takes it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RecallArgs {
    /// The bots' region (us-west-2, us-east-1, eu-central-1, ap-northeast-1): the only one
    /// asked, and the one Explorer links name. Otherwise every region, the key's own first.
    #[arg(long)]
    pub region: Option<Region>,
    /// Where Recall is, as a template (default https://{region}.recall.ai; the simulator:
    /// http://{region}.localhost:8787).
    #[arg(long, value_name = "URL")]
    pub host: Option<String>,
}

/// The one-thread runtime a command's look-ups run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))
}

/// The command line's way to Recall: one key, one client, one memory of
/// answers and regions for the whole run, one budget under Recall's limits,
/// and (for triage) the finished bots kept on disk between runs.
pub struct Live {
    http: reqwest::Client,
    key: String,
    host: String,
    region: Option<Region>,
    lookups: Mutex<Lookups>,
    remembered: Mutex<Option<Region>>,
    budget: Mutex<Budget>,
    disk: Option<DiskCache>,
    started: Instant,
    /// Requests sent to Recall, and bots served from disk, this run.
    pub requests: AtomicUsize,
    pub from_disk: AtomicUsize,
    /// Answers that were 429 (Recall's limit hit despite the budget: another
    /// client of the workspace, or a lower limit than assumed).
    pub throttled: AtomicUsize,
}

impl Live {
    /// Read the key from the environment; the error is one sentence to act on.
    /// `per_minute`: the workspace's Retrieve Bot limit (Recall's is 300); a
    /// tenth under it is used.
    pub fn from_env(recall: &RecallArgs, per_minute: u32) -> Result<Live, String> {
        let key = std::env::var(KEY_VARIABLE)
            .ok()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                format!("set {KEY_VARIABLE} to your Recall API key to look bots up (botlens never takes a key as a flag: it would land in your shell history)")
            })?;
        let host = recall
            .host
            .clone()
            .unwrap_or_else(|| DEFAULT_HOST_TEMPLATE.to_string());
        check_host_template(&host).map_err(|e| format!("--host {host}: {e}"))?;
        Ok(Live {
            http: super::http::client(&host, "botlens-cli")?,
            key,
            host,
            region: recall.region,
            lookups: Mutex::new(Lookups::default()),
            remembered: Mutex::new(None),
            budget: Mutex::new(Budget::new(per_minute, 0.0)),
            disk: None,
            started: Instant::now(),
            requests: AtomicUsize::new(0),
            from_disk: AtomicUsize::new(0),
            throttled: AtomicUsize::new(0),
        })
    }

    /// Keep finished bots on disk between runs (see [`DiskCache`]).
    pub fn with_disk_cache(mut self) -> Live {
        self.disk = DiskCache::open(&self.key);
        self
    }

    /// One endpoint of one bot, region by region with the core's rules.
    async fn find(
        &self,
        endpoint: Endpoint,
        id: &str,
    ) -> Result<botlens::recall::client::Found, ApiError> {
        let remembered = *lock(&self.remembered);
        let upstream = Upstream::Recall {
            key: self.key.clone(),
            host: self.host.clone(),
            remembered,
            only: self.region,
        };
        let wire = self.wire();
        let (transport, clock) = (wire.transport(), &wire.clock);
        let looked = lookup::find(
            &self.lookups,
            &transport,
            clock,
            Retries::Bounded,
            &upstream,
            endpoint,
            id,
        )
        .await;
        if let Some(region) = looked.key_region {
            *lock(&self.remembered) = Some(region);
        }
        looked.result
    }

    /// The bot alone (Retrieve Bot): from disk when it finished in an earlier run.
    pub async fn bot(&self, id: &str) -> Result<Found, ApiError> {
        if let Some(found) = self.disk.as_ref().and_then(|d| d.get(id)) {
            self.from_disk.fetch_add(1, Ordering::Relaxed);
            return Ok(found);
        }
        // Throttled: the budget now pauses Bot calls for Recall's Retry-After;
        // wait it out and ask again (a batch may wait, unlike a card).
        let mut tries = 0;
        let found = loop {
            match self.find(Endpoint::Bot, id).await {
                Err(ApiError::Throttled { .. }) if tries < THROTTLED_TRIES => tries += 1,
                other => break other?,
            }
        };
        if let Some(disk) = &self.disk {
            disk.put(id, &found);
        }
        Ok(found)
    }

    /// The region the key works in: `--region`, one learnt this run, or a probe.
    async fn key_region(&self) -> Result<Region, ApiError> {
        if let Some(region) = self.region.or(*lock(&self.remembered)) {
            return Ok(region);
        }
        let upstream = Upstream::Recall {
            key: self.key.clone(),
            host: self.host.clone(),
            remembered: None,
            only: None,
        };
        let wire = self.wire();
        let (transport, clock) = (wire.transport(), &wire.clock);
        let region = lookup::test_key(&transport, clock, &upstream)
            .await?
            .unwrap_or(Region::UsEast1);
        *lock(&self.remembered) = Some(region);
        Ok(region)
    }

    /// The bots List Bots gives for `query` in the key's region, page after
    /// page (`next` followed only on the origin asked), at most `max`.
    /// The second value says whether more were left.
    pub async fn list(&self, query: &ListQuery, max: usize) -> Result<(Vec<Bot>, bool), ApiError> {
        let region = self.key_region().await?;
        let wire = self.wire();
        let (transport, clock) = (wire.transport(), &wire.clock);
        let credential = Credential::RecallKey(&self.key);
        let url = query.url(&self.host, region);
        list::collect(
            &transport,
            clock,
            Retries::Bounded,
            region,
            url,
            &credential,
            max,
        )
        .await
    }

    /// The region bots listed this run live in (the key's).
    pub fn listed_region(&self) -> Option<Region> {
        self.region.or(*lock(&self.remembered))
    }

    /// The bot, its screenshots and its logs, diagnosed as it is now; with
    /// what Recall answered for the bot and its logs (for an evidence file).
    pub async fn gather(
        &self,
        id: &str,
        now: Option<Timestamp>,
    ) -> Result<(Gathered, Bodies), ApiError> {
        let wants = Wants {
            screenshots: true,
            logs: true,
        };
        let bodies = Mutex::new(Bodies::default());
        let fetch = async |endpoint| {
            let found = self.find(endpoint, id).await;
            if let Ok(f) = &found {
                let mut kept = lock(&bodies);
                match endpoint {
                    Endpoint::Bot => kept.bot = Some(f.body.clone()),
                    Endpoint::Logs => kept.logs = Some(f.body.clone()),
                    Endpoint::Screenshots => {}
                }
            }
            found
        };
        let gathered = gather(fetch, wants, now).await?;
        let bodies = bodies
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok((gathered, bodies))
    }

    /// One screenshot image behind the signed link Recall gave (so no key is
    /// sent), at most `max` bytes. Each is charged to the screenshots budget,
    /// so saving evidence never outruns what the look-ups keep to.
    pub async fn image(&self, url: &str, max: usize) -> Result<(String, Vec<u8>), Miss> {
        let clock = Uptime(self.started);
        let mut waited_ms = 0u32;
        loop {
            let admitted = lock(&self.budget).admit(Endpoint::Screenshots, clock.now_ms());
            let Err(seconds) = admitted else { break };
            // Whole milliseconds, at least one.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ms = (seconds * 1000.0).ceil().clamp(1.0, 600_000.0) as u32;
            if waited_ms.saturating_add(ms) > MAX_WAIT_MS {
                return Err(Miss::Failed(
                    "the budget for Recall's screenshots is spent for now".into(),
                ));
            }
            clock.sleep(ms).await;
            waited_ms = waited_ms.saturating_add(ms);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        super::http::get_image(&self.http, url, max).await
    }
}

/// What Recall answered for a bot and its logs, as it answered it.
#[derive(Default)]
pub struct Bodies {
    pub bot: Option<String>,
    pub logs: Option<String>,
}

/// The shared client, and the clock a budgeted call waits with.
struct Wire<'a> {
    native: Native<'a>,
    clock: Uptime,
    budget: &'a Mutex<Budget>,
}

impl Live {
    fn wire(&self) -> Wire<'_> {
        Wire {
            native: Native { live: self },
            clock: Uptime(self.started),
            budget: &self.budget,
        }
    }
}

impl Wire<'_> {
    /// Calls within the workspace's budget.
    fn transport(&self) -> Budgeted<'_, Native<'_>, Uptime, Mutex<Budget>> {
        Budgeted {
            transport: &self.native,
            clock: &self.clock,
            budget: self.budget,
            max_wait_ms: MAX_WAIT_MS,
        }
    }
}

/// The shared client, counting what it sends.
struct Native<'a> {
    live: &'a Live,
}

impl Transport for Native<'_> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        self.live.requests.fetch_add(1, Ordering::Relaxed);
        let reply = super::http::get(&self.live.http, url, credential).await?;
        if reply.status == 429 {
            self.live.throttled.fetch_add(1, Ordering::Relaxed);
        }
        Ok(reply)
    }
}

/// A batch may wait for its turn as long as Recall would make it wait.
const MAX_WAIT_MS: u32 = 10 * 60 * 1000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
