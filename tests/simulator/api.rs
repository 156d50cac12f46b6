//! Routes, regions, auth and errors as Recall answers them, and the three endpoints.

use super::*;

#[test]
fn prints_one_line_with_its_urls() {
    let server = Server::demo();
    assert!(server.banner.ends_with('\n'));
    assert_eq!(server.banner.lines().count(), 1);
    assert!(server
        .banner
        .contains(&format!("http://127.0.0.1:{}/", server.port)));
    assert!(server
        .banner
        .contains(&format!("http://{{region}}.localhost:{}/", server.port)));
}

#[test]
fn demo_key_reads_a_bot_with_or_without_trailing_slash() {
    let server = Server::demo();
    let host = server.legacy_host();
    for path in [
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}"),
        format!("/api/v1/bot/{}/", ZOOM_DENIED_EAST.to_uppercase()),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 200, "{path}");
        assert_eq!(resp.content_type(), "application/json");
        let bot = resp.json();
        assert_eq!(bot["id"], ZOOM_DENIED_EAST);
        assert_eq!(
            statuses(&bot).last().map(String::as_str),
            Some("done"),
            "{path}"
        );
    }
    // The `Token ` prefix is optional, as on Recall.
    let resp = server.send(
        "GET",
        &format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        &host,
        &[("Authorization", "demo")],
    );
    assert_eq!(resp.status, 200);
    // HEAD answers like GET, without a body.
    let resp = server.send(
        "HEAD",
        &format!("/api/v1/bot/{ZOOM_DENIED_EAST}/"),
        &host,
        &[("Authorization", "Token demo")],
    );
    assert_eq!(resp.status, 200);
    assert!(resp.body.is_empty());
}

#[test]
fn region_is_the_first_label_of_the_host() {
    let server = Server::demo();
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(
        server.get(&path, &server.host("us-west-2"), "demo").status,
        200
    );
    assert_eq!(
        server
            .get(
                &path,
                &format!("us-west-2.recall.ai:{}", server.port),
                "demo"
            )
            .status,
        200
    );
    for host in [
        server.legacy_host(),
        server.host("us-east-1"),
        server.host("eu-central-1"),
        server.host("ap-northeast-1"),
        format!("localhost:{}", server.port),
        format!("api.localhost:{}", server.port),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 404, "{host}");
        assert_eq!(
            resp.json(),
            serde_json::json!({"code": "not_found", "detail": "Not found."})
        );
    }
    // Every built-in bot answers in its own region and nowhere else.
    let regions = ["us-west-2", "us-east-1", "eu-central-1", "ap-northeast-1"];
    for scenario in server.catalog() {
        let id = scenario["id"].as_str().unwrap();
        let home = scenario["region"].as_str().unwrap();
        if !scenario["faults"].as_array().unwrap().is_empty() {
            continue; // slow or throttled on purpose
        }
        for region in regions {
            let status = server.bot(id, &server.host(region)).status;
            assert_eq!(
                status,
                if region == home { 200 } else { 404 },
                "{id} in {region}"
            );
        }
        if home == "us-east-1" {
            assert_eq!(server.bot(id, &server.legacy_host()).status, 200, "{id}");
        }
    }
}

