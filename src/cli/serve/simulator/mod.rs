//! The Recall look-alike behind `botlens serve --demo`: routes, auth,
//! regions, faults, CORS and request logs.
//!
//! Order of checks, as Recall's stack applies them: the WAF (a GET with a
//! body → 403 HTML), URL routing (an unknown path or a non-UUID id → Django's
//! HTML 404), authentication (401 JSON), the method (405 JSON), the bot's
//! region (404 JSON), then the scenario's faults, then the answer.

mod bots;
mod limits;
mod list;
mod raw;
mod scenario;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use botlens::detect::is_uuid;
use botlens::recall::client::Endpoint;
use botlens::recall::region::Region;
use limits::{Call, Limits};
use serde_json::json;
use tower_http::cors::{Any, CorsLayer};

use super::{assets, has_body, RegionKey};
use scenario::{FaultKind, SimBot, SimTime};

pub use bots::{load_dir, SimBots};

/// The key that works in every region.
pub const DEMO_KEY: &str = "demo";

pub struct Config {
    pub keys: Vec<RegionKey>,
    pub progress_secs: Option<f64>,
    pub cors: bool,
    pub www: PathBuf,
    pub dist: PathBuf,
    /// The demo's botlens proxy, mounted at `/proxy`.
    pub proxy: Option<crate::cli::serve::proxy::Front>,
    /// Recall's per-workspace limits per minute, enforced (off when `None`),
    /// and the window they are counted over (a minute unless a test shortens it).
    pub limit_per_minute: Option<u32>,
    pub limit_window: Option<Duration>,
}

/// Everything the handlers share.
pub struct Sim {
    pub bots: SimBots,
    keys: Vec<RegionKey>,
    pace: Option<f64>,
    local: SocketAddr,
    /// When progression started: server start or the last `/sim/reset`.
    epoch: Mutex<(Instant, SystemTime)>,
    /// Requests seen per (bot id, fault index), for `times`.
    hits: Mutex<HashMap<(String, usize), u32>>,
    limits: Option<Limits>,
}

pub type Shared = Arc<Sim>;

impl Sim {
    pub(super) fn clock(&self) -> SimTime {
        let (started, wall) = *self.epoch.lock().unwrap_or_else(PoisonError::into_inner);
        SimTime {
            epoch: wall,
            elapsed: started.elapsed(),
            pace: self.pace,
        }
    }

    fn reset(&self) {
        *self.epoch.lock().unwrap_or_else(PoisonError::into_inner) =
            (Instant::now(), SystemTime::now());
        self.hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Count one request against a fault; false once its `times` are used up.
    fn take(&self, bot: &str, fault: usize, times: Option<u32>) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = hits.entry((bot.to_string(), fault)).or_insert(0);
        if times.is_some_and(|t| *seen >= t) {
            return false;
        }
        *seen = seen.saturating_add(1);
        true
    }

    fn authenticate(&self, headers: &HeaderMap, region: Region) -> Auth {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Auth::Missing;
        };
        let Ok(text) = value.to_str() else {
            return Auth::Invalid;
        };
        let text = text.trim();
        if text.is_empty() {
            return Auth::Missing;
        }
        let key = match text.split_once(char::is_whitespace) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("token") => rest.trim(),
            // `Bearer …` and other schemes are not Recall's.
            Some(_) => return Auth::Invalid,
            None => text,
        };
        let valid = key == DEMO_KEY || self.keys.iter().any(|k| k.region == region && k.key == key);
        if valid {
            Auth::Ok(key.to_string())
        } else {
            Auth::Invalid
        }
    }

    /// `http://<Host>` for absolute URLs in bodies; the listening address
    /// when the Host header is missing or odd.
    pub(super) fn base_url(&self, headers: &HeaderMap) -> String {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            });
        match host {
            Some(host) => format!("http://{host}"),
            None => format!("http://{}", self.local),
        }
    }
}

enum Auth {
    /// The key: one workspace.
    Ok(String),
    Missing,
    Invalid,
}

pub fn app(bots: SimBots, config: Config, local: SocketAddr) -> Router {
    let sim: Shared = Arc::new(Sim {
        bots,
        keys: config.keys,
        pace: config.progress_secs,
        local,
        epoch: Mutex::new((Instant::now(), SystemTime::now())),
        hits: Mutex::new(HashMap::new()),
        limits: config
            .limit_per_minute
            .map(|n| Limits::new(n, config.limit_window)),
    });
    let router = match config.proxy {
        Some(proxy) => Router::new().nest_service("/proxy", proxy),
        None => Router::new(),
    };
    let router = router
        .route("/api", any(api))
        .route("/api/", any(api))
        .route("/api/{*rest}", any(api))
        .route("/sim/scenarios", get(list_scenarios))
        .route("/sim/reset", post(reset))
        .merge(assets::routes(&config.www, &config.dist, sim.clone()));
    // Recall sends no CORS headers; `--cors` lets a test page call the simulator directly.
    let router = if config.cors {
        router.layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([header::AUTHORIZATION, header::ACCEPT, header::CONTENT_TYPE])
                .expose_headers([header::RETRY_AFTER])
                .max_age(Duration::from_secs(600))
                .allow_private_network(true),
        )
    } else {
        router
    };
    router.layer(middleware::from_fn(around)).with_state(sim)
}

