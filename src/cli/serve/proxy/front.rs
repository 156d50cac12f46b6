//! The proxy's front door: what every request meets first.
//!
//! API requests take a short path built once per connection: the host and
//! origin checks (`refused`), tower-http's CORS, then `handlers::api`. Health,
//! metrics and the embed's files go through axum's router. Every request gets
//! `nosniff`, one count in `/metrics` and one log line.
//!
//! Why not one axum router for all: axum rebuilds a handler's layers (CORS
//! included) and the middleware futures for each request, and on a cache hit
//! that was most of the proxy's own work. A connection here keeps its CORS
//! service for its whole life, so a cached answer costs little more than hyper
//! itself (docs/proxy.md has the figures).

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower::{Layer as _, Service};
use tower_http::cors::{AllowOrigin, AllowPrivateNetwork, Any, Cors, CorsLayer};
use tower_http::services::ServeDir;

use super::super::assets;
use super::handlers::{self, refuse};
use super::Shared;

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// The proxy as one service. In `botlens serve --proxy` each connection gets
/// its own ([`Front::for_peer`]); the demo mounts one at `/proxy`.
#[derive(Clone)]
pub struct Front {
    proxy: Shared,
    /// Known when the accept loop made this front for one connection; else
    /// read from the request (`ConnectInfo`, as axum's server adds it).
    peer: Option<SocketAddr>,
    api: Cors<Api>,
    /// `/healthz`, `/readyz`, `/metrics` and `/embed/`.
    rest: Router,
}

impl Front {
    pub fn new(proxy: Shared) -> Front {
        let mut rest = Router::new()
            .route("/healthz", get(handlers::healthz))
            .route("/readyz", get(handlers::readyz))
            .route("/metrics", get(handlers::metrics));
        if let Some(dir) = &proxy.config.embed {
            // The embed's files are public: any page may load them.
            let files = Router::new()
                .fallback_service(ServeDir::new(dir))
                .layer(CorsLayer::new().allow_origin(Any));
            rest = rest.nest("/embed", files);
        }
        Front {
            api: api_service(&proxy, None),
            rest: rest.with_state(proxy.clone()),
            peer: None,
            proxy,
        }
    }

    /// The front for one connection from `peer`. Its CORS service is its own,
    /// so connections on different cores share no counters while they serve.
    pub fn for_peer(&self, peer: SocketAddr) -> Front {
        Front {
            proxy: self.proxy.clone(),
            peer: Some(peer),
            api: api_service(&self.proxy, Some(peer.ip())),
            rest: self.rest.clone(),
        }
    }

    fn is_rest(&self, path: &str) -> bool {
        matches!(path, "/healthz" | "/readyz" | "/metrics")
            || (self.proxy.config.embed.is_some()
                && (path == "/embed" || path.starts_with("/embed/")))
    }
}

impl<B> Service<Request<B>> for Front
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    /// Always ready: nothing here waits for capacity (the caps are the accept loop's).
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Answer {
        let started = Instant::now();
        let method = request.method().clone();
        // The path only: never the query, never a header. (A `Uri` clone shares its bytes.)
        let uri = request.uri().clone();
        let peer = self.peer.or_else(|| connected_from(&request));
        let answer: Answer = if self.is_rest(uri.path()) {
            // axum's router is always ready.
            Box::pin(self.rest.call(request.map(Body::new)))
        } else if let Some(refusal) = refused(&self.proxy, request.headers()) {
            Box::pin(std::future::ready(Ok(refusal)))
        } else {
            // The API reads no body: a GET with one is refused by its headers.
            let answer = self.api.call(request.map(|_| ()));
            Box::pin(async move { Ok(answer.await.unwrap_or_else(|never| match never {})) })
        };
        let proxy = self.proxy.clone();
        Box::pin(async move {
            let Ok(mut response) = answer.await;
            finish(&proxy, &method, uri.path(), peer, started, &mut response);
            Ok(response)
        })
    }
}