#[test]
fn auth_errors_look_like_recall() {
    let server = Server::demo();
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");

    let missing = server.send("GET", &path, &host, &[]);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header("www-authenticate"), Some("Token"));
    assert_eq!(missing.json()["code"], "not_authenticated");
    assert_eq!(
        missing.json()["detail"],
        "Authentication credentials were not provided."
    );

    for header in ["Token not-a-key", "Bearer demo", "Token", "wrong"] {
        let resp = server.send("GET", &path, &host, &[("Authorization", header)]);
        assert_eq!(resp.status, 401, "{header}");
        let body = resp.json();
        assert_eq!(body["code"], "authentication_failed", "{header}");
        let detail = body["detail"].as_str().unwrap().to_lowercase();
        assert!(detail.contains("invalid api token"), "{detail}");
        assert!(detail.contains("us-west-2") && detail.contains("ap-northeast-1"));
    }
    // Authentication comes before the look-up: an unknown bot with a bad key is 401.
    let resp = server.get(
        "/api/v1/bot/00000000-0000-4000-8000-000000000000/",
        &host,
        "nope",
    );
    assert_eq!(resp.status, 401);
    // Screenshots and logs need the key too.
    for tail in ["screenshots/", "logs/"] {
        let resp = server.send("GET", &format!("{path}{tail}"), &host, &[]);
        assert_eq!(resp.status, 401, "{tail}");
    }
}

#[test]
fn region_bound_keys_answer_401_elsewhere() {
    let server = Server::start(&[
        "--key",
        "us-west-2=westkey0123",
        "--key",
        "eu-central-1=eukey0456",
    ]);
    let west_path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(
        server
            .get(&west_path, &server.host("us-west-2"), "westkey0123")
            .status,
        200
    );
    let eu_path = format!("/api/v1/bot/{WEBEX_EU}/");
    assert_eq!(
        server
            .get(&eu_path, &server.host("eu-central-1"), "eukey0456")
            .status,
        200
    );
    // The west key on other hosts: 401 (even where the bot would be 404).
    for host in [
        server.legacy_host(),
        server.host("eu-central-1"),
        server.host("ap-northeast-1"),
    ] {
        let resp = server.get(&west_path, &host, "westkey0123");
        assert_eq!(resp.status, 401, "{host}");
        assert_eq!(resp.json()["code"], "authentication_failed");
    }
    assert_eq!(
        server
            .get(&eu_path, &server.host("us-west-2"), "eukey0456")
            .status,
        401
    );
    // `demo` still works everywhere.
    assert_eq!(
        server
            .get(&eu_path, &server.host("eu-central-1"), "demo")
            .status,
        200
    );
}

#[test]
fn keys_never_reach_the_logs() {
    let server = Server::start(&["--key", "us-west-2=SeCrEtKeY987"]);
    let host = server.host("us-west-2");
    let path = format!("/api/v1/bot/{ZOOM_GOOD_WEST}/");
    assert_eq!(server.get(&path, &host, "SeCrEtKeY987").status, 200);
    assert_eq!(server.get(&path, &host, "AnotherSecret55").status, 401);
    std::thread::sleep(Duration::from_millis(200));
    let log = server.stderr();
    assert!(log.contains("request"), "request logs expected: {log}");
    assert!(log.contains("us-west-2") && log.contains("200") && log.contains("401"));
    for secret in ["SeCrEtKeY987", "AnotherSecret55", "Token ", "uthorization"] {
        assert!(!log.contains(secret), "{secret} leaked into {log}");
    }
}

#[test]
fn not_found_paths_and_ids() {
    let server = Server::demo();
    let host = server.legacy_host();
    // A valid UUID nobody owns: Recall's JSON 404.
    let resp = server.get(
        "/api/v1/bot/00000000-0000-4000-8000-000000000000/",
        &host,
        "demo",
    );
    assert_eq!(resp.status, 404);
    assert_eq!(resp.json()["code"], "not_found");
    // Paths no route matches (a malformed id included): Django's HTML 404.
    for path in [
        "/api/v1/bot/not-a-uuid/".to_string(),
        "/api/v1/bot/1234/screenshots/".to_string(),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}x/"),
        format!("/api/v1/bot/{ZOOM_DENIED_EAST}/transcript/"),
        format!("/api/v2/bot/{ZOOM_DENIED_EAST}/"),
        "/api/v1/bot".to_string(),
        "/api/v1/".to_string(),
        "/api".to_string(),
    ] {
        let resp = server.get(&path, &host, "demo");
        assert_eq!(resp.status, 404, "{path}");
        assert!(resp.content_type().starts_with("text/html"), "{path}");
        assert!(resp.text().contains("Not Found"), "{path}");
    }
}

