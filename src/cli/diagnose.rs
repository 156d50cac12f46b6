//! `botlens diagnose`: explain a bot from a file (or standard input).
//!
//! Accepts a bot object (either API flavour), a scenario `{bot, screenshots,
//! logs, region}` (the simulator's format) or a bot status webhook. Prints a
//! support engineer's answer, or with `--json` the whole `Diagnosis`. An
//! artifact webhook or an error answer from Recall is said for what it is
//! (`diagnose::other`), never diagnosed as a bot. `--save FILE` also writes
//! the evidence file (`cli::save`).
//! Exit codes: 0 diagnosed; 1 the evidence file could not be written; 2 bad
//! input (one line naming the file and the problem).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use botlens::diagnose::document::{self, Answer, Beside};
use botlens::diagnose::{self, Diagnosis};
use botlens::recall::model::{self, Input, Logs, Screenshots};
use botlens::recall::region::Region;
use botlens::recall::time::Timestamp;

use super::live::{runtime, Live, RecallArgs, KEY_VARIABLE, RECALL_PER_MINUTE};
use super::paint::ColorArgs;
use super::save::{self, Kept};
use super::show;
use super::terminal;
use botlens::recall::error::ApiError;

#[derive(clap::Args)]
#[command(
    after_help = "A bot ID or a Recall URL naming one (an Explorer page) is looked up live: \
set RECALL_API_KEY to your Recall API key first. botlens never takes the key as a flag, \
where it would land in your shell history. The region is found as the extension finds it \
(every region, the key's own first) unless --region names it.\n\n\
--save FILE writes one HTML file that opens offline later: the diagnosis, timeline, logs, \
screenshots (looked up live only) and the bot's JSON, with secrets taken out.\n\n\
Exit status: 0 diagnosed; 1 the evidence file could not be written; 2 bad input or a failed look-up."
)]
pub struct DiagnoseArgs {
    /// A bot ID or Explorer URL (looked up live), or a JSON file — a bot, a webhook, an error answer, a list page…; `-` for standard input.
    target: String,
    /// Print the diagnosis as one JSON object.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print a Markdown report for a support ticket (no secrets).
    #[arg(long)]
    markdown: bool,
    /// Also write the evidence to FILE: one self-contained HTML page (diagnosis, logs, screenshots, JSON) that opens offline.
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    #[command(flatten)]
    color: ColorArgs,
    #[command(flatten)]
    recall: RecallArgs,
    /// Bot logs: an array of `{level, message, created_at}`, `{results: [...]}` or log webhooks.
    #[arg(long, value_name = "FILE")]
    logs: Option<PathBuf>,
    /// Screenshots: a bare array or `{results, next}`.
    #[arg(long, value_name = "FILE")]
    screenshots: Option<PathBuf>,
    /// Diagnose as of this moment (RFC 3339) instead of the clock; makes output reproducible.
    #[arg(long, value_name = "RFC3339", hide = true)]
    now: Option<String>,
}

pub fn run(args: DiagnoseArgs) -> ExitCode {
    let (answer, kept) = match build(&args) {
        Ok(built) => built,
        Err(line) => {
            eprintln!("botlens diagnose: {}", terminal::one_line(&line));
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&answer) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("botlens diagnose: cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        let text = match (&answer, args.markdown) {
            (Answer::Diagnosis(d), true) => terminal::safe(&diagnose::report::markdown(d)),
            (Answer::Bots(page), true) => terminal::safe(&diagnose::report::page_markdown(page)),
            (Answer::Said(said), true) => terminal::safe(&show::said_markdown(said)),
            (Answer::Diagnosis(d), false) => show::human(d).render(args.color.on()),
            (Answer::Bots(page), false) => show::page_text(page).render(args.color.on()),
            (Answer::Said(said), false) => show::said_text(said).render(args.color.on()),
        };
        print!("{text}");
    }
    match (&args.save, &answer, kept) {
        (Some(path), Answer::Diagnosis(d), Some(kept)) => save_to(path, d, &kept),
        _ => ExitCode::SUCCESS,
    }
}

/// Write the evidence file and say where, on standard error.
fn save_to(path: &Path, d: &Diagnosis, kept: &Kept) -> ExitCode {
    let Some(saved_at) = clock() else {
        eprintln!("botlens diagnose: the clock cannot be read, so the evidence file is not dated or written");
        return ExitCode::from(1);
    };
    match save::write(path, d, kept, saved_at) {
        Ok(bytes) => {
            let shots = match kept.images.len() {
                1 => "1 screenshot".to_string(),
                n => format!("{n} screenshots"),
            };
            let left_out = if kept.left_out.is_empty() {
                ""
            } else {
                "; its end says what is not in it"
            };
            eprintln!(
                "botlens diagnose: evidence saved to {} ({}, {shots}{left_out})",
                terminal::one_line(&path.display().to_string()),
                botlens::diagnose::archive::keep::size(bytes),
            );
            ExitCode::SUCCESS
        }
        Err(line) => {
            eprintln!("botlens diagnose: {}", terminal::one_line(&line));
            ExitCode::from(1)
        }
    }
}

