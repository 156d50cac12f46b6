//! The `botlens diagnose` command: its JSON keys, its human and Markdown
//! output, webhooks and extra files, and one clear line on bad input.

use super::*;
fn botlens(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(args)
        .output()
        .expect("botlens runs")
}

/// A file the CLI can read: one of `tests/data/recall/`, or the `bot` of a
/// diagnosis case written to a temporary file (removed when this is dropped).
struct Example {
    path: PathBuf,
    _temp: Option<tempfile::TempPath>,
}

impl Example {
    fn arg(&self) -> String {
        self.path.display().to_string()
    }
}

fn example(name: &str) -> Example {
    let recall = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/recall")
        .join(name);
    if recall.exists() {
        return Example {
            path: recall,
            _temp: None,
        };
    }
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join(name)).unwrap()).unwrap();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, doc["bot"].to_string().as_bytes()).unwrap();
    let temp = file.into_temp_path();
    Example {
        path: temp.to_path_buf(),
        _temp: Some(temp),
    }
}

#[test]
fn cli_json_has_the_promised_keys() {
    let out = botlens(&[
        "diagnose",
        "--json",
        &example("example-zoom-recording-permission-denied.json").arg(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "bot_id",
        "verdict",
        "reason",
        "title",
        "explanation",
        "remedy",
        "status",
        "phases",
        "notes",
        "explorer_url",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["verdict"], "failed");
    assert_eq!(v["reason"], "timeout_exceeded_recording_permission_denied");
    assert_eq!(v["detail"]["code"], "zoom_local_recording_disabled");

    let out = botlens(&[
        "diagnose",
        "--markdown",
        &example("example-done-teams.json").arg(),
    ]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("## Recall bot `7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74`: Healthy"),
        "{md}"
    );
    assert!(
        !md.contains("X-Amz-Signature") && !md.contains("token="),
        "{md}"
    );
}

#[test]
fn cli_accepts_webhooks_scenarios_and_extra_files() {
    let out = botlens(&[
        "diagnose",
        "--json",
        &example("webhook-bot-fatal.json").arg(),
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["reason"], "meeting_requires_sign_in");

    let out = botlens(&[
        "diagnose",
        "--region",
        "us-west-2",
        "--logs",
        &example("bot-logs.json").arg(),
        "--screenshots",
        &example("screenshots-array.json").arg(),
        &example("example-fatal-google-meet.json").arg(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "FAILED",
        "meeting_requires_sign_in",
        "What to do",
        "Timeline",
        "us-west-2.recall.ai/dashboard/explorer/bot/",
        "Screenshots (2)",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }

    let scenario = data_dir().join("example-scenario-with-logs-and-screenshots.json");
    let out = botlens(&["diagnose", "--json", &scenario.display().to_string()]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["region"], "eu-central-1");
    assert_eq!(v["screenshots"].as_array().unwrap().len(), 3);
}

#[test]
fn cli_bad_input_exits_2_with_one_line() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let cases = [
        ("broken.json", "{\"id\": ", "not valid JSON"),
        ("array.json", "[1, 2]", "an array with no bot"),
        ("nobot.json", "{\"name\": \"x\"}", "no `id`"),
        ("empty.json", "", "empty"),
        (
            "notbot.json",
            "{\"id\": \"x\", \"name\": \"y\"}",
            "none of a bot's fields",
        ),
        ("junk-page.json", "{\"results\": [{\"x\": 1}]}", "not bots"),
    ];
    for (file, body, want) in cases {
        let path = dir.join(file);
        std::fs::write(&path, body).unwrap();
        let out = botlens(&["diagnose", &path.display().to_string()]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{file}: {err}");
        assert!(err.contains(file) && err.contains(want), "{file}: {err}");
    }
    let out = botlens(&["diagnose", &dir.join("missing.json").display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let out = botlens(&[
        "diagnose",
        "--logs",
        &dir.join("array.json").display().to_string(),
        &example("example-done-teams.json").arg(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "an array of junk is an empty log list"
    );
}

#[test]
fn cli_says_what_an_artifact_event_or_an_error_body_is() {
    // A recording that is done is not a bot that is done.
    let out = botlens(&[
        "diagnose",
        "--json",
        &example("webhook-recording-done.json").arg(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "artifact_event");
    assert_eq!(
        v["bot_ids"],
        json!(["7c1e9a30-52d4-4f8b-a6e2-3b90d1c4f5a7"])
    );
    assert!(v.get("verdict").is_none(), "no verdict about the bot: {v}");
    assert!(v["title"].as_str().unwrap().contains("recording is done"));

    let out = botlens(&["diagnose", &example("webhook-transcript-failed.json").arg()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("the transcript failed"), "{text}");
    assert!(text.contains("transcription provider"), "{text}");
    assert!(!text.contains("FAILED"), "not the bot's verdict: {text}");

    // Recall's 401 is explained (wrong key or wrong region), not refused as "no `id`".
    let out = botlens(&["diagnose", &example("error-401-invalid-token.json").arg()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("another region"), "{text}");
}

#[test]
fn cli_shows_escape_sequences_instead_of_obeying_them() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("hostile.json");
    // A bot name that would recolour the terminal, retitle it and fake a line.
    let bot = r#"{"id": "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
        "bot_name": "Notetaker\u001b[2J\u001b]0;owned\u0007\n  Region    fake\u202e",
        "status_changes": [{"code": "fatal", "sub_code": "x\u001b[31m"}]}"#;
    std::fs::write(&path, bot).unwrap();
    for flags in [&[][..], &["--markdown"][..]] {
        let mut args = vec!["diagnose"];
        args.extend_from_slice(flags);
        let file = path.display().to_string();
        args.push(&file);
        let out = botlens(&args);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{flags:?}: a control character reached the terminal:\n{text}"
        );
        // Shown, not dropped (Markdown escapes the bracket as well).
        assert!(
            text.contains("\\u{1b}[2J") || text.contains("\\u{1b}\\[2J"),
            "{flags:?}: shown, not dropped:\n{text}"
        );
        assert!(
            !text.contains("\n  Region    fake"),
            "{flags:?}: a faked line:\n{text}"
        );
    }
}
