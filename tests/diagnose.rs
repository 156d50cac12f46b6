//! The diagnosis engine, end to end.
//!
//! * `tests/data/diagnose/*.json`: one case per file — a `bot` (or a `webhook`),
//!   optional `screenshots`, `logs`, `region`, `now`, and what we `expect`.
//!   One assertion loop runs them all.
//! * Every code Recall documents (`tests/data/recall/codes.json`, facts only) is
//!   covered by our catalog.
//! * Arbitrary JSON and arbitrary status sequences never panic.
//! * The CLI: JSON keys, human output, and one clear line on bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use botlens::diagnose::{self, catalog, report, Diagnosis, Verdict};
use botlens::recall::model::{self, Bot, Input, Logs, Screenshots, StatusChange};
use botlens::recall::region::Region;
use botlens::recall::time::Timestamp;
use serde_json::Value;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/diagnose")
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/diagnose exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Run one case file through the library the way the CLI does.
fn run_case(doc: &Value) -> Diagnosis {
    let region = doc
        .get("region")
        .and_then(Value::as_str)
        .and_then(|r| r.parse::<Region>().ok());
    let now = doc
        .get("now")
        .and_then(Value::as_str)
        .and_then(Timestamp::parse);
    let shots: Option<Screenshots> = doc
        .get("screenshots")
        .map(|v| serde_json::from_value(v.clone()).expect("screenshots parse"));
    let logs: Option<Logs> = doc
        .get("logs")
        .map(|v| serde_json::from_value(v.clone()).expect("logs parse"));
    let bot = if let Some(w) = doc.get("webhook") {
        match model::parse_value(w.clone()).expect("webhook parses") {
            Input::Webhook(w) => w.to_bot(),
            other => panic!("expected a webhook, got {other:?}"),
        }
    } else {
        let b = doc.get("bot").expect("case has a bot or a webhook");
        serde_json::from_value::<Bot>(b.clone()).expect("bot parses")
    };
    diagnose::diagnose(&bot, shots.as_ref(), logs.as_ref(), region, now)
}

fn opt_str(v: Option<&Value>) -> Option<Option<String>> {
    v.map(|v| v.as_str().map(str::to_string))
}

#[test]
fn every_case_gets_the_expected_verdict_and_reason() {
    let files = case_files();
    assert!(files.len() >= 50, "only {} cases", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let expect = doc
            .get("expect")
            .unwrap_or_else(|| panic!("{name}: no expect"));
        let d = run_case(&doc);
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{name}: {what}: got {got}"));
            }
        };

        let verdict = expect["verdict"].as_str().unwrap();
        check(
            "verdict",
            d.verdict.as_str() == verdict,
            format!("{:?} (want {verdict})", d.verdict),
        );
        let reason =
            opt_str(expect.get("reason")).expect("expect.reason is required (null allowed)");
        check(
            "reason",
            d.reason == reason,
            format!("{:?} (want {reason:?})", d.reason),
        );
        if let Some(k) = expect.get("reason_known").and_then(Value::as_bool) {
            check(
                "reason_known",
                d.reason_known == k,
                format!("{}", d.reason_known),
            );
        }
        if let Some(detail) = expect.get("detail").and_then(Value::as_str) {
            let got = d.detail.as_ref().map(|c| c.code.as_str());
            check(
                "detail",
                got == Some(detail),
                format!("{got:?} (want {detail})"),
            );
        }
        if let Some(status) = opt_str(expect.get("status")) {
            check("status", d.status == status, format!("{:?}", d.status));
        }
        if let Some(note) = expect.get("note").and_then(Value::as_str) {
            let codes: Vec<_> = d.notes.iter().filter_map(|n| n.code.as_deref()).collect();
            check(
                "note",
                codes.contains(&note),
                format!("{codes:?} (want {note})"),
            );
        }
        if let Some(p) = expect.get("platform").and_then(Value::as_str) {
            check(
                "platform",
                d.platform.as_deref() == Some(p),
                format!("{:?}", d.platform),
            );
        }
        if let Some(s) = expect.get("api_shape").and_then(Value::as_str) {
            let got = serde_json::to_value(d.api_shape).unwrap();
            check("api_shape", got == s, format!("{got}"));
        }
        if let Some(r) = expect.get("region").and_then(Value::as_str) {
            check(
                "region",
                d.region == r && !d.region_assumed,
                d.region.clone(),
            );
        }

        // Invariants every diagnosis keeps.
        let reasonless = matches!(d.verdict, Verdict::Healthy | Verdict::InProgress);
        check(
            "reason iff failed/warning",
            reasonless == d.reason.is_none(),
            format!("{:?}", d.reason),
        );
        if let Some(r) = &d.reason {
            check(
                "reason_known matches catalog",
                d.reason_known == catalog::lookup(r).is_some(),
                r.clone(),
            );
        }
        check("title", !d.title.is_empty(), d.title.clone());
        check(
            "explanation",
            !d.explanation.is_empty(),
            d.explanation.clone(),
        );
        check("remedy", !d.remedy.is_empty(), d.remedy.clone());
        check(
            "explorer",
            d.explorer_url.ends_with(&d.bot_id),
            d.explorer_url.clone(),
        );
        let json = serde_json::to_string(&d).unwrap();
        let back: Diagnosis = serde_json::from_str(&json).unwrap();
        check("json round trip", back == d, "differs".into());
        let md = report::markdown(&d);
        check(
            "report names the bot",
            md.contains(&d.bot_id),
            "no id".into(),
        );
        if let Some(r) = &d.reason {
            check(
                "report names the reason",
                md.contains(r.as_str()),
                "no reason".into(),
            );
        }
        for secret in [
            "X-Amz-Signature",
            "token=",
            "SeCrEtPw1",
            "aGk3QnlvT2x6",
            "REDACTED",
        ] {
            check("report has no secrets", !md.contains(secret), secret.into());
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_platform_both_shapes_and_future_codes_have_cases() {
    let mut platforms = std::collections::BTreeSet::new();
    let (mut legacy, mut unknown, mut webhooks) = (0, 0, 0);
    for path in case_files() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let d = run_case(&doc);
        if let Some(p) = &d.platform {
            platforms.insert(d.platform_name.clone());
            let _ = p;
        }
        legacy += usize::from(d.api_shape == model::ApiShape::V1_10);
        unknown += usize::from(!d.reason_known);
        webhooks += usize::from(doc.get("webhook").is_some());
    }
    for p in [
        "Zoom",
        "Google Meet",
        "Microsoft Teams",
        "Webex",
        "GoTo Meeting",
        "Slack huddle",
    ] {
        assert!(platforms.contains(p), "no case for {p}: {platforms:?}");
    }
    assert!(
        legacy >= 3 && unknown >= 4 && webhooks >= 3,
        "{legacy} {unknown} {webhooks}"
    );
}