fn name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

fn read(path: &Path) -> Result<String, String> {
    let mut text = String::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    result.map_err(|e| format!("{}: cannot read: {e}", name(path)))?;
    Ok(text)
}

/// What the user pointed at.
enum Target {
    File(PathBuf),
    Bot { id: String, region: Option<Region> },
}

fn target(arg: &str) -> Result<Target, String> {
    let trimmed = arg.trim();
    if arg == "-" || Path::new(arg).exists() {
        return Ok(Target::File(PathBuf::from(arg)));
    }
    if botlens::detect::is_uuid(trimmed) {
        return Ok(Target::Bot {
            id: trimmed.to_ascii_lowercase(),
            region: None,
        });
    }
    match botlens::recall::region::bot_in_url(trimmed) {
        Some((id, region)) => Ok(Target::Bot { id, region }),
        None => Err(format!(
            "{arg}: no such file, and not a bot ID or a Recall URL naming one"
        )),
    }
}

/// The answer, and with `--save` what the evidence file keeps beside it.
fn build(args: &DiagnoseArgs) -> Result<(Answer, Option<Kept>), String> {
    let now = match &args.now {
        Some(t) => Some(
            Timestamp::parse(t).ok_or_else(|| format!("--now: not an RFC 3339 timestamp: {t}"))?,
        ),
        None => clock(),
    };
    let path = match target(&args.target)? {
        Target::File(path) => path,
        Target::Bot { id, region } => return look_up(args, &id, region, now),
    };
    let file = name(&path);
    let text = read(&path)?;
    if text.trim().is_empty() {
        return Err(format!("{file}: the file is empty"));
    }
    let input = model::parse_input(&text).map_err(|e| format!("{file}: {e}"))?;
    let extra_logs = match &args.logs {
        Some(p) => {
            Some(serde_json::from_str::<Logs>(&read(p)?).map_err(|e| format!("{}: {e}", name(p)))?)
        }
        None => None,
    };
    let extra_shots = match &args.screenshots {
        Some(p) => Some(
            serde_json::from_str::<Screenshots>(&read(p)?)
                .map_err(|e| format!("{}: {e}", name(p)))?,
        ),
        None => None,
    };
    let beside = Beside {
        screenshots: extra_shots.as_ref(),
        logs: extra_logs.as_ref(),
    };
    let answer = document::answer(&input, beside, args.recall.region, now);
    let kept = match (&args.save, &answer) {
        (None, _) => None,
        (Some(_), Answer::Diagnosis(_)) => {
            let own_logs = match &input {
                Input::Scenario(s) => s.logs.clone(),
                _ => None,
            };
            Some(Kept::from_file(&file, text, extra_logs.or(own_logs)))
        }
        (Some(_), _) => {
            return Err(format!(
                "{file}: --save keeps the evidence of one bot, and this document is not one bot"
            ))
        }
    };
    Ok((answer, kept))
}

/// Look a bot up live and diagnose it as it is now.
fn look_up(
    args: &DiagnoseArgs,
    id: &str,
    url_region: Option<Region>,
    now: Option<Timestamp>,
) -> Result<(Answer, Option<Kept>), String> {
    let recall = RecallArgs {
        region: args.recall.region.or(url_region),
        host: args.recall.host.clone(),
    };
    let live = Live::from_env(&recall, RECALL_PER_MINUTE)?;
    let runtime = runtime()?;
    let (gathered, bodies) = runtime
        .block_on(live.gather(id, now))
        .map_err(|e| format!("{id}: {e} {}", advice(&e)))?;
    for (part, error) in [
        ("screenshots", &gathered.screenshots_error),
        ("logs", &gathered.logs_error),
    ] {
        if let Some(e) = error {
            eprintln!(
                "botlens diagnose: no {part}: {}",
                terminal::one_line(&e.to_string())
            );
        }
    }
    let kept = args.save.is_some().then(|| {
        runtime.block_on(Kept::live(
            &live,
            &gathered.diagnosis,
            bodies,
            gathered.screenshots_error.as_ref(),
            gathered.logs_error.as_ref(),
        ))
    });
    Ok((Answer::Diagnosis(Box::new(gathered.diagnosis)), kept))
}

/// What to try, in the terminal's terms.
fn advice(error: &ApiError) -> String {
    match error {
        ApiError::Unauthorized { .. } => format!(
            "{KEY_VARIABLE} is not a key of the regions asked: check it, or name its region with --region."
        ),
        ApiError::NotFound { .. } => "The ID may be a recording, transcript or calendar event rather than a bot, or the bot belongs to another workspace or region (--region).".to_string(),
        other => other.next_step(),
    }
}

/// The real clock: fine in the native binary, never used by the library.
pub fn clock() -> Option<Timestamp> {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    Timestamp::from_millis(i64::try_from(ms).ok()?)
}
