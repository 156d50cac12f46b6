//! Detection contract tests: the data-driven corpora in `tests/data/detect` (one assertion
//! loop), the stream at many chunk sizes, and the small API (`at`, `is_uuid`,
//! `classify_attribute`).

use std::path::{Path, PathBuf};

use botlens::detect::{self, Kind, Verdicts};

fn corpus(dir: &str) -> Vec<(PathBuf, Vec<String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/detect")
        .join(dir);
    let mut cases: Vec<(PathBuf, Vec<String>)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x != "expected"))
        .map(|input| {
            let mut exp = input.clone().into_os_string();
            exp.push(".expected");
            let expected = std::fs::read_to_string(&exp)
                .unwrap_or_else(|e| panic!("{}: {e}", Path::new(&exp).display()));
            let lines = expected
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect();
            (input, lines)
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    cases
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Bot => "bot",
        Kind::Candidate => "candidate",
    }
}

/// Unique `kind id` lines in order of first appearance.
fn unique(matches: impl IntoIterator<Item = (String, Kind)>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    matches
        .into_iter()
        .filter(|(id, _)| seen.insert(id.clone()))
        .map(|(id, k)| format!("{} {id}", kind_name(k)))
        .collect()
}

/// The stream at a given chunk size, merged like `scan`.
fn stream_unique(bytes: &[u8], chunk: usize) -> Vec<String> {
    let mut occ = Vec::new();
    let mut verdicts = Verdicts::default();
    let opts = detect::stream::Options {
        count_lines: true,
        chunk,
    };
    detect::stream::scan_reader(bytes, &opts, |f| {
        verdicts.note(f.id, f.seen);
        occ.push(f.id);
    })
    .expect("reading a slice cannot fail");
    unique(occ.into_iter().filter_map(|id| {
        let kind = verdicts.kind(&id)?;
        Some((String::from_utf8_lossy(&id).into_owned(), kind))
    }))
}

