//! `botlens triage`: every bot ID in logs, HTML pages, chat exports or JSON,
//! looked up live and grouped by why — verdict, reason and whose move, the
//! most frequent first — as a table for the terminal, an incident ticket
//! (`--markdown`), `--json` or `--csv`.
//!
//! Look-ups run a few at a time within Recall's limits (`recall::budget`),
//! finished bots come from the disk cache on a second run (`cli::cache`), and
//! each bot costs at most one Retrieve Bot per region asked.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use botlens::detect::Kind;
use botlens::diagnose::gather::diagnose_found;
use botlens::diagnose::triage::{triage, Triage};
use botlens::diagnose::{diagnose, Diagnosis, Verdict};
use botlens::recall::error::ApiError;
use botlens::recall::list::ListQuery;
use botlens::recall::time::Timestamp;
use futures_util::stream::{self, StreamExt};

use super::live::{runtime, Live, RecallArgs};
use super::paint::{ColorArgs, Painted, Tone};
use super::terminal::{self, one_line};

#[derive(clap::Args)]
#[command(
    after_help = "Set RECALL_API_KEY to your Recall API key first (never a flag: it would \
land in your shell history). Finished bots are kept in your cache folder for a day, so a \
second run asks Recall almost nothing (--no-cache asks again).\n\n\
Exit status: 0 triaged; 1 with --check when any bot failed; 2 when an input could not be \
read, it held no bot ID, or no bot could be looked up."
)]
pub struct TriageArgs {
    /// Files holding bot IDs (logs, HTML pages, chat exports, JSON, CSV); `-` for standard input.
    #[arg(required_unless_present_any = ["since", "status", "platform", "metadata"])]
    files: Vec<PathBuf>,
    /// Instead of files: the bots of your workspace (List Bots) due to join in this last stretch, e.g. `2h`, `1d`.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, conflicts_with = "files")]
    since: Option<std::time::Duration>,
    /// With --since: only bots whose status now is this (repeatable), e.g. `fatal`.
    #[arg(long, value_name = "CODE", conflicts_with = "files")]
    status: Vec<String>,
    /// With --since: only bots on this platform (repeatable): zoom, google_meet, microsoft_teams, …
    #[arg(long, value_name = "PLATFORM", conflicts_with = "files")]
    platform: Vec<String>,
    /// With --since: only bots whose metadata has KEY=VALUE (repeatable; all must match).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_pair, conflicts_with = "files")]
    metadata: Vec<(String, String)>,
    /// With --since: at most this many bots.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max: usize,
    /// Print the triage as one JSON object.
    #[arg(long, conflicts_with_all = ["markdown", "csv"])]
    json: bool,
    /// Print a Markdown incident ticket: the groups, then each group's bots as Explorer links.
    #[arg(long, conflicts_with = "csv")]
    markdown: bool,
    /// Print one CSV row per bot: bot_id, verdict, reason, whose_move, title, explorer_url.
    #[arg(long)]
    csv: bool,
    /// Exit with status 1 when any bot failed (for cron jobs and CI).
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    color: ColorArgs,
    #[command(flatten)]
    recall: RecallArgs,
    /// Your workspace's Retrieve Bot limit per minute, if Recall raised it; botlens stays a tenth under.
    #[arg(long, value_name = "N", default_value_t = super::live::RECALL_PER_MINUTE)]
    per_minute: u32,
    /// Ask Recall for every bot, even those kept from an earlier run.
    #[arg(long)]
    no_cache: bool,
    /// Bots looked up at once; the budget still keeps the calls under Recall's limits.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=16))]
    concurrency: u8,
    /// Read every input as HTML (default: by extension, .html and .htm).
    #[arg(long, conflicts_with = "text")]
    html: bool,
    /// Read every input as plain text.
    #[arg(long)]
    text: bool,
    /// Diagnose as of this moment (RFC 3339) instead of the clock.
    #[arg(long, value_name = "RFC3339", hide = true)]
    now: Option<String>,
}

pub fn run(args: TriageArgs) -> ExitCode {
    match triage_run(&args) {
        Ok(code) => code,
        Err(line) => {
            eprintln!("botlens triage: {}", one_line(&line));
            ExitCode::from(2)
        }
    }
}

