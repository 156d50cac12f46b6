//! `cargo xtask bench` (part): the botlens proxy under load on loopback, beside
//! nginx serving the same JSON as the anchor. wrk, 10 s per run, three runs:
//!
//! - nginx: a static file with the bot's JSON (the ceiling for "send this JSON");
//! - proxy, cached: every request a cache hit (the proxy's own work: routing,
//!   checks, rate limiter bookkeeping, the cache, the log line);
//! - proxy, uncached (`--no-cache`): each request forwarded to the simulator
//!   over loopback, identical requests in flight shared (with 32 connections
//!   on one URL most are); then the same with one connection, where every
//!   request is a full round trip to the simulator.
//!
//! Needs wrk and nginx; on Debian as root they are installed when missing.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, root, run, Result};

const BOT: &str = "600dca11-0001-4b07-8000-000000000001";
const SECONDS: u32 = 10;
const CONNECTIONS: u32 = 32;

pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        // Our own children only, by their handle. SIGTERM first: nginx's
        // master then stops its workers (a SIGKILL would leave them running).
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn run_bench() -> Result {
    ensure_tools()?;
    run(cargo("build").args(["--release", "--bin", "botlens"]))?;
    let bin = root().join("target/release/botlens");
    let scratch = std::env::temp_dir().join(format!("botlens-proxy-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let result = bench_in(&bin, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn bench_in(bin: &Path, scratch: &Path) -> Result {
    let (sim, sim_port) = start(
        Command::new(bin).args(["serve", "--demo", "--addr", "127.0.0.1:0"]),
        "http://127.0.0.1:",
    )?;
    let upstream = format!("http://{{region}}.localhost:{sim_port}");
    let proxy_args = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "serve",
            "--proxy",
            "--addr",
            "127.0.0.1:0",
            "--client-rate",
            "0",
            "--upstream-per-minute",
            "4000000000",
            "--upstream",
            &upstream,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let (cached, cached_port) = start(
        Command::new(bin)
            .args(proxy_args(&[]))
            .env("RECALL_API_KEY", "demo"),
        "http://127.0.0.1:",
    )?;
    let (uncached, uncached_port) = start(
        Command::new(bin)
            .args(proxy_args(&["--no-cache"]))
            .env("RECALL_API_KEY", "demo"),
        "http://127.0.0.1:",
    )?;

    // The same JSON for nginx, fetched through the proxy.
    let path = format!("/api/v1/bot/{BOT}/");
    let body = http_get(cached_port, &path)?;
    let www = scratch.join("www");
    std::fs::create_dir_all(&www).map_err(|e| e.to_string())?;
    std::fs::write(www.join("bot.json"), &body).map_err(|e| e.to_string())?;
    let nginx_port = free_port()?;
    let nginx = start_nginx(scratch, &www, nginx_port)?;

    println!();
    println!(
        "proxy load test: wrk -t2 -c{CONNECTIONS} -d{SECONDS}s per run on loopback, {} B of bot JSON, proxy logs at warn",
        body.len()
    );
    let nginx_url = format!("http://127.0.0.1:{nginx_port}/bot.json");
    let hit_url = format!("http://127.0.0.1:{cached_port}{path}");
    let miss_url = format!("http://127.0.0.1:{uncached_port}{path}");
    let nginx_pids = with_children(nginx.0.id());
    // nginx and the cached proxy take turns, twice: each keeps its better run,
    // so a neighbour's burst of work on the machine does not decide the ratio.
    let mut anchor = wrk(&nginx_url, CONNECTIONS, &nginx_pids)?;
    let mut hit = wrk(&hit_url, CONNECTIONS, &[cached.0.id()])?;
    anchor = anchor.better(wrk(&nginx_url, CONNECTIONS, &nginx_pids)?);
    hit = hit.better(wrk(&hit_url, CONNECTIONS, &[cached.0.id()])?);
    let miss = wrk(&miss_url, CONNECTIONS, &[uncached.0.id(), sim.0.id()])?;
    // One connection: nothing in flight to share, every request goes to the simulator.
    let alone = wrk(&miss_url, 1, &[uncached.0.id(), sim.0.id()])?;
    println!(
        "{:<38} {:>11} {:>8} {:>9} {:>13} {:>10}",
        "target", "requests/s", "p99 ms", "vs nginx", "server µs/req", "wrk CPU s"
    );
    for (name, m) in [
        ("nginx, static file (anchor)", &anchor),
        ("botlens proxy, cached", &hit),
        ("botlens proxy, uncached (→ simulator)", &miss),
        ("  the same, 1 connection (no sharing)", &alone),
    ] {
        println!(
            "{:<38} {:>11.0} {:>8.2} {:>8.2}x {:>13.1} {:>10.1}",
            name,
            m.rps,
            m.p99_ms,
            m.rps / anchor.rps.max(1.0),
            m.server_cpu_s * 1e6 / m.requests.max(1.0),
            m.wrk_cpu_s,
        );
    }
    println!(
        "goals: cached ≥ 0.80x nginx and p99 ≤ 5 ms. wrk itself used {:.1} of the {} CPU-seconds of a \
         cached run ({} cores × {SECONDS} s): both servers are measured under the same load generator.",
        hit.wrk_cpu_s,
        cores() * SECONDS,
        cores()
    );
    drop((sim, cached, uncached, nginx));
    Ok(())
}

fn ensure_tools() -> Result {
    let have = |name: &str| {
        Command::new("sh")
            .args([
                "-c",
                &format!("command -v {name} || test -x /usr/sbin/{name}"),
            ])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if have("wrk") && have("nginx") {
        return Ok(());
    }
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root_user && Path::new("/usr/bin/apt-get").exists() {
        run(Command::new("apt-get").args(["update", "-q"]))?;
        return run(Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "wrk",
                "nginx-light",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"));
    }
    Err("the proxy benchmark needs wrk and nginx (Debian: apt-get install wrk nginx-light)".into())
}

/// Start a botlens process and read its port from the first stdout line.
pub(crate) fn start(command: &mut Command, marker: &str) -> Result<(Running, u16)> {
    let mut child = command
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("botlens: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let running = Running(child);
    let port = line
        .split(marker)
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("no port in {line:?}"))?;
    Ok((running, port))
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn start_nginx(scratch: &Path, www: &Path, port: u16) -> Result<Running> {
    let conf = scratch.join("nginx.conf");
    let text = format!(
        "daemon off;\nworker_processes 2;\npid {pid};\nerror_log {err} warn;\n{user}\
events {{ worker_connections 1024; }}\n\
http {{\n  access_log off;\n  client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n  fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n  scgi_temp_path {tmp}/scgi;\n\
  server {{\n    listen 127.0.0.1:{port};\n    location / {{ root {www}; default_type application/json; }}\n  }}\n}}\n",
        pid = scratch.join("nginx.pid").display(),
        err = scratch.join("nginx-error.log").display(),
        tmp = scratch.display(),
        www = www.display(),
        user = if Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"))
        {
            "user root;\n"
        } else {
            ""
        },
    );
    std::fs::write(&conf, text).map_err(|e| e.to_string())?;
    let nginx = if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    };
    let child = Command::new(nginx)
        .arg("-c")
        .arg(&conf)
        .arg("-p")
        .arg(scratch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("nginx: {e}"))?;
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(5);
    while http_get(port, "/bot.json").is_err() {
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(scratch.join("nginx-error.log")).unwrap_or_default();
            return Err(format!("nginx did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(running)
}

/// A minimal HTTP/1.1 GET on loopback: the body, or an error for non-200.
fn http_get(port: u16, path: &str) -> Result<String> {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or("incomplete HTTP answer")?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "GET {path}: {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    Ok(body.to_string())
}

struct Measure {
    rps: f64,
    p99_ms: f64,
    requests: f64,
    /// CPU the server's processes used during the run.
    server_cpu_s: f64,
    /// CPU wrk itself used.
    wrk_cpu_s: f64,
}

impl Measure {
    fn better(self, other: Measure) -> Measure {
        if other.rps > self.rps {
            other
        } else {
            self
        }
    }
}

/// One wrk run against `url`; `server` are the processes whose CPU time it cost.
fn wrk(url: &str, connections: u32, server: &[u32]) -> Result<Measure> {
    let threads = connections.min(2);
    let before = cpu_s(server);
    // `times` prints the CPU time of the shell's children: wrk's own cost.
    let script = format!("wrk -t{threads} -c{connections} -d{SECONDS}s --latency '{url}' && times");
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let server_cpu_s = cpu_s(server) - before;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("wrk printed no Requests/sec:\n{text}"))?;
    let p99_ms = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| duration_ms(v.trim()))
        .ok_or_else(|| format!("wrk printed no 99% latency:\n{text}"))?;
    let requests = text
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.trim().parse::<f64>().ok())
        .unwrap_or(rps * f64::from(SECONDS));
    let wrk_cpu_s = text
        .lines()
        .last()
        .map(|l| l.split_whitespace().filter_map(times_s).sum())
        .unwrap_or(0.0);
    if text.contains("Non-2xx") {
        return Err(format!("{url}: some answers were not 2xx:\n{text}"));
    }
    Ok(Measure {
        rps,
        p99_ms,
        requests,
        server_cpu_s,
        wrk_cpu_s,
    })
}

/// `times`' `0m1.234s`.
fn times_s(text: &str) -> Option<f64> {
    let (minutes, seconds) = text.strip_suffix('s')?.split_once('m')?;
    Some(minutes.parse::<f64>().ok()? * 60.0 + seconds.parse::<f64>().ok()?)
}

/// User and system CPU seconds these processes have used (Linux `/proc`; 0 elsewhere).
fn cpu_s(pids: &[u32]) -> f64 {
    let ticks: f64 = 100.0; // USER_HZ, 100 on every Linux of note
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // After the command name in parentheses: utime and stime are fields 14 and 15.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks)
        })
        .sum()
}

/// `pid` and its child processes (nginx's workers).
fn with_children(pid: u32) -> Vec<u32> {
    let mut pids = vec![pid];
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    for entry in entries.flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let parent = std::fs::read_to_string(format!("/proc/{child}/stat"))
            .ok()
            .and_then(|stat| {
                let rest = stat.rsplit_once(')')?.1.to_string();
                rest.split_whitespace().nth(1)?.parse::<u32>().ok()
            });
        if parent == Some(pid) {
            pids.push(child);
        }
    }
    pids
}

fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1))
}

/// wrk's `812.00us`, `1.23ms`, `2.01s`.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(n / 1000.0),
        "ms" => Some(n),
        "s" => Some(n * 1000.0),
        "m" => Some(n * 60_000.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::duration_ms;

    #[test]
    fn wrk_durations() {
        assert_eq!(duration_ms("812.00us"), Some(0.812));
        assert_eq!(duration_ms("1.23ms"), Some(1.23));
        assert_eq!(duration_ms("2.00s"), Some(2000.0));
        assert_eq!(duration_ms("fast"), None);
    }
}
