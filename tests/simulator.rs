//! `botlens serve --demo` end to end: each test starts the real binary on an
//! ephemeral loopback port and talks raw HTTP/1.1 to it, so it controls the
//! Host header (the region) and can send what real clients must not (a body
//! on a GET).
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{Resp, TempDir};

// Built-in bots used below (see docs/simulator.md).
const ZOOM_GOOD_WEST: &str = "600dca11-0001-4b07-8000-000000000001";
const ZOOM_LOBBY_WEST: &str = "10bbee00-0002-4b07-8000-000000000002";
const ZOOM_DENIED_EAST: &str = "dec11ed0-0003-4b07-8000-000000000003";
const MEET_LIVE_WEST: &str = "11fe11fe-0008-4b07-8000-000000000008";
const WEBEX_EU: &str = "ba5eba11-0012-4b07-8000-000000000012";
const LEGACY_EAST: &str = "01d5c001-0015-4b07-8000-000000000015";
const THROTTLED_WEST: &str = "7407711e-0017-4b07-8000-000000000017";
const CUSTOM: &str = "5ce7a710-aaaa-4bbb-9ccc-000000000001";

// ---------------------------------------------------------------- harness

struct Server {
    child: Child,
    port: u16,
    banner: String,
    log: PathBuf,
    _scratch: TempDir,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let scratch = TempDir::new();
        let log = scratch.path().join("stderr.log");
        let mut all: Vec<String> = ["serve", "--demo", "--addr", "127.0.0.1:0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Keep the tests independent of the folders in the working directory.
        if !args.contains(&"--www") {
            all.push("--www".into());
            all.push(scratch.path().join("no-www").display().to_string());
        }
        if !args.contains(&"--dist") {
            all.push("--dist".into());
            all.push(scratch.path().join("no-dist").display().to_string());
        }
        all.extend(args.iter().map(|s| s.to_string()));
        let mut child = Command::new(env!("CARGO_BIN_EXE_botlens"))
            .args(&all)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .expect("start botlens");
        let stdout = child.stdout.take().unwrap();
        let mut banner = String::new();
        BufReader::new(stdout).read_line(&mut banner).unwrap();
        let port = banner
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("no URL in the banner {banner:?}; stderr: {log}")
            });
        Server {
            child,
            port,
            banner,
            log,
            _scratch: scratch,
        }
    }

    fn demo() -> Server {
        Server::start(&[])
    }

    fn host(&self, region: &str) -> String {
        format!("{region}.localhost:{}", self.port)
    }

    fn legacy_host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn send(&self, method: &str, path: &str, host: &str, headers: &[(&str, &str)]) -> Resp {
        raw_request(self.port, method, path, host, headers, None)
    }

    /// GET with `Authorization: Token <key>`.
    fn get(&self, path: &str, host: &str, key: &str) -> Resp {
        let auth = format!("Token {key}");
        self.send("GET", path, host, &[("Authorization", &auth)])
    }

    fn bot(&self, id: &str, host: &str) -> Resp {
        self.get(&format!("/api/v1/bot/{id}/"), host, "demo")
    }

    fn catalog(&self) -> Vec<Value> {
        let resp = self.send("GET", "/sim/scenarios", &self.legacy_host(), &[]);
        assert_eq!(resp.status, 200);
        resp.json().as_array().unwrap().clone()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request to the simulator with the given Host (which picks the region);
/// a body is sent as JSON.
fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    let mut all = vec![("Host", host)];
    if body.is_some() {
        all.push(("Content-Type", "application/json"));
    }
    all.extend_from_slice(headers);
    common::raw_request(port, method, path, &all, body)
}

/// A scenario folder holding one file.
fn scenario_dir(name: &str, text: &str) -> TempDir {
    let dir = TempDir::new();
    dir.write(name, text);
    dir
}

fn custom_scenario(extra: &str) -> String {
    format!(
        r#"{{"region": "us-east-1", {extra}
  "bot": {{"id": "{CUSTOM}", "bot_name": "Custom", "meeting_url": {{"meeting_id": "abc-defg-hij", "platform": "google_meet"}},
          "status_changes": [{{"code": "joining_call", "message": null, "created_at": "2026-01-01T00:00:00.000000Z", "sub_code": null}}],
          "recordings": []}},
  "screenshots": [], "logs": []}}"#
    )
}

