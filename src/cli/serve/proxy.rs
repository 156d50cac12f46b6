//! `botlens serve --proxy`: the process that holds the Recall key so web pages
//! never do. It answers at Recall's own paths, so a client only changes its
//! API base, and it does nothing but read three endpoints:
//!
//! `GET /api/v1/bot/{uuid}/`, `…/screenshots/`, `…/logs/` (trailing slash
//! optional, query strings ignored and never forwarded).
//!
//! Everything else is refused before Recall is asked: other paths (404), other
//! methods (405), malformed IDs (400), a body on a GET (400), origins that are
//! not allowed (403), a missing or wrong shared token (401) and clients over
//! their rate (429). Answers are cached with the shared policy of
//! [`botlens::recall::cache`], identical requests in flight share one upstream
//! call, and the upstream calls stay under Recall's per-minute limits (a 429
//! from Recall blocks that endpoint for its `Retry-After`).
//!
//! The key is sent to Recall in `Authorization` and nowhere else: it is not
//! logged, not echoed, not part of any error text.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use botlens::recall::cache::Cache;
use botlens::recall::client::{self, Credential, Endpoint, Found, Reply, Transport};
use botlens::recall::error::ApiError;
use botlens::recall::lookup::{self, Lookups, Upstream};
use botlens::recall::region::Region;
use botlens::recall::retry::{Clock, Retries};
use serde_json::json;
use tokio::sync::watch;
use tower_http::services::ServeDir;

use super::assets;

/// A secret that never prints.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: &str) -> Option<Secret> {
        let text = text.trim();
        (!text.is_empty()).then(|| Secret(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Recall's documented limit for Retrieve Bot and Get Bot Logs, per workspace
/// and minute; List Bot Screenshots allows a fifth of it.
pub const RECALL_PER_MINUTE: u32 = 300;

#[derive(Debug)]
pub struct Config {
    pub key: Secret,
    /// Only this region (`--region`); otherwise every region, the one that worked first.
    pub region: Option<Region>,
    /// `https://{region}.recall.ai` or, in tests, `http://{region}.localhost:PORT`.
    pub upstream: String,
    /// `scheme://host[:port]` origins whose pages may call the proxy; `*` for any.
    pub allow_origins: Vec<String>,
    /// Host names the proxy answers to besides IP literals, `localhost`,
    /// `*.localhost` and the hosts of the allowed origins (DNS-rebinding guard).
    pub allow_hosts: Vec<String>,
    /// When set, API requests must carry `X-Botlens-Token: <token>`.
    pub token: Option<Secret>,
    /// Requests per second per client address (burst: twice as many); 0 = no limit.
    pub client_rate: f64,
    /// Upstream requests per minute for the bot and logs endpoints (screenshots: a fifth).
    pub upstream_per_minute: u32,
    pub cache: bool,
    /// Served at `/embed/` (botlens.js, the wasm, card.html).
    pub embed: Option<PathBuf>,
}

type Key = (Endpoint, String);
type Outcome = Result<Found, ApiError>;

/// A token bucket.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(burst: f64, now: Instant) -> Bucket {
        Bucket {
            tokens: burst,
            last: now,
        }
    }

    /// Take one token, or say how many seconds until one is there.
    fn take(&mut self, per_second: f64, burst: f64, now: Instant) -> Result<(), f64> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err((1.0 - self.tokens) / per_second)
        }
    }
}

struct UpstreamLimits {
    buckets: [Bucket; 3],
    /// After a 429 from Recall: no request on that endpoint before this.
    blocked_until: [Option<Instant>; 3],
}

pub struct Proxy {
    config: Config,
    http: reqwest::Client,
    started: Instant,
    cache: Mutex<Cache<Key, Outcome>>,
    inflight: Mutex<HashMap<Key, watch::Receiver<Option<Outcome>>>>,
    /// The region the key last worked in: tried first.
    remembered: Mutex<Option<Region>>,
    /// Where each bot was found, and the regions it is not in.
    lookups: Mutex<Lookups>,
    clients: Mutex<HashMap<IpAddr, Bucket>>,
    upstream: Mutex<UpstreamLimits>,
}

