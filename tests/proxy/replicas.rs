//! Three replicas behind one Redis (a real `redis-server`, Debian's package,
//! which `cargo xtask test` installs): one budget, one cache, one call per
//! look-up in flight; and what happens when Redis or a replica dies mid-run.

use super::*;

use std::net::TcpListener;
use std::thread;

/// A `redis-server` of our own on a free port, nothing saved to disk.
struct Redis {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Redis::on(port)
    }

    fn on(port: u16) -> Redis {
        let binary = std::env::var("REDIS_SERVER").unwrap_or("/usr/bin/redis-server".into());
        assert!(
            std::path::Path::new(&binary).exists(),
            "{binary} is missing: `cargo xtask setup` installs redis-server (Debian's package)"
        );
        let dir = TempDir::new();
        let mut child = Command::new(binary)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Redis {
                    child,
                    port,
                    _dir: dir,
                };
            }
            thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not listen on {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn kill(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` proxies in front of `sim`, sharing `redis`, with `extra` flags.
fn replicas(sim: &Proc, redis: &Redis, n: usize, extra: &[&str]) -> Vec<Proc> {
    let url = redis.url();
    let mut args = vec![
        "--redis",
        &url,
        "--client-rate",
        "0",
        "--client-share",
        "100000",
    ];
    args.extend_from_slice(extra);
    (0..n).map(|_| Proc::proxy(sim, &args, &[])).collect()
}

/// A bot ID no region knows, different for each `i`.
fn unknown(i: usize) -> String {
    format!("0b5f5b0e-3333-4a4a-8b8b-{i:012}")
}

fn metric(proxy: &Proc, name: &str) -> Option<f64> {
    proxy
        .get("/metrics")
        .text()
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn three_replicas_make_the_calls_of_one() {
    let redis = Redis::start();
    let sim = Proc::simulator();
    let fleet = replicas(&sim, &redis, 3, &["--region", "us-west-2"]);

    // One answer for all: asked at each replica in turn, Recall is asked once.
    let path = bot_path(ZOOM_GOOD_WEST);
    let first = fleet[0].get(&path);
    assert_eq!(first.status, 200, "{}", first.text());
    for other in &fleet[1..] {
        let again = other.get(&path);
        assert_eq!(again.status, 200);
        assert_eq!(again.header("x-botlens-cache"), Some("hit"));
        assert_eq!(again.json()["id"], ZOOM_GOOD_WEST);
    }
    assert_eq!(upstream_hits(&sim, ZOOM_GOOD_WEST).len(), 1);
    // A media link one replica signed opens at another (the key is derived
    // from the Recall key they share).
    let v = first.json();
    let link = v["recordings"][0]["media_shortcuts"]["video_mixed"]["data"]["download_url"]
        .as_str()
        .expect("a media link")
        .to_string();
    let path = link.strip_prefix("botlens-proxy:").expect("a proxy link");
    let opened = fleet[2].get(path);
    assert_eq!(opened.status, 302, "{}", opened.text());

    // One look-up in flight for all: the same bot asked at all three at once.
    let port = |p: &Proc| p.port;
    let ports: Vec<u16> = fleet.iter().map(port).collect();
    let asked: Vec<_> = ports
        .iter()
        .map(|&port| {
            let path = bot_path(LIVE_WEST);
            thread::spawn(move || raw_request(port, "GET", &path, &[], None).status)
        })
        .collect();
    for status in asked {
        assert_eq!(status.join().unwrap(), 200);
    }
    assert_eq!(
        upstream_hits(&sim, LIVE_WEST).len(),
        1,
        "three replicas asked at once: one call to Recall"
    );
}

#[test]
fn replicas_spend_one_budget_between_them() {
    let redis = Redis::start();
    let sim = Proc::simulator();
    // 60 a minute: a burst of 4 Retrieve Bot calls, then 0.9 a second, for all three.
    let fleet = replicas(
        &sim,
        &redis,
        3,
        &["--region", "us-west-2", "--upstream-per-minute", "60"],
    );
    let mut throttled = 0;
    for i in 0..18 {
        let resp = fleet[i % 3].get(&bot_path(&unknown(i)));
        if resp.status == 429 {
            throttled += 1;
            assert!(resp.header("retry-after").is_some());
        }
    }
    let calls = upstream_hits(&sim, "0b5f5b0e-3333-").len();
    // Alone, each replica would spend its own 4 (12 in all, and more with refill).
    assert!(
        calls <= 4 + 2,
        "{calls} calls to Recall for 18 look-ups over 3 replicas (one budget: 4 at once)"
    );
    assert_eq!(
        calls + throttled,
        18,
        "each look-up either called or was told to wait"
    );
    assert_eq!(metric(&fleet[0], "botlens_proxy_redis_up"), Some(1.0));
}

#[test]
fn when_redis_dies_each_replica_keeps_a_third_and_says_so() {
    let redis = Redis::start();
    let sim = Proc::simulator();
    // 120 a minute: a burst of 9 shared; a third of it alone is a burst of 3.
    let fleet = replicas(
        &sim,
        &redis,
        3,
        &[
            "--region",
            "us-west-2",
            "--upstream-per-minute",
            "120",
            "--replicas",
            "3",
        ],
    );
    assert_eq!(fleet[0].get(&bot_path(ZOOM_GOOD_WEST)).status, 200);
    let port = redis.kill();

    // Still answering: a kept answer, and a new look-up within its third.
    assert_eq!(fleet[1].get(&bot_path(LIVE_WEST)).status, 200);
    let before = upstream_hits(&sim, "0b5f5b0e-3333-").len();
    let mut served = 0;
    for i in 0..30 {
        if fleet[i % 3].get(&bot_path(&unknown(i))).status == 404 {
            served += 1;
        }
    }
    let calls = upstream_hits(&sim, "0b5f5b0e-3333-").len() - before;
    assert!(served > 0, "look-ups go on without Redis");
    // Each replica alone: a third of the burst (3), so 9 and a little refill;
    // each on the whole budget would have made 27.
    assert!(
        calls <= 3 * 3 + 3,
        "{calls} calls to Recall with Redis gone (1/3 of the budget each)"
    );
    for proxy in &fleet {
        assert_eq!(metric(proxy, "botlens_proxy_redis_up"), Some(0.0));
    }
    let said = fleet
        .iter()
        .filter(|p| p.stderr().contains("redis cannot be reached"))
        .count();
    assert!(said >= 2, "the replicas say Redis is gone in their logs");

    // Redis back on the same port: shared again.
    let _redis = Redis::on(port);
    let back = (0..40).any(|_| {
        thread::sleep(Duration::from_millis(250));
        let _ = fleet[0].get(&bot_path(ZOOM_GOOD_WEST));
        metric(&fleet[0], "botlens_proxy_redis_up") == Some(1.0)
    });
    assert!(back, "a replica uses Redis again once it is back");
    assert!(fleet[0].stderr().contains("redis is back"));
}

#[test]
fn a_replica_killed_mid_run_leaves_the_others_serving() {
    let redis = Redis::start();
    let sim = Proc::simulator();
    let mut fleet = replicas(&sim, &redis, 3, &["--region", "us-west-2"]);
    let counted = (0..40).any(|_| {
        thread::sleep(Duration::from_millis(250));
        metric(&fleet[0], "botlens_proxy_replicas") == Some(3.0)
    });
    assert!(counted, "the replicas count each other");
    assert_eq!(fleet[1].get(&bot_path(ZOOM_GOOD_WEST)).status, 200);
    // Killed without a goodbye (SIGKILL): the others stop counting it after three beats.
    let dead = fleet.remove(1);
    drop(dead);
    for proxy in &fleet {
        let resp = proxy.get(&bot_path(ZOOM_GOOD_WEST));
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("x-botlens-cache"), Some("hit"));
    }
    let recounted = (0..60).any(|_| {
        thread::sleep(Duration::from_millis(250));
        metric(&fleet[0], "botlens_proxy_replicas") == Some(2.0)
    });
    assert!(recounted, "a dead replica drops out of the count");
    assert_eq!(upstream_hits(&sim, ZOOM_GOOD_WEST).len(), 1);
}
