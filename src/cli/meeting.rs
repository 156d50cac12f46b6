//! `botlens meeting <link>`: every bot your workspace sent to one meeting
//! (List Bots' `meeting_url` filter), each with its verdict — the answer to
//! "our notetaker never came to this meeting: which bots did we send?".

use std::process::ExitCode;

use botlens::detect::meeting::{meeting_link, MeetingLink};
use botlens::diagnose::document::Bots;
use botlens::diagnose::{diagnose, report};
use botlens::recall::list::ListQuery;
use botlens::recall::model::Bot;

use super::live::{runtime, Live, RecallArgs, RECALL_PER_MINUTE};
use super::paint::ColorArgs;
use super::terminal::{self, one_line};

#[derive(clap::Args)]
#[command(
    after_help = "Set RECALL_API_KEY to your Recall API key first (never a flag: it would \
land in your shell history).\n\nExit status: 0 bots listed; 1 no bot was sent there; 2 an error."
)]
pub struct MeetingArgs {
    /// The meeting's link (Zoom, Google Meet, Teams, Webex or GoTo).
    link: String,
    /// Print the bots' diagnoses as one JSON object.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print a Markdown table for a support ticket.
    #[arg(long)]
    markdown: bool,
    #[command(flatten)]
    color: ColorArgs,
    #[command(flatten)]
    recall: RecallArgs,
}

pub fn run(args: MeetingArgs) -> ExitCode {
    match meeting(&args) {
        Ok(code) => code,
        Err(line) => {
            eprintln!("botlens meeting: {}", one_line(&line));
            ExitCode::from(2)
        }
    }
}

fn meeting(args: &MeetingArgs) -> Result<ExitCode, String> {
    let Some(MeetingLink { url: link, .. }) = meeting_link(&args.link) else {
        return Err(format!(
            "{}: not a meeting link (Zoom, Google Meet, Teams, Webex or GoTo, with https://)",
            args.link.trim()
        ));
    };
    let live = Live::from_env(&args.recall, RECALL_PER_MINUTE)?;
    let runtime = runtime()?;
    let query = ListQuery {
        meeting_url: Some(link.clone()),
        ..ListQuery::default()
    };
    let (mut bots, more) = runtime
        .block_on(live.list(&query, 500))
        .map_err(|e| format!("{e} {}", e.next_step()))?;
    // In the order they were sent.
    bots.sort_by_key(Bot::join_time);
    let now = super::diagnose::clock();
    let region = live.listed_region();
    let page = Bots {
        bots: bots
            .iter()
            .map(|b| diagnose(b, None, None, region, now))
            .collect(),
        skipped: 0,
        more,
    };
    let text = if args.json {
        serde_json::to_string_pretty(&page).map_err(|e| format!("cannot write JSON: {e}"))? + "\n"
    } else if args.markdown {
        report::page_markdown(&page)
    } else if page.bots.is_empty() {
        format!("No bot of this workspace was sent to {link}\n")
    } else {
        let heading = match page.bots.len() {
            1 => format!("1 bot was sent to {link}"),
            n => format!("{n} bots were sent to {link}"),
        };
        // Made safe piece by piece, so the verdicts may take colour.
        let table = super::show::bots_text(&heading, &page).render(args.color.on());
        print!("{table}");
        return Ok(ExitCode::SUCCESS);
    };
    print!("{}", terminal::safe(&text));
    Ok(if page.bots.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
