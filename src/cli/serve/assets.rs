//! Files the simulator serves besides the API: the demo page (`www/`), the
//! built embed (`dist/embed/` at `/embed/`) and extension (`dist/` at
//! `/extension/`), and the simulated media behind the demo bots' URLs
//! (`/sim/screenshots/…` SVG images, `/sim/media/…` downloads).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use botlens::diagnose::archive::esc;
use tower_http::services::ServeDir;

use super::simulator::Shared;

pub fn routes(www: &Path, dist: &Path, sim: Shared) -> Router<Shared> {
    let placeholder = get(placeholder).with_state(sim);
    Router::new()
        .route("/sim/screenshots/{file}", get(screenshot))
        .route("/sim/media/{*path}", get(media))
        .nest_service("/embed", ServeDir::new(dist.join("embed")))
        .nest_service("/extension", ServeDir::new(dist))
        .fallback_service(ServeDir::new(www).fallback(placeholder))
}

/// Browsers insist on these types for modules and WebAssembly.
pub fn fix_content_type(path: &str, response: &mut Response) {
    if !(response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED)
        || path.starts_with("/api")
    {
        return;
    }
    let extension = path
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let kind = match extension.as_deref() {
        Some("wasm") => "application/wasm",
        Some("js") | Some("mjs") => "text/javascript; charset=utf-8",
        Some("json") | Some("map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => return,
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Local builds change all the time: always revalidate.
    if !path.starts_with("/sim/") {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
}

/// `/`, `/demo/`: a page listing the demo bots when `www/` has none.
async fn placeholder(State(sim): State<Shared>, uri: Uri) -> Response {
    let path = uri.path();
    if !matches!(
        path,
        "/" | "/index.html" | "/demo" | "/demo/" | "/demo/index.html"
    ) {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Not found\n",
        )
            .into_response();
    }
    let mut rows = String::new();
    for s in sim.bots.iter() {
        let verdict = s
            .expect
            .as_ref()
            .and_then(|e| e.get("verdict"))
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let _ = writeln!(
            rows,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.id,
            s.region.label(),
            esc(s.platform.as_deref().unwrap_or("")),
            esc(verdict),
            esc(s.story.as_deref().unwrap_or("")),
        );
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>botlens demo</title>\n\
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:70rem}}td,th{{padding:.25rem .6rem;text-align:left;vertical-align:top}}code{{font-size:13px}}</style></head>\n\
<body><h1>botlens demo</h1>\n<p>A placeholder: the demo page is not built yet. The Recall simulator answers \
<code>GET /api/v1/bot/&lt;id&gt;/</code> (and <code>/screenshots/</code>, <code>/logs/</code>) with \
<code>Authorization: Token demo</code>; each bot lives in one region, chosen by the host name \
(<code>us-west-2.localhost</code>; plain <code>127.0.0.1</code> is us-east-1).</p>\n\
<table><thead><tr><th>bot id</th><th>region</th><th>platform</th><th>expected</th><th>story</th></tr></thead>\n<tbody>\n{rows}</tbody></table>\n</body></html>\n"
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// A debug screenshot, drawn on the fly: `/sim/screenshots/<id>.svg?scene=waiting_room&platform=zoom`.
async fn screenshot(
    UrlPath(file): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !file.ends_with(".svg") {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    }
    let scene = query.get("scene").map_or("in_call", String::as_str);
    let platform = query.get("platform").map_or("zoom", String::as_str);
    let svg = draw(scene, platform, query.get("text").map(String::as_str));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        svg,
    )
        .into_response()
}

/// Media download URLs of the demo bots. There is no real media: JSON
/// artefacts get a small plausible document, everything else a note.
async fn media(UrlPath(path): UrlPath<String>) -> Response {
    let name = path.rsplit('/').next().unwrap_or_default();
    let json = match name {
        "transcript.json" => Some(
            r#"[{"participant":{"id":100,"name":"Dana Lee","is_host":true},"words":[{"text":"Shall we start?","start_timestamp":{"relative":3.2},"end_timestamp":{"relative":4.1}}]},{"participant":{"id":200,"name":"Sam Ortiz","is_host":false},"words":[{"text":"Yes, the numbers are in.","start_timestamp":{"relative":5.0},"end_timestamp":{"relative":6.4}}]}]"#,
        ),
        "participants.json" => Some(
            r#"[{"id":100,"name":"Dana Lee","is_host":true,"platform":"desktop","extra_data":null},{"id":200,"name":"Sam Ortiz","is_host":false,"platform":"desktop","extra_data":null}]"#,
        ),
        "participant_events.json" | "speaker_timeline.json" => Some("[]"),
        "metadata.json" => Some(r#"{"title":"Simulated meeting"}"#),
        _ => None,
    };
    match json {
        Some(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("botlens simulator: placeholder for the media file {name}; the simulator keeps no recordings.\n"),
        )
            .into_response(),
    }
}

/// The platform's name and accent colour.
fn brand(platform: &str) -> (&'static str, &'static str) {
    match platform {
        "zoom" => ("Zoom", "#0b5cff"),
        "google_meet" => ("Google Meet", "#1a73e8"),
        "microsoft_teams" | "microsoft_teams_live" => ("Microsoft Teams", "#5b5fc7"),
        "webex" => ("Webex", "#07c160"),
        "goto_meeting" => ("GoTo Meeting", "#f68d2e"),
        "slack_huddle_observer" | "slack_authenticator" | "slack" => ("Slack huddle", "#4a154b"),
        _ => ("Meeting", "#555555"),
    }
}

/// A 640×360 picture of what the bot saw.
fn draw(scene: &str, platform: &str, text: Option<&str>) -> String {
    let (name, accent) = brand(platform);
    let mut body = String::new();
    let dialog = |title: &str, line: &str, button: Option<&str>| {
        let mut s = format!(
            "<rect x=\"70\" y=\"90\" width=\"500\" height=\"190\" rx=\"12\" fill=\"#ffffff\"/>\
<text x=\"320\" y=\"150\" font-size=\"20\" font-weight=\"600\" fill=\"#202124\" text-anchor=\"middle\">{}</text>\
<text x=\"320\" y=\"185\" font-size=\"14\" fill=\"#5f6368\" text-anchor=\"middle\">{}</text>",
            esc(title),
            esc(line)
        );
        if button.is_none() {
            for (i, cx) in [296, 320, 344].iter().enumerate() {
                let opacity = ["1", "0.6", "0.3"].get(i).copied().unwrap_or("1");
                let _ = write!(
                    s,
                    "<circle cx=\"{cx}\" cy=\"235\" r=\"6\" fill=\"{accent}\" opacity=\"{opacity}\"/>"
                );
            }
        }
        if let Some(b) = button {
            let _ = write!(
                s,
                "<rect x=\"250\" y=\"215\" width=\"140\" height=\"36\" rx=\"18\" fill=\"{accent}\"/>\
<text x=\"320\" y=\"238\" font-size=\"14\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>",
                esc(b)
            );
        }
        s
    };
    match scene {
        "joining" => {
            let _ = write!(
                body,
                "<circle cx=\"320\" cy=\"160\" r=\"28\" fill=\"none\" stroke=\"{accent}\" stroke-width=\"6\" stroke-dasharray=\"120 60\"/>\
<text x=\"320\" y=\"230\" font-size=\"20\" fill=\"#e8eaed\" text-anchor=\"middle\">Joining the meeting…</text>"
            );
        }
        "waiting_room" => body.push_str(&dialog(
            "Waiting for the host to let you in",
            "You'll join the meeting when someone admits you",
            None,
        )),
        "sign_in" => body.push_str(&dialog(
            "Sign in to join this meeting",
            "Only signed-in users can join this call",
            Some("Sign in"),
        )),
        "denied" => body.push_str(&dialog(
            "You can't join this call",
            "Someone in the call denied your request to join",
            Some("Return to home screen"),
        )),
        "removed" => body.push_str(&dialog(
            "You've been removed from the meeting",
            "The organizer removed you from this call",
            None,
        )),
        "permission" => body.push_str(&dialog(
            "Recording permission",
            "Local recording is disabled for this account",
            Some("OK"),
        )),
        "ended" => body.push_str(&dialog(
            "This meeting has been ended by host",
            "Thanks for joining",
            None,
        )),
        "error" => body.push_str(&dialog(
            "Something went wrong",
            text.unwrap_or("The meeting could not be joined"),
            Some("Try again"),
        )),
        "alone" => {
            let _ = write!(
                body,
                "<rect x=\"170\" y=\"80\" width=\"300\" height=\"190\" rx=\"10\" fill=\"#3c4043\"/>\
<circle cx=\"320\" cy=\"160\" r=\"40\" fill=\"{accent}\"/>\
<text x=\"320\" y=\"172\" font-size=\"32\" fill=\"#ffffff\" text-anchor=\"middle\">N</text>\
<text x=\"320\" y=\"300\" font-size=\"16\" fill=\"#e8eaed\" text-anchor=\"middle\">You're the only one here</text>"
            );
        }
        _ => {
            // In the call: four participant tiles and the recording badge.
            let people = [
                ("DL", "Dana Lee"),
                ("SO", "Sam Ortiz"),
                ("PK", "Priya Kumar"),
                ("N", "Notetaker"),
            ];
            for (i, (initials, person)) in people.iter().enumerate() {
                let x = 40 + (i % 2) * 290;
                let y = 50 + (i / 2) * 140;
                let _ = write!(
                    body,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"270\" height=\"125\" rx=\"8\" fill=\"#3c4043\"/>\
<circle cx=\"{cx}\" cy=\"{cy}\" r=\"30\" fill=\"{accent}\"/>\
<text x=\"{cx}\" y=\"{ty}\" font-size=\"22\" fill=\"#ffffff\" text-anchor=\"middle\">{initials}</text>\
<text x=\"{lx}\" y=\"{ly}\" font-size=\"13\" fill=\"#e8eaed\">{person}</text>",
                    cx = x + 135,
                    cy = y + 55,
                    ty = y + 63,
                    lx = x + 10,
                    ly = y + 115,
                );
            }
            body.push_str(
                "<rect x=\"540\" y=\"12\" width=\"84\" height=\"24\" rx=\"12\" fill=\"#d93025\"/>\
<text x=\"582\" y=\"29\" font-size=\"13\" fill=\"#ffffff\" text-anchor=\"middle\">● REC</text>",
            );
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"360\" viewBox=\"0 0 640 360\" font-family=\"system-ui, sans-serif\">\
<rect width=\"640\" height=\"360\" fill=\"#202124\"/>\
<rect width=\"640\" height=\"4\" fill=\"{accent}\"/>\
<text x=\"16\" y=\"30\" font-size=\"14\" fill=\"#9aa0a6\">{name} · simulated screenshot</text>\
{body}</svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scene_draws_escaped_svg() {
        for scene in [
            "joining",
            "waiting_room",
            "sign_in",
            "denied",
            "removed",
            "permission",
            "ended",
            "error",
            "alone",
            "in_call",
            "whatever",
        ] {
            let svg = draw(scene, "zoom", Some("<script>"));
            assert!(svg.starts_with("<svg"), "{scene}");
            assert!(!svg.contains("<script>"), "{scene}");
        }
    }
}