fn triage_run(args: &TriageArgs) -> Result<ExitCode, String> {
    let now = match &args.now {
        Some(t) => Some(
            Timestamp::parse(t).ok_or_else(|| format!("--now: not an RFC 3339 timestamp: {t}"))?,
        ),
        None => super::diagnose::clock(),
    };
    let mut live = Live::from_env(&args.recall, args.per_minute)?;
    if !args.no_cache {
        live = live.with_disk_cache();
    }
    let runtime = runtime()?;
    let started = Instant::now();
    let (diagnoses, failed) = if args.files.is_empty() {
        let query = list_query(args, now)?;
        let (bots, more) = runtime
            .block_on(live.list(&query, args.max))
            .map_err(|e| format!("{e} {}", e.next_step()))?;
        if more {
            eprintln!(
                "botlens triage: more than {} bots match; the first {} are triaged (--max)",
                args.max, args.max
            );
        }
        let region = live.listed_region();
        // List Bots answers whole bots: nothing more to fetch.
        let diagnoses = bots
            .iter()
            .map(|bot| diagnose(bot, None, None, region, now))
            .collect::<Vec<_>>();
        (diagnoses, Vec::new())
    } else {
        let ids = file_ids(args)?;
        runtime.block_on(look_up_all(&live, &ids, args.concurrency, now))
    };
    if diagnoses.is_empty() && failed.is_empty() {
        return Err("no bot matches".into());
    }
    if diagnoses.is_empty() {
        let why = failed
            .first()
            .map(|(_, e)| format!("{e} {}", e.next_step()))
            .unwrap_or_default();
        return Err(format!("no bot could be looked up. {why}"));
    }
    let result = triage(&diagnoses, &failed);
    let text = if args.json {
        terminal::safe(
            &(serde_json::to_string_pretty(&result)
                .map_err(|e| format!("cannot write JSON: {e}"))?
                + "\n"),
        )
    } else if args.markdown {
        terminal::safe(&result.markdown())
    } else if args.csv {
        terminal::safe(&result.csv())
    } else {
        human(&result).render(args.color.on())
    };
    print!("{text}");
    eprintln!(
        "botlens triage: {} bots in {:.1} s — {} requests to Recall ({} answered 429), {} from the cache",
        result.total,
        started.elapsed().as_secs_f64(),
        live.requests.load(std::sync::atomic::Ordering::Relaxed),
        live.throttled.load(std::sync::atomic::Ordering::Relaxed),
        live.from_disk.load(std::sync::atomic::Ordering::Relaxed),
    );
    Ok(if args.check && result.count(Verdict::Failed) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The bot IDs (and candidates) of the input files.
fn file_ids(args: &TriageArgs) -> Result<Vec<String>, String> {
    let html = match (args.html, args.text) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let ids: Vec<String> = super::scan::ids(&args.files, html)?
        .into_iter()
        .filter(|(_, kind)| matches!(kind, Kind::Bot | Kind::Candidate))
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return Err("no bot ID in the inputs".into());
    }
    Ok(ids)
}

/// List Bots' filters from the flags: due to join since `--since` ago.
fn list_query(args: &TriageArgs, now: Option<Timestamp>) -> Result<ListQuery, String> {
    let since = match (args.since, now) {
        (Some(d), Some(now)) => {
            let ms = i64::try_from(d.as_millis()).map_err(|_| "--since is too long".to_string())?;
            Some(
                Timestamp::from_millis(now.millis().saturating_sub(ms))
                    .ok_or_else(|| "--since reaches before year 0".to_string())?,
            )
        }
        (Some(_), None) => return Err("the clock cannot be read, so --since cannot be used".into()),
        (None, _) => None,
    };
    Ok(ListQuery {
        join_at_after: since,
        statuses: args.status.clone(),
        platforms: args.platform.clone(),
        metadata: args.metadata.clone(),
        ..ListQuery::default()
    })
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

/// Look every bot up, a few at a time, keeping the input's order; a progress
/// bar on a terminal only.
async fn look_up_all(
    live: &Live,
    ids: &[String],
    concurrency: u8,
    now: Option<Timestamp>,
) -> (Vec<Diagnosis>, Vec<(String, ApiError)>) {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(ids.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} bots  {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut answers: Vec<(usize, Result<Diagnosis, ApiError>)> =
        stream::iter(ids.iter().enumerate())
            .map(|(i, id)| async move {
                let answer = live
                    .bot(id)
                    .await
                    .and_then(|found| diagnose_found(&found, now));
                (i, answer)
            })
            .buffer_unordered(usize::from(concurrency))
            .inspect(|_| {
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
            })
            .collect()
            .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    answers.sort_by_key(|(i, _)| *i);
    let mut diagnoses = Vec::new();
    let mut failed = Vec::new();
    for (i, answer) in answers {
        match answer {
            Ok(d) => diagnoses.push(d),
            Err(e) => failed.push((ids[i].clone(), e)),
        }
    }
    (diagnoses, failed)
}

/// How many bot IDs a group shows in the terminal before "+N more".
const SHOWN: usize = 5;

fn human(t: &Triage) -> Painted {
    let mut o = Painted::default();
    o.paint(Tone::Heading, &format!("Triage of {}", t.summary()));
    o.push_str("\n\n");
    o.paint(
        Tone::Heading,
        &format!(
            "  {:>5}  {:<12} {:<44} {}",
            "BOTS", "VERDICT", "REASON", "WHOSE MOVE"
        ),
    );
    o.push('\n');
    for g in &t.groups {
        let reason = g
            .reason
            .as_deref()
            .map_or_else(|| "-".to_string(), one_line);
        let flag = if g.reason.is_some() && !g.reason_known {
            " (not in the catalog)"
        } else {
            ""
        };
        o.push_str(&format!("  {:>5}  ", g.bots.len()));
        o.paint_padded(Tone::of(g.verdict), g.verdict.label(), 12);
        o.push_str(&format!(
            " {:<44} {}\n",
            format!("{reason}{flag}"),
            g.whose_move.map_or("-", |p| p.label())
        ));
        o.push_str(&format!("         {}\n", one_line(&g.title)));
        if g.verdict != Verdict::Healthy {
            o.push_str(&format!("         What to do: {}\n", one_line(&g.remedy)));
        }
        let ids: Vec<&str> = g
            .bots
            .iter()
            .take(SHOWN)
            .map(|m| m.bot_id.as_str())
            .collect();
        let more = g.bots.len().saturating_sub(SHOWN);
        let more = if more > 0 {
            format!(" (+{more} more; --markdown or --json lists them all)")
        } else {
            String::new()
        };
        o.push_str(&format!("         {}{more}\n\n", ids.join(" ")));
    }
    for f in &t.failures {
        o.push_str(&format!(
            "  {:>5}  not looked up: {}\n         {} {}\n",
            f.bots.len(),
            f.kind,
            one_line(&f.message),
            one_line(&f.next_step)
        ));
        let ids: Vec<&str> = f.bots.iter().take(SHOWN).map(String::as_str).collect();
        o.push_str(&format!("         {}\n\n", ids.join(" ")));
    }
    o
}
