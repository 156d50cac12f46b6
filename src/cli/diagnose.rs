//! `botlens diagnose`: explain a bot from a file (or standard input).
//!
//! Accepts a bot object (either API flavour), a scenario `{bot, screenshots,
//! logs, region}` (the simulator's format) or a bot status webhook. Prints a
//! support engineer's answer, or with `--json` the whole `Diagnosis`. An
//! artifact webhook or an error answer from Recall is said for what it is
//! (`diagnose::other`), never diagnosed as a bot.
//! Exit codes: 0 diagnosed; 2 bad input (one line naming the file and the problem).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use botlens::diagnose::document::{self, Answer, Beside, Bots};
use botlens::diagnose::triage::triage;
use botlens::diagnose::{self, Category, Diagnosis, Evidence, NoteLevel, Verdict};
use botlens::recall::model::{self, Logs, Screenshots};
use botlens::recall::region::Region;
use botlens::recall::time::{human_duration, Timestamp};

use super::live::{runtime, Live, RecallArgs, KEY_VARIABLE, RECALL_PER_MINUTE};
use super::terminal::{self, one_line};
use botlens::recall::error::ApiError;

#[derive(clap::Args)]
#[command(
    after_help = "A bot ID or a Recall URL naming one (an Explorer page) is looked up live: \
set RECALL_API_KEY to your Recall API key first. botlens never takes the key as a flag, \
where it would land in your shell history. The region is found as the extension finds it \
(every region, the key's own first) unless --region names it."
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
    let answer = match build(&args) {
        Ok(answer) => answer,
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
        return ExitCode::SUCCESS;
    }
    let text = match (&answer, args.markdown) {
        (Answer::Diagnosis(d), true) => diagnose::report::markdown(d),
        (Answer::Diagnosis(d), false) => human(d),
        (Answer::Bots(page), true) => diagnose::report::page_markdown(page),
        (Answer::Bots(page), false) => page_text(page),
        (Answer::Said(said), markdown) => said_text(said, markdown),
    };
    print!("{}", terminal::safe(&text));
    ExitCode::SUCCESS
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

/// A [`diagnose::other::Said`] for people (Markdown for a ticket with `markdown`).
fn said_text(said: &diagnose::other::Said, markdown: bool) -> String {
    if markdown {
        let text = diagnose::report::plain;
        return format!(
            "## {}\n\n{}\n\n**What to do:** {}\n",
            text(&said.title),
            text(&said.explanation),
            text(&said.remedy)
        );
    }
    let mut out = wrap(&said.title, "");
    out.push('\n');
    out.push_str(&wrap(&said.explanation, ""));
    out.push_str("\nWhat to do\n");
    out.push_str(&wrap(&said.remedy, "  "));
    out
}

/// A list page: one line a bot, then how many share each reason.
fn page_text(page: &Bots) -> String {
    bots_text(&format!("A page of {} bots", page.bots.len()), page)
}

