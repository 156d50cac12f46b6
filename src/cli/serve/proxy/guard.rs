//! Who may ask: the host names the proxy answers to (a DNS-rebinding guard),
//! the origins whose pages may call it, its shared token, and each client's
//! rate. Everything here is decided before Recall is asked.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue};

use super::{lock, Client, Key, Proxy};
use botlens::recall::budget::Bucket;
use botlens::recall::lookup::regions;
use botlens::recall::share::Shares;

impl Proxy {
    /// May this client send one more request now?
    pub(super) fn admit_client(&self, client: &Client) -> Result<(), f64> {
        let rate = self.config.client_rate;
        if rate <= 0.0 || !rate.is_finite() {
            return Ok(());
        }
        let now = self.now_ms();
        let mut clients = lock(&self.clients);
        if clients.len() > 50_000 {
            // Forget idle clients rather than grow without bound.
            clients.retain(|_, b| now - b.last_ms() < 60_000.0);
        }
        clients
            .entry(client.clone())
            .or_insert_with(|| Bucket::full(rate * 2.0, now))
            .take(rate, rate * 2.0, now)
    }

    /// May this client make Recall answer `key` (not cached)? One client never
    /// takes more than its share of the upstream budget, whatever it asks.
    pub(super) fn charge_share(&self, client: &Client, key: Key) -> Result<(), f64> {
        let now = self.now_ms();
        // What it costs: a call per region it will be asked in.
        let remembered = *lock(&self.remembered);
        let home = lock(&self.lookups).home(&key.1, now);
        let cost = regions(key.0, self.config.region, remembered, home)
            .len()
            .max(1);
        #[allow(clippy::cast_precision_loss)] // at most four regions
        let cost = cost as f64;
        let mut shares = lock(&self.shares);
        if shares.len() > 50_000 {
            *shares = Shares::new(super::share_limits(&self.config));
        }
        shares.charge_cost(client.clone(), key, cost, now)
    }

    pub(super) fn origin_allowed(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim_end_matches('/');
        self.config
            .allow_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
            || host.is_some_and(|h| {
                // The proxy's own pages (card.html, a demo page) are always welcome.
                origin
                    .split_once("://")
                    .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(h))
            })
    }

    /// A page on another site can point its own name at this machine (DNS
    /// rebinding); its requests then look same-origin and carry no `Origin`.
    /// They do carry its name in `Host`, which must be one we know.
    pub(super) fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(host) = host else {
            return true; // HTTP/1.0 without Host: not a browser
        };
        let name = host_name(host);
        if name.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || self.config.allow_origins.iter().any(|o| o == "*")
        {
            return true;
        }
        self.config
            .allow_hosts
            .iter()
            .map(|h| host_name(h))
            .chain(
                self.config
                    .allow_origins
                    .iter()
                    .filter_map(|o| o.split_once("://").map(|(_, rest)| host_name(rest))),
            )
            .any(|known| known.eq_ignore_ascii_case(&name))
    }

    pub(super) fn token_ok(&self, headers: &HeaderMap) -> bool {
        let Some(want) = &self.config.token else {
            return true;
        };
        // The embedding page's header, or a service's `Authorization: Bearer`.
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .map(HeaderValue::as_bytes)
            .and_then(|v| v.strip_prefix(b"Bearer "));
        let got = headers
            .get("x-botlens-token")
            .map(HeaderValue::as_bytes)
            .or(bearer)
            .unwrap_or_default();
        constant_time_eq(got, want.expose().as_bytes())
    }
}

/// `Host` without its port, lowercase; IPv6 literals without brackets.
fn host_name(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host.clone(), |(name, _)| name.to_string())
        .trim_end_matches('.')
        .to_string()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_without_ports() {
        assert_eq!(host_name("Botlens.Example.com:8788"), "botlens.example.com");
        assert_eq!(host_name("[::1]:8788"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("example.com."), "example.com");
    }

    #[test]
    fn tokens_compare_in_constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
