use super::*;

#[test]
fn hands_out_only_what_the_card_needs_and_media_through_signed_links() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &[], &[("BOTLENS_PROXY_TOKEN", "t0k")]);
    let token = [("X-Botlens-Token", "t0k")];
    let bot = proxy.send("GET", &bot_path(ZOOM_GOOD_WEST), &token);
    assert_eq!(bot.status, 200, "{}", bot.text());
    let text = bot.text();
    for secret in [
        "meeting_password",
        "aGk3QnlvT2x6",
        "X-Amz-Signature",
        "token=SIMULATED",
        "zak_url",
    ] {
        assert!(!text.contains(secret), "{secret} handed out: {text}");
    }
    let v = bot.json();
    assert_eq!(
        v["meeting_url"]["meeting_id"], "84731728293",
        "what the card shows stays"
    );
    let link = v["recordings"][0]["media_shortcuts"]["video_mixed"]["data"]["download_url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = link.strip_prefix("botlens-proxy:").expect("a proxy link");
    assert!(
        path.starts_with(&format!("/api/v1/bot/{ZOOM_GOOD_WEST}/media?")),
        "{path}"
    );

    // Opened (no token: an <img> or a click cannot send one), it redirects to
    // the signed URL Recall gives now.
    let opened = proxy.get(path);
    assert_eq!(opened.status, 302, "{}", opened.text());
    let location = opened.header("location").unwrap().to_string();
    assert!(location.contains("/video.mp4?X-Amz-Expires"), "{location}");
    assert_eq!(opened.header("cache-control"), Some("no-store"));
    // A link it did not sign, or for another value, opens nothing.
    let forged = path.replace("video_mixed", "transcript");
    assert_eq!(proxy.get(&forged).status, 403);
    let other_bot = path.replace(ZOOM_GOOD_WEST, NOBODY);
    assert_eq!(proxy.get(&other_bot).status, 403);
    // Screenshots come the same way.
    let shots = proxy.send(
        "GET",
        &format!("{}screenshots/", bot_path(ZOOM_GOOD_WEST)),
        &token,
    );
    assert!(
        !shots.text().contains("X-Amz-Signature"),
        "{}",
        shots.text()
    );
}

#[test]
fn one_client_cannot_take_the_others_share_of_recall() {
    let sim = Proc::simulator();
    // Behind a reverse proxy on loopback: X-Forwarded-For names the client.
    let proxy = Proc::proxy(
        &sim,
        &[
            "--trust-proxy",
            "127.0.0.1/32",
            "--client-share",
            "20",
            "--client-rate",
            "0",
        ],
        &[],
    );
    let from = |ip: &'static str| [("X-Forwarded-For", ip)];
    // A careless script asks for 40 IDs nobody has: each costs a call per region.
    let mut refused = 0;
    for i in 0..40 {
        let id = format!("0b5f5b0e-2222-4a4a-8b8b-{i:012}");
        if proxy
            .send("GET", &bot_path(&id), &from("203.0.113.7"))
            .status
            == 429
        {
            refused += 1;
        }
    }
    assert!(
        refused >= 30,
        "the script got its share and no more ({refused} of 40 refused)"
    );
    let calls = upstream_hits(&sim, "0b5f5b0e-2222-").len();
    assert!(
        calls <= 20 + 4,
        "{calls} calls to Recall for the script (share: 20)"
    );
    // Everyone else is served at once.
    for id in [ZOOM_GOOD_WEST, LIVE_WEST] {
        let got = proxy.send("GET", &bot_path(id), &from("198.51.100.9"));
        assert_eq!(got.status, 200, "{id}: {}", got.text());
    }
    // Cache hits are free: the script may read what is cached as often as it likes.
    for _ in 0..10 {
        assert_eq!(
            proxy
                .send("GET", &bot_path(ZOOM_GOOD_WEST), &from("203.0.113.7"))
                .status,
            200
        );
    }
}

#[test]
fn behind_a_sign_in_proxy_only_its_users_are_answered() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(
        &sim,
        &[
            "--trust-proxy",
            "127.0.0.1/32",
            "--user-header",
            "X-Auth-Request-User",
        ],
        &[],
    );
    let path = bot_path(ZOOM_GOOD_WEST);
    let nobody = proxy.get(&path);
    assert_eq!(nobody.status, 401, "{}", nobody.text());
    assert_eq!(nobody.json()["code"], "identity_required");
    let ada = proxy.send("GET", &path, &[("X-Auth-Request-User", "ada@example.com")]);
    assert_eq!(ada.status, 200, "{}", ada.text());
}

#[test]
fn beyond_loopback_it_will_not_start_without_an_access_rule() {
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args([
            "serve",
            "--proxy",
            "--addr",
            "0.0.0.0:0",
            "--upstream",
            "http://{region}.localhost:9",
        ])
        .env("RECALL_API_KEY", KEY)
        .env_remove("BOTLENS_PROXY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nothing says who may ask"), "{said}");
    assert!(!said.contains(KEY));
}

