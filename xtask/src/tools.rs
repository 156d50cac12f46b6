//! Install what the build and the tests need, or say plainly what is missing.
//!
//! Every tool's version is set in one place: the wasm-bindgen CLI in
//! `xtask/wasm-bindgen/Cargo.toml` (its own lockfile), the npm tools in
//! `tests/e2e/package-lock.json`, geckodriver below. Browsers come from the
//! machine's packages. Every install is `--locked` or `npm ci`, so a stale
//! lockfile fails instead of being rewritten.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{root, run, Result};

/// geckodriver, for the Firefox end-to-end tests (`cargo install --locked`).
const GECKODRIVER: &str = "0.37.1";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// wasm target, wasm-bindgen CLI, npm tools.
    Build,
    /// Build + Chromium and chromedriver.
    Browser,
    /// Browser + Firefox ESR and geckodriver.
    Firefox,
    /// Everything the test command runs.
    Everything,
}

pub fn ensure(need: Need) -> Result {
    wasm_target()?;
    wasm_bindgen_cli()?;
    npm_tools()?;
    if need >= Need::Browser {
        browser()?;
    }
    if need >= Need::Firefox {
        firefox()?;
    }
    if need >= Need::Everything {
        redis()?;
    }
    Ok(())
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn output(command: &mut Command) -> String {
    command
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The version of a package in a lockfile.
fn locked_version(lockfile: &Path, package: &str) -> Result<String> {
    let lock =
        std::fs::read_to_string(lockfile).map_err(|e| format!("{}: {e}", lockfile.display()))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    Err(format!("{} has no {package} entry", lockfile.display()))
}

/// The wasm-bindgen CLI must equal the `wasm-bindgen` crate the workspace
/// locks. It is built from `xtask/wasm-bindgen` with that folder's lockfile.
fn wasm_bindgen_cli() -> Result {
    let tool = root().join("xtask/wasm-bindgen");
    let version = locked_version(&root().join("Cargo.lock"), "wasm-bindgen")?;
    let cli = locked_version(&tool.join("Cargo.lock"), "wasm-bindgen-cli")?;
    if cli != version {
        return Err(format!(
            "Cargo.lock has wasm-bindgen {version} but xtask/wasm-bindgen builds the CLI {cli}: \
             set the same version in xtask/wasm-bindgen/Cargo.toml"
        ));
    }
    let have = output(Command::new("wasm-bindgen").arg("--version"));
    let runner = succeeds(Command::new("wasm-bindgen-test-runner").arg("--version"));
    if have.trim() == format!("wasm-bindgen {version}") && runner {
        return Ok(());
    }
    run(crate::cargo("install").arg("--path").arg(&tool))
}

fn npm_tools() -> Result {
    let dir = root().join("tests/e2e");
    let marker = dir.join("node_modules/.package-lock.json");
    if marker.exists() && npx_bin("wasm-opt").exists() && npx_bin("web-ext").exists() {
        return Ok(());
    }
    if !succeeds(Command::new("npm").arg("--version")) {
        return Err(
            "npm is missing: install Node.js 20+ with npm (Debian: apt-get install nodejs npm)"
                .into(),
        );
    }
    // No install scripts: none of our tools needs one, and none may run.
    run(Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&dir))
}

/// A tool installed by npm in tests/e2e.
pub fn npx_bin(name: &str) -> PathBuf {
    root().join("tests/e2e/node_modules/.bin").join(name)
}

pub fn chromedriver() -> PathBuf {
    PathBuf::from("/usr/bin/chromedriver")
}

fn browser() -> Result {
    debian_packages(
        Path::new("/usr/bin/chromium").exists() && chromedriver().exists(),
        &["chromium", "chromium-driver"],
        "Chromium and chromedriver are needed at /usr/bin/chromium and /usr/bin/chromedriver. \
         On Debian or Ubuntu run: sudo apt-get install chromium chromium-driver",
    )
}

/// Where redis-server is (Debian puts it in /usr/bin).
pub fn redis_server() -> PathBuf {
    PathBuf::from("/usr/bin/redis-server")
}

/// redis-server, for the proxy's replica tests (`tests/proxy/replicas.rs`).
fn redis() -> Result {
    debian_packages(
        redis_server().exists(),
        &["redis-server"],
        "redis-server is needed at /usr/bin/redis-server for the proxy's replica tests. \
         On Debian or Ubuntu run: sudo apt-get install redis-server",
    )
}

/// Packages from the machine's Debian: there already, installed when this is
/// Debian and we are root, else `missing` says what to do.
fn debian_packages(present: bool, packages: &[&str], missing: &str) -> Result {
    if present {
        return Ok(());
    }
    let debian = Path::new("/etc/debian_version").exists();
    let root_user = output(Command::new("id").arg("-u")).trim() == "0";
    if !(debian && root_user) {
        return Err(missing.into());
    }
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Where geckodriver is: `$GECKODRIVER`, then cargo's bin folder, then PATH.
pub fn geckodriver() -> PathBuf {
    if let Some(path) = std::env::var_os("GECKODRIVER") {
        return PathBuf::from(path);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin/geckodriver"));
    match cargo_bin {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("geckodriver"),
    }
}

pub fn firefox_bin() -> PathBuf {
    PathBuf::from("/usr/bin/firefox-esr")
}

/// Firefox ESR (Debian's package) and geckodriver (`cargo install`), for the
/// Firefox end-to-end test.
fn firefox() -> Result {
    debian_packages(
        firefox_bin().exists(),
        &["firefox-esr"],
        "Firefox ESR is needed at /usr/bin/firefox-esr for the Firefox end-to-end test. \
         On Debian or Ubuntu run: sudo apt-get install firefox-esr",
    )?;
    let have = output(Command::new(geckodriver()).arg("--version"));
    if !have.starts_with(&format!("geckodriver {GECKODRIVER}")) {
        // About a minute and a half on two cores.
        run(crate::cargo("install").args([
            "geckodriver",
            "--version",
            &format!("={GECKODRIVER}"),
        ]))?;
    }
    Ok(())
}
