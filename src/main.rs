//! The native `botlens` binary: `scan`, `diagnose` and `serve`.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The package is also built for wasm32 (for its browser tests); the binary is native only.
#[cfg(target_arch = "wasm32")]
fn main() {}
