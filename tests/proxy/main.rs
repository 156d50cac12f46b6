//! `botlens serve --proxy` end to end: the real binary as the proxy, the real
//! simulator (`serve --demo`) as Recall, raw HTTP/1.1 from the test so it can
//! send what browsers would not (other methods, foreign origins, bodies).
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

#[path = "../common/mod.rs"]
mod common;
use common::{raw_request, Resp, TempDir};

/// Replicas sharing one Redis: one budget, one cache; Redis or a replica killed mid-run.
mod replicas;
/// Who gets what, and how fairly: the trimmed answer, media links, clients' shares, identity.
mod team;

const ZOOM_GOOD_WEST: &str = "600dca11-0001-4b07-8000-000000000001";
const LIVE_WEST: &str = "11fe11fe-0008-4b07-8000-000000000008";
const ZOOM_DENIED_EAST: &str = "dec11ed0-0003-4b07-8000-000000000003";
const SLOW_EAST: &str = "5100f100-0016-4b07-8000-000000000016";
const THROTTLED_WEST: &str = "7407711e-0017-4b07-8000-000000000017";
const NOBODY: &str = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
/// A key the simulator accepts in us-west-2 only; it must never leave the proxy.
const KEY: &str = "sk-live-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const ORIGIN: &str = "http://admin.example.test";

/// A running `botlens serve …` whose first stdout line names its port.
struct Proc {
    child: Child,
    port: u16,
    banner: String,
    log: PathBuf,
    _scratch: TempDir,
}

impl Proc {
    fn start(args: &[&str], env: &[(&str, &str)], marker: &str) -> Proc {
        let scratch = TempDir::new();
        let log = scratch.path().join("stderr.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_botlens"));
        command
            .args(args)
            .env_remove("RECALL_API_KEY")
            .env_remove("BOTLENS_PROXY_TOKEN")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()));
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start botlens");
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let port = banner
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "no port in {banner:?}; stderr: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Proc {
            child,
            port,
            banner,
            log,
            _scratch: scratch,
        }
    }

    fn simulator() -> Proc {
        let key = format!("us-west-2={KEY}");
        let scratch = TempDir::new();
        let www = scratch.path().join("www").display().to_string();
        Proc::start(
            &[
                "serve",
                "--demo",
                "--addr",
                "127.0.0.1:0",
                "--key",
                &key,
                "--www",
                &www,
            ],
            &[],
            "http://127.0.0.1:",
        )
    }

    /// A proxy in front of `sim` with the us-west-2 key from the environment.
    fn proxy(sim: &Proc, extra: &[&str], env: &[(&str, &str)]) -> Proc {
        Proc::proxy_to(sim.port, extra, env)
    }

    /// A proxy whose Recall is whatever listens on `port`.
    fn proxy_to(port: u16, extra: &[&str], env: &[(&str, &str)]) -> Proc {
        let upstream = format!("http://{{region}}.localhost:{port}");
        let mut args = vec![
            "serve",
            "--proxy",
            "--addr",
            "127.0.0.1:0",
            "--upstream",
            &upstream,
            "--allow-origin",
            ORIGIN,
        ];
        args.extend_from_slice(extra);
        let mut all_env = vec![("RECALL_API_KEY", KEY)];
        all_env.extend_from_slice(env);
        Proc::start(&args, &all_env, "http://127.0.0.1:")
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
        raw_request(self.port, method, path, headers, None)
    }

    fn get(&self, path: &str) -> Resp {
        self.send("GET", path, &[])
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bot_path(id: &str) -> String {
    format!("/api/v1/bot/{id}/")
}

/// Lines of the simulator's log about one path.
fn upstream_hits(sim: &Proc, path: &str) -> Vec<String> {
    sim.stderr()
        .lines()
        .filter(|l| l.contains(path))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------- tests

#[test]
fn forwards_the_three_reads_with_the_key_and_finds_the_region() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &[], &[]);
    assert!(proxy.banner.contains("/api/v1/bot/{id}/"));

    let first = proxy.get(&bot_path(ZOOM_GOOD_WEST));
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["id"], ZOOM_GOOD_WEST);
    assert_eq!(first.header("x-botlens-region"), Some("us-west-2"));
    assert_eq!(first.header("x-botlens-cache"), Some("miss"));
    assert!(first
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    // What Recall (the simulator) sent, trimmed to what the card needs.
    let direct = raw_request(
        sim.port,
        "GET",
        &bot_path(ZOOM_GOOD_WEST),
        &[
            ("Authorization", &format!("Token {KEY}")),
            ("Host", &format!("us-west-2.localhost:{}", sim.port)),
        ],
        None,
    );
    assert_eq!(
        first.json()["status_changes"],
        direct.json()["status_changes"]
    );
    assert_eq!(first.json()["metadata"], direct.json()["metadata"]);

    let again = proxy.get(&format!("/api/v1/bot/{}", ZOOM_GOOD_WEST.to_uppercase()));
    assert_eq!(again.status, 200);
    assert_eq!(again.header("x-botlens-cache"), Some("hit"));
    assert_eq!(again.body, first.body);

    for (suffix, what) in [("screenshots/", "screenshots"), ("logs/", "logs")] {
        let resp = proxy.get(&format!("{}{suffix}", bot_path(ZOOM_GOOD_WEST)));
        assert_eq!(resp.status, 200, "{what}: {}", resp.text());
        assert!(resp.json().is_array() || resp.json().is_object(), "{what}");
    }

    // The key works only in us-west-2: the proxy learnt it and says so.
    let health = proxy.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["region"], "us-west-2");
    assert_eq!(health.json()["status"], "ok");

    // Unknown bot: Recall's 404 after every region, cached.
    let missing = proxy.get(&bot_path(NOBODY));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["code"], "not_found");
    assert_eq!(missing.json()["botlens"]["kind"], "not_found");
    assert_eq!(
        proxy.get(&bot_path(NOBODY)).header("x-botlens-cache"),
        Some("hit")
    );
    // A bot of another region: the key cannot see it there (401) → not found.
    assert_eq!(proxy.get(&bot_path(ZOOM_DENIED_EAST)).status, 404);
}