#[test]
fn corpora() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (input, expected) in corpus("text") {
        let text = std::fs::read_to_string(&input).expect("corpus files are UTF-8");
        let mut runs = vec![(
            "scan".to_string(),
            unique(detect::scan(&text).into_iter().map(|m| (m.id, m.kind))),
        )];
        for chunk in [1, 7, 64, 1000, 1 << 20] {
            runs.push((
                format!("stream chunk={chunk}"),
                stream_unique(text.as_bytes(), chunk),
            ));
        }
        for (how, got) in runs {
            checked += 1;
            if got != expected {
                failures.push(format!(
                    "{} ({how}):\n  expected {expected:#?}\n  got      {got:#?}",
                    input.display()
                ));
            }
        }
    }
    for (input, expected) in corpus("html") {
        let html = std::fs::read_to_string(&input).expect("corpus files are UTF-8");
        let got = unique(
            detect::html::scan(&html)
                .into_iter()
                .map(|m| (m.id, m.kind)),
        );
        checked += 1;
        if got != expected {
            failures.push(format!(
                "{} (html):\n  expected {expected:#?}\n  got      {got:#?}",
                input.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn offsets_point_at_the_uuid_on_char_boundaries() {
    let text = "ボット «7C1E4B2A-9D3F-4E8A-B5C6-2F1A0D9E8B74» é bot_id=95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e";
    let m = detect::scan(text);
    assert_eq!(m.len(), 2);
    for x in &m {
        assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end));
        assert_eq!(text[x.start..x.end].to_ascii_lowercase(), x.id);
    }
    assert_eq!(m[0].id, "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74");
    assert_eq!(m[0].kind, Kind::Candidate);
    assert_eq!(m[1].kind, Kind::Bot);
    assert_eq!(m[1].start, text.len() - 36);
}

#[test]
fn at_finds_the_uuid_under_the_caret() {
    let text = "see recording e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f of bot 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74 now";
    let bot = text.find("7c1e").unwrap();
    for off in [bot, bot + 10, bot + 36] {
        let m = detect::at(text, off).expect("covers the bot id");
        assert_eq!((m.start, m.end, m.kind), (bot, bot + 36, Kind::Bot));
    }
    // Touching is enough, one byte further is not.
    assert!(detect::at(text, bot - 1).is_none());
    assert!(detect::at(text, bot + 37).is_none());
    // The recording is never reported, even under the caret.
    assert!(detect::at(text, text.find("e3b9").unwrap() + 3).is_none());
    // Out of range and inside a multi-byte character: no panic.
    assert!(detect::at(text, usize::MAX).is_none());
    let cjk = "é7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
    assert!(detect::at(cjk, 1).is_none()); // inside `é`, before the id
    assert!(detect::at(cjk, 2).is_some_and(|m| m.start == 2));
}

#[test]
fn is_uuid_validates_exactly_one_uuid() {
    assert!(detect::is_uuid("7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74"));
    assert!(detect::is_uuid("7C1E4B2A-9D3F-4E8A-B5C6-2F1A0D9E8B74"));
    assert!(detect::is_uuid("00000000-0000-0000-0000-000000000000"));
    for bad in [
        "",
        "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b7",
        "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b744",
        " 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74",
        "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b7g",
        "7c1e4b2a9d3f-4e8a-b5c6-2f1a0d9e8b74-",
        "7c1e4b2a-9d3f-4e8a-b5c62f1a0d9e8b74",
        "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b7é",
    ] {
        assert!(!detect::is_uuid(bad), "{bad:?}");
    }
}

#[test]
fn classify_attribute_uses_value_then_name() {
    let id = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
    let kinds = |name: &str, value: &str| -> Vec<(usize, Kind)> {
        detect::classify_attribute(name, value)
            .into_iter()
            .map(|m| (m.start, m.kind))
            .collect()
    };
    assert_eq!(kinds("href", &format!("/bot/{id}")), vec![(5, Kind::Bot)]);
    assert_eq!(
        kinds(
            "href",
            &format!("https://x/dashboard/explorer/bot/{id}?tab=logs")
        )
        .len(),
        1
    );
    assert_eq!(kinds("href", &format!("/recording/{id}")), vec![]);
    assert_eq!(kinds("href", &format!("/recordings/{id}/download")), vec![]);
    assert_eq!(kinds("data-bot-id", id), vec![(0, Kind::Bot)]);
    assert_eq!(kinds("DATA-BOT-ID", id), vec![(0, Kind::Bot)]);
    assert_eq!(kinds("data-recording-id", id), vec![]);
    assert_eq!(kinds("data-screenshot", id), vec![]);
    assert_eq!(kinds("data-id", id), vec![(0, Kind::Candidate)]);
    assert_eq!(kinds("title", &format!("Bot {id}")), vec![(4, Kind::Bot)]);
    assert_eq!(kinds("aria-label", &format!("recording {id}")), vec![]);
    assert_eq!(kinds("title", id), vec![(0, Kind::Candidate)]);
    // Evidence in the value beats the attribute name.
    assert_eq!(kinds("data-bot-id", &format!("/recordings/{id}")), vec![]);
    // Attributes that are not read.
    assert_eq!(kinds("class", id), vec![]);
    assert_eq!(kinds("value", id), vec![]);
    assert_eq!(kinds("id", id), vec![]);
}

#[test]
fn chunk_edges_inside_ids_and_context() {
    // Put a bot id and its label at every position around a chunk edge.
    let id = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
    let rec = "e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f";
    for pad in (0..120).step_by(3) {
        let text = format!(
            "{}\n{{\"bot\": {{\"metadata\": {{}}, \"id\": \"{id}\"}}, \"recording_id\": \"{rec}\"}}\n",
            "x".repeat(pad)
        );
        let expected = vec![format!("bot {id}")];
        for chunk in [1, 13, 50, 64, 97] {
            assert_eq!(
                stream_unique(text.as_bytes(), chunk),
                expected,
                "pad={pad} chunk={chunk}"
            );
        }
    }
}

#[test]
fn stream_reports_lines_and_context() {
    let text = "a\nb\nbot_id=7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74 done\n";
    let mut got = Vec::new();
    let opts = detect::stream::Options {
        count_lines: true,
        chunk: 5,
    };
    detect::stream::scan_reader(text.as_bytes(), &opts, |f| {
        got.push((f.line, f.offset, f.context()));
    })
    .expect("slice");
    assert_eq!(
        got,
        vec![(
            3,
            11,
            "bot_id=7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74 done".to_string()
        )]
    );
}

#[test]
fn scan_bytes_survives_invalid_utf8() {
    let mut bytes = b"\xff\xfe bot 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74 \xc3".to_vec();
    bytes.extend_from_slice(&[0x80; 5]);
    let m = detect::scan_bytes(&bytes);
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].start, m[0].kind), (7, Kind::Bot));
}

#[test]
fn html_lines_and_skips() {
    let html = "<p>\nline two\n<span>bot b3000001-0000-4000-8000-000000000001</span></p>\n<script>\nvar x = 'c3000001-0000-4000-8000-000000000001';\n</script>\n<a href='/bot/b3000002-0000-4000-8000-000000000002'>x</a>";
    let m = detect::html::scan(html);
    let got: Vec<(&str, u64)> = m.iter().map(|m| (m.id.as_str(), m.line)).collect();
    assert_eq!(
        got,
        vec![
            ("b3000001-0000-4000-8000-000000000001", 3),
            ("b3000002-0000-4000-8000-000000000002", 7)
        ]
    );
}
