//! One skip list. What the live-page hover layer (`extension/static/hover.js`,
//! loaded by the extension's content scripts and by the embed) never reads is
//! what the HTML scan (`botlens scan`, `src/detect/html.rs`) never reads: the
//! same elements, the same editor values, the same opt-out. And no other
//! script keeps a list of its own.
#![cfg(not(target_arch = "wasm32"))] // the HTML scan is native only

use std::path::Path;

use botlens::detect::html::{EDITABLE_VALUES, OPT_OUT, SKIPPED_ELEMENTS};

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The JSON-shaped value of `const NAME = …;` in a script.
fn constant(script: &str, name: &str) -> serde_json::Value {
    let start = script
        .find(&format!("const {name} = "))
        .unwrap_or_else(|| panic!("hover.js has no const {name}"));
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
fn no_other_script_keeps_a_skip_list() {
    for script in [
        "extension/static/sensor.js",
        "extension/static/overview/state.js",
        "extension/static/overview/read.js",
        "www/static/botlens.mjs",
        "www/static/botlens.js",
        "www/static/card-frame.js",
    ] {
        let text = read(script);
        assert!(
            !text.contains("contenteditable=") && !text.contains("\"script,style"),
            "{script} lists skipped elements itself: use botlensHover (hover.js)"
        );
    }
}
