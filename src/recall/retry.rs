//! One GET, with bounded and jittered retries when the caller wants them.
//!
//! A 429 waits `Retry-After` plus jitter; a 502/503/504 or a network error
//! waits a short exponential backoff plus jitter; a timeout is not retried
//! (the user already waited). At most [`RETRIES`] retries and
//! [`WAIT_BUDGET_MS`] of waiting per request, then the answer is returned as
//! it is. The browser retries ([`Retries::Bounded`]); the proxy does not
//! ([`Retries::Never`]): its clients decide, and its own limits keep it under
//! Recall's.

use super::client::{self, Credential, HttpReply, Transport};
use super::error::ApiError;

/// Most retries of one request.
pub const RETRIES: u32 = 2;
/// Most time spent waiting between the tries of one request.
pub const WAIT_BUDGET_MS: u32 = 15_000;
/// What a transport says when a request got no answer in time (not retried).
pub const TIMEOUT_DETAIL: &str = "no answer within 10 s";

/// Time, for caches and for the waits between retries. Each channel brings
/// its own: the browser's `Date.now()` and `setTimeout`, tokio, a fake in tests.
#[allow(async_fn_in_trait)] // one thread per context; no Send bound wanted in the browser
pub trait Clock {
    /// Milliseconds since any fixed origin.
    fn now_ms(&self) -> f64;
    /// A number in `[0, 1)` for jitter.
    fn random(&self) -> f64;
    async fn sleep(&self, ms: u32);
}

/// Whether a failed request is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retries {
    /// Up to [`RETRIES`] more tries within [`WAIT_BUDGET_MS`].
    Bounded,
    /// One try; the answer goes back as it is.
    Never,
}

/// One GET, tried again as `retries` allows (see the module docs).
pub async fn get<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    retries: Retries,
    url: &str,
    credential: &Credential<'_>,
) -> Result<HttpReply, ApiError> {
    let mut waited = 0u32;
    let mut attempt = 0u32;
    loop {
        let result = transport.get(url, credential).await;
        if retries == Retries::Never {
            return result;
        }
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
