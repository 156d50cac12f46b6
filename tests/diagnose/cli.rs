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

/// The escape codes botlens itself paints with; anything else is a document's.
const OURS: &[&str] = &[
    "\u{1b}[0m",
    "\u{1b}[1m",
    "\u{1b}[31m",
    "\u{1b}[32m",
    "\u{1b}[33m",
    "\u{1b}[36m",
    "\u{1b}[90m",
];

fn hostile_bot(dir: &Path) -> String {
    let path = dir.join("hostile.json");
    let bot = r#"{"id": "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e",
        "bot_name": "Notetaker\u001b[32m green \u001b[0m",
        "status_changes": [{"code": "fatal", "sub_code": "bot_errored"}]}"#;
    std::fs::write(&path, bot).unwrap();
    path.display().to_string()
}

#[test]
fn cli_colours_our_words_only_when_asked_or_on_a_terminal() {
    let temp = tempfile::tempdir().unwrap();
    let file = hostile_bot(temp.path());
    // Piped (as here), auto means none.
    for flags in [&[][..], &["--color", "auto"], &["--color", "never"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
            .arg("diagnose")
            .args(flags)
            .arg(&file)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            !out.stdout.contains(&0x1b),
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // Asked for: the verdict in red, headings bold; the bot name's own codes still shown as text.
    let out = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(["diagnose", "--color", "always", &file])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("\u{1b}[1m\u{1b}[31m✘ FAILED\u{1b}[0m"),
        "{text:?}"
    );
    assert!(text.contains("\u{1b}[1mWhat to do\u{1b}[0m"), "{text:?}");
    assert!(text.contains("Notetaker\\u{1b}[32m green"), "{text:?}");
    let mut rest = text.to_string();
    for code in OURS {
        rest = rest.replace(code, "");
    }
    assert!(!rest.contains('\u{1b}'), "a document's escape: {rest:?}");
}

/// botlens on a pseudo-terminal (util-linux `script`), so `--color auto` sees one.
#[cfg(target_os = "linux")]
fn on_a_terminal(args: &[&str], no_color: Option<&str>) -> String {
    let line = std::iter::once(env!("CARGO_BIN_EXE_botlens"))
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let out = command.output().expect("util-linux script runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[cfg(target_os = "linux")]
fn cli_on_a_terminal_colours_unless_no_color_is_set() {
    let temp = tempfile::tempdir().unwrap();
    let file = hostile_bot(temp.path());
    let auto = ["diagnose", "--color", "auto", file.as_str()];
    assert!(on_a_terminal(&auto, None).contains("\u{1b}[31m✘ FAILED"));
    // NO_COLOR counts when it is set to something, as no-color.org says.
    assert!(on_a_terminal(&auto, Some("")).contains("\u{1b}[31m"));
    let plain = on_a_terminal(&auto, Some("1"));
    assert!(
        plain.contains("✘ FAILED") && !plain.contains("\u{1b}[31m"),
        "{plain:?}"
    );
    let never = on_a_terminal(&["diagnose", "--color", "never", &file], None);
    assert!(!never.contains("\u{1b}[1m"), "{never:?}");
}

#[test]
fn cli_saves_the_evidence_of_a_file_as_one_html_page() {
    let temp = tempfile::tempdir().unwrap();
    let saved = temp.path().join("evidence.html");
    let scenario = data_dir().join("example-scenario-with-logs-and-screenshots.json");
    let out = botlens(&[
        "diagnose",
        "--save",
        &saved.display().to_string(),
        &scenario.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("evidence saved to") && err.contains("KB"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("What happened"));
    let page = std::fs::read_to_string(&saved).unwrap();
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("class=\"verdict v-"));
    assert!(page.contains("Bot logs (UTC)"), "the scenario's logs");
    assert!(
        page.contains("botlens fetches screenshot images only when it looks a bot up live"),
        "says why there are no screenshots"
    );
    assert!(!page.contains("data:image"));

    // A page of bots is not one bot's evidence: refused, nothing written.
    let page_file = temp.path().join("page.json");
    let bot = |id: &str| json!({"id": id, "status_changes": [{"code": "done"}]});
    let page = json!({"results": [bot("b1"), bot("b2")], "next": null});
    std::fs::write(&page_file, page.to_string()).unwrap();
    let listed = temp.path().join("list.html");
    let out = botlens(&[
        "diagnose",
        "--save",
        &listed.display().to_string(),
        &page_file.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--save keeps the evidence of one bot"),
        "{err}"
    );
    assert!(!listed.exists());
}
