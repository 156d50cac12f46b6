//! How the background finds a bot: the region search, the cache, and retries.
//! Pure over a [`Transport`] and a [`Clock`], so it is tested natively; the
//! background brings the browser's `fetch` and timers.
//!
//! - Regions: the remembered region first, then the others while the answer is
//!   401 (the key belongs to another region) or 404 (the bot lives elsewhere).
//!   The first region that does not answer 401 is where the key works: it is
//!   returned so the caller remembers it.
//! - Cache (one for all tabs), with the policy of `botlens::recall::cache`: a
//!   finished bot for 10 min, a running one for 10 s, screenshots and logs for
//!   1 min; a 404 per region for 1 min, so the next search skips that region.
//! - Retries: a 429 waits `Retry-After` plus jitter, a 502/503/504 or a network
//!   error waits a short exponential backoff plus jitter; at most [`RETRIES`]
//!   retries and [`WAIT_BUDGET_MS`] of waiting per request, then the error is
//!   returned as it is.

use std::cell::RefCell;

use botlens::recall::cache::{self, Cache, FINISHED_BOT_TTL_MS, NOT_FOUND_TTL_MS};
use botlens::recall::client::{self, Answer, Endpoint, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;

use crate::messages::Reply;

pub const RETRIES: u32 = 2;
pub const WAIT_BUDGET_MS: u32 = 15_000;
/// What a transport says when a request got no answer in time (not retried).
pub const TIMEOUT_DETAIL: &str = "no answer within 10 s";
/// Entries kept in each cache.
const CAPACITY: usize = 2000;

/// Time, for the cache and the waits between retries.
#[allow(async_fn_in_trait)] // one thread per context; no Send bound wanted in the browser
pub trait Clock {
    fn now_ms(&self) -> f64;
    /// A number in `[0, 1)` for jitter.
    fn random(&self) -> f64;
    async fn sleep(&self, ms: u32);
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Recall itself with the user's key; `host` is a template with `{region}`.
    Key {
        key: String,
        host: String,
        remembered: Option<Region>,
    },
    /// A team proxy at `base` that holds the key and searches the regions;
    /// `token` is its optional shared token.
    Proxy { base: String, token: Option<String> },
}

/// Everything the background remembers between requests.
#[derive(Debug)]
pub struct Lookups {
    replies: Cache<String, Reply>,
    /// `region/id` → the bot is not there.
    missing: Cache<String, ()>,
    /// `id` → the bot's region, from its last fetch.
    home: Cache<String, Region>,
}

impl Default for Lookups {
    fn default() -> Self {
        Lookups {
            replies: Cache::new(CAPACITY),
            missing: Cache::new(CAPACITY),
            home: Cache::new(CAPACITY),
        }
    }
}

impl Lookups {
    /// Forget everything (the key or the host changed).
    pub fn clear(&mut self) {
        self.replies.clear();
        self.missing.clear();
        self.home.clear();
    }
}

/// A finished look-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub reply: Reply,
    /// The region the key was seen to work in (not 401), to remember.
    pub key_region: Option<Region>,
}

fn cache_key(endpoint: Endpoint, id: &str) -> String {
    format!("{endpoint:?}/{id}")
}

/// Look one endpoint of one bot up, from the cache or the network.
pub async fn lookup<T: Transport, C: Clock>(
    state: &RefCell<Lookups>,
    transport: &T,
    clock: &C,
    mode: &Mode,
    endpoint: Endpoint,
    id: &str,
) -> Outcome {
    let key = cache_key(endpoint, id);
    if let Some(reply) = state.borrow().replies.get(&key, clock.now_ms()) {
        return Outcome {
            reply: reply.clone(),
            key_region: None,
        };
    }
    let outcome = match mode {
        Mode::Proxy { base, token } => {
            via_proxy(transport, clock, base, token.as_deref(), endpoint, id).await
        }
        Mode::Key {
            key,
            host,
            remembered,
        } => {
            search(
                state,
                transport,
                clock,
                key,
                host,
                *remembered,
                endpoint,
                id,
            )
            .await
        }
    };
    let now = clock.now_ms();
    let mut s = state.borrow_mut();
    if let Reply::Found { region, body } = &outcome.reply {
        if endpoint == Endpoint::Bot {
            s.home
                .insert(id.to_string(), *region, FINISHED_BOT_TTL_MS, now);
        }
        if let Some(ttl) = cache::ttl_ms(endpoint, Ok(body)) {
            s.replies.insert(key, outcome.reply.clone(), ttl, now);
        }
    }
    outcome
}

