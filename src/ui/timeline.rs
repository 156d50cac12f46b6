//! Old → new status changes, with the time spent in each and a bar whose
//! segments are proportional to the phases.

use leptos::prelude::*;

use super::when::When;
use crate::diagnose::{Diagnosis, Phase, PhaseName};
use crate::recall::time::{human_duration, Timestamp};

#[component]
pub fn Timeline(d: Diagnosis) -> impl IntoView {
    let count = d.timeline.len();
    let phases = d.phases.clone();
    let shots: Vec<Timestamp> = d.screenshots.iter().filter_map(|s| s.recorded_at).collect();
    view! {
        <details class="section" data-section="timeline" open>
            <summary>{format!("Timeline · {count} status change{}", if count == 1 { "" } else { "s" })}</summary>
            <PhaseBar phases shots/>
            // Focusable: it scrolls when long, and keyboard users must be able to scroll it too.
            <ol class="timeline" tabindex="0" aria-label="Status changes">
                {d.timeline.into_iter().map(|entry| {
                    let unknown = !entry.code_known || (entry.sub_code.is_some() && !entry.sub_code_known);
                    view! {
                        <li class:unknown-code=unknown>
                            <When at=entry.at/>
                            <span class="what">
                                <code>{entry.code.clone()}</code>
                                {entry.seconds.map(|s| view! { <span class="spent">{human_duration(s)}</span> })}
                                <span class="label">{entry.label.clone()}</span>
                                {entry.sub_code.clone().map(|sub| view! { <span class="sub"><code>{sub}</code></span> })}
                                {entry.message.clone().map(|m| view! { <span class="message">{m}</span> })}
                                {unknown.then(|| view! { <span class="unknown">"not yet in the botlens catalog"</span> })}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}

/// Where time went. Segments get a minimum width so short phases stay visible;
/// the screenshots are pinned beneath it at the moment each was taken.
#[component]
fn PhaseBar(phases: Vec<Phase>, shots: Vec<Timestamp>) -> impl IntoView {
    let total: i64 = phases
        .iter()
        .filter_map(|p| p.seconds)
        .filter(|s| *s > 0)
        .sum();
    if total <= 0 {
        return ().into_any();
    }
    // Per mille, in integers: float formatting would add kilobytes to the wasm.
    let share = |seconds: i64| (seconds.saturating_mul(1000) / total).max(30);
    let pins: Vec<(i64, Timestamp)> = shots
        .into_iter()
        .filter_map(|at| pin(&phases, &share, at).map(|x| (x, at)))
        .collect();
    view! {
        <div class="phases" role="img" aria-label=phase_summary(&phases)>
            {phases.iter().filter_map(|p| p.seconds.filter(|s| *s > 0).map(|s| (p, s))).map(|(p, s)| view! {
                <span class=format!("phase phase-{}", phase_class(p.name)) style=format!("flex-grow:{}", share(s))
                    title=format!("{} · {}", p.label, human_duration(s))></span>
            }).collect_view()}
        </div>
        {(!pins.is_empty()).then(|| view! {
            <div class="pins" aria-hidden="true">
                {pins.into_iter().map(|(x, at)| view! {
                    <span class="pin" style=format!("left:{}.{}%", x / 10, x % 10)
                        title=format!("Screenshot, {} UTC", at.human())></span>
                }).collect_view()}
            </div>
        })}
        <p class="phase-legend">{phase_summary(&phases)}</p>
    }
    .into_any()
}

/// Where on the bar (per mille of its width) a moment falls: the segments'
/// shares before its phase, plus its place inside that phase. `None` outside the phases.
fn pin(phases: &[Phase], share: &dyn Fn(i64) -> i64, at: Timestamp) -> Option<i64> {
    let shown: Vec<(&Phase, i64)> = phases
        .iter()
        .filter_map(|p| p.seconds.filter(|s| *s > 0).map(|s| (p, s)))
        .collect();
    let width: i64 = shown.iter().map(|(_, s)| share(*s)).sum();
    let mut before = 0;
    for (p, seconds) in &shown {
        let start = p.start?;
        let into = start.seconds_until(at);
        if (0..=*seconds).contains(&into) {
            let x = before + share(*seconds) * into / seconds;
            return Some(x * 1000 / width.max(1));
        }
        before += share(*seconds);
    }
    None
}

fn phase_class(name: PhaseName) -> &'static str {
    match name {
        PhaseName::Joining => "joining",
        PhaseName::WaitingRoom => "waiting",
        PhaseName::InCallNotRecording => "not-recording",
        PhaseName::Recording => "recording",
    }
}

fn phase_summary(phases: &[Phase]) -> String {
    phases
        .iter()
        .filter_map(|p| {
            p.seconds.map(|s| {
                let ongoing = if p.ongoing { " so far" } else { "" };
                format!("{} {}{ongoing}", p.label, human_duration(s))
            })
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
