//! One skip list. What the live-page hover layer (`extension/static/hover.js`,
//! loaded by the extension's content scripts and by the embed) never reads is
//! what the HTML scan (`botlens scan`, `src/detect/html.rs`) never reads: the
//! same elements, the same editor values, the same opt-out. And no other
//! script keeps a list of its own.
//!
//! One intended difference: the embed also skips its own elements (`OWN` in
//! `www/static/botlens.mjs`: `<botlens-card>`, `<botlens-triage>`, their hosts and frames), passed to
//! `skipped` as `also`. They are botlens's output, not page text, and a saved
//! page's `<botlens-card bot-id>` carries its ID in no attribute the scan reads.
#![cfg(not(target_arch = "wasm32"))] // the HTML scan is native only

use std::path::Path;

use botlens::detect::html::{BLOCK_ELEMENTS, EDITABLE_VALUES, OPT_OUT, SKIPPED_ELEMENTS};

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The JSON-shaped value of `const NAME = …;` in a script.
fn constant(script: &str, name: &str) -> serde_json::Value {
    let start = script
        .find(&format!("const {name} = "))
        .unwrap_or_else(|| panic!("the script has no const {name}"));
    let value = &script[start + name.len() + 9..];
    let end = value.find(";\n").expect("the constant ends its line");
    serde_json::from_str(&value[..end]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn the_hover_layer_skips_what_the_html_scan_skips() {
    let hover = read("extension/static/hover.js");
    let tags = constant(&hover, "SKIP_TAGS");
    let mut js: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut rust = SKIPPED_ELEMENTS.to_vec();
    js.sort_unstable();
    rust.sort_unstable();
    assert_eq!(js, rust, "skipped elements");

    let editable = constant(&hover, "EDITABLE");
    let js: Vec<&str> = editable
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(js, EDITABLE_VALUES, "contenteditable values");

    let opt_out = constant(&hover, "OPT_OUT");
    assert_eq!(
        opt_out.as_str(),
        Some(format!("[{}={} i]", OPT_OUT.0, OPT_OUT.1).as_str()),
        "the page's opt-out"
    );
}

#[test]
fn the_hover_layer_reads_lines_as_the_html_scan_does() {
    let reach = read("extension/static/reach.js");
    let tags = constant(&reach, "BLOCK_TAGS");
    let js: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(js, BLOCK_ELEMENTS, "block elements, in the same order");
}

/// Every script of the extension and the embed, at any depth, but hover.js.
fn scripts(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scripts(&path, out);
        } else if path.extension().is_some_and(|e| e == "js" || e == "mjs")
            && !path.ends_with("extension/static/hover.js")
        {
            out.push(path);
        }
    }
}

#[test]
fn no_other_script_keeps_a_skip_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for dir in ["extension/static", "www/static"] {
        scripts(&root.join(dir), &mut found);
    }
    // The sensor, the overview's parts and the embed's loader at least.
    assert!(found.len() >= 10, "{found:?}");
    for script in found {
        let text = std::fs::read_to_string(&script).unwrap();
        // Words only a skip list writes: an editor by its value, a skipped element.
        assert!(
            !text.contains("contenteditable=") && !text.contains("noscript"),
            "{} lists skipped elements itself: use botlensHover (hover.js)",
            script.display()
        );
    }
}