pub type Shared = Arc<Proxy>;

fn index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Bot => 0,
        Endpoint::Screenshots => 1,
        Endpoint::Logs => 2,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Proxy {
    pub fn new(config: Config) -> Result<Shared, String> {
        // rustls needs a process-wide crypto provider; a second install is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .dns_resolver(Arc::new(LoopbackAware))
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("botlens-proxy/", env!("CARGO_PKG_VERSION")));
        if config.upstream.contains("localhost") || config.upstream.contains("127.0.0.1") {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let now = Instant::now();
        let per_minute = f64::from(config.upstream_per_minute.max(1));
        let bursts = upstream_limits(per_minute).map(|(_, burst)| Bucket::full(burst, now));
        Ok(Arc::new(Proxy {
            remembered: Mutex::new(config.region),
            config,
            http,
            started: now,
            cache: Mutex::new(Cache::new(10_000)),
            inflight: Mutex::new(HashMap::new()),
            lookups: Mutex::default(),
            clients: Mutex::new(HashMap::new()),
            upstream: Mutex::new(UpstreamLimits {
                buckets: bursts,
                blocked_until: [None; 3],
            }),
        }))
    }

    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// May this client send one more request now?
    fn admit_client(&self, client: Option<IpAddr>) -> Result<(), f64> {
        let rate = self.config.client_rate;
        if rate <= 0.0 || !rate.is_finite() {
            return Ok(());
        }
        let ip = client.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let now = Instant::now();
        let mut clients = lock(&self.clients);
        if clients.len() > 50_000 {
            // Forget idle clients rather than grow without bound.
            clients.retain(|_, b| now.saturating_duration_since(b.last) < Duration::from_secs(60));
        }
        clients
            .entry(ip)
            .or_insert_with(|| Bucket::full(rate * 2.0, now))
            .take(rate, rate * 2.0, now)
    }

    /// May the proxy call Recall once more on this endpoint now?
    fn admit_upstream(&self, endpoint: Endpoint) -> Result<(), ApiError> {
        let now = Instant::now();
        let i = index(endpoint);
        let per_minute = f64::from(self.config.upstream_per_minute.max(1));
        let (rate, burst) = upstream_limits(per_minute)[i];
        let mut up = lock(&self.upstream);
        if let Some(until) = up.blocked_until[i] {
            if until > now {
                return Err(throttled(
                    until.saturating_duration_since(now).as_secs_f64(),
                ));
            }
            up.blocked_until[i] = None;
        }
        match up.buckets[i].take(rate, burst, now) {
            Ok(()) => Ok(()),
            Err(wait_s) => Err(throttled(wait_s)),
        }
    }

    fn block_upstream(&self, endpoint: Endpoint, seconds: u32) {
        let until = Instant::now() + Duration::from_secs(u64::from(seconds));
        lock(&self.upstream).blocked_until[index(endpoint)] = Some(until);
    }

    /// Ask Recall (through the limits, without retries: the client decides),
    /// region by region, with the core's one region rule.
    async fn fetch(&self, endpoint: Endpoint, id: &str) -> Outcome {
        let upstream = Upstream::Recall {
            key: self.config.key.expose().to_string(),
            host: self.config.upstream.clone(),
            remembered: *lock(&self.remembered),
            only: self.config.region,
        };
        let transport = Limited {
            proxy: self,
            endpoint,
        };
        let clock = Uptime(self.started);
        let looked = lookup::find(
            &self.lookups,
            &transport,
            &clock,
            Retries::Never,
            &upstream,
            endpoint,
            id,
        )
        .await;
        if let (Some(region), None) = (looked.key_region, self.config.region) {
            *lock(&self.remembered) = Some(region);
        }
        looked.result
    }

    /// The cached answer, a share of an identical request in flight, or a new upstream call.
    async fn lookup(self: &Arc<Self>, endpoint: Endpoint, id: &str) -> (Outcome, &'static str) {
        let key: Key = (endpoint, id.to_string());
        if self.config.cache {
            if let Some(hit) = lock(&self.cache).get(&key, self.now_ms()) {
                return (hit.clone(), "hit");
            }
        }
        let (mut rx, how) = {
            let mut inflight = lock(&self.inflight);
            match inflight.get(&key) {
                Some(rx) => (rx.clone(), "shared"),
                None => {
                    let (tx, rx) = watch::channel(None);
                    inflight.insert(key.clone(), rx.clone());
                    // Its own task: a client that hangs up does not cancel the
                    // call the others wait for.
                    let proxy = Arc::clone(self);
                    tokio::spawn(async move {
                        let outcome = proxy.fetch(key.0, &key.1).await;
                        if proxy.config.cache {
                            let answer = outcome.as_ref().map(|f| f.body.as_str());
                            let now = proxy.now_ms();
                            lock(&proxy.cache).remember(
                                key.clone(),
                                outcome.clone(),
                                key.0,
                                answer,
                                now,
                            );
                        }
                        lock(&proxy.inflight).remove(&key);
                        let _ = tx.send(Some(outcome));
                    });
                    (rx, "miss")
                }
            }
        };
        let outcome = match rx.wait_for(Option::is_some).await {
            Ok(value) => value.clone(),
            Err(_) => None,
        };
        let outcome = outcome.unwrap_or_else(|| {
            Err(ApiError::Unreachable {
                host: "the botlens proxy".into(),
                detail: "the upstream request was lost".into(),
            })
        });
        (outcome, how)
    }

    fn origin_allowed(&self, origin: &str, host: Option<&str>) -> bool {
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
    fn host_allowed(&self, host: Option<&str>) -> bool {
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

    fn token_ok(&self, headers: &HeaderMap) -> bool {
        let Some(want) = &self.config.token else {
            return true;
        };
        let got = headers
            .get("x-botlens-token")
            .map(HeaderValue::as_bytes)
            .unwrap_or_default();
        constant_time_eq(got, want.expose().as_bytes())
    }
}

/// (tokens per second, burst) per endpoint, a tenth under Recall's limits.
fn upstream_limits(per_minute: f64) -> [(f64, f64); 3] {
    let bot = per_minute * 0.9 / 60.0;
    let shots = bot / 5.0;
    [
        (bot, (bot * 5.0).max(1.0)),
        (shots, (shots * 5.0).max(1.0)),
        (bot, (bot * 5.0).max(1.0)),
    ]
}

fn throttled(wait_s: f64) -> ApiError {
    let secs = wait_s.ceil().clamp(1.0, 300.0);
    // Clamped to 1..=300 above: the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let retry_after_s = secs as u32;
    ApiError::Throttled { retry_after_s }
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

/// The proxy's transport: Recall's per-minute limits, then reqwest.
/// The proxy's clock: time since it started. Never asked to sleep (no retries).
struct Uptime(Instant);

impl Clock for Uptime {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }

    fn random(&self) -> f64 {
        0.5
    }

    async fn sleep(&self, ms: u32) {
        tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    }
}

struct Limited<'a> {
    proxy: &'a Proxy,
    endpoint: Endpoint,
}

impl Transport for Limited<'_> {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<Reply, ApiError> {
        self.proxy.admit_upstream(self.endpoint)?;
        let unreachable = |detail: &str| ApiError::Unreachable {
            host: origin(url).to_string(),
            detail: detail.to_string(),
        };
        let mut request = self
            .proxy
            .http
            .get(url)
            .header(header::ACCEPT, "application/json");
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
        if status == 429 {
            self.proxy.block_upstream(
                self.endpoint,
                client::retry_after_seconds(retry_after.as_deref()),
            );
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unreachable(describe(&e)))?;
        if bytes.len() > MAX_BODY {
            return Err(ApiError::Malformed {
                status,
                detail: format!(
                    "an answer of {} bytes (the limit is {MAX_BODY})",
                    bytes.len()
                ),
            });
        }
        Ok(Reply {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            retry_after,
            region: None,
        })
    }
}

