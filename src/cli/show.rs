//! How a diagnosis reads on a terminal: the verdict and reason first, then
//! the bot, what happened, what to do, the timeline, notes, media and links;
//! a list of bots one line each. Built as [`Painted`] text so the verdict and
//! headings can take colour while everything a document said stays plain.

use botlens::diagnose::document::Bots;
use botlens::diagnose::triage::triage;
use botlens::diagnose::{self, Category, Diagnosis, Evidence, NoteLevel, Verdict};
use botlens::recall::time::human_duration;

use super::paint::{Painted, Tone};
use super::terminal::one_line;

/// A [`diagnose::other::Said`] as Markdown for a ticket.
pub fn said_markdown(said: &diagnose::other::Said) -> String {
    let text = diagnose::report::plain;
    format!(
        "## {}\n\n{}\n\n**What to do:** {}\n",
        text(&said.title),
        text(&said.explanation),
        text(&said.remedy)
    )
}

/// A [`diagnose::other::Said`] for people.
pub fn said_text(said: &diagnose::other::Said) -> Painted {
    let mut out = Painted::default();
    out.paint(Tone::Heading, wrap(&said.title, "").trim_end());
    out.push_str("\n\n");
    out.push_str(&wrap(&said.explanation, ""));
    out.push('\n');
    heading(&mut out, "What to do");
    out.push_str(&wrap(&said.remedy, "  "));
    out
}

/// A list page: one line a bot, then how many share each reason.
pub fn page_text(page: &Bots) -> Painted {
    bots_text(&format!("A page of {} bots", page.bots.len()), page)
}

/// Bots one line each under `heading`, then how many share each reason.
pub fn bots_text(heading_text: &str, page: &Bots) -> Painted {
    let mut o = Painted::default();
    o.paint(Tone::Heading, heading_text);
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
        o.push_str("  ");
        let tone = Tone::of(d.verdict);
        o.paint(tone, mark(d.verdict));
        o.push(' ');
        o.paint_padded(tone, d.verdict.label(), 12);
        o.push_str(&format!(
            " {:<40} {}  {}\n",
            one_line(d.reason.as_deref().unwrap_or("")),
            one_line(&d.bot_id),
            one_line(&d.title)
        ));
    }
    // The counts are the core's groups, as `botlens triage` makes them.
    o.push('\n');
    heading(&mut o, "By verdict and reason");
    for g in triage(&page.bots, &[]).groups {
        let reason = g.reason.as_deref().unwrap_or("-");
        o.push_str(&format!("  {:>4} × ", g.bots.len()));
        o.paint(Tone::of(g.verdict), g.verdict.label());
        o.push_str(&format!(" · {}\n", one_line(reason)));
    }
    o
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
pub fn human(d: &Diagnosis) -> Painted {
    let mut o = Painted::default();
    let verdict = format!("{} {}", mark(d.verdict), d.verdict.label().to_uppercase());
    o.paint(Tone::of(d.verdict), &verdict);
    o.push_str(": ");
    o.paint(Tone::Heading, &d.title);
    o.push('\n');
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

    heading(&mut o, "What happened");
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
    o.push('\n');
    heading(&mut o, "What to do");
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
        o.push('\n');
        o.paint(Tone::Heading, "Timeline");
        o.push_str(&format!("{}\n", day.unwrap_or_default()));
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
        o.push('\n');
        heading(&mut o, "Time spent");
        for p in &d.phases {
            let dur = p.seconds.map_or_else(|| "?".to_string(), human_duration);
            let ongoing = if p.ongoing { "  (ongoing)" } else { "" };
            o.push_str(&format!("  {:<24} {:>8}{ongoing}\n", p.label, dur));
        }
    }
    if !d.notes.is_empty() {
        o.push('\n');
        heading(&mut o, "Notes");
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
    o.push('\n');
    heading(&mut o, "Media");
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
        o.push('\n');
        o.paint(Tone::Heading, "Screenshots");
        o.push_str(&format!(" ({})\n", d.screenshots.len()));
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
    o.push('\n');
    heading(&mut o, "Links");
    o.push_str(&format!("  Explorer  {}\n", one_line(&d.explorer_url)));
    if let Some(u) = &d.docs_url {
        o.push_str(&format!("  Docs      {u}\n"));
    }
    o
}

/// A heading on its own line.
fn heading(o: &mut Painted, words: &str) {
    o.paint(Tone::Heading, words);
    o.push('\n');
}
