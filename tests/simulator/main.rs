//! `botlens serve --demo` end to end: each test starts the real binary on an
//! ephemeral loopback port and talks raw HTTP/1.1 to it, so it controls the
//! Host header (the region) and can send what real clients must not (a body
//! on a GET).
//!
//! `api.rs`: routes, regions, auth, errors, the three endpoints; `scenarios.rs`:
//! the built-ins and scenario files; `faults.rs`: faults and progression;
//! `assets.rs`: the demo page, embed and extension files, and CORS.
#![cfg(not(target_arch = "wasm32"))]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../common/mod.rs"]
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

mod api;
mod assets;
mod faults;
mod live;
mod scenarios;
mod triage;
