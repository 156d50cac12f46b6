//! Rust → wasm32 → wasm-bindgen → wasm-opt → the extension folders and dist/.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::tools::npx_bin;
use crate::{cargo, root, run, Result};

/// Where a build put things.
pub struct Output {
    pub pkg: PathBuf,
    /// Chromium build with loopback permissions, for tests and the demo only.
    pub test_extension: PathBuf,
    /// The same for Firefox (the geckodriver end-to-end test).
    pub test_firefox: PathBuf,
    pub chrome: PathBuf,
    pub firefox: PathBuf,
    /// The embed: botlens.js, botlens.mjs, card.html and the wasm (`dist/embed`).
    pub embed: PathBuf,
    pub embed_pkg: PathBuf,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Browser {
    Chrome,
    Firefox,
}

/// The four regional hosts and the legacy one: the only hosts the store builds may call.
const RECALL_HOSTS: [&str; 5] = [
    "https://us-west-2.recall.ai/*",
    "https://us-east-1.recall.ai/*",
    "https://eu-central-1.recall.ai/*",
    "https://ap-northeast-1.recall.ai/*",
    "https://api.recall.ai/*",
];

/// What the store builds may ask for: the key and preferences, and the
/// "Look up with botlens" menu item. Nothing that reads tabs or pages.
const PERMISSIONS: [&str; 2] = ["storage", "contextMenus"];

/// The simulator on loopback: test builds only, never in dist/.
const LOOPBACK_HOSTS: [&str; 3] = [
    "http://127.0.0.1/*",
    "http://localhost/*",
    "http://*.localhost/*",
];

/// Image sources the test builds' pages also allow (the simulator's screenshots).
const LOOPBACK_IMAGES: &str = "http://127.0.0.1:* http://localhost:* http://*.localhost:*";

/// The wasm modules: the extension's three (the worker carries the engine; the
/// card frame carries only the card; the other pages share the third) and the
/// embed's. Each is its own crate, so one cargo run builds them side by side
/// and each keeps its incremental cache.
const EXTENSION_MODULES: [&str; 3] = ["botlens-card", "botlens-pages", "botlens-worker"];
const EMBED_MODULE: &str = "botlens-embed";

pub fn all(zips: bool) -> Result<Output> {
    let profile = wasm_profile();
    let mut build = cargo("build");
    build.args(["--target", "wasm32-unknown-unknown", "--profile", &profile]);
    for package in EXTENSION_MODULES.iter().chain([&EMBED_MODULE]) {
        build.args(["-p", package]);
    }
    run(&mut build)?;
    let out = paths();
    for package in EXTENSION_MODULES {
        bindgen(package, &profile, &out.pkg)?;
    }
    bindgen(EMBED_MODULE, &profile, &out.embed_pkg)?;
    assemble_embed(&out.embed_pkg, &out.embed)?;
    assemble(&out.pkg, &out.test_extension, Browser::Chrome, true)?;
    assemble(&out.pkg, &out.test_firefox, Browser::Firefox, true)?;
    assemble(&out.pkg, &out.chrome, Browser::Chrome, false)?;
    assemble(&out.pkg, &out.firefox, Browser::Firefox, false)?;
    if zips {
        zip(&out.chrome, &root().join("dist/botlens-chrome.zip"))?;
        zip(&out.firefox, &root().join("dist/botlens-firefox.zip"))?;
        zip(
            &out.test_firefox,
            &root().join("target/botlens/extension-test-firefox.zip"),
        )?;
        print_sizes(&out)?;
    }
    Ok(out)
}

/// Where a build puts things.
fn paths() -> Output {
    let target = root().join("target/botlens");
    Output {
        pkg: target.join("extension/pkg"),
        test_extension: target.join("extension-test"),
        test_firefox: target.join("extension-test-firefox"),
        chrome: root().join("dist/chrome"),
        firefox: root().join("dist/firefox"),
        embed: root().join("dist/embed"),
        embed_pkg: target.join("embed/pkg"),
    }
}

/// What the last build left, without building.
pub fn last() -> Result<Output> {
    let out = paths();
    if !out.test_extension.join("manifest.json").exists() || !out.embed.exists() {
        return Err("nothing is built yet: run `cargo xtask build` first".into());
    }
    Ok(out)
}

/// `wasm-release` (what ships); `BOTLENS_WASM_PROFILE=dev` skips the slow size
/// optimisations while iterating.
fn wasm_profile() -> String {
    std::env::var("BOTLENS_WASM_PROFILE").unwrap_or_else(|_| "wasm-release".into())
}

/// The wasm module's JS glue (wasm-bindgen), shrunk by wasm-opt, in `pkg`.
/// Skipped when `pkg` already holds the glue of this very build.
fn bindgen(package: &str, profile: &str, pkg: &Path) -> Result {
    // Cargo names the file after the crate, with underscores: `botlens_card`.
    let name = package.replace('-', "_");
    let dir = if profile == "dev" { "debug" } else { profile };
    let raw = root().join(format!("target/wasm32-unknown-unknown/{dir}/{name}.wasm"));
    let bg = pkg.join(format!("{name}_bg.wasm"));
    let stamp = pkg.join(format!("{name}.stamp"));
    let built = fs::metadata(&raw)
        .and_then(|m| m.modified())
        .map_err(|e| format!("{}: {e}", raw.display()))?;
    let this_build = format!("{profile} {built:?}");
    if bg.exists() && fs::read_to_string(&stamp).is_ok_and(|s| s == this_build) {
        return Ok(());
    }
    let _ = fs::remove_file(&stamp);
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(pkg)
        .arg(&raw))?;
    if profile != "dev" {
        // binaryen from npm: Debian's older wasm-opt silently breaks wasm-bindgen's output.
        run(Command::new(npx_bin("wasm-opt"))
            .arg("-Oz")
            .arg(&bg)
            .arg("-o")
            .arg(&bg))?;
    }
    fs::write(&stamp, this_build).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// The hover layer the embed shares with the extension (one source each, in
/// `extension/static/`).
const HOVER_LAYER: [&str; 2] = ["reach.js", "hover.js"];

/// The embed: `www/static/*`, the hover layer and the wasm package side by side.
fn assemble_embed(pkg: &Path, dir: &Path) -> Result {
    let _ = fs::remove_dir_all(dir);
    copy_dir(&root().join("www/static"), dir)?;
    for file in HOVER_LAYER {
        let shared = root().join("extension/static").join(file);
        fs::copy(&shared, dir.join(file)).map_err(|e| format!("{}: {e}", shared.display()))?;
    }
    copy_dir(pkg, &dir.join("pkg"))
}

/// One manifest template, one line per browser difference.
fn manifest(browser: Browser, loopback: bool) -> Result<Value> {
    let path = root().join("extension/static/manifest.json");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut m: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    m["host_permissions"] = json!(RECALL_HOSTS);
    match browser {
        // Chrome runs the background as a module service worker, and serves the
        // card frame from a per-session URL, so no page can fingerprint the install.
        Browser::Chrome => {
            m["background"] = json!({"service_worker": "background.js", "type": "module"});
            m["web_accessible_resources"][0]["use_dynamic_url"] = json!(true);
        }
        // Firefox runs it as an event page and needs an add-on ID (also for storage.sync) and a data-collection statement.
        Browser::Firefox => {
            m["background"] = json!({"scripts": ["background.js"], "type": "module"});
            m["browser_specific_settings"] = json!({"gecko": {
                "id": "botlens@botlens.dev",
                "strict_min_version": "140.0",
                "data_collection_permissions": {"required": ["none"]}
            }, "gecko_android": {"strict_min_version": "142.0"}});
        }
    }
    if loopback {
        if let Some(hosts) = m["host_permissions"].as_array_mut() {
            hosts.extend(LOOPBACK_HOSTS.iter().map(|h| json!(h)));
        }
        // The simulator's screenshots, served over plain http on loopback.
        let csp = &mut m["content_security_policy"]["extension_pages"];
        if let Some(policy) = csp.as_str() {
            *csp = json!(format!("{policy} {LOOPBACK_IMAGES}"));
        }
        m["name"] = json!("botlens (test build)");
    } else {
        check_store_manifest(&m)?;
    }
    Ok(m)
}

/// A store build asks for the Recall hosts and `storage` only; loopback and
/// any other host may only be optional (a team proxy, asked for on Save).
fn check_store_manifest(m: &Value) -> Result {
    let strings = |key: &str| -> Vec<String> {
        m[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let hosts = strings("host_permissions");
    if hosts.iter().any(|h| !RECALL_HOSTS.contains(&h.as_str())) {
        return Err(format!(
            "store manifest asks for hosts beyond Recall's: {hosts:?}"
        ));
    }
    if strings("permissions") != PERMISSIONS {
        return Err(format!(
            "store manifest permissions must be {PERMISSIONS:?}, not {:?}",
            strings("permissions")
        ));
    }
    let text = m.to_string();
    if text.contains("localhost") || text.contains("127.0.0.1") || m["name"] != json!("botlens") {
        return Err("store manifest carries test-build (loopback) settings".into());
    }
    Ok(())
}

/// Copy the static files and the wasm package into an unpacked extension folder.
fn assemble(pkg: &Path, dir: &Path, browser: Browser, loopback: bool) -> Result {
    let _ = fs::remove_dir_all(dir);
    copy_dir(&root().join("extension/static"), dir)?;
    copy_dir(pkg, &dir.join("pkg"))?;
    let manifest =
        serde_json::to_string_pretty(&manifest(browser, loopback)?).map_err(|e| e.to_string())?;
    fs::write(dir.join("manifest.json"), manifest).map_err(|e| format!("{}: {e}", dir.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        // The build's freshness stamps stay in target/, out of what ships.
        if path.extension().is_some_and(|x| x == "stamp") {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn zip(dir: &Path, file: &Path) -> Result {
    let _ = fs::remove_file(file);
    // Python's zipfile is on every machine this project targets; no zip binary needed.
    run(Command::new("python3")
        .args(["-m", "zipfile", "-c"])
        .arg(file)
        .args(
            fs::read_dir(dir)
                .map_err(|e| e.to_string())?
                .flatten()
                .map(|e| e.path()),
        ))
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("gzip: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("gzip: no stdin")?;
    // Fed from another thread: gzip writes while it reads, and once its output fills the stdout
    // pipe it waits for a reader; writing everything first would then wait forever.
    std::thread::scope(|scope| {
        let feeder = scope.spawn(move || stdin.write_all(bytes));
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        match feeder.join() {
            Ok(written) => written.map_err(|e| format!("gzip: {e}"))?,
            Err(_) => return Err("gzip: the writer thread panicked".into()),
        }
        Ok(out.stdout.len())
    })
}

/// Raw and gzip size of each wasm module and its JS glue, and the card
/// frame's total against its budget.
pub fn print_sizes(out: &Output) -> Result {
    println!("{:<44} {:>10} {:>10}", "file", "raw B", "gzip -9 B");
    for module in ["botlens_card", "botlens_pages", "botlens_worker"] {
        let mut total = (0, 0);
        for file in [format!("{module}_bg.wasm"), format!("{module}.js")] {
            let bytes = fs::read(out.pkg.join(&file)).map_err(|e| format!("{file}: {e}"))?;
            let gz = gzip_len(&bytes)?;
            total = (total.0 + bytes.len(), total.1 + gz);
            println!(
                "{:<44} {:>10} {:>10}",
                format!("extension/pkg/{file}"),
                bytes.len(),
                gz
            );
        }
        let budget = match module {
            "botlens_card" => "  card frame: budget 153600 gzip",
            "botlens_pages" => "  options, popup, full view",
            _ => "  background worker",
        };
        println!(
            "{:<44} {:>10} {:>10}{budget}",
            format!("{module} wasm + glue"),
            total.0,
            total.1
        );
    }
    print_embed_sizes(out)
}

/// The embed's files: what an internal tool's page downloads.
fn print_embed_sizes(out: &Output) -> Result {
    let mut total = (0, 0);
    let loader = [
        "botlens.js",
        "botlens.mjs",
        "reach.js",
        "hover.js",
        "card-frame.js",
        "card.html",
    ]
    .iter()
    .map(|f| out.embed.join(f));
    let pkg = ["botlens_embed_bg.wasm", "botlens_embed.js"]
        .iter()
        .map(|f| out.embed_pkg.join(f));
    for path in loader.chain(pkg) {
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let gz = gzip_len(&bytes)?;
        total = (total.0 + bytes.len(), total.1 + gz);
        let shown = path
            .strip_prefix(root().join("dist"))
            .or_else(|_| path.strip_prefix(root().join("target/botlens")))
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
        println!("{:<44} {:>10} {:>10}", shown, bytes.len(), gz);
    }
    println!(
        "{:<44} {:>10} {:>10}",
        "embed (loader + wasm + glue)", total.0, total.1
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_len_measures_output_larger_than_a_pipe() {
        // Incompressible bytes: gzip's output is larger than a pipe's buffer (64 KiB).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let bytes: Vec<u8> = (0..1 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        let len = gzip_len(&bytes).unwrap();
        assert!(len > bytes.len() * 9 / 10, "{len}");
    }

    #[test]
    fn store_builds_ask_only_for_recall_storage_and_a_menu_item() {
        for browser in [Browser::Chrome, Browser::Firefox] {
            let m = manifest(browser, false).expect("store manifest");
            let hosts: Vec<&str> = m["host_permissions"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(hosts, RECALL_HOSTS);
            assert_eq!(m["permissions"], json!(PERMISSIONS));
            assert!(!m.to_string().contains("localhost"));
            assert!(!m.to_string().contains("127.0.0.1"));
            assert_eq!(m["optional_host_permissions"], json!(["https://*/*"]));
            assert_eq!(
                m["content_security_policy"]["extension_pages"],
                json!("script-src 'self' 'wasm-unsafe-eval'; object-src 'self'; img-src 'self' https:")
            );
            // Chrome serves the card frame from a per-session URL; Firefox's is per install.
            let dynamic = &m["web_accessible_resources"][0]["use_dynamic_url"];
            assert_eq!(
                dynamic.as_bool(),
                (browser == Browser::Chrome).then_some(true)
            );
            let scripts = &m["content_scripts"][0]["js"];
            assert_eq!(scripts[0], "reach.js");
            assert_eq!(scripts[1], "hover.js");
            assert_eq!(scripts[2], "sensor.js");
            assert_eq!(scripts.as_array().map(Vec::len), Some(9), "{scripts}");
        }
    }

    #[test]
    fn test_builds_add_loopback_and_the_check_catches_it() {
        let m = manifest(Browser::Chrome, true).expect("test manifest");
        assert!(m["host_permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == "http://127.0.0.1/*"));
        assert!(check_store_manifest(&m).is_err());
        let mut broad = manifest(Browser::Firefox, false).unwrap();
        broad["permissions"] = json!(["storage", "contextMenus", "tabs"]);
        assert!(check_store_manifest(&broad).is_err());
    }
}
