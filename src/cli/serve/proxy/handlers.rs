//! The answers, once `front` has let a request in: the API's checks of
//! `guard` in order, then Recall's JSON trimmed to the card's needs, a media
//! link, or a typed error; and health, readiness and metrics.

use std::net::IpAddr;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use botlens::recall::client::Endpoint;
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use botlens::recall::trim;
use serde_json::json;

use super::super::has_body;
use super::metrics::{Cache as CacheResult, Throttle};
use super::{lock, Client, Shared};

/// Prometheus text: what the proxy did since it started (`proxy::metrics`).
pub(super) async fn metrics(State(proxy): State<Shared>) -> Response {
    let left = proxy.budget.left(proxy.now_ms());
    #[allow(clippy::cast_possible_truncation)] // a few hundred at most
    proxy.metrics.budget_left.set(left.floor() as i64);
    if let Some(replicas) = &proxy.replicas {
        proxy.metrics.redis_up.set(i64::from(replicas.is_up()));
        proxy.metrics.replicas.set(i64::from(replicas.seen()));
    }
    let mut response = proxy.metrics.text().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response
}

/// Ready unless the last look-up at Recall, in the last minute, found the key
/// refused in every region, Recall unreachable or failing. Never calls Recall itself.
pub(super) async fn readyz(State(proxy): State<Shared>) -> Response {
    let last = *lock(&proxy.last_upstream);
    let problem = last
        .filter(|(at, _)| proxy.now_ms() - at < 60_000.0)
        .and_then(|(_, problem)| problem);
    let (status, body) = match problem {
        None => (StatusCode::OK, json!({"ready": true})),
        Some(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"ready": false, "why": why}),
        ),
    };
    json_response(status, body.to_string())
}

pub(super) async fn healthz(State(proxy): State<Shared>) -> Response {
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

/// Everything that is not `/healthz`, `/readyz`, `/metrics` or `/embed/`,
/// once `front` has admitted it; `peer` is the address it came from.
pub(super) async fn api(proxy: &Shared, peer: Option<IpAddr>, request: Request<()>) -> Response {
    let (parts, ()) = request.into_parts();
    let (method, headers) = (&parts.method, &parts.headers);
    let (path, query) = (parts.uri.path(), parts.uri.query());

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
    let client = match proxy.config.identify.client(peer, headers) {
        Ok(client) => client,
        Err(_) => return refuse(
            StatusCode::UNAUTHORIZED,
            "identity_required",
            "This botlens proxy answers only requests that come through the team's sign-in proxy.",
        ),
    };
    if let Some(id) = media_path(path) {
        return media(proxy, &client, &id, query.unwrap_or_default()).await;
    }
    let (id, endpoint) = match parse_path(path) {
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
    if has_body(headers) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "body_not_allowed",
            "A GET must not carry a body.",
        );
    }
    if !proxy.token_ok(headers) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "token_required",
            "This botlens proxy needs the embedding page's token (X-Botlens-Token).",
        );
    }
    if let Err(wait_s) = proxy.admit_client(&client) {
        return throttled(proxy, "client", wait_s);
    }
    // Kept answers are free; what makes Recall answer comes out of the client's share.
    let (outcome, how) = match proxy.kept(endpoint, &id).await {
        Some(hit) => (hit, "hit"),
        None => {
            if let Err(wait_s) = proxy.charge_share(&client, (endpoint, id.clone())) {
                return throttled(proxy, "client", wait_s);
            }
            proxy.ask(endpoint, &id).await
        }
    };
    proxy
        .metrics
        .cache
        .get_or_create(&CacheResult { result: how })
        .inc();
    if matches!(outcome, Err(ApiError::Throttled { .. })) {
        proxy
            .metrics
            .throttled
            .get_or_create(&Throttle { by: "upstream" })
            .inc();
    }
    let mut response = match outcome {
        Ok(kept) => {
            // Only what the card needs leaves: secrets dropped, signed links replaced.
            let mut response = json_response(StatusCode::OK, kept.card);
            if let Some(region) = kept.region {
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
    response
}

/// `/api/v1/bot/{uuid}/media`: a media link this proxy handed out.
fn media_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/api/v1/bot/")?;
    let (id, tail) = rest.split_once('/')?;
    (matches!(tail, "media" | "media/") && botlens::detect::is_uuid(id))
        .then(|| id.to_ascii_lowercase())
}

/// Open a media link: check its signature, look the bot up again (cached) and
/// redirect to the signed URL Recall gives now. Nothing else is reachable.
async fn media(proxy: &Shared, client: &Client, id: &str, query: &str) -> Response {
    let Some((endpoint, at)) = proxy.media.check(id, query) else {
        return refuse(
            StatusCode::FORBIDDEN,
            "link_expired",
            "This media link is not one this botlens proxy handed out, or it has expired: open the bot's card again.",
        );
    };
    if let Err(wait_s) = proxy.admit_client(client) {
        return throttled(proxy, "client", wait_s);
    }
    let outcome = match proxy.kept(endpoint, id).await {
        Some(hit) => hit,
        None => proxy.ask(endpoint, id).await.0,
    };
    let kept = match outcome {
        Ok(kept) => kept,
        Err(error) => return error_response(&error),
    };
    let Some(url) = trim::resolve(&kept.raw, &at) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "not_found",
            "Recall no longer lists this media for the bot.",
        );
    };
    let Ok(location) = HeaderValue::from_str(&url) else {
        return refuse(
            StatusCode::BAD_GATEWAY,
            "malformed",
            "Recall's link cannot be followed.",
        );
    };
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

enum Parsed {
    Api(String, Endpoint),
    BadId,
    Other,
}

/// `/api/v1/bot/{id}/`, `/screenshots/`, `/logs/`, trailing slash optional.
fn parse_path(path: &str) -> Parsed {
    match Endpoint::parse(path) {
        None => Parsed::Other,
        Some((id, _)) if !botlens::detect::is_uuid(id) => Parsed::BadId,
        Some((id, endpoint)) => Parsed::Api(id.to_ascii_lowercase(), endpoint),
    }
}

/// Too many: counted by who refused (this client's share, or Recall's budget).
fn throttled(proxy: &Shared, by: &'static str, wait_s: f64) -> Response {
    proxy
        .metrics
        .throttled
        .get_or_create(&Throttle { by })
        .inc();
    error_response(&ApiError::throttled_for(wait_s))
}

fn json_response(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.into(),
    )
        .into_response()
}

/// A refusal by the proxy itself (Recall was not asked).
pub(super) fn refuse(status: StatusCode, code: &str, detail: &str) -> Response {
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
        ApiError::Unsupported { .. } => StatusCode::NOT_IMPLEMENTED,
        ApiError::Unauthorized { .. }
        | ApiError::Server { .. }
        | ApiError::Blocked
        | ApiError::Refused { .. }
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
}
