//! `botlens triage` against the simulator: 200 generated bots grouped as their
//! scenarios say; Recall's per-workspace limit never exceeded; a throttled run
//! that waits and completes; a killed run that resumes from the disk cache.

use std::collections::HashMap;
use std::path::Path;

use super::*;

/// A log naming the first `n` generated bots, and each one's expected verdict and reason.
fn generated_log(server: &Server, dir: &TempDir, n: usize) -> (PathBuf, HashMap<String, Value>) {
    let mut expect = HashMap::new();
    let mut log = String::new();
    for s in server.catalog().iter().filter(|s| {
        s["source"]
            .as_str()
            .is_some_and(|src| src.starts_with("generated"))
    }) {
        if expect.len() == n {
            break;
        }
        let id = s["id"].as_str().unwrap().to_string();
        log.push_str(&format!(
            "2026-12-04T09:00:00Z INFO dispatched bot_id={id} to a meeting\n"
        ));
        let mut e = s["expect"].clone();
        e["progresses"] = s["progresses"].clone();
        expect.insert(id, e);
    }
    assert_eq!(expect.len(), n, "the simulator generated {n} bots");
    (dir.write("dispatch.log", &log), expect)
}

fn triage(server: &Server, cache: &Path, args: &[&str]) -> std::process::Output {
    let host = format!("http://{{region}}.localhost:{}", server.port);
    Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["triage", "--host", &host])
        .args(args)
        .env("RECALL_API_KEY", "demo")
        .env("BOTLENS_CACHE_DIR", cache)
        .output()
        .expect("botlens runs")
}

fn throttled_requests(server: &Server) -> usize {
    server.stderr().matches("status=429").count()
}

#[test]
fn two_hundred_bots_are_grouped_by_why_within_the_budget() {
    let server = Server::start(&["--generate", "200", "--limit-per-minute", "3000"]);
    let dir = TempDir::new();
    let (log, expect) = generated_log(&server, &dir, 200);
    let cache = dir.path().join("cache");
    let out = triage(
        &server,
        &cache,
        &["--json", "--per-minute", "3000", &log.display().to_string()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["total"], 200);
    assert_eq!(t["failures"].as_array().unwrap().len(), 0, "{t}");
    let mut seen = 0;
    let mut last_size = usize::MAX;
    for g in t["groups"].as_array().unwrap() {
        let bots = g["bots"].as_array().unwrap();
        assert!(bots.len() <= last_size, "most frequent first");
        last_size = bots.len();
        for b in bots {
            let id = b["bot_id"].as_str().unwrap();
            let e = &expect[id];
            seen += 1;
            if e["progresses"] == true {
                continue; // its verdict depends on when it is asked
            }
            assert_eq!(g["verdict"], e["verdict"], "{id} in {g}");
            assert_eq!(g["reason"], e["reason"], "{id} in {g}");
        }
        if g["verdict"] == "failed" {
            assert!(g["reason"].is_string(), "{g}");
        }
    }
    assert_eq!(seen, 200);
    assert_eq!(
        throttled_requests(&server),
        0,
        "the budget keeps the run under the workspace's limit"
    );
    // One workspace, one region: one Retrieve Bot per bot.
    assert!(
        stderr.contains("200 requests to Recall (0 answered 429)"),
        "{stderr}"
    );

    // The second run is served from the disk cache (the running bots are asked again).
    let out = triage(
        &server,
        &cache,
        &["--per-minute", "3000", &log.display().to_string()],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let live = expect.values().filter(|e| e["progresses"] == true).count();
    assert!(
        stderr.contains(&format!("{} from the cache", 200 - live)),
        "{stderr}"
    );
}

#[test]
fn a_throttled_run_waits_and_completes_and_a_killed_run_resumes() {
    // A tight limit the run must exceed: 40 calls per 2-second window.
    let server = Server::start(&[
        "--generate",
        "120",
        "--limit-per-minute",
        "40",
        "--limit-window-secs",
        "2",
    ]);
    let dir = TempDir::new();
    let (log, _) = generated_log(&server, &dir, 120);
    let log = log.display().to_string();
    let cache = dir.path().join("cache");

    // Killed mid-run: the cache holds whole answers only.
    let host = format!("http://{{region}}.localhost:{}", server.port);
    let mut child = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["triage", "--per-minute", "3000", "--host", &host, &log])
        .env("RECALL_API_KEY", "demo")
        .env("BOTLENS_CACHE_DIR", &cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    let files: Vec<PathBuf> = walk(&cache);
    assert!(!files.is_empty(), "some answers were kept before the kill");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            f.extension().is_some_and(|e| e == "json")
                && serde_json::from_str::<Value>(&text).is_ok(),
            "{}: a partial file",
            f.display()
        );
    }

    let out = triage(&server, &cache, &["--json", "--per-minute", "3000", &log]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["total"], 120);
    assert_eq!(
        t["failures"].as_array().unwrap().len(),
        0,
        "every bot completed: {t}"
    );
    assert!(
        throttled_requests(&server) > 0,
        "the limit was hit and waited out"
    );
    assert!(
        !stderr.contains(" 0 from the cache"),
        "resumed from the cache: {stderr}"
    );
}

