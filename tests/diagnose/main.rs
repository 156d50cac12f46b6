//! The diagnosis engine, end to end.
//!
//! * `tests/data/diagnose/*.json`: one case per file — a `bot` as Recall
//!   returns it now (the card's view), or a `webhook` or a saved `document`
//!   read as the CLI reads a file; optional `screenshots`, `logs`, `region`,
//!   `now`, and what we `expect` (`text` / `not_text`: words the Markdown
//!   report must and must not hold). One assertion loop runs them all.
//! * Every code Recall documents (`tests/data/recall/codes.json`, facts only) is
//!   covered by our catalog.
//! * Arbitrary JSON and arbitrary status sequences never panic (`never_panic.rs`).
//! * The CLI (`cli.rs`): JSON keys, human output, and one clear line on bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use botlens::diagnose::{self, catalog, document, report, Diagnosis, Verdict};
use botlens::recall::model::{self, Bot, Input, Logs, Screenshots, StatusChange};
use botlens::recall::region::Region;
use botlens::recall::time::Timestamp;
use serde_json::{json, Value};

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
    let Some(bot) = doc.get("bot") else {
        let saved = doc
            .get("webhook")
            .or(doc.get("document"))
            .expect("case has a bot, a webhook or a document");
        let input = model::parse_value(saved.clone()).expect("the document reads");
        let beside = document::Beside {
            screenshots: shots.as_ref(),
            logs: logs.as_ref(),
        };
        return match document::answer(&input, beside, region, now) {
            document::Answer::Diagnosis(d) => *d,
            other => panic!("expected a diagnosis, got {other:?}"),
        };
    };
    let bot = serde_json::from_value::<Bot>(bot.clone()).expect("bot parses");
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

        if let Some(w) = expect.get("whose_move") {
            let got = serde_json::to_value(d.whose_move).unwrap();
            check("whose_move", &got == w, format!("{got}"));
        }
        if let Some(e) = expect.get("evidence").and_then(Value::as_str) {
            let got = serde_json::to_value(d.evidence).unwrap();
            check("evidence", got == e, format!("{got}"));
        }
        let md = report::markdown(&d);
        for (key, want) in [("text", true), ("not_text", false)] {
            for words in expect
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let words = words.as_str().unwrap();
                check(
                    key,
                    md.contains(words) == want,
                    format!("{words:?} in\n{md}"),
                );
            }
        }

        // Invariants every diagnosis keeps.
        let reasonless = matches!(d.verdict, Verdict::Healthy | Verdict::InProgress);
        let may_have_reason = d.verdict == Verdict::Unknown;
        check(
            "reason iff failed/warning",
            may_have_reason || reasonless == d.reason.is_none(),
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
        ("artifact_codes", "sub_code"),
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
                    if list == "artifact_codes" && e.kind != catalog::Kind::Artifact {
                        missing.push(format!("{code} (an artifact's code, ours {:?})", e.kind));
                    }
                    if e.explanation.trim().is_empty() {
                        missing.push(format!("{code} (no explanation)"));
                    }
                    // Every cause names whose move it is (statuses are not causes).
                    if list != "status_codes" && e.whose_move().is_none() {
                        missing.push(format!("{code} (no whose move)"));
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

/// The core takes the time from its caller (a `Clock`, a `now`): wasm32 has no
/// `SystemTime::now()`, and tests need no sleeping.
#[test]
fn the_library_never_reads_the_clock() {
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for room in ["detect", "recall", "diagnose", "ui"] {
        rust_files(&root.join(room), &mut files);
    }
    assert!(files.len() > 30, "{} files", files.len());
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for banned in ["SystemTime::now(", "Instant::now("] {
            assert!(!text.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

/// A file of `tests/data/recall/`: Recall payloads as the API sends them.
fn recall_data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/recall")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

mod cli;
mod documents;
mod never_panic;
