//! The demo page, the embed and extension files with their content types, and CORS.

use super::*;

#[test]
fn serves_the_demo_page_embed_and_extension_with_content_types() {
    let www = TempDir::new();
    www.write("demo/index.html", "<!doctype html><title>demo</title>");
    www.write("app.js", "export {}");
    let dist = TempDir::new();
    dist.write("embed/botlens.js", "export function mount() {}");
    dist.write("embed/botlens_bg.wasm", "\0asm");
    dist.write("chrome/manifest.json", "{}");
    let server = Server::start(&[
        "--www",
        &www.path().display().to_string(),
        "--dist",
        &dist.path().display().to_string(),
    ]);
    let host = server.legacy_host();
    let fetch = |path: &str| server.send("GET", path, &host, &[]);

    let demo = fetch("/demo/");
    assert_eq!(demo.status, 200);
    assert!(demo.text().contains("<title>demo</title>"));
    assert!(demo.content_type().starts_with("text/html"));
    assert_eq!(
        fetch("/app.js").content_type(),
        "text/javascript; charset=utf-8"
    );
    let js = fetch("/embed/botlens.js");
    assert_eq!(js.status, 200);
    assert_eq!(js.content_type(), "text/javascript; charset=utf-8");
    let wasm = fetch("/embed/botlens_bg.wasm");
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.content_type(), "application/wasm");
    assert_eq!(wasm.body, b"\0asm");
    let manifest = fetch("/extension/chrome/manifest.json");
    assert_eq!(manifest.status, 200);
    assert_eq!(manifest.content_type(), "application/json");
    assert_eq!(fetch("/embed/missing.js").status, 404);
    assert_eq!(fetch("/nothing-here.html").status, 404);
    // Files never need the key.
    assert_eq!(fetch("/embed/botlens.js").header("www-authenticate"), None);
}

#[test]
fn missing_asset_folders_are_404_and_a_placeholder_demo_page() {
    let server = Server::demo(); // --www and --dist point at folders that do not exist
    let host = server.legacy_host();
    for path in [
        "/embed/botlens.js",
        "/extension/chrome/manifest.json",
        "/x.js",
    ] {
        assert_eq!(server.send("GET", path, &host, &[]).status, 404, "{path}");
    }
    let page = server.send("GET", "/demo/", &host, &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains(ZOOM_GOOD_WEST));
    // Still answering the API afterwards.
    assert_eq!(server.bot(ZOOM_DENIED_EAST, &host).status, 200);
}

#[test]
fn no_cors_by_default_like_recall_and_cors_with_the_flag() {
    let server = Server::start(&["--cors"]);
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    let preflight = server.send(
        "OPTIONS",
        &path,
        &host,
        &[
            ("Origin", "http://127.0.0.1:9999"),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    );
    assert!(preflight.status < 300, "{}", preflight.status);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
    let resp = server.bot(ZOOM_GOOD_WEST, &host);
    assert_eq!(resp.header("access-control-allow-origin"), Some("*"));
    assert!(resp
        .header("access-control-expose-headers")
        .unwrap()
        .contains("retry-after"));
    drop(server);

    for args in [&[][..], &["--no-cors"][..]] {
        let server = Server::start(args);
        let host = server.host("us-west-2");
        let resp = server.bot(ZOOM_GOOD_WEST, &host);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.header("access-control-allow-origin"), None);
        let preflight = server.send(
            "OPTIONS",
            &path,
            &host,
            &[
                ("Origin", "http://127.0.0.1:9999"),
                ("Access-Control-Request-Method", "GET"),
            ],
        );
        assert_eq!(preflight.status, 401);
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut server = Server::demo();
    assert_eq!(
        server.bot(ZOOM_DENIED_EAST, &server.legacy_host()).status,
        200
    );
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

/// The `expect` of every built-in bot is what `botlens diagnose` says about
/// the bot the simulator serves.
#[test]
fn builtin_expectations_match_botlens_diagnose() {
    let server = Server::demo();
    for scenario in server.catalog() {
        let id = scenario["id"].as_str().unwrap();
        let region = scenario["region"].as_str().unwrap();
        if scenario["faults"].as_array().is_some_and(|f| !f.is_empty()) {
            server.send("POST", "/sim/reset", &server.legacy_host(), &[]);
        }
        let mut resp = server.bot(id, &server.host(region));
        if resp.status == 429 {
            resp = server.bot(id, &server.host(region));
        }
        assert_eq!(resp.status, 200, "{id}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_botlens"))
            .args(["diagnose", "--json", "--region", region, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&resp.body).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let diagnosis: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(diagnosis["verdict"], scenario["expect"]["verdict"], "{id}");
        assert_eq!(diagnosis["reason"], scenario["expect"]["reason"], "{id}");
    }
}