fn statuses(bot: &Value) -> Vec<String> {
    bot["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------- tests

#[test]
fn prints_one_line_with_its_urls() {
    let server = Server::demo();
    assert!(server.banner.ends_with('\n'));
    assert_eq!(server.banner.lines().count(), 1);
    assert!(server
        .banner
        .contains(&format!("http://127.0.0.1:{}/", server.port)));
    assert!(server
        .banner
        .contains(&format!("http://{{region}}.localhost:{}/", server.port)));
}

#[test]
fn demo_key_reads_a_bot_with_or_without_trailing_slash() {
    let server = Server::demo();
    let host = server.legacy_host();
    for path in [
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}"),
        format!("/api/v1/bot/{}/", ZOOM_DENIED_EAST.to_uppercase()),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 200, "{path}");
        assert_eq!(resp.content_type(), "application/json");
        let bot = resp.json();
        assert_eq!(bot["id"], ZOOM_DENIED_EAST);
        assert_eq!(
            statuses(&bot).last().map(String::as_str),
            Some("done"),
            "{path}"
        );
    }
    // The `Token ` prefix is optional, as on Recall.
    let resp = server.send(
        "GET",
        &format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        &host,
        &[("Authorization", "demo")],
    );
    assert_eq!(resp.status, 200);
    // HEAD answers like GET, without a body.
    let resp = server.send(
        "HEAD",
        &format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        &host,
        &[("Authorization", "Token demo")],
    );
    assert_eq!(resp.status, 200);
    assert!(resp.body.is_empty());
}

#[test]
fn region_is_the_first_label_of_the_host() {
    let server = Server::demo();
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(
        server.get(&path, &server.host("us-west-2"), "demo").status,
        200
    );
    assert_eq!(
        server
            .get(
                &path,
                &format!("us-west-2.recall.ai:{}", server.port),
                "demo"
            )
            .status,
        200
    );
    for host in [
        server.legacy_host(),
        server.host("us-east-1"),
        server.host("eu-central-1"),
        server.host("ap-northeast-1"),
        format!("localhost:{}", server.port),
        format!("api.localhost:{}", server.port),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 404, "{host}");
        assert_eq!(
            resp.json(),
            serde_json::json!({"code": "not_found", "detail": "Not found."})
        );
    }
    // Every built-in bot answers in its own region and nowhere else.
    let regions = ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"];
    for scenario in server.catalog() {
        let id = scenario["id"].as_str().unwrap();
        let home = scenario["region"].as_str().unwrap();
        if !scenario["faults"].as_array().unwrap().is_empty() {
            continue; // slow or throttled on purpose
        }
        for region in regions {
            let status = server.bot(id, &server.host(region)).status;
            assert_eq!(
                status,
                if region == home { 200 } else { 404 },
                "{id} in {region}"
            );
        }
        if home == "us-east-1" {
            assert_eq!(server.bot(id, &server.legacy_host()).status, 200, "{id}");
        }
    }
}

#[test]
fn auth_errors_look_like_recall() {
    let server = Server::demo();
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");

    let missing = server.send("GET", &path, &host, &[]);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header("www-authenticate"), Some("Token"));
    assert_eq!(missing.json()["code"], "not_authenticated");
    assert_eq!(
        missing.json()["detail"],
        "Authentication credentials were not provided."
    );

    for header in ["Token not-a-key", "Bearer demo", "Token", "wrong"] {
        let resp = server.send("GET", &path, &host, &[("Authorization", header)]);
        assert_eq!(resp.status, 401, "{header}");
        let body = resp.json();
        assert_eq!(body["code"], "authentication_failed", "{header}");
        let detail = body["detail"].as_str().unwrap().to_lowercase();
        assert!(detail.contains("invalid api token"), "{detail}");
        assert!(detail.contains("us-west-2") && detail.contains("ap-northeast-1"));
    }
    // Authentication comes before the look-up: an unknown bot with a bad key is 401.
    let resp = server.get(
        "/api/v1/bot/00000000-0000-4000-8000-000000000000/",
        &host,
        "nope",
    );
    assert_eq!(resp.status, 401);
    // Screenshots and logs need the key too.
    for tail in ["screenshots/", "logs/"] {
        let resp = server.send("GET", &format!("{path}{tail}"), &host, &[]);
        assert_eq!(resp.status, 401, "{tail}");
    }
}

