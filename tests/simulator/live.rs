//! `botlens diagnose <bot ID | Explorer URL>`: the live look-up from the
//! terminal against the simulator — regions found as the extension finds
//! them, screenshots and logs fetched, 429 waited out, the key read from the
//! environment only and never printed.

use super::*;

fn diagnose(server: &Server, key: Option<&str>, args: &[&str]) -> std::process::Output {
    let host = format!("http://{{region}}.localhost:{}", server.port);
    let mut command = Command::new(env!("CARGO_BIN_EXE_botlens"));
    command.args(["diagnose", "--host", &host]).args(args);
    command.env_remove("RECALL_API_KEY");
    if let Some(key) = key {
        command.env("RECALL_API_KEY", key);
    }
    command.output().expect("botlens runs")
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bot_id_is_looked_up_live_in_its_region() {
    let server = Server::demo();
    let out = diagnose(&server, Some("demo"), &["--json", ZOOM_LOBBY_WEST]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let d: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(d["verdict"], "failed");
    assert_eq!(d["reason"], "timeout_exceeded_waiting_room");
    assert_eq!(d["region"], "us-west-2");
    assert_eq!(d["region_assumed"], false);
    assert_eq!(d["evidence"], "live");
    assert!(
        !d["screenshots"].as_array().unwrap().is_empty(),
        "screenshots fetched: {stdout}"
    );

    // An Explorer URL names the bot and its region: only that region is asked.
    let url = format!("https://eu-central-1.recall.ai/dashboard/explorer/bot/{WEBEX_EU}");
    let out = diagnose(&server, Some("demo"), &[&url]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Region    eu-central-1"), "{stdout}");
    let requests = std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(!requests.contains("Token demo"), "the key is not logged");
}

#[test]
fn throttling_is_waited_out() {
    let server = Server::demo();
    let out = diagnose(&server, Some("demo"), &["--json", THROTTLED_WEST]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let d: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(d["bot_id"], THROTTLED_WEST);
}

#[test]
fn failures_say_what_to_try_and_never_show_the_key() {
    let server = Server::demo();
    let secret = "sk-live-NOT-A-REAL-KEY-0123456789";
    let out = diagnose(&server, Some(secret), &[ZOOM_LOBBY_WEST]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("refused") && stderr.contains("--region"),
        "{stderr}"
    );
    assert!(!stderr.contains(secret) && !stdout.contains(secret));
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let out = diagnose(&server, None, &[ZOOM_LOBBY_WEST]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("RECALL_API_KEY"), "{stderr}");

    let out = diagnose(
        &server,
        Some("demo"),
        &["00000000-0000-4000-8000-000000000000"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("No bot with this ID"), "{stderr}");

    let out = diagnose(&server, Some("demo"), &["not-a-bot-or-a-file"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("not a bot ID"), "{stderr}");
}

#[test]
fn save_keeps_the_evidence_in_one_file_that_loads_nothing() {
    let server = Server::demo();
    let scratch = TempDir::new();
    let file = scratch.path().join("evidence.html");
    let out = diagnose(
        &server,
        Some("demo"),
        &["--save", &file.display().to_string(), ZOOM_GOOD_WEST],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("HEALTHY"), "the usual answer too: {stdout}");
    assert!(
        stderr.contains(&format!("evidence saved to {}", file.display()))
            && stderr.contains("3 screenshots"),
        "{stderr}"
    );
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("<span class=\"verdict v-healthy\">Healthy</span>"));
    // The simulator draws its screenshots as SVG: each is in the file itself.
    assert_eq!(page.matches("src=\"data:image/svg+xml;base64,").count(), 3);
    assert!(page.contains("Bot logs (UTC)") && page.contains("<td class=\"lvl\">"));
    assert!(
        page.contains("&quot;status_changes&quot;"),
        "the bot's JSON"
    );
    // Nothing is loaded when it opens: every src is data:, every link one to click.
    let attr = |name: &str| -> Vec<String> {
        page.split(&format!(" {name}=\""))
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(String::from))
            .collect()
    };
    assert!(attr("src").iter().all(|s| s.starts_with("data:image/")));
    assert!(attr("href")
        .iter()
        .all(|h| page.contains(&format!("<a href=\"{h}\""))));
    for loader in ["<link", "<script", "@import", "url(", "<iframe"] {
        assert!(!page.contains(loader), "{loader}");
    }
    assert!(
        !page.contains(&format!("localhost:{}", server.port)),
        "no signed or local links"
    );
    assert!(
        !page.contains("aGk3QnlvT2x6"),
        "the meeting password is out"
    );
}