#[test]
fn every_documented_code_is_covered() {
    let known: Value = serde_json::from_str(&recall_data("codes.json")).expect("codes.json parses");
    let mut missing = Vec::new();
    let mut count = 0;
    for (list, key) in [
        ("status_codes", "code"),
        ("sub_codes", "sub_code"),
        ("log_codes", "code"),
    ] {
        for item in known[list].as_array().expect(list) {
            let code = item[key].as_str().expect("code string");
            count += 1;
            match catalog::lookup(code) {
                None => missing.push(code.to_string()),
                Some(e) => {
                    if let Some(status) = item.get("status_code").and_then(Value::as_str) {
                        if e.status.as_deref() != Some(status) {
                            missing.push(format!("{code} (status {status}, ours {:?})", e.status));
                        }
                    }
                    if let Some(p) = item.get("platform").and_then(Value::as_str) {
                        if e.platform != p {
                            missing.push(format!("{code} (platform {p}, ours {})", e.platform));
                        }
                    }
                    if e.explanation.trim().is_empty() {
                        missing.push(format!("{code} (no explanation)"));
                    }
                }
            }
        }
    }
    assert!(count > 100, "codes.json looks truncated: {count} codes");
    assert!(missing.is_empty(), "not covered: {missing:?}");
    // Codes Recall's reference mentions outside its sub-code list.
    for code in [
        "invalid_meeting_url",
        "meeting_ended_by_host",
        "zoom_global_captions_disabled",
        "zoom_host_disabled_meeting_captions",
        "teams_blacklisted_tenant",
        "recording_paused",
        "call_join_failed",
        "scheduled",
    ] {
        assert!(catalog::lookup(code).is_some(), "{code} missing");
    }
}