#[test]
fn refuses_other_paths_methods_ids_and_origins_without_asking_recall() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &[], &[]);
    let good = bot_path(ZOOM_GOOD_WEST);

    for path in [
        "/".to_string(),
        "/api/v1/bot/".to_string(),
        format!("/api/v1/bot/{ZOOM_GOOD_WEST}/transcript/"),
        format!("/api/v1/bot/{ZOOM_GOOD_WEST}/logs/extra/"),
        format!("/api/v2/bot/{ZOOM_GOOD_WEST}/"),
        "/api/v1/calendar-events/".to_string(),
        "/sim/scenarios".to_string(),
        "/sim/reset".to_string(),
    ] {
        let resp = proxy.get(&path);
        assert_eq!(resp.status, 404, "{path}: {}", resp.text());
        assert_eq!(resp.json()["source"], "botlens-proxy", "{path}");
    }
    for id in [
        "not-a-uuid",
        "600dca11-0001-4b07-8000-00000000000",
        "..%2F..%2Fsim%2Freset",
    ] {
        let resp = proxy.get(&bot_path(id));
        assert_eq!(resp.status, 400, "{id}");
        assert_eq!(resp.json()["code"], "invalid_id");
    }
    for method in ["POST", "PUT", "PATCH", "DELETE", "HEAD"] {
        let resp = proxy.send(method, &good, &[]);
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.header("allow"), Some("GET, OPTIONS"));
    }
    let with_body = raw_request(proxy.port, "GET", &good, &[], Some("{}"));
    assert_eq!(with_body.status, 400);

    // Foreign origin: refused, and no CORS header lets its page read anything.
    let foreign = proxy.send("GET", &good, &[("Origin", "https://evil.example")]);
    assert_eq!(foreign.status, 403);
    assert_eq!(foreign.json()["code"], "origin_not_allowed");
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    let foreign_preflight = proxy.send(
        "OPTIONS",
        &good,
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert_eq!(foreign_preflight.status, 403);
    assert_eq!(
        foreign_preflight.header("access-control-allow-origin"),
        None
    );

    // The allowed origin: preflight for GET only, answers readable.
    let preflight = proxy.send(
        "OPTIONS",
        &good,
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "x-botlens-token"),
        ],
    );
    assert!(preflight.status < 300, "{}", preflight.status);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(ORIGIN)
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("x-botlens-token")
    );
    let delete_preflight = proxy.send(
        "OPTIONS",
        &good,
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "DELETE"),
        ],
    );
    // Only GET is ever allowed: the browser stops the DELETE at its preflight.
    assert_eq!(
        delete_preflight.header("access-control-allow-methods"),
        Some("GET")
    );
    let allowed = proxy.send("GET", &good, &[("Origin", ORIGIN)]);
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(ORIGIN));
    assert!(allowed
        .header("access-control-expose-headers")
        .unwrap()
        .contains("retry-after"));

    // Recall heard only the one kind of request: GET of a bot.
    let sim_log = sim.stderr();
    let api_lines: Vec<&str> = sim_log.lines().filter(|l| l.contains("/api/")).collect();
    assert!(!api_lines.is_empty());
    for line in api_lines {
        assert!(line.contains("GET"), "{line}");
        assert!(line.contains(&good), "{line}");
    }
    assert!(!sim_log.contains("/sim/reset"));
}