#[test]
fn other_methods_are_405_and_a_get_body_is_blocked_by_the_waf() {
    let server = Server::demo();
    let host = server.legacy_host();
    let path = format!("/api/v1/bot/{ZOOM_DENIED_EAST}/");
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let resp = server.send(method, &path, &host, &[("Authorization", "Token demo")]);
        assert_eq!(resp.status, 405, "{method}");
        assert_eq!(resp.json()["code"], "method_not_allowed");
        assert!(resp.json()["detail"].as_str().unwrap().contains(method));
        assert!(resp.header("allow").unwrap().contains("GET"));
    }
    for body in ["{}", "null"] {
        let resp = raw_request(
            server.port,
            "GET",
            &path,
            &host,
            &[("Authorization", "Token demo")],
            Some(body),
        );
        assert_eq!(resp.status, 403);
        assert!(resp.content_type().starts_with("text/html"));
        assert!(resp.text().contains("Request blocked"));
        assert!(serde_json::from_slice::<Value>(&resp.body).is_err());
    }
}

#[test]
fn screenshots_come_in_both_envelopes_with_images_on_the_request_host() {
    let server = Server::demo();
    for host in [
        server.host("us-west-2"),
        format!("us-west-2.127.0.0.1.nip.io:{}", server.port),
    ] {
        let base = format!("http://{host}/sim/screenshots/");
        // A bare array …
        let array = server
            .get(
                &format!("/api/v1/bot/{ZOOM_GOOD_WEST}/screenshots/"),
                &host,
                "demo",
            )
            .json();
        let items = array.as_array().expect("array envelope").clone();
        // … and a paginated object.
        let paged = server
            .get(
                &format!("/api/v1/bot/{ZOOM_LOBBY_WEST}/screenshots"),
                &host,
                "demo",
            )
            .json();
        assert!(paged["next"].is_null());
        let more = paged["results"]
            .as_array()
            .expect("results envelope")
            .clone();
        assert!(!items.is_empty() && !more.is_empty());
        for item in items.iter().chain(&more) {
            let url = item["url"].as_str().unwrap();
            assert!(url.starts_with(&base), "{url} on {host}");
            assert!(item["id"].is_string() && item["recorded_at"].is_string());
        }
        // The image itself needs no key (like a signed S3 link).
        let url = items[0]["url"].as_str().unwrap();
        let path = &url[format!("http://{host}").len()..];
        let image = server.send("GET", path, &host, &[]);
        assert_eq!(image.status, 200);
        assert_eq!(image.content_type(), "image/svg+xml");
        assert!(image.text().starts_with("<svg"));
    }
}

#[test]
fn logs_and_media_links() {
    let server = Server::demo();
    let host = server.host("us-west-2");
    let logs = server
        .get(
            &format!("/api/v1/bot/{ZOOM_GOOD_WEST}/logs/"),
            &host,
            "demo",
        )
        .json();
    let messages: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"zoom_join_token_fetch_using_zoom_oauth_failed"));
    assert!(messages.contains(&"zoom_third_party_recording_token_fetch_using_zoom_oauth_failed"));
    for log in logs.as_array().unwrap() {
        assert!(log["level"].is_string() && log["created_at"].is_string());
    }
    // Download links in media_shortcuts point at the simulator.
    let bot = server.bot(ZOOM_GOOD_WEST, &host).json();
    let url = bot["recordings"][0]["media_shortcuts"]["transcript"]["data"]["download_url"]
        .as_str()
        .unwrap();
    let prefix = format!("http://{host}");
    assert!(url.starts_with(&prefix), "{url}");
    let transcript = server.send("GET", &url[prefix.len()..], &host, &[]);
    assert_eq!(transcript.status, 200);
    assert!(transcript.json().is_array());
}
