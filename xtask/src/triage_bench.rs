//! `cargo xtask bench` (part): `botlens triage` over 1,000 generated bots of
//! one workspace, half of them already in the disk cache — at Recall's own
//! limits (the simulator answers 429 beyond 300 Retrieve Bot calls a minute;
//! botlens keeps a tenth under), and with no limits (the tool's own speed).
//! Prints bots per second, requests per bot and 429s.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::proxy_bench::start;
use crate::{cargo, root, run, Result};

const BOTS: usize = 1000;

pub fn run_bench() -> Result {
    run(cargo("build").args(["--release", "--bin", "botlens"]))?;
    let bin = root().join("target/release/botlens");
    let scratch = std::env::temp_dir().join(format!("botlens-triage-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let result = bench_in(&bin, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// The generated bots' IDs, as a log would name them.
fn log_of(port: u16, scratch: &Path, n: usize) -> Result<std::path::PathBuf> {
    let out = Command::new("curl")
        .args(["-s", &format!("http://127.0.0.1:{port}/sim/scenarios")])
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let list: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("/sim/scenarios: {e}"))?;
    let ids: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| {
            s["source"]
                .as_str()
                .is_some_and(|x| x.starts_with("generated"))
        })
        .filter_map(|s| {
            s["id"]
                .as_str()
                .map(|id| format!("INFO dispatched bot_id={id}\n"))
        })
        .take(n)
        .collect();
    let path = scratch.join(format!("bots-{n}.log"));
    std::fs::write(&path, ids.concat()).map_err(|e| e.to_string())?;
    Ok(path)
}

/// One triage run; (seconds, the summary line botlens printed).
fn triage(
    bin: &Path,
    port: u16,
    cache: &Path,
    log: &Path,
    extra: &[&str],
) -> Result<(f64, String)> {
    let started = Instant::now();
    let out = Command::new(bin)
        .args([
            "triage",
            "--json",
            "--host",
            &format!("http://{{region}}.localhost:{port}"),
        ])
        .args(extra)
        .arg(log)
        .env("RECALL_API_KEY", "demo")
        .env("BOTLENS_CACHE_DIR", cache)
        .output()
        .map_err(|e| format!("botlens triage: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("botlens triage failed: {stderr}"));
    }
    Ok((
        seconds,
        stderr.lines().last().unwrap_or_default().to_string(),
    ))
}

/// `N requests to Recall (M answered 429)` read back from the summary line.
fn numbers(summary: &str) -> (usize, usize) {
    let after = |marker: &str| {
        summary
            .split(marker)
            .next()
            .and_then(|s| s.rsplit(' ').next())
            .and_then(|n| n.trim_start_matches('(').parse().ok())
            .unwrap_or(0)
    };
    (after(" requests to Recall"), after(" answered 429"))
}

fn bench_in(bin: &Path, scratch: &Path) -> Result {
    let generate = BOTS.to_string();
    let mut rows = Vec::new();
    for (name, limit, per_minute) in [
        (
            "Recall's limits (300/min), default budget",
            Some("300"),
            None,
        ),
        ("no limits (the tool's own speed)", None, Some("10000000")),
    ] {
        let simulator = [
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--generate",
            &generate,
        ];
        let mut args = simulator.to_vec();
        if let Some(limit) = limit {
            args.extend(["--limit-per-minute", limit]);
        }
        let cache = scratch.join(format!("cache-{}", rows.len()));
        // Warm half of the bots into the cache on an unlimited simulator first.
        {
            let (_warm, port) = start(Command::new(bin).args(simulator), "http://127.0.0.1:")?;
            let half = log_of(port, scratch, BOTS / 2)?;
            triage(bin, port, &cache, &half, &["--per-minute", "10000000"])?;
        }
        let (_sim, port) = start(Command::new(bin).args(&args), "http://127.0.0.1:")?;
        let all = log_of(port, scratch, BOTS)?;
        let extra: Vec<&str> = per_minute
            .map(|p| vec!["--per-minute", p])
            .unwrap_or_default();
        let (seconds, summary) = triage(bin, port, &cache, &all, &extra)?;
        let (requests, throttled) = numbers(&summary);
        rows.push((name, seconds, requests, throttled));
    }
    println!();
    println!(
        "triage benchmark: {BOTS} generated bots of one workspace, {} already in the disk cache",
        BOTS / 2
    );
    println!(
        "{:<44} {:>9} {:>9} {:>13} {:>6}",
        "run", "seconds", "bots/s", "requests/bot", "429s"
    );
    for (name, seconds, requests, throttled) in rows {
        println!(
            "{name:<44} {seconds:>9.1} {:>9.1} {:>13.2} {throttled:>6}",
            BOTS as f64 / seconds,
            requests as f64 / BOTS as f64
        );
    }
    println!(
        "goal: no 429 at Recall's limits; at most one request per bot not in the cache (0.50 here, plus the bots still running, which are never kept)"
    );
    Ok(())
}