#[test]
fn the_key_is_in_no_response_and_no_log_line() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &["--log-json"], &[]);
    let mut seen = Vec::new();
    for path in [
        bot_path(ZOOM_GOOD_WEST),
        bot_path(ZOOM_GOOD_WEST),
        format!("{}screenshots/", bot_path(ZOOM_GOOD_WEST)),
        format!("{}logs/", bot_path(LIVE_WEST)),
        bot_path(NOBODY),
        bot_path(THROTTLED_WEST),
        bot_path("nope"),
        "/healthz".to_string(),
        "/api/v1/bot/".to_string(),
    ] {
        seen.push(proxy.get(&path));
        seen.push(proxy.send("GET", &path, &[("Origin", "https://evil.example")]));
        seen.push(proxy.send("DELETE", &path, &[("Origin", ORIGIN)]));
        seen.push(proxy.send(
            "OPTIONS",
            &path,
            &[("Origin", ORIGIN), ("Access-Control-Request-Method", "GET")],
        ));
    }
    for resp in &seen {
        assert!(!resp.everything().contains(KEY), "{}", resp.everything());
        assert!(
            !resp.everything().contains(&KEY[8..]),
            "a part of the key leaked"
        );
    }
    let log = proxy.stderr();
    assert!(log.lines().count() >= seen.len(), "one line per request");
    assert!(!log.contains(KEY) && !log.contains(&KEY[8..]), "{log}");
    assert!(!proxy.banner.contains(KEY));
    // Structured: every line is a JSON object; request lines carry their fields.
    for line in log.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if v["fields"]["message"] == "request" {
            assert!(v["fields"]["status"].is_u64(), "{line}");
            assert!(v["fields"]["path"].is_string(), "{line}");
        }
    }
}

#[test]
fn recalls_429_and_retry_after_pass_through() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &["--region", "us-west-2"], &[]);
    let throttled = proxy.get(&bot_path(THROTTLED_WEST));
    assert_eq!(throttled.status, 429, "{}", throttled.text());
    assert_eq!(throttled.header("retry-after"), Some("3"));
    assert_eq!(throttled.json()["code"], "throttled");
    assert_eq!(throttled.json()["botlens"]["retry_after_s"], 3);
    // Not cached, and the proxy holds back from Recall until the time is up.
    let held = proxy.get(&bot_path(THROTTLED_WEST));
    assert_eq!(held.status, 429);
    let wait: u64 = held.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3).contains(&wait), "{wait}");
    assert_eq!(upstream_hits(&sim, THROTTLED_WEST).len(), 1);
    std::thread::sleep(Duration::from_millis(3200));
    let later = proxy.get(&bot_path(THROTTLED_WEST));
    assert_eq!(later.status, 200, "{}", later.text());
}

#[test]
fn identical_requests_in_flight_share_one_upstream_call() {
    let sim = Proc::start(
        &[
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--www",
            "/nonexistent",
        ],
        &[],
        "http://127.0.0.1:",
    );
    let proxy = Proc::proxy(
        &sim,
        &["--region", "us-east-1"],
        &[("RECALL_API_KEY", "demo")],
    );
    let port = proxy.port;
    let path = bot_path(SLOW_EAST);
    let answers: Vec<Resp> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..5)
            .map(|_| s.spawn(|| raw_request(port, "GET", &path, &[], None)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut notes: Vec<&str> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200);
            r.header("x-botlens-cache").unwrap()
        })
        .collect();
    notes.sort_unstable();
    assert_eq!(notes, ["miss", "shared", "shared", "shared", "shared"]);
    assert_eq!(upstream_hits(&sim, &path).len(), 1, "{}", sim.stderr());
}

