//! `botlens serve`: the demo simulator, or a proxy that holds the key (issue 7).
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> ExitCode {
    ExitCode::from(2)
}
