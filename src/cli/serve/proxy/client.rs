//! Who is asking, as far as the proxy can tell: the user the team's SSO proxy
//! names in a header (trusted only from the addresses given with
//! `--trust-proxy`), else the address that proxy forwarded, else the peer's
//! address — an IPv6 client as its /64, the block one machine gets. Rates and
//! shares of the Recall budget are kept per client.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// One client of the proxy.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    /// Named by the trusted SSO proxy.
    User(String),
    /// An address (IPv6: its /64).
    Addr(IpAddr),
}

/// Why a request is refused before its client is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// `--user-header` is set and the request did not come through the trusted proxy with it.
    NoIdentity,
}

/// How clients are told apart (`--trust-proxy`, `--user-header`).
#[derive(Clone, Debug, Default)]
pub struct Identify {
    pub trusted: Vec<IpNet>,
    pub user_header: Option<HeaderName>,
}

impl Identify {
    fn trusts(&self, peer: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&peer))
    }

    /// The client of a request from `peer` with `headers`.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Result<Client, Unknown> {
        let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let trusted = self.trusts(peer);
        if let Some(name) = &self.user_header {
            let user = headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|u| !u.is_empty() && u.len() <= 256);
            return match (trusted, user) {
                (true, Some(user)) => Ok(Client::User(user.to_string())),
                _ => Err(Unknown::NoIdentity),
            };
        }
        if trusted {
            // The right-most address the trusted proxies did not add.
            let forwarded = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .rev()
                .find(|a| !self.trusts(*a));
            if let Some(addr) = forwarded {
                return Ok(Client::Addr(block(addr)));
            }
        }
        Ok(Client::Addr(block(peer)))
    }
}

/// An address as the proxy counts clients: IPv6 as its /64.
fn block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let id = Identify::default();
        let a = id.client(Some("2001:db8:1:2:aaaa::1".parse().unwrap()), &headers(&[]));
        let b = id.client(Some("2001:db8:1:2:ffff::9".parse().unwrap()), &headers(&[]));
        assert_eq!(a, b);
        let c = id.client(Some("2001:db8:1:3::1".parse().unwrap()), &headers(&[]));
        assert_ne!(a, c);
    }

    #[test]
    fn forwarded_addresses_and_users_only_from_the_trusted_proxy() {
        let id = Identify {
            trusted: vec!["10.0.0.0/8".parse().unwrap()],
            user_header: None,
        };
        let fwd = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            id.client(Some("10.0.0.1".parse().unwrap()), &fwd),
            Ok(Client::Addr("203.0.113.7".parse().unwrap()))
        );
        // Anyone else's X-Forwarded-For is their own word: ignored.
        assert_eq!(
            id.client(Some("198.51.100.1".parse().unwrap()), &fwd),
            Ok(Client::Addr("198.51.100.1".parse().unwrap()))
        );
        let sso = Identify {
            user_header: Some(HeaderName::from_static("x-auth-request-user")),
            ..id
        };
        let named = headers(&[("x-auth-request-user", "ada")]);
        assert_eq!(
            sso.client(Some("10.0.0.1".parse().unwrap()), &named),
            Ok(Client::User("ada".into()))
        );
        assert_eq!(
            sso.client(Some("198.51.100.1".parse().unwrap()), &named),
            Err(Unknown::NoIdentity),
            "a header from outside the SSO proxy names nobody"
        );
        assert_eq!(
            sso.client(Some("10.0.0.1".parse().unwrap()), &headers(&[])),
            Err(Unknown::NoIdentity)
        );
    }
}
