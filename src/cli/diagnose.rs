//! `botlens diagnose` (issue 3).
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DiagnoseArgs {
    /// A bot JSON file; `-` for standard input.
    file: std::path::PathBuf,
}

pub fn run(_args: DiagnoseArgs) -> ExitCode {
    eprintln!("botlens diagnose: not built yet");
    ExitCode::from(2)
}