/// Bots one line each under `heading`, then how many share each reason.
pub fn bots_text(heading: &str, page: &Bots) -> String {
    let mut o = heading.to_string();
    match (page.more, page.skipped) {
        (true, 0) => o.push_str(" (more follow on the next page)"),
        (true, n) => o.push_str(&format!(
            " (more follow on the next page; {n} items were not bots)"
        )),
        (false, 0) => {}
        (false, n) => o.push_str(&format!(" ({n} items were not bots)")),
    }
    o.push_str("\n\n");
    for d in &page.bots {
        o.push_str(&format!(
            "  {} {:<12} {:<40} {}  {}\n",
            mark(d.verdict),
            d.verdict.label(),
            one_line(d.reason.as_deref().unwrap_or("")),
            one_line(&d.bot_id),
            one_line(&d.title)
        ));
    }
    // The counts are the core's groups, as `botlens triage` makes them.
    o.push_str("\nBy verdict and reason\n");
    for g in triage(&page.bots, &[]).groups {
        let reason = g.reason.as_deref().unwrap_or("-");
        o.push_str(&format!(
            "  {:>4} × {}\n",
            g.bots.len(),
            one_line(&format!("{} · {reason}", g.verdict.label()))
        ));
    }
    o
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

fn build(args: &DiagnoseArgs) -> Result<Answer, String> {
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
    Ok(document::answer(&input, beside, args.recall.region, now))
}

/// Look a bot up live and diagnose it as it is now.
fn look_up(
    args: &DiagnoseArgs,
    id: &str,
    url_region: Option<Region>,
    now: Option<Timestamp>,
) -> Result<Answer, String> {
    let recall = RecallArgs {
        region: args.recall.region.or(url_region),
        host: args.recall.host.clone(),
    };
    let live = Live::from_env(&recall, RECALL_PER_MINUTE)?;
    let runtime = runtime()?;
    let gathered = runtime
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
    Ok(Answer::Diagnosis(Box::new(gathered.diagnosis)))
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

const WIDTH: usize = 92;

fn wrap(text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn mark(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Healthy => "✔",
        Verdict::InProgress => "…",
        Verdict::Failed => "✘",
        Verdict::Warning => "!",
        Verdict::Unknown => "?",
    }
}

/// The human answer: verdict, reason, what happened, what to do, timeline, notes, links.
pub fn human(d: &Diagnosis) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "{} {}: {}\n",
        mark(d.verdict),
        d.verdict.label().to_uppercase(),
        d.title
    ));
    match &d.reason {
        Some(r) if d.reason_known => o.push_str(&format!("  reason: {r}\n")),
        Some(r) => o.push_str(&format!("  reason: {r}  (not in botlens's catalog yet)\n")),
        None => {}
    }
    if let Some(p) = d.whose_move.filter(|_| d.verdict != Verdict::Healthy) {
        o.push_str(&format!("  whose move: {}\n", p.label()));
    }
    o.push('\n');
    let name = d
        .bot_name
        .as_deref()
        .map(|n| format!("  \"{}\"", one_line(n)))
        .unwrap_or_default();
    o.push_str(&format!("  Bot       {}{name}\n", one_line(&d.bot_id)));
    let mut meeting = d.platform_name.clone();
    if let Some(t) = &d.meeting_title {
        meeting.push_str(&format!(" · \"{}\"", one_line(t)));
    }
    o.push_str(&format!("  Meeting   {meeting}\n"));
    if !d.participants.is_empty() {
        o.push_str(&format!(
            "  People    {}\n",
            one_line(&d.participants.join(", "))
        ));
    }
    if !d.metadata.is_empty() {
        let pairs: Vec<String> = d
            .metadata
            .iter()
            .map(|f| format!("{}={}", f.key, f.value))
            .collect();
        o.push_str(&format!("  Metadata  {}\n", one_line(&pairs.join(" · "))));
    }
    let region = if d.region_assumed {
        format!(
            "{} (assumed; pass --region if the bot lives elsewhere)",
            d.region
        )
    } else {
        d.region.to_string()
    };
    o.push_str(&format!("  Region    {region}\n"));
    let status = match (&d.status, d.status_at) {
        (Some(s), Some(at)) => format!("{} since {}", one_line(s), at.human()),
        (Some(s), None) => one_line(s),
        (None, _) => "none yet".to_string(),
    };
    o.push_str(&format!("  Status    {status}\n"));
    match d.evidence {
        Evidence::Live => {}
        Evidence::Saved => o.push_str("  Source    a saved copy, not the bot now\n"),
        Evidence::OneEvent => o.push_str("  Source    one status event, not the bot's history\n"),
        Evidence::Events => {
            o.push_str("  Source    status events (a webhook log), not the bot now\n")
        }
    }
    o.push('\n');

    o.push_str("What happened\n");
    o.push_str(&wrap(&d.explanation, "  "));
    if let Some(c) = &d.detail {
        o.push('\n');
        let unknown = if c.known {
            ""
        } else {
            "  (not in botlens's catalog yet)"
        };
        o.push_str(&wrap(
            &format!("Underlying cause: {} — {}{unknown}", c.code, c.title),
            "  ",
        ));
        o.push_str(&wrap(&c.explanation, "    "));
    }
    o.push_str("\nWhat to do\n");
    o.push_str(&wrap(&d.remedy, "  "));
    if let Some(c) = d
        .detail
        .as_ref()
        .filter(|c| c.category != Some(Category::Normal))
    {
        o.push_str(&wrap(&format!("For {}: {}", c.code, c.remedy), "  "));
    }
    match d.verdict {
        Verdict::Failed | Verdict::Warning if d.retry_may_help => {
            o.push_str(&wrap(
                "Sending a new bot may work once the cause is addressed.",
                "  ",
            ));
        }
        Verdict::Failed => {
            o.push_str(&wrap(
                "A new bot will fail the same way until the cause is fixed.",
                "  ",
            ));
        }
        _ => {}
    }

    if !d.timeline.is_empty() {
        let day = d
            .timeline
            .iter()
            .find_map(|t| t.at)
            .map(|t| format!(" ({}, UTC)", t.date()));
        o.push_str(&format!("\nTimeline{}\n", day.unwrap_or_default()));
        for t in &d.timeline {
            let at = t.at.map_or_else(|| "--:--:--".to_string(), |a| a.clock());
            let dur = t.seconds.map(human_duration).unwrap_or_default();
            o.push_str(&format!(
                "  {at}  {:<28} {:>8}  {}\n",
                one_line(&t.code),
                dur,
                one_line(&t.label)
            ));
            if let Some(sub) = &t.sub_code {
                let sub = one_line(sub);
                let flag = if t.sub_code_known {
                    ""
                } else {
                    "  (unrecognised)"
                };
                o.push_str(&format!("  {:8}  └ {sub}{flag}\n", ""));
            }
        }
    }
    if !d.phases.is_empty() {
        o.push_str("\nTime spent\n");
        for p in &d.phases {
            let dur = p.seconds.map_or_else(|| "?".to_string(), human_duration);
            let ongoing = if p.ongoing { "  (ongoing)" } else { "" };
            o.push_str(&format!("  {:<24} {:>8}{ongoing}\n", p.label, dur));
        }
    }
    if !d.notes.is_empty() {
        o.push_str("\nNotes\n");
        for n in &d.notes {
            let level = match n.level {
                NoteLevel::Error => "error",
                NoteLevel::Warning => "warning",
                NoteLevel::Info => "info",
            };
            let at = n.at.map(|a| format!(" {}", a.clock())).unwrap_or_default();
            o.push_str(&format!("  [{level}]{at} {}\n", one_line(&n.title)));
            if let Some(m) = &n.message {
                o.push_str(&wrap(&format!("log: {m}"), "      "));
            }
            o.push_str(&wrap(&n.text, "      "));
        }
    }
    o.push_str("\nMedia\n");
    let m = &d.media;
    let mut line = format!("  Recording: {}", m.recording.label());
    line.push_str(&format!(" · Transcript: {}", m.transcript.label()));
    if let Some(e) = m.expires_at {
        line.push_str(&format!(" · deleted after {}", e.human()));
        if let Some(s) = m.expires_in_seconds {
            if s > 0 {
                line.push_str(&format!(" (in {})", human_duration(s)));
            }
        }
    }
    o.push_str(&line);
    o.push('\n');
    if let Some(u) = &m.video_url {
        o.push_str(&format!("  Video       {}\n", one_line(u)));
    }
    if let Some(u) = &m.transcript_url {
        o.push_str(&format!("  Transcript  {}\n", one_line(u)));
    }
    if !d.screenshots.is_empty() {
        o.push_str(&format!("\nScreenshots ({})\n", d.screenshots.len()));
        for s in &d.screenshots {
            let at = s
                .recorded_at
                .map_or_else(|| "--:--:--".into(), |a| a.clock());
            let during = one_line(s.status.as_deref().unwrap_or("?"));
            o.push_str(&format!(
                "  {at}  during {during}  {}\n",
                one_line(s.url.as_deref().unwrap_or(""))
            ));
        }
    }
    o.push_str("\nLinks\n");
    o.push_str(&format!("  Explorer  {}\n", one_line(&d.explorer_url)));
    if let Some(u) = &d.docs_url {
        o.push_str(&format!("  Docs      {u}\n"));
    }
    o
}