const MAX_BODY: usize = 8 * 1024 * 1024;

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

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url
        .get(after_scheme..)
        .and_then(|rest| rest.find('/'))
        .map_or(url.len(), |i| after_scheme + i);
    url.get(..end).unwrap_or(url)
}

/// The system resolver here does not resolve `*.localhost`; browsers map it
/// to loopback (RFC 6761), and so does the proxy. Other names go to the system.
struct LoopbackAware;

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

/// The proxy's routes. Mounted at `/` by `--proxy` and at `/proxy` by `--demo`.
pub fn router<S: Clone + Send + Sync + 'static>(proxy: Shared) -> Router<S> {
    let mut router = Router::new().route("/healthz", get(healthz));
    if let Some(dir) = &proxy.config.embed {
        router = router.nest_service("/embed", ServeDir::new(dir));
    }
    router
        .fallback(api)
        .layer(middleware::from_fn_with_state(proxy.clone(), around))
        .with_state(proxy)
}

/// What the API handler tells the log line.
#[derive(Clone, Copy)]
struct CacheNote(&'static str);

/// Log line, CORS and content types.
async fn around(State(proxy): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // The path only: never the query, never a header.
    let path = request.uri().path().to_string();
    let client = client_ip(&request);
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_string);
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let wants_private_network = request
        .headers()
        .contains_key("access-control-request-private-network");

    let mut response = next.run(request).await;

    let is_asset = path.starts_with("/embed/");
    if is_asset {
        assets::fix_content_type(&path, &mut response);
    }
    let cache = response
        .extensions()
        .get::<CacheNote>()
        .map_or("-", |n| n.0);
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_asset {
        // Public files: any page may load them (module scripts and wasm are CORS fetches).
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        );
        if path.ends_with("/card.html") {
            if let Ok(csp) = HeaderValue::from_str(&frame_csp(&proxy.config.allow_origins)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
        }
    } else if let Some(origin) = origin
        .as_deref()
        .filter(|o| proxy.origin_allowed(o, host.as_deref()))
    {
        if let Ok(value) = HeaderValue::from_str(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("retry-after, x-botlens-region, x-botlens-cache"),
            );
            if wants_private_network {
                headers.insert(
                    "access-control-allow-private-network",
                    HeaderValue::from_static("true"),
                );
            }
        }
    }
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    tracing::info!(
        target: "botlens::proxy",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        cache,
        client = %client.map_or_else(|| "-".to_string(), |ip| ip.to_string()),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// `card.html` may be framed only by the allowed origins and runs wasm under its own CSP.
fn frame_csp(allow: &[String]) -> String {
    let ancestors = if allow.iter().any(|o| o == "*") {
        "*".to_string()
    } else {
        let mut list = vec!["'self'".to_string()];
        list.extend(allow.iter().cloned());
        list.join(" ")
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; connect-src 'self'; frame-ancestors {ancestors}"
    )
}

fn client_ip(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

async fn healthz(State(proxy): State<Shared>) -> Response {
    let region = *lock(&proxy.remembered);
    let cached = lock(&proxy.cache).len();
    json_response(
        StatusCode::OK,
        json!({
            "status": "ok",
            "region": region.map(Region::label),
            "region_fixed": proxy.config.region.is_some(),
            "cache": proxy.config.cache,
            "cached": cached,
        })
        .to_string(),
    )
}

/// Everything that is not `/healthz` or `/embed/`.
async fn api(State(proxy): State<Shared>, request: Request) -> Response {
    let client = client_ip(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    drop(request);

    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !proxy.host_allowed(host) {
        return refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_allowed",
            "This host name is not one the botlens proxy answers to (see --allow-host).",
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let allowed = origin.to_str().is_ok_and(|o| proxy.origin_allowed(o, host));
        if !allowed {
            return refuse(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This page's origin may not use the botlens proxy (see --allow-origin).",
            );
        }
    }
    if method == Method::OPTIONS {
        return preflight(&headers);
    }
    if method != Method::GET {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!(
                "Method \"{}\" not allowed: the botlens proxy only reads.",
                method.as_str()
            ),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
        return response;
    }
    let (id, endpoint) = match parse_path(&path) {
        Parsed::Api(id, endpoint) => (id, endpoint),
        Parsed::BadId => {
            return error_response(&ApiError::InvalidId {
                id: String::new(),
            })
        }
        Parsed::Other => {
            return refuse(
                StatusCode::NOT_FOUND,
                "not_found",
                "The botlens proxy answers only GET /api/v1/bot/{id}/, /api/v1/bot/{id}/screenshots/ and /api/v1/bot/{id}/logs/.",
            )
        }
    };
    if has_body(&headers) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "body_not_allowed",
            "A GET must not carry a body.",
        );
    }
    if !proxy.token_ok(&headers) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "token_required",
            "This botlens proxy needs the embedding page's token (X-Botlens-Token).",
        );
    }
    if let Err(wait_s) = proxy.admit_client(client) {
        return error_response(&throttled(wait_s));
    }
    let (outcome, how) = proxy.lookup(endpoint, &id).await;
    let mut response = match outcome {
        Ok(found) => {
            let mut response = json_response(StatusCode::OK, found.body);
            if let Some(region) = found.region {
                response
                    .headers_mut()
                    .insert("x-botlens-region", HeaderValue::from_static(region.label()));
            }
            response
        }
        Err(error) => error_response(&error),
    };
    response
        .headers_mut()
        .insert("x-botlens-cache", HeaderValue::from_static(how));
    response.extensions_mut().insert(CacheNote(how));
    response
}

