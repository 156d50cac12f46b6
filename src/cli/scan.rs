//! `botlens scan` (issue 4).
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Files to scan; `-` for standard input.
    files: Vec<std::path::PathBuf>,
}

pub fn run(_args: ScanArgs) -> ExitCode {
    eprintln!("botlens scan: not built yet");
    ExitCode::from(2)
}