#[test]
fn a_service_may_use_a_bearer_token() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &[], &[("BOTLENS_PROXY_TOKEN", "svc-7")]);
    let path = bot_path(ZOOM_GOOD_WEST);
    assert_eq!(
        proxy
            .send("GET", &path, &[("Authorization", "Bearer svc-7")])
            .status,
        200
    );
    assert_eq!(
        proxy
            .send("GET", &path, &[("Authorization", "Bearer nope")])
            .status,
        401
    );
}

#[test]
fn it_reports_what_it_does_in_prometheus_text() {
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &[], &[]);
    assert_eq!(proxy.get("/readyz").status, 200);
    assert_eq!(proxy.get(&bot_path(ZOOM_GOOD_WEST)).status, 200);
    assert_eq!(proxy.get(&bot_path(ZOOM_GOOD_WEST)).status, 200);
    let metrics = proxy.get("/metrics");
    assert_eq!(metrics.status, 200);
    let text = metrics.text();
    for line in [
        "botlens_proxy_cache_total{result=\"miss\"} 1",
        "botlens_proxy_cache_total{result=\"hit\"} 1",
        "botlens_proxy_upstream_requests_total{region=\"us-west-2\",status=\"200\"} 1",
        "botlens_proxy_upstream_seconds_count{region=\"us-west-2\"} 1",
        "botlens_proxy_requests_total{status=\"200\"}",
        "botlens_proxy_budget_left ",
    ] {
        assert!(text.contains(line), "{line} not in:\n{text}");
    }
    assert!(
        !text.contains(ZOOM_GOOD_WEST) && !text.contains(KEY),
        "no bot, no key in metrics"
    );

    // A proxy whose key Recall refuses everywhere is alive but not ready.
    let refused = Proc::proxy(&sim, &[], &[("RECALL_API_KEY", "sk-wrong")]);
    let _ = refused.get(&bot_path(ZOOM_GOOD_WEST));
    let ready = refused.get("/readyz");
    assert_eq!(ready.status, 503, "{}", ready.text());
    assert_eq!(refused.get("/healthz").status, 200);
}

#[test]
fn slow_and_held_connections_do_not_take_it_down() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let sim = Proc::simulator();
    let proxy = Proc::proxy(&sim, &["--header-timeout-ms", "500"], &[]);
    // Closed by the proxy within `limit` (read answers end-of-stream or a reset;
    // a read that times out means it is still open).
    let closed_within = |stream: &mut TcpStream, limit: Duration| {
        stream.set_read_timeout(Some(limit)).unwrap();
        let mut buf = [0u8; 256];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => {} // an answer, then the close
                Err(e) => {
                    return !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    )
                }
            }
        }
    };
    // Half-sent headers: cut off after the header timeout.
    let mut slow = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(3)),
        "a slow client is cut off"
    );
    // One address holding many connections gets its cap, and no more.
    let held: Vec<TcpStream> = (0..64)
        .map(|_| TcpStream::connect(("127.0.0.1", proxy.port)).unwrap())
        .collect();
    let mut over = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    assert!(
        closed_within(&mut over, Duration::from_millis(200)),
        "the 65th is closed at once"
    );
    drop(held);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(proxy.get("/healthz").status, 200, "and it still answers");
}

#[test]
fn without_a_key_it_stops_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["serve", "--proxy", "--addr", "127.0.0.1:0"])
        .env_remove("RECALL_API_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RECALL_API_KEY"));

    let scratch = TempDir::new();
    let file = scratch.path().join("key");
    std::fs::write(&file, "\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["serve", "--proxy", "--addr", "127.0.0.1:0", "--key-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is empty"));
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["serve", "--proxy", "--allow-origin", "https://x.test/path"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_endless_answer_from_upstream_is_cut_off_not_kept() {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    // A "Recall" that streams a JSON string forever, chunked, with no length.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&sent);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counter = Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n",
                );
                let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
                while stream.write_all(chunk.as_bytes()).is_ok() {
                    counter.fetch_add(0x10000, Ordering::Relaxed);
                    // Stop at 256 MiB: far past any cap worth having.
                    if counter.load(Ordering::Relaxed) > 256 << 20 {
                        return;
                    }
                }
            });
        }
    });
    let proxy = Proc::proxy_to(port, &["--region", "us-west-2"], &[]);
    let resp = proxy.get(&bot_path(ZOOM_GOOD_WEST));
    assert_eq!(resp.status, 502, "{}", resp.text());
    assert!(resp.text().contains("limit"), "says why: {}", resp.text());
    std::thread::sleep(Duration::from_millis(300));
    let streamed = sent.load(Ordering::Relaxed);
    // What the kernel's socket buffers on loopback hold besides (several MiB
    // under load) is counted as written too; a proxy reading it all takes 256.
    assert!(
        streamed < 64 << 20,
        "the proxy stopped reading near its 8 MiB cap; upstream wrote {} MiB",
        streamed >> 20
    );
    // And it still answers.
    assert_eq!(proxy.get("/healthz").status, 200);
}
