//! The native `botlens` binary: `scan`, `diagnose` and `serve`.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

// mimalloc: the proxy allocates a little per request, and under load glibc's
// malloc was a sixth of its time (docs/proxy.md, "Load test").
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The package is also built for wasm32 (for its browser tests); the binary is native only.
#[cfg(target_arch = "wasm32")]
fn main() {}
