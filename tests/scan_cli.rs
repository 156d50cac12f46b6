//! `botlens scan` end to end: every corpus file through the binary (one loop), the grep-style
//! lines, JSON output, standard input, format choice, exit statuses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn botlens(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_botlens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run botlens");
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.unwrap_or_default())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/detect")
        .join(rel)
}

/// The `KIND ID` lines of an input's `.expected` file.
fn expected(input: &Path) -> Vec<String> {
    let mut exp = input.to_path_buf().into_os_string();
    exp.push(".expected");
    std::fs::read_to_string(exp)
        .expect("expected file")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn expected_ids(input: &Path) -> Vec<String> {
    expected(input)
        .iter()
        .filter_map(|l| l.split(' ').nth(1).map(String::from))
        .collect()
}

/// The IDs of `FILE:LINE: KIND ID` lines, in order.
fn ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.rsplit(' ').next().map(String::from))
        .collect()
}

#[test]
fn every_corpus_file() {
    let mut failures = Vec::new();
    for dir in ["text", "html"] {
        for entry in std::fs::read_dir(data(dir)).expect("corpus dir") {
            let input = entry.expect("entry").path();
            if input.extension().is_some_and(|x| x == "expected") {
                continue;
            }
            let expected = expected(&input);
            let path = input.to_str().expect("utf-8 path");
            let out = botlens(&["scan", path], None);
            // `FILE:LINE: KIND ID`: the file and a line number, then what .expected lists.
            let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| {
                    let rest = l.strip_prefix(path).and_then(|r| r.strip_prefix(':'));
                    match rest.and_then(|r| r.split_once(": ")) {
                        Some((n, kind_id)) if n.parse::<u64>().is_ok_and(|n| n > 0) => {
                            kind_id.to_string()
                        }
                        _ => format!("malformed line {l:?}"),
                    }
                })
                .collect();
            let want_code = if expected.is_empty() { 1 } else { 0 };
            if got != expected || out.status.code() != Some(want_code) {
                failures.push(format!(
                    "{}: status {:?}, expected {expected:?}, got {got:?}",
                    input.display(),
                    out.status.code()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_lists_each_id_once_with_its_first_appearance() {
    let log = data("text/app.log");
    let out = botlens(&["scan", "--json", log.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let list = v.as_array().expect("an array");
    assert_eq!(list.len(), expected_ids(&log).len());
    let first = &list[0];
    assert_eq!(first["id"], "b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e");
    assert_eq!(first["kind"], "bot");
    assert_eq!(first["file"], log.to_str().unwrap());
    assert_eq!(first["line"], 2);
    assert!(first["context"]
        .as_str()
        .unwrap()
        .contains("created bot_id=b2d4f6a8"));
    let upper = list
        .iter()
        .find(|e| e["id"] == "4e6a8c0e-2b4d-4f6a-9c8e-0a2c4e6a8c0e")
        .unwrap();
    assert_eq!(upper["line"], 3);
    let cand = list.iter().find(|e| e["kind"] == "candidate").unwrap();
    assert_eq!(cand["id"], "3b1f0d2e-8a7c-4e6b-9d5f-2c4e6a8b0d1f");
}

#[test]
fn stdin_dash_and_format_flags() {
    let html = b"<script>var a='c3000001-0000-4000-8000-000000000001'</script><a href='/bot/b3000002-0000-4000-8000-000000000002'>x</a>";
    // As text (stdin defaults to text): the script's id is found too.
    let out = botlens(&["scan", "-"], Some(html));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(standard input):1: candidate c3000001-0000-4000-8000-000000000001\n\
         (standard input):1: bot b3000002-0000-4000-8000-000000000002\n"
    );
    // As HTML: scripts are skipped.
    let out = botlens(&["scan", "--html", "-"], Some(html));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(standard input):1: bot b3000002-0000-4000-8000-000000000002\n"
    );
    // An .html file read with --text is text.
    let page = data("html/admin-bots.html");
    let out = botlens(&["scan", "--text", page.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("f0000002-0000-4000-8000-000000000002"));
    let out = botlens(&["scan", "--text", "--html", "-"], Some(b""));
    assert_eq!(
        out.status.code(),
        Some(2),
        "conflicting flags are a usage error"
    );
}

#[test]
fn ids_are_unique_across_files_and_merged() {
    // The recording in one file is never reported, even when another file mentions it bare.
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "recording_id=e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f bot 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74\n").unwrap();
    std::fs::write(&b, "e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f 7C1E4B2A-9D3F-4E8A-B5C6-2F1A0D9E8B74 95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e\n").unwrap();
    let out = botlens(&["scan", a.to_str().unwrap(), b.to_str().unwrap()], None);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}:1: bot 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74\n{}:1: candidate 95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e\n",
            a.display(),
            b.display()
        )
    );
}

#[test]
fn each_id_is_a_grep_style_line_at_its_first_appearance() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(
        &log,
        "start\n\
         GET /items/95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e\n\
         again 95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e\n\
         created bot_id=7C1E4B2A-9D3F-4E8A-B5C6-2F1A0D9E8B74\n",
    )
    .unwrap();
    let out = botlens(&["scan", log.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let name = log.display();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{name}:2: candidate 95db53d7-0c4e-4f49-be61-4d3a2b1c0f9e\n\
             {name}:4: bot 7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74\n"
        )
    );
    assert!(out.stderr.is_empty(), "found: nothing to say on stderr");
}

#[test]
fn exit_statuses() {
    let out = botlens(&["scan", "-"], Some(b"nothing here"));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "botlens scan: no bot ID found\n",
        "people are told; pipes get nothing"
    );
    let out = botlens(&["scan", "--json", "-"], Some(b"nothing here"));
    assert_eq!(
        (out.status.code(), out.stdout.as_slice()),
        (Some(1), &b"[]\n"[..])
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bot ID found"));

    let missing = "/nonexistent/botlens/input.log";
    let good = data("text/app.log");
    let out = botlens(&["scan", missing, good.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read /nonexistent/botlens/input.log"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    // The readable file is still scanned.
    assert!(ids(&out.stdout).contains(&"b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d4e".to_string()));

    let out = botlens(&["scan", env!("CARGO_MANIFEST_DIR")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a directory"));
}

#[test]
fn large_input_streams_across_chunks() {
    // 5 MB through stdin: ids on both sides of the 1 MiB chunk edges, each reported once.
    let mut input = Vec::new();
    let mut n = 0u32;
    while input.len() < 5_000_000 {
        input.extend_from_slice(format!("{:>07} INFO bot_id={:08x}-0000-4000-8000-000000000000 request_id=e3b9a1f4-6c2d-4a7e-9f80-{:012x}\n", n, n % 1000, n).as_bytes());
        n += 1;
    }
    let out = botlens(&["scan", "-"], Some(&input));
    assert_eq!(out.status.code(), Some(0));
    let ids = ids(&out.stdout);
    assert_eq!(ids.len(), 1000);
    assert_eq!(ids[0], "00000000-0000-4000-8000-000000000000");
    assert_eq!(ids[999], "000003e7-0000-4000-8000-000000000000");
    let last = String::from_utf8_lossy(&out.stdout);
    assert!(
        last.ends_with("(standard input):1000: bot 000003e7-0000-4000-8000-000000000000\n"),
        "line numbers hold across chunks"
    );
}
