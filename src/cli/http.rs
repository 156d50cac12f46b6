//! The native HTTP client for asking Recall, shared by the proxy and the
//! command line: one way to build it, one way to turn an answer into the
//! core's [`HttpReply`] (bounded in size, never echoing the request in errors).

use botlens::diagnose::archive::keep::Miss;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue};
use botlens::recall::client::{origin, Credential, HttpReply};
use botlens::recall::error::ApiError;
use botlens::recall::retry::Clock;

/// Largest answer read from Recall.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// A client for `host_template` (`https://{region}.recall.ai`, or the
/// simulator on `*.localhost`), no redirects, bounded time.
pub fn client(host_template: &str, agent: &str) -> Result<reqwest::Client, String> {
    // rustls needs a process-wide crypto provider; a second install is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .dns_resolver(Arc::new(LoopbackAware))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(format!("{agent}/{}", env!("CARGO_PKG_VERSION")));
    if host_template.contains("localhost") || host_template.contains("127.0.0.1") {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// One GET with the credential's header (marked sensitive), read into an [`HttpReply`].
pub async fn get(
    http: &reqwest::Client,
    url: &str,
    credential: &Credential<'_>,
) -> Result<HttpReply, ApiError> {
    let unreachable = |detail: &str| ApiError::Unreachable {
        host: origin(url).to_string(),
        detail: detail.to_string(),
    };
    let mut request = http.get(url).header(header::ACCEPT, "application/json");
    if let Some((name, value)) = credential.header() {
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| unreachable("the API key contains characters HTTP cannot carry"))?;
        value.set_sensitive(true);
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(describe(&e)))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = read_capped(response, status)
        .await
        .map_err(|e| e.unwrap_or_else(|e| unreachable(describe(&e))))?;
    Ok(HttpReply {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        retry_after,
        region: None,
    })
}

/// The body, read as it streams in and given up on as soon as it passes
/// [`MAX_BODY`] (a declared length over it is refused before any byte is read):
/// a huge or endless answer never sits in memory.
async fn read_capped(
    mut response: reqwest::Response,
    status: u16,
) -> Result<Vec<u8>, Result<ApiError, reqwest::Error>> {
    let too_big = |what: String| {
        Ok(ApiError::Malformed {
            status,
            detail: format!("{what} (the limit is {MAX_BODY} bytes)"),
        })
    };
    if let Some(declared) = response.content_length().filter(|&n| n > MAX_BODY as u64) {
        return Err(too_big(format!("an answer of {declared} bytes")));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Err)? {
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(too_big("an answer longer than the limit".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A screenshot image behind a signed link: no credential (the link carries
/// its own), read as it streams and given up on past `max` bytes. Returns
/// the server's content type and the bytes.
pub async fn get_image(
    http: &reqwest::Client,
    url: &str,
    max: usize,
) -> Result<(String, Vec<u8>), Miss> {
    let failed = |e: &reqwest::Error| Miss::Failed(describe(e).to_string());
    let mut response = http
        .get(url)
        .header(header::ACCEPT, "image/*")
        .send()
        .await
        .map_err(|e| failed(&e))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Miss::Failed(format!("the server answered {status}")));
    }
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(Miss::TooBig);
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(&e))? {
        if bytes.len() + chunk.len() > max {
            return Err(Miss::TooBig);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((content_type, bytes))
}

/// Words for a transport failure; never the request itself (its URL or headers).
fn describe(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "the connection failed (refused, or the name did not resolve)"
    } else if e.is_body() || e.is_decode() {
        "the answer was cut off"
    } else {
        "the request failed"
    }
}

/// The system resolver here does not resolve `*.localhost`; browsers map it
/// to loopback (RFC 6761), and so does botlens. Other names go to the system.
pub struct LoopbackAware;

impl reqwest::dns::Resolve for LoopbackAware {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        Box::pin(async move {
            if host == "localhost" || host.ends_with(".localhost") {
                let loopback = vec![
                    SocketAddr::from(([127, 0, 0, 1], 0)),
                    SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 0)),
                ];
                return Ok(Box::new(loopback.into_iter()) as reqwest::dns::Addrs);
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Native time for the core's look-ups: milliseconds since `Instant`, tokio's
/// sleep, and jitter from the standard library's random hasher keys. The proxy
/// and the command line share it.
pub struct Uptime(pub Instant);

impl Clock for Uptime {
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