enum Parsed {
    Api(String, Endpoint),
    BadId,
    Other,
}

/// `/api/v1/bot/{id}/`, `/screenshots/`, `/logs/`, trailing slash optional.
fn parse_path(path: &str) -> Parsed {
    let Some(rest) = path.strip_prefix("/api/v1/bot/") else {
        return Parsed::Other;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut parts = rest.split('/');
    let id = parts.next().unwrap_or_default();
    let endpoint = match parts.next() {
        None => Endpoint::Bot,
        Some("screenshots") => Endpoint::Screenshots,
        Some("logs") => Endpoint::Logs,
        Some(_) => return Parsed::Other,
    };
    if parts.next().is_some() || id.is_empty() {
        return Parsed::Other;
    }
    if !botlens::detect::is_uuid(id) {
        return Parsed::BadId;
    }
    Parsed::Api(id.to_ascii_lowercase(), endpoint)
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    length > 0 || headers.contains_key(header::TRANSFER_ENCODING)
}

fn preflight(headers: &HeaderMap) -> Response {
    let wants_get = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .is_some_and(|m| m.eq_ignore_ascii_case("GET"));
    if !wants_get {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "The botlens proxy only reads (GET).",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, OPTIONS"));
        return response;
    }
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "x-botlens-token"),
            (header::ACCESS_CONTROL_MAX_AGE, "600"),
        ],
    )
        .into_response()
}

fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from(body),
    )
        .into_response()
}

/// A refusal by the proxy itself (Recall was not asked).
fn refuse(status: StatusCode, code: &str, detail: &str) -> Response {
    json_response(
        status,
        json!({"code": code, "detail": detail, "source": "botlens-proxy"}).to_string(),
    )
}

/// What a failed look-up answers: Recall's own status where the client can act
/// on it (404, 429 + Retry-After), a gateway error otherwise. The body carries
/// the typed error for the embed (`botlens`) and its sentences for people.
fn error_response(error: &ApiError) -> Response {
    let status = match error {
        ApiError::InvalidId { .. } => StatusCode::BAD_REQUEST,
        ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
        ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Server {
            status: s @ 502..=504,
        } => StatusCode::from_u16(*s).unwrap_or(StatusCode::BAD_GATEWAY),
        ApiError::Unreachable { .. } => StatusCode::GATEWAY_TIMEOUT,
        ApiError::NoKey => StatusCode::INTERNAL_SERVER_ERROR,
        ApiError::NotPermitted => StatusCode::FORBIDDEN,
        ApiError::Unauthorized { .. }
        | ApiError::Server { .. }
        | ApiError::Blocked
        | ApiError::Malformed { .. } => StatusCode::BAD_GATEWAY,
    };
    let mut response = json_response(
        status,
        json!({
            "code": error.kind(),
            "detail": error.to_string(),
            "botlens": error,
        })
        .to_string(),
    );
    if let ApiError::Throttled { retry_after_s } = error {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_three_read_paths_parse() {
        let id = "600dca11-0001-4b07-8000-000000000001";
        let ok = |p: &str| match parse_path(p) {
            Parsed::Api(id, e) => Some((id, e)),
            _ => None,
        };
        assert_eq!(
            ok(&format!("/api/v1/bot/{id}/")),
            Some((id.into(), Endpoint::Bot))
        );
        assert_eq!(
            ok(&format!("/api/v1/bot/{}", id.to_uppercase())),
            Some((id.into(), Endpoint::Bot))
        );
        assert_eq!(
            ok(&format!("/api/v1/bot/{id}/screenshots/")).map(|x| x.1),
            Some(Endpoint::Screenshots)
        );
        assert_eq!(
            ok(&format!("/api/v1/bot/{id}/logs")).map(|x| x.1),
            Some(Endpoint::Logs)
        );
        for bad in [
            format!("/api/v1/bot/{id}/transcript/"),
            format!("/api/v1/bot/{id}/logs/x"),
            format!("/api/v1/bot/{id}//"),
            "/api/v1/bot/".to_string(),
            format!("/api/v2/bot/{id}/"),
            "/api/v1/calendar-events/".to_string(),
            "/".to_string(),
        ] {
            assert!(matches!(parse_path(&bad), Parsed::Other), "{bad}");
        }
        for bad in [
            "/api/v1/bot/not-a-uuid/",
            "/api/v1/bot/..%2f..%2fx/",
            "/api/v1/bot/x/logs/",
        ] {
            assert!(matches!(parse_path(bad), Parsed::BadId), "{bad}");
        }
    }

    #[test]
    fn buckets_refill_and_say_how_long_to_wait() {
        let t0 = Instant::now();
        let mut b = Bucket::full(2.0, t0);
        assert!(b.take(1.0, 2.0, t0).is_ok());
        assert!(b.take(1.0, 2.0, t0).is_ok());
        let wait = b.take(1.0, 2.0, t0).unwrap_err();
        assert!(wait > 0.9 && wait <= 1.0, "{wait}");
        assert!(b.take(1.0, 2.0, t0 + Duration::from_millis(1100)).is_ok());
        assert_eq!(throttled(0.2), ApiError::Throttled { retry_after_s: 1 });
        assert_eq!(throttled(1e9), ApiError::Throttled { retry_after_s: 300 });
    }

    #[test]
    fn upstream_stays_under_recalls_limits() {
        let [bot, shots, logs] = upstream_limits(f64::from(RECALL_PER_MINUTE));
        assert!(bot.0 * 60.0 < 300.0);
        assert!(logs.0 * 60.0 < 300.0);
        assert!(shots.0 * 60.0 < 60.0);
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("  k3y \n").unwrap();
        assert_eq!(s.expose(), "k3y");
        assert!(!format!("{s:?}").contains("k3y"));
        assert!(Secret::new("  ").is_none());
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert_eq!(
            origin("http://a.localhost:9/api/v1/bot/x/"),
            "http://a.localhost:9"
        );
        assert_eq!(origin("nonsense"), "nonsense");
    }

    #[test]
    fn host_names_without_ports() {
        assert_eq!(host_name("Botlens.Example.com:8788"), "botlens.example.com");
        assert_eq!(host_name("[::1]:8788"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("example.com."), "example.com");
    }

    #[test]
    fn the_frame_may_only_be_embedded_by_allowed_origins() {
        let csp = frame_csp(&["https://admin.example.com".into()]);
        assert!(csp.contains("frame-ancestors 'self' https://admin.example.com"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(frame_csp(&["*".into()]).ends_with("frame-ancestors *"));
    }
}
