//! The built-in bots and scenario files: served exactly as written, bad files named.

use super::*;

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