#[test]
fn formats_and_the_check_flag() {
    let server = Server::start(&["--generate", "30"]);
    let dir = TempDir::new();
    let (log, _) = generated_log(&server, &dir, 30);
    let log = log.display().to_string();
    let cache = dir.path().join("cache");

    let out = triage(&server, &cache, &["--csv", &log]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        csv.lines().count(),
        31,
        "a header and a row per bot:\n{csv}"
    );
    assert!(csv.starts_with("bot_id,verdict,reason,whose_move,title,explorer_url"));

    let out = triage(&server, &cache, &["--markdown", &log]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("| Bots | Verdict | Reason | Whose move |"),
        "{md}"
    );
    assert!(
        md.contains("](https://us-west-2.recall.ai/dashboard/explorer/bot/"),
        "{md}"
    );

    let out = triage(&server, &cache, &[&log]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Triage of 30 bots:"), "{text}");
    assert!(text.contains("meeting host or attendee"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour down a pipe");
    assert_eq!(out.status.code(), Some(0));
    let out = triage(&server, &cache, &["--color", "always", &log]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("\u{1b}[1mTriage of 30 bots:"), "{text:?}");
    assert!(text.contains("\u{1b}[31mFailed\u{1b}[0m"), "{text:?}");
    let out = triage(&server, &cache, &["--check", &log]);
    assert_eq!(out.status.code(), Some(1), "a bot failed");

    let empty = dir.write("empty.log", "nothing here\n");
    let out = triage(&server, &cache, &[&empty.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bot ID"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn list_bots_pages_and_filters_as_recall_does() {
    let server = Server::start(&["--generate", "120"]);
    let host = server.host("us-west-2");
    let page = server
        .get("/api/v1/bot/?status=fatal", &host, "demo")
        .json();
    let fatal = page["count"].as_u64().unwrap();
    assert!(fatal > 0);
    for b in page["results"].as_array().unwrap() {
        assert_eq!(statuses(b).last().map(String::as_str), Some("fatal"));
    }
    let first = server.get("/api/v1/bot/", &host, "demo").json();
    let total = first["count"].as_u64().unwrap();
    assert!(total >= 120, "{total}");
    assert_eq!(first["results"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("http://{host}/api/v1/bot/?page=2")),
        "{next}"
    );
    let last = server
        .get(
            &format!("/api/v1/bot/?page={}", total.div_ceil(50)),
            &host,
            "demo",
        )
        .json();
    assert!(last["next"].is_null() && last["previous"].is_string());
    // Another region's bots are another list.
    let east = server
        .get("/api/v1/bot/", &server.host("us-east-1"), "demo")
        .json();
    assert!(east["count"].as_u64().unwrap() < total);
    assert_eq!(server.get("/api/v1/bot/", &host, "nope").status, 401);
}

#[test]
fn triage_since_lists_the_workspace_and_meeting_lists_a_meetings_bots() {
    let server = Server::start(&["--generate", "60"]);
    let dir = TempDir::new();
    let cache = dir.path().join("cache");
    let out = triage(&server, &cache, &["--json", "--since", "3650d"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let in_region = server
        .catalog()
        .iter()
        .filter(|s| s["region"] == "us-west-2")
        .count();
    assert_eq!(t["total"], in_region, "every bot of the key's region");
    // Whole bots come with the list: a probe for the region and two pages.
    assert!(stderr.contains("3 requests to Recall ("), "{stderr}");

    let out = triage(&server, &cache, &["--json", "--status", "fatal"]);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    for g in t["groups"].as_array().unwrap() {
        assert_eq!(g["verdict"], "failed", "{g}");
    }

    // Three bots of one Meet meeting (a scenario folder), and none of another.
    let scenarios = TempDir::new();
    for (i, sub) in [
        "meeting_requires_sign_in",
        "bot_kicked_from_waiting_room",
        "google_meet_bot_blocked",
    ]
    .iter()
    .enumerate()
    {
        scenarios.write(
            &format!("m{i}.json"),
            &format!(
                r#"{{"region": "us-west-2",
                  "bot": {{"id": "3ee70000-0000-4000-8000-00000000000{i}", "meeting_url": {{"meeting_id": "tri-plet-bot", "platform": "google_meet"}},
                  "status_changes": [{{"code": "joining_call", "created_at": "2026-11-30T15:0{i}:00Z"}},
                                     {{"code": "fatal", "sub_code": "{sub}", "created_at": "2026-11-30T15:0{i}:30Z"}}]}}}}"#
            ),
        );
    }
    let server = Server::start(&["--scenarios", &scenarios.path().display().to_string()]);
    let meeting = |args: &[&str]| {
        let host = format!("http://{{region}}.localhost:{}", server.port);
        Command::new(env!("CARGO_BIN_EXE_botlens"))
            .args(["meeting", "--host", &host])
            .args(args)
            .env("RECALL_API_KEY", "demo")
            .output()
            .unwrap()
    };
    let out = meeting(&["https://meet.google.com/tri-plet-bot"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("3 bots were sent to https://meet.google.com/tri-plet-bot"),
        "{text}"
    );
    for sub in [
        "meeting_requires_sign_in",
        "bot_kicked_from_waiting_room",
        "google_meet_bot_blocked",
    ] {
        assert!(text.contains(sub), "{sub} in {text}");
    }
    let first = text.find("3ee70000-0000-4000-8000-000000000000").unwrap();
    let third = text.find("3ee70000-0000-4000-8000-000000000002").unwrap();
    assert!(first < third, "in the order they were sent");
    assert!(!text.contains('\u{1b}'), "no colour down a pipe");
    let out = meeting(&["--color", "always", "https://meet.google.com/tri-plet-bot"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\u{1b}[31m✘\u{1b}[0m"), "{text:?}");
    let out = meeting(&["https://meet.google.com/xxx-yyyy-zzz"]);
    assert_eq!(out.status.code(), Some(1));
}
