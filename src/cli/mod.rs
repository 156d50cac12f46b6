//! Command-line front end. Each subcommand owns its arguments and its run function.

mod cache;
mod diagnose;
mod http;
mod live;
mod meeting;
mod paint;
mod save;
mod scan;
mod serve;
mod show;
mod terminal;
mod triage;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "botlens",
    version,
    about = "Find Recall.ai bot IDs and explain what happened to each bot."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find bot IDs in logs, HTML pages, chat exports and webhook dumps.
    Scan(scan::ScanArgs),
    /// Explain a bot: verdict, reason, what to do, timeline.
    Diagnose(diagnose::DiagnoseArgs),
    /// Look up every bot ID in logs, pages or exports and group them by why they failed.
    Triage(triage::TriageArgs),
    /// List every bot sent to one meeting, with its verdict.
    Meeting(meeting::MeetingArgs),
    /// Serve the demo (a Recall simulator with sample bots) or a proxy that holds the key.
    Serve(Box<serve::ServeArgs>),
}

pub fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Scan(args) => scan::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Triage(args) => triage::run(args),
        Command::Meeting(args) => meeting::run(args),
        Command::Serve(args) => serve::run(*args),
    }
}
