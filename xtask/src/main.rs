//! `cargo xtask <task>`: the project's build, test, demo and dist recipes in one
//! place, so the README, CI and developers run exactly the same steps.

mod build;
mod proxy_bench;
mod tools;
mod triage_bench;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <task>

  demo                 build everything, then run `botlens serve --demo` and print where to look
  test                 install what is missing, then run every test (what CI runs)
  setup                install every tool the build and the tests use, and nothing else
  build                build the wasm, the test extension and dist/ (no zips)
  e2e [FILE…]          re-run end-to-end test files (default: all) on the last build, building nothing
  dist                 build the store packages dist/chrome, dist/firefox (+ zips) and dist/embed; print sizes
  e2e-page PAGE DIR    load the extension in headless Chromium, hover every bot ID on PAGE with the
                       simulator serving the scenarios in DIR; print what each card showed as JSON
  bench                run the benchmarks that print figures
  bench-proxy          only the proxy load test (wrk, nginx as the anchor; 3 × 10 s on loopback)
  bench-triage         only the triage benchmark (1,000 bots, half cached; about two minutes at Recall's limits)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("setup") => tools::ensure(tools::Need::Everything),
        Some("build") => {
            tools::ensure(tools::Need::Build).and_then(|()| build::all(false).map(drop))
        }
        Some("dist") => tools::ensure(tools::Need::Build).and_then(|()| build::all(true).map(drop)),
        Some("e2e") => e2e(&args[1..]),
        Some("e2e-page") => e2e_page(&args[1..]),
        Some("bench") => bench(),
        Some("bench-proxy") => proxy_bench::run_bench(),
        Some("bench-triage") => triage_bench::run_bench(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Run a command in the workspace root, echoing it; fail with its name.
pub fn run(command: &mut Command) -> Result {
    let shown = format!("{command:?}").replace('"', "");
    eprintln!("» {shown}");
    let status = command
        .current_dir(root())
        .status()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "{} is not installed: `cargo xtask setup` installs every tool the build and the tests use",
                command.get_program().to_string_lossy()
            ),
            _ => format!("could not start {shown}: {e}"),
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// `cargo <subcommand>`, `--locked` wherever cargo resolves dependencies: a
/// stale Cargo.lock fails instead of being rewritten.
pub fn cargo(subcommand: &str) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.arg(subcommand);
    if subcommand != "fmt" {
        command.arg("--locked");
    }
    command
}

fn demo() -> Result {
    tools::ensure(tools::Need::Build)?;
    let out = build::all(false)?;
    run(cargo("build").args(["--release", "--bin", "botlens"]))?;
    println!();
    println!("botlens demo");
    println!("  demo page:          http://127.0.0.1:8787/demo/  (the embed, through the demo proxy at /proxy/; no key)");
    println!("  unpacked extension: {}", out.test_extension.display());
    println!("    (chrome://extensions → Developer mode → Load unpacked; then in its options set");
    println!("     the key to `demo` and the Recall host to http://{{region}}.localhost:8787)");
    println!("  store builds:       {}", root().join("dist").display());
    println!();
    run(Command::new(root().join("target/release/botlens")).args(["serve", "--demo"]))
}

fn test() -> Result {
    tools::ensure(tools::Need::Everything)?;
    run(cargo("fmt").args(["--all", "--check"]))?;
    run(cargo("clippy").args(["--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    run(cargo("clippy").args([
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "botlens",
        "-p",
        "botlens-extension",
        "-p",
        "botlens-embed",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Native: the core, the CLI, the simulator.
    run(cargo("test").args(["-p", "botlens", "-p", "botlens-extension", "-p", "xtask"]))?;
    // Browser: component tests in real headless Chromium.
    run(cargo("test")
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "botlens-extension",
        ])
        .env("CHROMEDRIVER", tools::chromedriver())
        .env_remove("GECKODRIVER")
        .env_remove("SAFARIDRIVER"))?;
    let out = build::all(true)?;
    run(Command::new(tools::npx_bin("web-ext"))
        .args(["lint", "--no-input", "--source-dir"])
        .arg(&out.firefox))?;
    // End to end: the extension loaded in headless Chromium, the simulator as the API.
    run_e2e(&out, &[])
}

/// Re-run end-to-end test files on what the last build left, building nothing:
/// the loop after a change to a test or to the static JS is seconds, not minutes.
fn e2e(files: &[String]) -> Result {
    tools::ensure(tools::Need::Firefox)?;
    let out = build::last()?;
    run_e2e(&out, files)
}

/// `node --test` over `files` (every file of tests/e2e when empty), with the
/// built extension, the native binary and the browsers in the environment.
fn run_e2e(out: &build::Output, files: &[String]) -> Result {
    let bin = root().join("target/debug/botlens");
    if !bin.exists() {
        return Err("target/debug/botlens is missing: run `cargo build --bin botlens`".into());
    }
    let mut node = Command::new("node");
    node.args(["--test", "--test-concurrency=1"]);
    if files.is_empty() {
        node.arg("tests/e2e/");
    } else {
        for file in files {
            node.arg(std::path::absolute(file).map_err(|e| format!("{file}: {e}"))?);
        }
    }
    run(node
        .env("BOTLENS_BIN", bin)
        .env("BOTLENS_EXTENSION", &out.test_extension)
        .env("BOTLENS_FIREFOX_EXTENSION", &out.test_firefox)
        .env("GECKODRIVER", tools::geckodriver())
        .env("FIREFOX", tools::firefox_bin()))
}

fn e2e_page(args: &[String]) -> Result {
    let [page, scenarios] = args else {
        return Err("usage: cargo xtask e2e-page PAGE SCENARIOS_DIR".into());
    };
    tools::ensure(tools::Need::Browser)?;
    let out = build::all(false)?;
    run(cargo("build").args(["--bin", "botlens"]))?;
    let absolute = |p: &String| std::fs::canonicalize(p).map_err(|e| format!("{p}: {e}"));
    run(Command::new("node")
        .arg("tests/e2e/e2e-page.mjs")
        .arg(absolute(page)?)
        .arg(absolute(scenarios)?)
        .env("BOTLENS_BIN", root().join("target/debug/botlens"))
        .env("BOTLENS_EXTENSION", &out.test_extension))
}

fn bench() -> Result {
    tools::ensure(tools::Need::Build)?;
    run(cargo("bench").args(["-p", "botlens"]))?;
    let out = build::all(true)?;
    build::print_sizes(&out)?;
    // The live page: overview scan vs a plain-JS baseline and a bare walk, hover latency.
    run(Command::new("node")
        .arg("tests/e2e/bench-overview.mjs")
        .env("BOTLENS_EXTENSION", &out.test_extension))?;
    // The card: decision to open → skeleton painted.
    run(cargo("build").args(["--bin", "botlens"]))?;
    run(Command::new("node")
        .arg("tests/e2e/bench-card.mjs")
        .env("BOTLENS_EXTENSION", &out.test_extension))?;
    // The botlens proxy under load, beside nginx serving the same JSON.
    proxy_bench::run_bench()?;
    // Triage of 1,000 bots, half cached, at Recall's limits and without.
    triage_bench::run_bench()
}