#[test]
fn region_bound_keys_answer_401_elsewhere() {
    let server = Server::start(&[
        "--key",
        "us-west-2=westkey0123",
        "--key",
        "eu-central-1=eukey0456",
    ]);
    let west_path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(
        server
            .get(&west_path, &server.host("us-west-2"), "westkey0123")
            .status,
        200
    );
    let eu_path = format!("/api/v1/bot/{WEBEX_EU}/");
    assert_eq!(
        server
            .get(&eu_path, &server.host("eu-central-1"), "eukey0456")
            .status,
        200
    );
    // The west key on other hosts: 401 (even where the bot would be 404).
    for host in [
        server.legacy_host(),
        server.host("eu-central-1"),
        server.host("ap-northeast-1"),
    ] {
        let resp = server.get(&west_path, &host, "westkey0123");
        assert_eq!(resp.status, 401, "{host}");
        assert_eq!(resp.json()["code"], "authentication_failed");
    }
    assert_eq!(
        server
            .get(&eu_path, &server.host("us-west-2"), "eukey0456")
            .status,
        401
    );
    // `demo` still works everywhere.
    assert_eq!(
        server
            .get(&eu_path, &server.host("eu-central-1"), "demo")
            .status,
        200
    );
}

#[test]
fn keys_never_reach_the_logs() {
    let server = Server::start(&["--key", "us-west-2=SeCrEtKeY987"]);
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(server.get(&path, &host, "SeCrEtKeY987").status, 200);
    assert_eq!(server.get(&path, &host, "AnotherSecret55").status, 401);
    std::thread::sleep(Duration::from_millis(200));
    let log = server.stderr();
    assert!(log.contains("request"), "request logs expected: {log}");
    assert!(log.contains("us-west-2") && log.contains("200") && log.contains("401"));
    for secret in ["SeCrEtKeY987", "AnotherSecret55", "Token ", "uthorization"] {
        assert!(!log.contains(secret), "{secret} leaked into {log}");
    }
}

#[test]
fn not_found_paths_and_ids() {
    let server = Server::demo();
    let host = server.legacy_host();
    // A valid UUID nobody owns: Recall's JSON 404.
    let resp = server.get(
        "/api/v1/bot/00000000-0000-4000-8000-000000000000/",
        &host,
        "demo",
    );
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["code"], "not_found");
    // Paths no route matches (a malformed id included): Django's HTML 404.
    for path in [
        "/api/v1/bot/not-a-uuid/".to_string(),
        "/api/v1/bot/1234/screenshots/".to_string(),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}x/"),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}/transcript/"),
        format!("/api/v2/bot/{ZOOM_DENIED_EAST}/"),
        "/api/v1/bot/".to_string(),
        "/api/v1/".to_string(),
        "/api".to_string(),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 404, "{path}");
        assert!(resp.content_type().starts_with("text/html"), "{path}");
        assert!(resp.text().contains("Not Found"), "{path}");
    }
}

#[test]
fn other_methods_are_405_and_a_get_body_is_blocked_by_the_waf() {
    let server = Server::demo();
    let host = server.legacy_host();
    let path = format!("/api/v1/bot/{ZOOM_DENIED_EAST}/");
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let resp = server.send(method, &path, &host, &[("Authorization", "Token demo")]);
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.json()["code"], "method_not_allowed");
        assert!(resp.json()["detail"].as_str().unwrap().contains(method));
        assert!(resp.header("allow").unwrap().contains("GET"));
    }
    for body in ["{}", "null"] {
        let resp = raw_request(
            server.port,
            "GET",
            &path,
            &host,
            &[("Authorization", "Token demo")],
            Some(body),
        );
        assert_eq!(resp.status, 403);
        assert!(resp.content_type().starts_with("text/html"));
        assert!(resp.text().contains("Request blocked"));
        assert!(serde_json::from_slice::<Value>(&resp.body).is_err());
    }
}