/// The API behind CORS: `handlers::api` for one connection's requests.
#[derive(Clone)]
struct Api {
    proxy: Shared,
    peer: Option<IpAddr>,
}

impl Service<Request<()>> for Api {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Answer {
        let (proxy, peer) = (self.proxy.clone(), self.peer);
        Box::pin(async move {
            let peer = peer.or_else(|| connected_from(&request).map(|p| p.ip()));
            Ok(handlers::api(&proxy, peer, request).await)
        })
    }
}

/// The peer as axum's server notes it (`ConnectInfo`), for a front made
/// without one (the demo's).
fn connected_from<B>(request: &Request<B>) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// tower-http's CORS for the allowed origins: it answers their preflights (GET
/// with `X-Botlens-Token`) and lets them read the headers the embed reads.
fn api_service(proxy: &Shared, peer: Option<IpAddr>) -> Cors<Api> {
    let allowed = {
        let proxy = proxy.clone();
        move |origin: &HeaderValue, request: &Parts| {
            let host = request
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            origin.to_str().is_ok_and(|o| proxy.origin_allowed(o, host))
        }
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(allowed.clone()))
        .allow_private_network(AllowPrivateNetwork::predicate(allowed))
        .allow_methods([Method::GET])
        .allow_headers([HeaderName::from_static("x-botlens-token")])
        .expose_headers([
            header::RETRY_AFTER,
            HeaderName::from_static("x-botlens-region"),
            HeaderName::from_static("x-botlens-cache"),
        ])
        .max_age(Duration::from_secs(600))
        .layer(Api {
            proxy: proxy.clone(),
            peer,
        })
}

/// The host names the proxy answers to (a DNS-rebinding guard), then the
/// origins whose pages may use it: refused before CORS or Recall is involved.
fn refused(proxy: &Shared, headers: &HeaderMap) -> Option<Response> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !proxy.host_allowed(host) {
        return Some(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "host_not_allowed",
            "This host name is not one the botlens proxy answers to (see --allow-host).",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !origin.to_str().is_ok_and(|o| proxy.origin_allowed(o, host)) {
            return Some(refuse(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This page's origin may not use the botlens proxy (see --allow-origin).",
            ));
        }
    }
    None
}

/// What every answer gets on its way out: the embed's content types and
/// policies, `nosniff`, its count and its log line.
fn finish(
    proxy: &Shared,
    method: &Method,
    path: &str,
    peer: Option<SocketAddr>,
    started: Instant,
    response: &mut Response,
) {
    let is_asset = path.starts_with("/embed/");
    if is_asset {
        assets::fix_content_type(path, response);
    }
    let status = response.status().as_u16();
    let headers = response.headers_mut();
    // What `handlers::api` told the client of the cache, if it got that far.
    let cache = match headers.get("x-botlens-cache").map(HeaderValue::as_bytes) {
        Some(b"hit") => "hit",
        Some(b"miss") => "miss",
        Some(b"shared") => "shared",
        _ => "-",
    };
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_asset {
        // Public files, fetched cross-origin by module scripts and wasm streaming.
        headers.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        );
        if path.ends_with("/card.html") {
            if let Ok(csp) = HeaderValue::from_str(&frame_csp(&proxy.config.allow_origins)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
        }
    }
    proxy.metrics.answered(status);
    tracing::info!(
        target: "botlens::proxy",
        method = %method,
        path = %path,
        status,
        cache,
        client = %peer.map_or_else(|| "-".to_string(), |p| p.ip().to_string()),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_may_only_be_embedded_by_allowed_origins() {
        let csp = frame_csp(&["https://admin.example.com".into()]);
        assert!(csp.contains("frame-ancestors 'self' https://admin.example.com"));
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(frame_csp(&["*".into()]).ends_with("frame-ancestors *"));
    }
}