#[test]
fn a_shared_token_and_a_per_client_rate() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(
        &sim,
        &["--client-rate", "1"],
        &[("BOTLENS_PROXY_TOKEN", "embed-token-1")],
    );
    let path = bot_path(ZOOM_GOOD_WEST);
    let none = proxy.get(&path);
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["code"], "token_required");
    assert_eq!(
        proxy
            .send("GET", &path, &[("X-Botlens-Token", "wrong")])
            .status,
        401
    );
    let token = [("X-Botlens-Token", "embed-token-1")];
    let statuses: Vec<u16> = (0..4)
        .map(|_| proxy.send("GET", &path, &token).status)
        .collect();
    assert_eq!(&statuses[..2], [200, 200], "a burst of two");
    let over = proxy.send("GET", &path, &token);
    assert_eq!(over.status, 429);
    assert!(over.header("retry-after").is_some());
    // /healthz needs no token.
    assert_eq!(proxy.get("/healthz").status, 200);
}

#[test]
fn serves_the_embed_with_the_right_types_and_headers() {
    let sim = Proc::simulator();
    let embed = TempDir::new();
    for (name, text) in [
        ("botlens.js", "export {};"),
        ("card.html", "<!doctype html>"),
        ("botlens_embed_bg.wasm", "\0asm"),
    ] {
        std::fs::write(embed.path().join(name), text).unwrap();
    }
    let dir = embed.path().display().to_string();
    let proxy = Proc::proxy(&sim, &["--embed", &dir], &[]);
    for (path, kind) in [
        ("/embed/botlens.js", "text/javascript"),
        ("/embed/botlens_embed_bg.wasm", "application/wasm"),
        ("/embed/card.html", "text/html"),
    ] {
        let resp = proxy.send("GET", path, &[("Origin", "https://any.example")]);
        assert_eq!(resp.status, 200, "{path}");
        assert!(
            resp.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        assert_eq!(
            resp.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
    let card = proxy.get("/embed/card.html");
    let csp = card.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {ORIGIN}")),
        "{csp}"
    );
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert_eq!(proxy.get("/embed/missing.js").status, 404);
}

#[test]
fn unknown_host_names_are_refused_against_dns_rebinding() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &["--allow-host", "botlens.example.test"], &[]);
    let path = bot_path(ZOOM_GOOD_WEST);
    let rebound = proxy.send("GET", &path, &[("Host", "evil.example:80")]);
    assert_eq!(rebound.status, 421);
    assert_eq!(rebound.json()["code"], "host_not_allowed");
    for host in [
        "botlens.example.test",
        "admin.example.test", // the host of an allowed origin
        "localhost:1",
        "[::1]:8788",
    ] {
        let resp = proxy.send("GET", &path, &[("Host", host)]);
        assert_eq!(resp.status, 200, "{host}");
    }
    assert!(upstream_hits(&sim, "evil").is_empty());
}

#[test]
fn the_upstream_budget_keeps_recall_under_its_limit() {
    let sim = Proc::simulator();
    // 60/min → the proxy allows 0.9/s with a burst of 4, whatever the clients do.
    let proxy = Proc::proxy(
        &sim,
        &[
            "--no-cache",
            "--client-rate",
            "0",
            "--upstream-per-minute",
            "60",
            "--region",
            "us-west-2",
        ],
        &[],
    );
    let path = bot_path(ZOOM_GOOD_WEST);
    let statuses: Vec<u16> = (0..10).map(|_| proxy.get(&path).status).collect();
    assert_eq!(&statuses[..4], [200, 200, 200, 200], "{statuses:?}");
    let refused = proxy.get(&path);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(upstream_hits(&sim, &path).len() <= 5, "{}", sim.stderr());
}

#[test]
fn the_demo_server_mounts_a_proxy_at_slash_proxy() {
    let sim = Proc::simulator();
    assert!(sim.banner.contains("/proxy/"));
    let resp = sim.get(&format!("/proxy{}", bot_path(ZOOM_DENIED_EAST)));
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-botlens-region"), Some("us-east-1"));
    assert_eq!(sim.get("/proxy/healthz").status, 200);
    assert_eq!(
        sim.send(
            "POST",
            &format!("/proxy{}", bot_path(ZOOM_DENIED_EAST)),
            &[]
        )
        .status,
        405
    );
    // The simulator itself sends no CORS headers, like Recall.
    let direct = raw_request(
        sim.port,
        "GET",
        &bot_path(ZOOM_DENIED_EAST),
        &[("Authorization", "Token demo"), ("Origin", ORIGIN)],
        None,
    );
    assert_eq!(direct.header("access-control-allow-origin"), None);
}