#[test]
fn screenshots_come_in_both_envelopes_with_images_on_the_request_host() {
    let server = Server::demo();
    for host in [
        server.host("us-west-2"),
        format!("us-west-2.127.0.0.1.nip.io:{}", server.port),
    ] {
        let base = format!("http://{host}/sim/screenshots/");
        // A bare array …
        let array = server
            .get(
                &format!("/api/v1/bot/{ZOOM_GOOD_WEST}/screenshots/"),
                &host,
                "demo",
            )
            .json();
        let items = array.as_array().expect("array envelope").clone();
        // … and a paginated object.
        let paged = server
            .get(
                &format!("/api/v1/bot/{ZOOM_LOBBY_WEST}/screenshots"),
                &host,
                "demo",
            )
            .json();
        assert!(paged["next"].is_null());
        let more = paged["results"]
            .as_array()
            .expect("results envelope")
            .clone();
        assert!(!items.is_empty() && !more.is_empty());
        for item in items.iter().chain(&more) {
            let url = item["url"].as_str().unwrap();
            assert!(url.starts_with(&base), "{url} on {host}");
            assert!(item["id"].is_string() && item["recorded_at"].is_string());
        }
        // The image itself needs no key (like a signed S3 link).
        let url = items[0]["url"].as_str().unwrap();
        let path = &url[format!("http://{host}").len()..];
        let image = server.send("GET", path, &host, &[]);
        assert_eq!(image.status, 200);
        assert_eq!(image.content_type(), "image/svg+xml");
        assert!(image.text().starts_with("<svg"));
    }
}

#[test]
fn logs_and_media_links() {
    let server = Server::demo();
    let host = server.host("us-west-2");
    let logs = server
        .get(
            &format!("/api/v1/bot/{ZOOM_GOOD_WEST}/logs/"),
            &host,
            "demo",
        )
        .json();
    let messages: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"zoom_join_token_fetch_using_zoom_oauth_failed"));
    assert!(messages.contains(&"zoom_third_party_recording_token_fetch_using_zoom_oauth_failed"));
    for log in logs.as_array().unwrap() {
        assert!(log["level"].is_string() && log["created_at"].is_string());
    }
    // Download links in media_shortcuts point at the simulator.
    let bot = server.bot(ZOOM_GOOD_WEST, &host).json();
    let url = bot["recordings"][0]["media_shortcuts"]["transcript"]["data"]["download_url"]
        .as_str()
        .unwrap();
    let prefix = format!("http://{host}");
    assert!(url.starts_with(&prefix), "{url}");
    let transcript = server.send("GET", &url[prefix.len()..], &host, &[]);
    assert_eq!(transcript.status, 200);
    assert!(transcript.json().is_array());
}

#[test]
fn builtin_catalog_covers_platforms_verdicts_and_regions() {
    let server = Server::demo();
    let catalog = server.catalog();
    assert!(catalog.len() >= 12, "{}", catalog.len());
    let field = |key: &str| -> Vec<String> {
        catalog
            .iter()
            .filter_map(|s| s[key].as_str().map(str::to_string))
            .collect()
    };
    let platforms = field("platform");
    for p in [
        "zoom",
        "google_meet",
        "microsoft_teams",
        "webex",
        "goto_meeting",
        "slack_huddle_observer",
    ] {
        assert!(platforms.iter().any(|x| x == p), "{p}");
    }
    let regions = field("region");
    for r in ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"] {
        assert!(regions.iter().any(|x| x == r), "{r}");
    }
    let verdicts: Vec<&str> = catalog
        .iter()
        .filter_map(|s| s["expect"]["verdict"].as_str())
        .collect();
    for v in ["healthy", "in_progress", "failed", "warning"] {
        assert!(verdicts.contains(&v), "{v}");
    }
    assert!(catalog
        .iter()
        .any(|s| s["expect"]["reason"] == "zoom_quantum_entanglement_error"));
    assert_eq!(
        catalog.iter().filter(|s| s["progresses"] == true).count(),
        1
    );
    // The legacy v1.10 bot has the old shape.
    let legacy = server.bot(LEGACY_EAST, &server.legacy_host()).json();
    assert!(legacy["video_url"].is_string());
    assert!(legacy["meeting_participants"].is_array());
    assert!(statuses(&legacy).contains(&"recording_done".to_string()));
    // Expectations are not part of the bot.
    assert!(legacy.get("expect").is_none());
}