#[test]
fn rules_from_the_issue() {
    let at = |s: i64| Timestamp::from_millis(1_700_000_000_000 + s * 1000);
    let bot = |changes: &[(&str, Option<&str>)]| {
        let mut b = Bot::from_status("b", StatusChange::new("joining_call", None, at(0)));
        b.meeting_url = serde_json::from_str(r#"{"platform":"zoom"}"#).ok();
        for (i, (code, sub)) in changes.iter().enumerate() {
            b.status_changes
                .push(StatusChange::new(code, *sub, at(10 + i as i64 * 60)));
        }
        b
    };
    let d = |b: &Bot| diagnose::diagnose(b, None, None, None, None);

    let fatal = d(&bot(&[("fatal", Some("meeting_full"))]));
    assert_eq!(
        (fatal.verdict, fatal.reason.as_deref()),
        (Verdict::Failed, Some("meeting_full"))
    );
    let bare = d(&bot(&[("fatal", None)]));
    assert_eq!(bare.reason.as_deref(), Some("fatal"));
    let kept_out = d(&bot(&[
        ("in_call_not_recording", None),
        ("recording_permission_denied", Some("zoom_host_not_present")),
        (
            "call_ended",
            Some("timeout_exceeded_recording_permission_denied"),
        ),
        ("done", None),
    ]));
    assert_eq!(kept_out.verdict, Verdict::Failed);
    assert_eq!(
        kept_out.reason.as_deref(),
        Some("timeout_exceeded_recording_permission_denied")
    );
    assert_eq!(
        kept_out.detail.map(|c| c.code).as_deref(),
        Some("zoom_host_not_present")
    );
    let good = d(&bot(&[
        ("in_call_recording", None),
        ("call_ended", Some("bot_received_leave_call")),
        ("done", None),
    ]));
    assert_eq!((good.verdict, good.reason), (Verdict::Healthy, None));
    let running = d(&bot(&[("in_waiting_room", None)]));
    assert_eq!(
        (running.verdict, running.reason),
        (Verdict::InProgress, None)
    );
    assert!(!running.region_assumed || running.region == "us-east-1");
}

#[test]
fn now_measures_the_current_phase_and_media_expiry() {
    let text = std::fs::read_to_string(data_dir().join("zoom-live-recording.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let bot: Bot = serde_json::from_value(doc["bot"].clone()).unwrap();
    let start = bot.status_changes.last().unwrap().created_at.unwrap();
    let now = Timestamp::from_millis(start.millis() + 600_000);
    let d = diagnose::diagnose(&bot, None, None, Some(Region::EuCentral1), now);
    let last = d.phases.last().unwrap();
    assert!(last.ongoing);
    assert_eq!(last.seconds, Some(600));
    assert_eq!(d.region, "eu-central-1");
    assert!(!d.region_assumed);
    assert!(d
        .explorer_url
        .starts_with("https://eu-central-1.recall.ai/dashboard/explorer/bot/"));

    let text = std::fs::read_to_string(data_dir().join("zoom-healthy-host-ended.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let bot: Bot = serde_json::from_value(doc["bot"].clone()).unwrap();
    let expires = bot.recordings[0].expires_at.unwrap();
    let now = Timestamp::from_millis(expires.millis() - 3 * 86_400_000);
    let d = diagnose::diagnose(&bot, None, None, None, now);
    assert_eq!(d.media.expires_in_seconds, Some(3 * 86_400));
    // No region given, but the transcript link is on us-east-1.recall.ai.
    assert_eq!((d.region.as_str(), d.region_assumed), ("us-east-1", false));
    let d = diagnose::diagnose(&bot, None, None, Some(Region::UsWest2), now);
    assert_eq!(d.region, "us-west-2");
    let later = Timestamp::from_millis(expires.millis() + 1000);
    let gone = diagnose::diagnose(&bot, None, None, None, later);
    assert_eq!(gone.media.recording, diagnose::Availability::Deleted);
    assert_eq!(gone.verdict, Verdict::Healthy);
}

#[test]
fn zoom_oauth_log_failures_depend_on_context() {
    let logs: Logs = serde_json::from_str(&recall_data("bot-logs.json")).unwrap();
    let load = |name: &str| {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(data_dir().join(name)).unwrap()).unwrap();
        serde_json::from_value::<Bot>(doc["bot"].clone()).unwrap()
    };
    let good = diagnose::diagnose(
        &load("zoom-healthy-host-ended.json"),
        None,
        Some(&logs),
        None,
        None,
    );
    let bad = diagnose::diagnose(
        &load("zoom-host-absent-timeout.json"),
        None,
        Some(&logs),
        None,
        None,
    );
    let oauth = |d: &Diagnosis| {
        d.notes
            .iter()
            .find(|n| n.code.as_deref() == Some("zoom_join_token_fetch_using_zoom_oauth_failed"))
            .cloned()
            .unwrap()
    };
    assert_eq!(oauth(&good).level, diagnose::NoteLevel::Info);
    assert!(oauth(&good).text.contains("safe to ignore"));
    assert_eq!(oauth(&bad).level, diagnose::NoteLevel::Warning);
    assert!(oauth(&bad).text.contains("matters"));
    assert!(good
        .notes
        .iter()
        .any(|n| n.title.contains("transcription provider")));
}

#[test]
fn the_library_never_reads_the_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("recall/model.rs"), root.join("recall/time.rs")];
    for e in std::fs::read_dir(root.join("diagnose")).unwrap() {
        files.push(e.unwrap().path());
    }
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "rs"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        for banned in ["SystemTime::now", "Instant::now"] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

// ---- CLI ----

fn botlens(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(args)
        .output()
        .expect("botlens runs")
}

/// A file of `tests/data/recall/`: Recall payloads as the API sends them.
fn recall_data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/recall")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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
        ("array.json", "[1, 2]", "expected a JSON object"),
        ("nobot.json", "{\"name\": \"x\"}", "no `id`"),
        ("empty.json", "", "empty"),
        ("list.json", "{\"results\": []}", "list page"),
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

// ---- never panic ----

#[cfg(not(target_arch = "wasm32"))]
mod never_panic {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop_oneof![
                Just("fatal".to_string()),
                Just("done".to_string()),
                Just("call_ended".to_string()),
                Just("in_call_recording".to_string()),
                Just("2025-01-01T00:00:00Z".to_string()),
                Just("zoom".to_string()),
                ".{0,12}"
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let keys = prop_oneof![
                Just("id".to_string()),
                Just("bot".to_string()),
                Just("event".to_string()),
                Just("data".to_string()),
                Just("status".to_string()),
                Just("status_changes".to_string()),
                Just("code".to_string()),
                Just("sub_code".to_string()),
                Just("created_at".to_string()),
                Just("recordings".to_string()),
                Just("meeting_url".to_string()),
                Just("media_shortcuts".to_string()),
                Just("results".to_string()),
                "[a-z_]{1,8}"
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(keys, inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn code() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "ready",
                "joining_call",
                "in_waiting_room",
                "in_call_not_recording",
                "recording_permission_allowed",
                "recording_permission_denied",
                "in_call_recording",
                "call_ended",
                "recording_done",
                "done",
                "fatal",
                "analysis_done",
                "analysis_failed",
                "media_expired",
                "participant_in_waiting_room",
            ])
            .prop_map(str::to_string),
            "[a-z_]{1,20}",
        ]
    }

    fn sub_code() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop_oneof![
            prop::sample::select(
                catalog::entries()
                    .iter()
                    .map(|e| e.code.clone())
                    .collect::<Vec<_>>()
            ),
            "[a-z_]{1,20}",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn arbitrary_json_never_panics(v in json(), now in prop::option::of(any::<i64>())) {
            let text = v.to_string();
            let _ = diagnose::diagnose_json(&text, None, now.map(|n| n as f64));
            let _ = serde_json::from_str::<Bot>(&text);
            let _ = serde_json::from_str::<Screenshots>(&text);
            let _ = serde_json::from_str::<Logs>(&text);
            if let Ok(Input::Bot(b)) = model::parse_value(v.clone()) {
                let d = diagnose::diagnose(&b, None, None, None, now.and_then(Timestamp::from_millis));
                let _ = report::markdown(&d);
            }
            // Wrapped as a bot, to reach deeper into the model.
            let wrapped = serde_json::json!({"id": "x", "status_changes": v, "recordings": [v.clone()], "meeting_url": v});
            let _ = diagnose::diagnose_json(&wrapped.to_string(), Some(Region::UsWest2), None);
        }

        #[test]
        fn arbitrary_status_sequences_never_panic(
            seq in prop::collection::vec((code(), sub_code(), prop::option::of(-10_000i64..10_000)), 0..12),
            platform in prop::sample::select(vec!["zoom", "google_meet", "microsoft_teams", "webex", "goto_meeting", "slack_huddle_observer", "quantum_meet"]),
            now in prop::option::of(-20_000i64..20_000),
        ) {
            let base = 1_750_000_000_000i64;
            let changes: Vec<Value> = seq.iter().map(|(c, s, t)| serde_json::json!({
                "code": c, "sub_code": s,
                "created_at": t.and_then(|t| Timestamp::from_millis(base + t * 1000)).map(|t| t.to_rfc3339()),
            })).collect();
            let bot = serde_json::json!({"id": "b", "meeting_url": {"platform": platform}, "status_changes": changes});
            let bot: Bot = serde_json::from_value(bot).unwrap();
            let d = diagnose::diagnose(&bot, None, None, None, now.and_then(|n| Timestamp::from_millis(base + n * 1000)));
            let _ = report::markdown(&d);
            // Invariants.
            prop_assert_eq!(d.reason.is_none(), matches!(d.verdict, Verdict::Healthy | Verdict::InProgress));
            let ended = bot.status_changes.iter().any(|c| c.code.is_terminal());
            prop_assert_eq!(d.verdict == Verdict::InProgress, !ended);
            if bot.status_changes.iter().any(|c| c.code == model::StatusCode::Fatal) {
                prop_assert_eq!(d.verdict, Verdict::Failed);
            }
            for p in &d.phases {
                prop_assert!(p.seconds.is_none_or(|s| s >= 0));
            }
        }
    }
}