async fn via_proxy<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    base: &str,
    token: Option<&str>,
    endpoint: Endpoint,
    id: &str,
) -> Outcome {
    let base = base.trim().trim_end_matches('/');
    let url = format!("{base}{}", endpoint.path(id));
    let auth = token
        .filter(|t| !t.trim().is_empty())
        .map(client::authorization)
        .unwrap_or_default();
    let reply = match get_with_retry(transport, clock, &url, &auth).await {
        Ok(reply) => reply,
        Err(error) => return failed(error),
    };
    // The proxy searches every region itself.
    let reply = match client::read_reply(&reply) {
        Answer::Found(body) => Reply::Found {
            region: Region::from_host(host_of(base)),
            body,
        },
        Answer::NotFound => Reply::Failed {
            error: ApiError::NotFound {
                regions_tried: Region::ALL.to_vec(),
            },
        },
        Answer::Unauthorized => Reply::Failed {
            error: ApiError::Unauthorized {
                regions_tried: Vec::new(),
            },
        },
        Answer::Failed(error) => Reply::Failed { error },
    };
    Outcome {
        reply,
        key_region: None,
    }
}

/// `host[:port]` of `scheme://host[:port]/…`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

fn failed(error: ApiError) -> Outcome {
    Outcome {
        reply: Reply::Failed { error },
        key_region: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn search<T: Transport, C: Clock>(
    state: &RefCell<Lookups>,
    transport: &T,
    clock: &C,
    key: &str,
    host: &str,
    remembered: Option<Region>,
    endpoint: Endpoint,
    id: &str,
) -> Outcome {
    if key.trim().is_empty() {
        return failed(ApiError::NoKey);
    }
    let auth = client::authorization(key);
    let now = clock.now_ms();
    // Screenshots and logs live where the bot was found.
    let home = state.borrow().home.get(&id.to_string(), now).copied();
    let order = match (endpoint, home) {
        (Endpoint::Screenshots | Endpoint::Logs, Some(region)) => vec![region],
        _ => client::region_order(remembered),
    };
    let mut refused = Vec::new();
    let mut missing = Vec::new();
    let mut key_region = None;
    for region in order {
        let missing_key = format!("{region}/{id}");
        if state.borrow().missing.get(&missing_key, now).is_some() {
            missing.push(region);
            key_region = key_region.or(Some(region)); // a 404 there: the key works there
            continue;
        }
        let url = client::url(host, region, endpoint, id);
        let answer = match get_with_retry(transport, clock, &url, &auth).await {
            Ok(reply) => client::read_reply(&reply),
            Err(error) => Answer::Failed(error),
        };
        if !matches!(answer, Answer::Unauthorized | Answer::Failed(_)) {
            key_region = key_region.or(Some(region));
        }
        match answer {
            Answer::Found(body) => {
                return Outcome {
                    reply: Reply::Found { region, body },
                    key_region,
                }
            }
            Answer::Unauthorized => refused.push(region),
            Answer::NotFound => {
                missing.push(region);
                if endpoint == Endpoint::Bot {
                    let now = clock.now_ms();
                    state
                        .borrow_mut()
                        .missing
                        .insert(missing_key, (), NOT_FOUND_TTL_MS, now);
                }
            }
            Answer::Failed(error) => {
                return Outcome {
                    reply: Reply::Failed { error },
                    key_region,
                }
            }
        }
    }
    let error = if missing.is_empty() {
        ApiError::Unauthorized {
            regions_tried: refused,
        }
    } else {
        // The key worked somewhere, so "not found" is the informative answer.
        ApiError::NotFound {
            regions_tried: missing,
        }
    };
    Outcome {
        reply: Reply::Failed { error },
        key_region,
    }
}

/// Which region a key works in: a probe for a bot that does not exist
/// answers 404 where the key is valid and 401 where it is not.
pub async fn test_key<T: Transport, C: Clock>(transport: &T, clock: &C, mode: &Mode) -> Reply {
    const PROBE: &str = "00000000-0000-4000-8000-000000000000";
    let (key, host, remembered) = match mode {
        Mode::Key {
            key,
            host,
            remembered,
        } => (key, host, *remembered),
        Mode::Proxy { base, token } => {
            let outcome = via_proxy(
                transport,
                clock,
                base,
                token.as_deref(),
                Endpoint::Bot,
                PROBE,
            )
            .await;
            return match outcome.reply {
                Reply::Found { region, .. } => Reply::KeyWorks { region },
                Reply::Failed {
                    error: ApiError::NotFound { .. },
                } => Reply::KeyWorks {
                    region: Region::from_host(host_of(base)),
                },
                other => other,
            };
        }
    };
    if key.trim().is_empty() {
        return Reply::Failed {
            error: ApiError::NoKey,
        };
    }
    let auth = client::authorization(key);
    let mut refused = Vec::new();
    for region in client::region_order(remembered) {
        let url = client::url(host, region, Endpoint::Bot, PROBE);
        let answer = match get_with_retry(transport, clock, &url, &auth).await {
            Ok(reply) => client::read_reply(&reply),
            Err(error) => return Reply::Failed { error },
        };
        match answer {
            Answer::Unauthorized => refused.push(region),
            Answer::NotFound | Answer::Found(_) => return Reply::KeyWorks { region },
            Answer::Failed(error) => return Reply::Failed { error },
        }
    }
    Reply::Failed {
        error: ApiError::Unauthorized {
            regions_tried: refused,
        },
    }
}

/// One GET with bounded, jittered retries (see the module docs).
pub async fn get_with_retry<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    url: &str,
    authorization: &str,
) -> Result<client::Reply, ApiError> {
    let mut waited = 0u32;
    let mut attempt = 0u32;
    loop {
        let result = transport.get(url, authorization).await;
        let wait_ms = match &result {
            Ok(reply) if reply.status == 429 => {
                client::retry_after_seconds(reply.retry_after.as_deref()) * 1000
            }
            Ok(reply) if matches!(reply.status, 502..=504) => 500 << attempt,
            Err(ApiError::Unreachable { detail, .. }) if detail != TIMEOUT_DETAIL => 500 << attempt,
            _ => return result,
        };
        // Jitter spreads the retries of many tabs and many bots apart.
        let jitter = (clock.random().clamp(0.0, 1.0) * f64::from(250 + wait_ms / 10)) as u32;
        let wait_ms = wait_ms + jitter;
        if attempt >= RETRIES || waited + wait_ms > WAIT_BUDGET_MS {
            return result;
        }
        clock.sleep(wait_ms).await;
        waited += wait_ms;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::HashMap;
    use std::collections::VecDeque;

    /// Answers by URL; a URL may have a queue of answers (the last repeats).
    #[derive(Default)]
    struct Scripted {
        replies: RefCell<HashMap<String, VecDeque<Result<client::Reply, ApiError>>>>,
        asked: RefCell<Vec<(String, String)>>,
    }

    impl Scripted {
        fn on(self, url: &str, answers: Vec<Result<client::Reply, ApiError>>) -> Self {
            self.replies
                .borrow_mut()
                .insert(url.to_string(), answers.into());
            self
        }
        fn urls(&self) -> Vec<String> {
            self.asked.borrow().iter().map(|(u, _)| u.clone()).collect()
        }
    }

    impl Transport for Scripted {
        async fn get(&self, url: &str, auth: &str) -> Result<client::Reply, ApiError> {
            self.asked
                .borrow_mut()
                .push((url.to_string(), auth.to_string()));
            let mut replies = self.replies.borrow_mut();
            match replies.get_mut(url) {
                Some(queue) if queue.len() > 1 => queue.pop_front().unwrap_or(Ok(status(500))),
                Some(queue) => queue.front().cloned().unwrap_or(Ok(status(500))),
                None => Ok(status(401)),
            }
        }
    }

    #[derive(Default)]
    struct FakeClock {
        now: Cell<f64>,
        slept: RefCell<Vec<u32>>,
    }

    impl Clock for FakeClock {
        fn now_ms(&self) -> f64 {
            self.now.get()
        }
        fn random(&self) -> f64 {
            0.5
        }
        async fn sleep(&self, ms: u32) {
            self.slept.borrow_mut().push(ms);
            self.now.set(self.now.get() + f64::from(ms));
        }
    }

    fn status(status: u16) -> client::Reply {
        client::Reply {
            status,
            body: match status {
                401 => r#"{"code":"authentication_failed"}"#.into(),
                404 => r#"{"code":"not_found"}"#.into(),
                _ => "{}".into(),
            },
            retry_after: None,
        }
    }

    fn bot(last: &str) -> client::Reply {
        client::Reply {
            status: 200,
            body: format!(
                r#"{{"id":"{ID}","status_changes":[{{"code":"joining_call","created_at":"2026-01-01T00:00:00Z"}},{{"code":"{last}","created_at":"2026-01-01T00:01:00Z"}}]}}"#
            ),
            retry_after: None,
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // Nothing here pends: the transport and the clock answer at once.
        let mut f = std::pin::pin!(f);
        let waker = std::task::Waker::noop();
        match f.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("pended"),
        }
    }

    const ID: &str = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
    const HOST: &str = "http://{region}.sim";

    fn u(region: &str, tail: &str) -> String {
        format!("http://{region}.sim/api/v1/bot/{ID}/{tail}")
    }

    fn key_mode(remembered: Option<Region>) -> Mode {
        Mode::Key {
            key: "k".into(),
            host: HOST.into(),
            remembered,
        }
    }

    #[test]
    fn remembered_region_first_then_the_others_on_401() {
        let t = Scripted::default().on(&u("eu-central-1", ""), vec![Ok(bot("done"))]);
        let c = FakeClock::default();
        let state = RefCell::default();
        let out = block_on(lookup(
            &state,
            &t,
            &c,
            &key_mode(Some(Region::UsEast1)),
            Endpoint::Bot,
            ID,
        ));
        assert!(matches!(
            out.reply,
            Reply::Found {
                region: Region::EuCentral1,
                ..
            }
        ));
        assert_eq!(out.key_region, Some(Region::EuCentral1));
        assert_eq!(
            t.urls(),
            vec![
                u("us-east-1", ""),
                u("us-west-2", ""),
                u("eu-central-1", "")
            ]
        );
        assert!(t.asked.borrow().iter().all(|(_, a)| a == "Token k"));
    }

    #[test]
    fn terminal_bots_are_cached_long_live_ones_briefly() {
        let t = Scripted::default()
            .on(&u("us-west-2", ""), vec![Ok(bot("done"))])
            .on(&u("us-west-2", "logs/"), vec![Ok(status(200))]);
        let c = FakeClock::default();
        let state = RefCell::default();
        let mode = key_mode(None);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        c.now.set(cache::LIVE_BOT_TTL_MS * 5.0);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(t.urls().len(), 1, "a done bot is not asked again");
        // Logs go straight to the bot's region and are cached like it.
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Logs, ID));
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Logs, ID));
        assert_eq!(t.urls(), vec![u("us-west-2", ""), u("us-west-2", "logs/")]);

        let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(bot("in_call_recording"))]);
        let state = RefCell::default();
        c.now.set(0.0);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        c.now.set(cache::LIVE_BOT_TTL_MS - 1.0);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(t.urls().len(), 1);
        c.now.set(cache::LIVE_BOT_TTL_MS + 1.0);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(t.urls().len(), 2, "a live bot is asked again after 10 s");
    }

    #[test]
    fn a_404_per_region_is_remembered_for_a_minute() {
        let t = Scripted::default()
            .on(&u("us-west-2", ""), vec![Ok(status(404))])
            .on(&u("us-east-1", ""), vec![Ok(status(404))]);
        let c = FakeClock::default();
        let state = RefCell::default();
        let mode = key_mode(None);
        let out = block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(
            out.reply,
            Reply::Failed {
                error: ApiError::NotFound {
                    regions_tried: vec![Region::UsWest2, Region::UsEast1]
                }
            }
        );
        assert_eq!(out.key_region, Some(Region::UsWest2));
        assert_eq!(t.urls().len(), 4);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(
            t.urls().len(),
            6,
            "only the two 401 regions are asked again"
        );
        c.now.set(NOT_FOUND_TTL_MS + 1.0);
        block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
        assert_eq!(t.urls().len(), 10);
    }

    #[test]
    fn a_key_valid_nowhere_says_so() {
        let t = Scripted::default();
        let c = FakeClock::default();
        assert_eq!(
            block_on(test_key(&t, &c, &key_mode(None))),
            Reply::Failed {
                error: ApiError::Unauthorized {
                    regions_tried: Region::ALL.to_vec()
                }
            }
        );
        let t = Scripted::default().on(
            "http://ap-northeast-1.sim/api/v1/bot/00000000-0000-4000-8000-000000000000/",
            vec![Ok(status(404))],
        );
        assert_eq!(
            block_on(test_key(&t, &c, &key_mode(None))),
            Reply::KeyWorks {
                region: Region::ApNortheast1
            }
        );
        let none = Mode::Key {
            key: " ".into(),
            host: HOST.into(),
            remembered: None,
        };
        assert_eq!(
            block_on(test_key(&t, &c, &none)),
            Reply::Failed {
                error: ApiError::NoKey
            }
        );
    }

    #[test]
    fn throttling_waits_as_asked_with_jitter_and_gives_up_in_bounds() {
        let throttled = client::Reply {
            status: 429,
            body: "{}".into(),
            retry_after: Some("3".into()),
        };
        let t = Scripted::default().on(
            &u("us-west-2", ""),
            vec![Ok(throttled.clone()), Ok(bot("done"))],
        );
        let c = FakeClock::default();
        let state = RefCell::default();
        let out = block_on(lookup(&state, &t, &c, &key_mode(None), Endpoint::Bot, ID));
        assert!(matches!(out.reply, Reply::Found { .. }));
        let slept = c.slept.borrow().clone();
        assert_eq!(slept.len(), 1);
        assert!((3000..3600).contains(&slept[0]), "{slept:?}");

        // Always throttled: two retries, then the 429 is the answer.
        let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(throttled)]);
        let c = FakeClock::default();
        let out = block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &key_mode(None),
            Endpoint::Bot,
            ID,
        ));
        assert_eq!(
            out.reply,
            Reply::Failed {
                error: ApiError::Throttled { retry_after_s: 3 }
            }
        );
        assert_eq!(t.urls().len(), 1 + RETRIES as usize);

        // A Retry-After beyond the budget is not waited for.
        let long = client::Reply {
            status: 429,
            body: "{}".into(),
            retry_after: Some("120".into()),
        };
        let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(long)]);
        let c = FakeClock::default();
        block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &key_mode(None),
            Endpoint::Bot,
            ID,
        ));
        assert!(c.slept.borrow().is_empty());
        assert_eq!(t.urls().len(), 1);
    }

    #[test]
    fn timeouts_are_not_retried_network_errors_are() {
        let timeout = Err(ApiError::Unreachable {
            host: "h".into(),
            detail: TIMEOUT_DETAIL.into(),
        });
        let t = Scripted::default().on(&u("us-west-2", ""), vec![timeout]);
        let c = FakeClock::default();
        let out = block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &key_mode(None),
            Endpoint::Bot,
            ID,
        ));
        assert!(matches!(
            out.reply,
            Reply::Failed {
                error: ApiError::Unreachable { .. }
            }
        ));
        assert_eq!(t.urls().len(), 1);
        let reset = Err(ApiError::Unreachable {
            host: "h".into(),
            detail: "connection reset".into(),
        });
        let t = Scripted::default().on(
            &u("us-west-2", ""),
            vec![reset, Ok(status(503)), Ok(bot("fatal"))],
        );
        let c = FakeClock::default();
        let out = block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &key_mode(None),
            Endpoint::Bot,
            ID,
        ));
        assert!(matches!(out.reply, Reply::Found { .. }));
        assert_eq!(c.slept.borrow().len(), 2);
    }

    #[test]
    fn the_proxy_is_asked_without_a_key() {
        let t = Scripted::default().on(
            &format!("https://proxy.example/api/v1/bot/{ID}/"),
            vec![Ok(bot("done"))],
        );
        let c = FakeClock::default();
        let mode = Mode::Proxy {
            base: "https://proxy.example/".into(),
            token: None,
        };
        let out = block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &mode,
            Endpoint::Bot,
            ID,
        ));
        assert!(matches!(out.reply, Reply::Found { .. }));
        assert_eq!(t.asked.borrow()[0].1, "", "no Authorization header");
        let mode = Mode::Proxy {
            base: "https://proxy.example".into(),
            token: Some("shared".into()),
        };
        block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &mode,
            Endpoint::Bot,
            ID,
        ));
        assert_eq!(t.asked.borrow()[1].1, "Token shared");
    }

    #[test]
    fn no_key_asks_nothing() {
        let t = Scripted::default();
        let c = FakeClock::default();
        let mode = Mode::Key {
            key: String::new(),
            host: HOST.into(),
            remembered: None,
        };
        let out = block_on(lookup(
            &RefCell::default(),
            &t,
            &c,
            &mode,
            Endpoint::Bot,
            ID,
        ));
        assert_eq!(
            out.reply,
            Reply::Failed {
                error: ApiError::NoKey
            }
        );
        assert!(t.urls().is_empty());
    }
}