#[test]
fn scenario_files_are_served_exactly_as_given() {
    let bot_text = r#"{ "id" : "5ce7a710-aaaa-4bbb-9ccc-000000000001",
      "zeta": 1.50, "meeting_url": {"meeting_id": "123", "platform": "zoom"},
      "status_changes": [], "recordings": [], "alpha": "kept in this order" }"#;
    let shots_text = r#"{"next": null, "previous": null,  "results": [{"id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "recorded_at": "2025-10-02T09:30:12.004118Z", "url": "https://example.invalid/a.png"}]}"#;
    let file = format!(
        r#"{{"future_key": {{"ignored": true}}, "region": "eu-central-1",
  "bot": {bot_text},
  "screenshots": {shots_text},
  "logs": null}}"#
    );
    let dir = scenario_dir("custom.json", &file);
    dir.write("notes.txt", "not a scenario");
    dir.write("sub/ignored.json", "not even JSON");
    let server = Server::start(&["--scenarios", &dir.path().display().to_string()]);
    let host = server.host("eu-central-1");

    let bot = server.get(&format!("/api/v1/bot/{CUSTOM}/"), &host, "demo");
    assert_eq!(bot.status, 200);
    assert_eq!(bot.text(), bot_text);
    let shots = server.get(&format!("/api/v1/bot/{CUSTOM}/screenshots/"), &host, "demo");
    assert_eq!(shots.text(), shots_text);
    // `"logs": null` → the endpoint does not exist for this bot.
    let logs = server.get(&format!("/api/v1/bot/{CUSTOM}/logs/"), &host, "demo");
    assert_eq!(logs.status, 404);
    assert_eq!(logs.json()["code"], "not_found");
    // Only in its region.
    assert_eq!(server.bot(CUSTOM, &server.legacy_host()).status, 404);
    // The built-ins are still there.
    assert_eq!(
        server.bot(ZOOM_DENIED_EAST, &server.legacy_host()).status,
        200
    );

    // --no-builtin serves the folder alone; a missing `screenshots`/`logs` is [].
    let dir = scenario_dir(
        "a.json",
        &format!(r#"{{"bot": {{"id": "{CUSTOM}", "status_changes": []}}}}"#),
    );
    let server = Server::start(&[
        "--no-builtin",
        "--scenarios",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(server.catalog().len(), 1);
    let host = server.legacy_host(); // no region given: us-east-1
    assert_eq!(server.bot(CUSTOM, &host).status, 200);
    assert_eq!(server.bot(ZOOM_DENIED_EAST, &host).status, 404);
    for tail in ["screenshots/", "logs/"] {
        let resp = server.get(&format!("/api/v1/bot/{CUSTOM}/{tail}"), &host, "demo");
        assert_eq!(resp.text(), "[]", "{tail}");
    }
}

#[test]
fn a_scenario_file_can_replace_a_builtin_bot() {
    let file = format!(
        r#"{{"region": "us-west-2", "bot": {{"id": "{ZOOM_GOOD_WEST}", "bot_name": "Replaced"}}}}"#
    );
    let dir = scenario_dir("override.json", &file);
    let server = Server::start(&["--scenarios", &dir.path().display().to_string()]);
    let bot = server.bot(ZOOM_GOOD_WEST, &server.host("us-west-2")).json();
    assert_eq!(bot["bot_name"], "Replaced");
}

#[test]
fn bad_scenario_files_stop_the_server_with_the_file_named() {
    let run = |dir: &TempDir| {
        Command::new(env!("CARGO_BIN_EXE_botlens"))
            .args(["serve", "--addr", "127.0.0.1:0", "--scenarios"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for (name, text, needle) in [
        ("broken.json", "{\"bot\": {", "not JSON"),
        (
            "no-bot.json",
            "{\"region\": \"us-west-2\"}",
            "missing \"bot\"",
        ),
        ("bad-id.json", "{\"bot\": {\"id\": \"1234\"}}", "not a UUID"),
        (
            "bad-region.json",
            &format!("{{\"region\": \"mars-1\", \"bot\": {{\"id\": \"{CUSTOM}\"}}}}"),
            "unknown region",
        ),
        (
            "bad-fault.json",
            &custom_scenario(r#""fault": {"kind": "explode"},"#),
            "unknown fault kind",
        ),
        (
            "typo-fault.json",
            &custom_scenario(r#""fault": {"kind": "slow", "delay": 5},"#),
            "unknown field",
        ),
        (
            "bad-status.json",
            &custom_scenario(r#""fault": {"kind": "error", "status": 200},"#),
            "not an error status",
        ),
    ] {
        let dir = scenario_dir(name, text);
        let out = run(&dir);
        assert!(!out.status.success(), "{name} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
    }
    // Two files, one bot id.
    let dir = scenario_dir("one.json", &custom_scenario(""));
    dir.write("two.json", &custom_scenario(""));
    let out = run(&dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("one.json") && stderr.contains("two.json"),
        "{stderr}"
    );
    // A folder that does not exist.
    let missing = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["serve", "--addr", "127.0.0.1:0", "--scenarios"])
        .arg(missing.path().join("nope"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

/// Start a server whose custom bot carries `fault`.
fn with_fault(fault: &str) -> (Server, TempDir) {
    let dir = scenario_dir(
        "fault.json",
        &custom_scenario(&format!(r#""fault": {fault},"#)),
    );
    let server = Server::start(&[
        "--no-builtin",
        "--scenarios",
        &dir.path().display().to_string(),
    ]);
    (server, dir)
}

fn custom(server: &Server, tail: &str) -> Resp {
    server.get(
        &format!("/api/v1/bot/{CUSTOM}/{tail}"),
        &server.legacy_host(),
        "demo",
    )
}

#[test]
fn fault_slow_delays_only_its_endpoints() {
    let (server, _dir) = with_fault(r#"{"kind": "slow", "delay_ms": 1500, "endpoints": ["bot"]}"#);
    let started = Instant::now();
    assert_eq!(custom(&server, "").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let started = Instant::now();
    assert_eq!(custom(&server, "logs/").status, 200);
    assert!(started.elapsed() < Duration::from_millis(1200));
}

#[test]
fn fault_throttle_answers_429_then_recovers_and_reset_rearms_it() {
    let (server, _dir) = with_fault(r#"{"kind": "throttle", "retry_after": 4, "times": 2}"#);
    for _ in 0..2 {
        let resp = custom(&server, "");
        assert_eq!(resp.status, 429);
        assert_eq!(resp.header("retry-after"), Some("4"));
        assert_eq!(resp.json()["code"], "throttled");
        assert!(resp.json()["detail"]
            .as_str()
            .unwrap()
            .contains("4 seconds"));
    }
    assert_eq!(custom(&server, "").status, 200);
    assert_eq!(custom(&server, "screenshots/").status, 200);
    let reset = server.send("POST", "/sim/reset", &server.legacy_host(), &[]);
    assert_eq!(reset.status, 204);
    assert_eq!(custom(&server, "logs/").status, 429);
}

#[test]
fn builtin_throttled_bot_answers_429_once() {
    let server = Server::demo();
    let host = server.host("us-west-2");
    let first = server.bot(THROTTLED_WEST, &host);
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("3"));
    assert_eq!(server.bot(THROTTLED_WEST, &host).status, 200);
}

#[test]
fn fault_error_statuses_and_bodies() {
    let (server, _dir) = with_fault(r#"{"kind": "error", "status": 503, "retry_after": 7}"#);
    let resp = custom(&server, "");
    assert_eq!(resp.status, 503);
    assert_eq!(resp.header("retry-after"), Some("7"));
    assert_eq!(resp.json()["code"], "service_unavailable");
    drop(server);

    let (server, _dir) = with_fault(r#"{"kind": "error", "status": 502}"#);
    let resp = custom(&server, "screenshots/");
    assert_eq!(resp.status, 502);
    assert!(resp.content_type().starts_with("text/html"));
    assert!(resp.text().contains("502 Bad Gateway"));
    drop(server);

    let (server, _dir) =
        with_fault(r#"{"kind": "error", "status": 500, "body": "upstream exploded", "times": 1}"#);
    let resp = custom(&server, "logs/");
    assert_eq!(resp.status, 500);
    assert!(resp.content_type().starts_with("text/plain"));
    assert_eq!(resp.text(), "upstream exploded");
    assert_eq!(custom(&server, "logs/").status, 200);
}

#[test]
fn fault_malformed_sends_truncated_json() {
    let (server, _dir) = with_fault(r#"{"kind": "malformed"}"#);
    for tail in ["", "screenshots/", "logs/"] {
        let resp = custom(&server, tail);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.content_type(), "application/json");
        assert!(!resp.body.is_empty());
        assert!(
            serde_json::from_slice::<Value>(&resp.body).is_err(),
            "{tail}"
        );
    }
}

#[test]
fn fault_html_sends_a_page() {
    let (server, _dir) = with_fault(r#"{"kind": "html", "endpoints": ["bot", "logs"]}"#);
    let resp = custom(&server, "");
    assert_eq!(resp.status, 200);
    assert!(resp.content_type().starts_with("text/html"));
    assert!(resp.text().contains("<html>"));
    assert_eq!(
        custom(&server, "screenshots/").content_type(),
        "application/json"
    );
}

#[test]
fn faults_chain_in_order() {
    let (server, _dir) = with_fault(
        r#"[{"kind": "slow", "delay_ms": 400}, {"kind": "error", "status": 504, "times": 1}]"#,
    );
    let started = Instant::now();
    assert_eq!(custom(&server, "").status, 504);
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    assert_eq!(custom(&server, "").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[test]
fn the_live_bot_advances_while_you_watch() {
    let server = Server::start(&["--progress-secs", "1"]);
    let host = server.host("us-west-2");
    let first = server.bot(MEET_LIVE_WEST, &host).json();
    let seen = statuses(&first);
    assert!(!seen.is_empty() && seen.len() < 4, "{seen:?}");
    assert_eq!(seen[0], "joining_call");

    // Four statuses, one a second: all of them within ~4 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    let bot = loop {
        let bot = server.bot(MEET_LIVE_WEST, &host).json();
        if statuses(&bot).len() == 4 || Instant::now() > deadline {
            break bot;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(
        statuses(&bot),
        [
            "joining_call",
            "in_waiting_room",
            "in_call_not_recording",
            "in_call_recording"
        ]
    );
    // Times are rewritten to now, one step apart, and the recording appears.
    let times: Vec<&str> = bot["status_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert!(
        !times[0].starts_with("2026-11-25T10:00:00"),
        "not rewritten"
    );
    assert_eq!(bot["recordings"].as_array().unwrap().len(), 1);
    assert_eq!(bot["recordings"][0]["started_at"], times[3]);
    let logs = server
        .get(
            &format!("/api/v1/bot/{MEET_LIVE_WEST}/logs/"),
            &host,
            "demo",
        )
        .json();
    assert_eq!(logs.as_array().unwrap().len(), 4);
    assert!(logs[3]["message"]
        .as_str()
        .unwrap()
        .contains("transcription provider"));

    // It stays recording; /sim/reset starts it over.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(statuses(&server.bot(MEET_LIVE_WEST, &host).json()).len(), 4);
    server.send("POST", "/sim/reset", &server.legacy_host(), &[]);
    let again = server.bot(MEET_LIVE_WEST, &host).json();
    assert!(statuses(&again).len() < 4);
    assert_eq!(again["recordings"].as_array().unwrap().len(), 0);
}

#[test]
fn serves_the_demo_page_embed_and_extension_with_content_types() {
    let www = TempDir::new();
    www.write("demo/index.html", "<!doctype html><title>demo</title>");
    www.write("app.js", "export {}");
    let dist = TempDir::new();
    dist.write("embed/botlens.js", "export function mount() {}");
    dist.write("embed/botlens_bg.wasm", "\0asm");
    dist.write("chrome/manifest.json", "{}");
    let server = Server::start(&[
        "--www",
        &www.path().display().to_string(),
        "--dist",
        &dist.path().display().to_string(),
    ]);
    let host = server.legacy_host();
    let fetch = |path: &str| server.send("GET", path, &host, &[]);

    let demo = fetch("/demo/");
    assert_eq!(demo.status, 200);
    assert!(demo.text().contains("<title>demo</title>"));
    assert!(demo.content_type().starts_with("text/html"));
    assert_eq!(
        fetch("/app.js").content_type(),
        "text/javascript; charset=utf-8"
    );
    let js = fetch("/embed/botlens.js");
    assert_eq!(js.status, 200);
    assert_eq!(js.content_type(), "text/javascript; charset=utf-8");
    let wasm = fetch("/embed/botlens_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.content_type(), "application/wasm");
    assert_eq!(wasm.body, b"\0asm");
    let manifest = fetch("/extension/chrome/manifest.json");
    assert_eq!(manifest.status, 200);
    assert_eq!(manifest.content_type(), "application/json");
    assert_eq!(fetch("/embed/missing.js").status, 404);
    assert_eq!(fetch("/nothing-here.html").status, 404);
    // Files never need the key.
    assert_eq!(fetch("/embed/botlens.js").header("www-authenticate"), None);
}

#[test]
fn missing_asset_folders_are_404_and_a_placeholder_demo_page() {
    let server = Server::demo(); // --www and --dist point at folders that do not exist
    let host = server.legacy_host();
    for path in [
        "/embed/botlens.js",
        "/extension/chrome/manifest.json",
        "/x.js",
    ] {
        assert_eq!(server.send("GET", path, &host, &[]).status, 404, "{path}");
    }
    let page = server.send("GET", "/demo/", &host, &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(ZOOM_GOOD_WEST));
    // Still answering the API afterwards.
    assert_eq!(server.bot(ZOOM_DENIED_EAST, &host).status, 200);
}

#[test]
fn no_cors_by_default_like_recall_and_cors_with_the_flag() {
    let server = Server::start(&["--cors"]);
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    let preflight = server.send(
        "OPTIONS",
        &path,
        &host,
        &[
            ("Origin", "http://127.0.0.1:9999"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    );
    assert!(preflight.status < 300, "{}", preflight.status);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let resp = server.bot(ZOOM_GOOD_WEST, &host);
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert!(resp
        .header("access-control-expose-headers")
        .unwrap()
        .contains("retry-after"));
    drop(server);

    for args in [&[][..], &["--no-cors"][..]] {
        let server = Server::start(args);
        let host = server.host("us-west-2");
        let resp = server.bot(ZOOM_GOOD_WEST, &host);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("access-control-allow-origin"), None);
        let preflight = server.send(
            "OPTIONS",
            &path,
            &host,
            &[
                ("Origin", "http://127.0.0.1:9999"),
                ("Access-Control-Request-Method", "GET"),
            ],
        );
        assert_eq!(preflight.status, 401);
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut server = Server::demo();
    assert_eq!(
        server.bot(ZOOM_DENIED_EAST, &server.legacy_host()).status,
        200
    );
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

/// The `expect` of every built-in bot is what `botlens diagnose` says about
/// the bot the simulator serves.
#[test]
fn builtin_expectations_match_botlens_diagnose() {
    let server = Server::demo();
    for scenario in server.catalog() {
        let id = scenario["id"].as_str().unwrap();
        let region = scenario["region"].as_str().unwrap();
        if scenario["faults"].as_array().is_some_and(|f| !f.is_empty()) {
            server.send("POST", "/sim/reset", &server.legacy_host(), &[]);
        }
        let mut resp = server.bot(id, &server.host(region));
        if resp.status == 429 {
            resp = server.bot(id, &server.host(region));
        }
        assert_eq!(resp.status, 200, "{id}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_botlens"))
            .args(["diagnose", "--json", "--region", region, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&resp.body).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let diagnosis: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(diagnosis["verdict"], scenario["expect"]["verdict"], "{id}");
        assert_eq!(diagnosis["reason"], scenario["expect"]["reason"], "{id}");
    }
}