/// Request log and content types for every response.
async fn around(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // The path only: never the query, never a header (the key is in one).
    let path = request.uri().path().to_string();
    let region = host_region(request.headers());
    let mut response = next.run(request).await;

    assets::fix_content_type(&path, &mut response);
    tracing::info!(
        method = %method,
        path = %path,
        region = region.label(),
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

fn host_region(headers: &HeaderMap) -> Region {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    Region::from_host(host)
}

/// Everything under `/api`.
async fn api(State(sim): State<Shared>, request: Request) -> Response {
    let method = request.method().clone();
    let headers = request.headers().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    drop(request);

    let region = host_region(&headers);
    let is_read = method == Method::GET || method == Method::HEAD;

    if is_read && has_body(&headers) {
        return waf_block();
    }
    let listing = path == botlens::recall::list::PATH;
    let parsed = parse_api_path(&path);
    if parsed.is_none() && !listing {
        return django_not_found();
    }
    let key = match sim.authenticate(&headers, region) {
        Auth::Ok(key) => key,
        Auth::Missing => return not_authenticated(),
        Auth::Invalid => return authentication_failed(),
    };
    if !is_read {
        return method_not_allowed(&method);
    }
    let Some((id, endpoint)) = parsed else {
        if let Some(wait) = sim
            .limits
            .as_ref()
            .and_then(|l| l.over(&key, Call::List, Instant::now()))
        {
            return throttled(wait);
        }
        return list::answer(&sim, &headers, region, &query);
    };
    if let Some(wait) = sim
        .limits
        .as_ref()
        .and_then(|l| l.over(&key, Call::One(endpoint), Instant::now()))
    {
        return throttled(wait);
    }
    let Some(scenario) = sim.bots.get(&id).filter(|s| s.region == region) else {
        return not_found();
    };
    answer(&sim, scenario, endpoint, &headers, region).await
}

async fn answer(
    sim: &Sim,
    scenario: &SimBot,
    endpoint: Endpoint,
    headers: &HeaderMap,
    region: Region,
) -> Response {
    let mut failure = None;
    for (index, fault) in scenario.faults.iter().enumerate() {
        if !fault.applies_to(endpoint) || !sim.take(&scenario.id, index, fault.times) {
            continue;
        }
        match &fault.kind {
            FaultKind::Slow { delay_ms } => {
                tokio::time::sleep(Duration::from_millis(*delay_ms)).await;
            }
            other => {
                failure = Some(other.clone());
                break;
            }
        }
    }

    let body = match scenario.render(endpoint, &sim.clock()) {
        Some(body) => body
            .replace("{{base}}", &sim.base_url(headers))
            .replace("{{region}}", region.label()),
        None => return not_found(),
    };

    match failure {
        None => json_response(StatusCode::OK, body),
        Some(FaultKind::Slow { .. }) => json_response(StatusCode::OK, body),
        Some(FaultKind::Throttle { retry_after }) => throttled(retry_after),
        Some(FaultKind::Error {
            status,
            body,
            content_type,
            retry_after,
        }) => server_error(status, body, content_type, retry_after),
        Some(FaultKind::Malformed) => {
            let mut cut = body.len() / 2;
            while cut > 0 && !body.is_char_boundary(cut) {
                cut -= 1;
            }
            let truncated = body.get(..cut.max(1)).unwrap_or("{").to_string();
            json_response(StatusCode::OK, truncated)
        }
        Some(FaultKind::Html { status }) => html_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            PROXY_LOGIN_HTML,
        ),
    }
}

/// A bot's endpoint with a UUID for its id (Django's router answers the rest).
fn parse_api_path(path: &str) -> Option<(String, Endpoint)> {
    Endpoint::parse(path)
        .filter(|(id, _)| is_uuid(id))
        .map(|(id, endpoint)| (id.to_ascii_lowercase(), endpoint))
}

async fn list_scenarios(State(sim): State<Shared>) -> Response {
    let list: Vec<_> = sim
        .bots
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "region": s.region.label(),
                "platform": s.platform,
                "expect": s.expect,
                "story": s.story,
                "source": s.source,
                "progresses": s.progresses(),
                "faults": s.faults.iter().map(|f| match f.kind {
                    FaultKind::Slow { .. } => "slow",
                    FaultKind::Throttle { .. } => "throttle",
                    FaultKind::Error { .. } => "error",
                    FaultKind::Malformed => "malformed",
                    FaultKind::Html { .. } => "html",
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(StatusCode::OK, serde_json::Value::from(list).to_string())
}

/// Restart the progression clock and forget how often faults fired.
async fn reset(State(sim): State<Shared>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

pub(super) fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}

fn html_response(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn not_authenticated() -> Response {
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        json!({"code": "not_authenticated", "detail": "Authentication credentials were not provided."})
            .to_string(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

fn authentication_failed() -> Response {
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        json!({
            "code": "authentication_failed",
            "detail": "Invalid API token. Make sure the key belongs to this region (us-west-2, us-east-1, eu-central-1, ap-northeast-1)."
        })
        .to_string(),
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"code": "not_found", "detail": "Not found."}).to_string(),
    )
}

fn method_not_allowed(method: &Method) -> Response {
    let mut response = json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        json!({
            "code": "method_not_allowed",
            "detail": format!("Method \"{}\" not allowed.", method.as_str()),
        })
        .to_string(),
    );
    response.headers_mut().insert(
        header::ALLOW,
        HeaderValue::from_static("GET, HEAD, OPTIONS"),
    );
    response
}

fn throttled(retry_after: u64) -> Response {
    let mut response = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "code": "throttled",
            "detail": format!("Request was throttled. Expected available in {retry_after} seconds."),
        })
        .to_string(),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn server_error(
    status: u16,
    body: Option<String>,
    content_type: Option<String>,
    retry_after: Option<u64>,
) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (body, default_type) = match body {
        Some(body) => {
            let kind = match body.trim_start().as_bytes().first() {
                Some(b'<') => "text/html; charset=utf-8",
                Some(b'{') | Some(b'[') => "application/json",
                _ => "text/plain; charset=utf-8",
            };
            (body, kind)
        }
        None => match status.as_u16() {
            // Load-balancer pages, not the API's JSON.
            502 | 504 => {
                let line = format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("Error")
                );
                (
                    format!("<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n</body>\r\n</html>\r\n"),
                    "text/html",
                )
            }
            500 => (
                json!({"code": "error", "detail": "A server error occurred."}).to_string(),
                "application/json",
            ),
            503 => (
                json!({"code": "service_unavailable", "detail": "Service temporarily unavailable, try again later."})
                    .to_string(),
                "application/json",
            ),
            _ => (
                json!({
                    "code": "error",
                    "detail": status.canonical_reason().unwrap_or("Error"),
                })
                .to_string(),
                "application/json",
            ),
        },
    };
    let content_type = content_type
        .and_then(|t| HeaderValue::from_str(&t).ok())
        .unwrap_or(HeaderValue::from_static(default_type));
    let mut response = (status, Body::from(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Recall's WAF answers a GET that carries a body with CloudFront's page.
fn waf_block() -> Response {
    html_response(StatusCode::FORBIDDEN, WAF_HTML)
}

/// Django's own 404 page: what a URL that matches no route gets.
fn django_not_found() -> Response {
    html_response(StatusCode::NOT_FOUND, DJANGO_404_HTML)
}

const WAF_HTML: &str = r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>403 ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
Request blocked.
We can't connect to the server for this app or website at this time. There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
Request ID: SIMULATED_bOtLeNs_WAF_BLOCK==
</PRE>
</BODY></HTML>
"#;

const DJANGO_404_HTML: &str = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n";

/// What a corporate proxy or captive portal sends instead of the API's JSON.
const PROXY_LOGIN_HTML: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sign in to continue</title></head>\n<body><h1>Network sign-in required</h1><p>Your session with the corporate proxy has expired. Sign in to continue browsing.</p><form><input name=\"user\"><input name=\"password\" type=\"password\"><button>Sign in</button></form></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths() {
        let id = "600dca11-0001-4b07-8000-000000000001";
        for (path, want) in [
            (format!("/api/v1/bot/{id}/"), Some(Endpoint::Bot)),
            (format!("/api/v1/bot/{id}"), Some(Endpoint::Bot)),
            (
                format!("/api/v1/bot/{}/", id.to_uppercase()),
                Some(Endpoint::Bot),
            ),
            (
                format!("/api/v1/bot/{id}/screenshots/"),
                Some(Endpoint::Screenshots),
            ),
            (format!("/api/v1/bot/{id}/logs"), Some(Endpoint::Logs)),
            (format!("/api/v1/bot/{id}//"), None),
            (format!("/api/v1/bot/{id}/transcript/"), None),
            (format!("/api/v1/bot/{id}/logs/x"), None),
            ("/api/v1/bot/not-a-uuid/".to_string(), None),
            ("/api/v1/bot/".to_string(), None),
            (format!("/api/v2/bot/{id}/"), None),
        ] {
            assert_eq!(parse_api_path(&path).map(|(_, e)| e), want, "{path}");
        }
    }
}
