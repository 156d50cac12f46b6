//! Faults (slow, throttle, errors, malformed, HTML, chains) and a live bot's progression.

use super::*;

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
