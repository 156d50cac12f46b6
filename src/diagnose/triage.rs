//! Many bots at once, grouped by why: verdict, reason and whose move, the
//! most frequent group first. Pure: diagnoses and look-up failures in,
//! groups out; the command line and the browser each bring their fetching.

use serde::Serialize;

use super::catalog::{self, Party};
use super::report::{cell, plain};
use super::{Diagnosis, Verdict};
use crate::recall::error::ApiError;

/// The answer for a set of bots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Triage {
    /// Bots looked at (diagnosed or not).
    pub total: usize,
    pub groups: Vec<Group>,
    /// Bots botlens could not look up, grouped by what went wrong.
    pub failures: Vec<Failure>,
}

/// Bots that share a verdict, a reason and whose move it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub reason_known: bool,
    pub whose_move: Option<Party>,
    /// What it means, in the catalog's words (the first bot's when the
    /// reason is not in the catalog).
    pub title: String,
    pub remedy: String,
    pub bots: Vec<Member>,
}

/// One bot of a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Member {
    pub bot_id: String,
    pub explorer_url: String,
    pub platform: Option<String>,
}

/// Bots whose look-up failed the same way.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    /// [`ApiError::kind`]: `not_found`, `unauthorized`, `throttled`, …
    pub kind: &'static str,
    /// The first error's words and what to try.
    pub message: String,
    pub next_step: String,
    pub bots: Vec<String>,
}

/// Group diagnoses and failures; the most frequent first, then the most serious.
pub fn triage(diagnoses: &[Diagnosis], failed: &[(String, ApiError)]) -> Triage {
    let mut groups: Vec<Group> = Vec::new();
    for d in diagnoses {
        let member = Member {
            bot_id: d.bot_id.clone(),
            explorer_url: d.explorer_url.clone(),
            platform: d.platform.clone(),
        };
        let same = |g: &&mut Group| {
            g.verdict == d.verdict && g.reason == d.reason && g.whose_move == d.whose_move
        };
        if let Some(g) = groups.iter_mut().find(same) {
            g.bots.push(member);
            continue;
        }
        let entry = d.reason.as_deref().and_then(catalog::lookup);
        let (title, remedy) = match (entry, &d.reason) {
            (Some(e), _) => (e.title.clone(), e.remedy.clone()),
            (None, Some(_)) => (d.title.clone(), d.remedy.clone()),
            (None, None) => (
                match d.verdict {
                    Verdict::Healthy => "Recorded and ended normally",
                    Verdict::InProgress => "Still running",
                    Verdict::Unknown => "Cannot tell from what Recall returned",
                    Verdict::Failed | Verdict::Warning => "No reason given",
                }
                .to_string(),
                match d.verdict {
                    Verdict::Healthy => "Nothing to do.",
                    Verdict::InProgress => "Run triage again once they finish.",
                    _ => "Open one of them for its timeline, screenshots and logs.",
                }
                .to_string(),
            ),
        };
        groups.push(Group {
            verdict: d.verdict,
            reason: d.reason.clone(),
            reason_known: d.reason_known,
            whose_move: d.whose_move,
            title,
            remedy,
            bots: vec![member],
        });
    }
    groups.sort_by(|a, b| {
        b.bots
            .len()
            .cmp(&a.bots.len())
            .then(severity(a.verdict).cmp(&severity(b.verdict)))
            .then(a.reason.cmp(&b.reason))
    });
    let mut failures: Vec<Failure> = Vec::new();
    for (id, error) in failed {
        match failures.iter_mut().find(|f| f.kind == error.kind()) {
            Some(f) => f.bots.push(id.clone()),
            None => failures.push(Failure {
                kind: error.kind(),
                message: error.to_string(),
                next_step: error.next_step(),
                bots: vec![id.clone()],
            }),
        }
    }
    failures.sort_by_key(|f| std::cmp::Reverse(f.bots.len()));
    Triage {
        total: diagnoses.len() + failed.len(),
        groups,
        failures,
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break. A
/// field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) gets a
/// leading `'`: Recall's words stay text there too.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Failed => 0,
        Verdict::Warning => 1,
        Verdict::Unknown => 2,
        Verdict::InProgress => 3,
        Verdict::Healthy => 4,
    }
}

/// `5 bots: 3 failed, 2 healthy` (`+ N not looked up`), the most serious
/// verdict first: the one-line count every list of bots opens with.
pub fn summarize(verdicts: impl IntoIterator<Item = Verdict>, not_looked_up: usize) -> String {
    const ORDER: [Verdict; 5] = [
        Verdict::Failed,
        Verdict::Warning,
        Verdict::Unknown,
        Verdict::InProgress,
        Verdict::Healthy,
    ];
    let mut counts = [0usize; ORDER.len()];
    for v in verdicts {
        if let Some(i) = ORDER.iter().position(|o| *o == v) {
            counts[i] += 1;
        }
    }
    let mut parts: Vec<String> = ORDER
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(v, n)| format!("{n} {}", v.label().to_lowercase()))
        .collect();
    if not_looked_up > 0 {
        parts.push(format!("{not_looked_up} not looked up"));
    }
    let total = counts.iter().sum::<usize>() + not_looked_up;
    let bots = if total == 1 { "bot" } else { "bots" };
    format!("{total} {bots}: {}", parts.join(", "))
}

impl Triage {
    /// How many bots ended with `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.groups
            .iter()
            .filter(|g| g.verdict == verdict)
            .map(|g| g.bots.len())
            .sum()
    }

    /// `200 bots: 120 failed, 30 warning, 45 healthy, 5 not looked up`.
    pub fn summary(&self) -> String {
        let verdicts = self
            .groups
            .iter()
            .flat_map(|g| std::iter::repeat_n(g.verdict, g.bots.len()));
        let failed: usize = self.failures.iter().map(|f| f.bots.len()).sum();
        summarize(verdicts, failed)
    }

    /// One CSV row per bot (RFC 4180): `bot_id, verdict, reason, whose_move,
    /// title, explorer_url`; bots not looked up as `not_looked_up` rows.
    /// Written here, not with a CSV library, so the extension's popup can
    /// offer it without carrying one.
    pub fn csv(&self) -> String {
        let mut o = String::from("bot_id,verdict,reason,whose_move,title,explorer_url\r\n");
        let mut row = |fields: [&str; 6]| {
            let cells: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            o.push_str(&cells.join(","));
            o.push_str("\r\n");
        };
        for g in &self.groups {
            for m in &g.bots {
                row([
                    &m.bot_id,
                    g.verdict.as_str(),
                    g.reason.as_deref().unwrap_or(""),
                    g.whose_move.map_or("", Party::as_str),
                    &g.title,
                    &m.explorer_url,
                ]);
            }
        }
        for f in &self.failures {
            for id in &f.bots {
                row([id, "not_looked_up", f.kind, "", &f.message, ""]);
            }
        }
        o
    }

    /// The incident ticket: a summary table, then each group's bots as
    /// Explorer links. Recall's words are escaped; IDs are our own.
    pub fn markdown(&self) -> String {
        let mut o = format!("## Triage of {}\n\n", self.summary());
        o.push_str("| Bots | Verdict | Reason | Whose move | What it means | What to do |\n");
        o.push_str("|---:|---|---|---|---|---|\n");
        for g in &self.groups {
            o.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                g.bots.len(),
                g.verdict.label(),
                g.reason
                    .as_deref()
                    .map_or_else(String::new, |r| format!("`{}`", cell(r))),
                g.whose_move.map_or("", Party::label),
                plain(&g.title),
                plain(&g.remedy)
            ));
        }
        for g in &self.groups {
            let reason = g.reason.as_deref().map(plain).unwrap_or_default();
            o.push_str(&format!(
                "\n### {} · {} ({})\n\n",
                g.verdict.label(),
                if reason.is_empty() {
                    plain(&g.title)
                } else {
                    reason
                },
                g.bots.len()
            ));
            for m in &g.bots {
                o.push_str(&format!("- [{}]({})\n", plain(&m.bot_id), m.explorer_url));
            }
        }
        for f in &self.failures {
            o.push_str(&format!(
                "\n### Not looked up: {} ({})\n\n{} {}\n\n",
                f.kind,
                f.bots.len(),
                plain(&f.message),
                plain(&f.next_step)
            ));
            for id in &f.bots {
                o.push_str(&format!("- `{}`\n", plain(id)));
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot(id: &str, last: &str, sub: Option<&str>) -> Diagnosis {
        let sub = serde_json::to_string(&sub).unwrap();
        let text = format!(
            r#"{{"id": "{id}", "meeting_url": {{"platform": "zoom", "meeting_id": "1"}}, "status_changes": [
                {{"code": "joining_call", "created_at": "2026-01-01T00:00:00Z"}},
                {{"code": "{last}", "sub_code": {sub}, "created_at": "2026-01-01T00:20:00Z"}},
                {{"code": "done", "created_at": "2026-01-01T00:20:05Z"}}]}}"#
        );
        super::super::diagnose_json(&text, None, None).unwrap()
    }

    #[test]
    fn groups_by_why_most_frequent_first_and_exports_as_text() {
        let a = "0b5f5b0e-1111-4a4a-8b8b-000000000001";
        let b = "0b5f5b0e-1111-4a4a-8b8b-000000000002";
        let c = "0b5f5b0e-1111-4a4a-8b8b-000000000003";
        let diagnoses = [
            bot(a, "call_ended", Some("timeout_exceeded_waiting_room")),
            bot(b, "fatal", Some("=HYPERLINK(\"x\")")),
            bot(c, "call_ended", Some("timeout_exceeded_waiting_room")),
        ];
        let failed = [(
            "0b5f5b0e-1111-4a4a-8b8b-000000000004".to_string(),
            ApiError::NotFound {
                regions_tried: vec![],
            },
        )];
        let t = triage(&diagnoses, &failed);
        assert_eq!(t.total, 4);
        assert_eq!(t.groups[0].bots.len(), 2);
        assert_eq!(
            t.groups[0].reason.as_deref(),
            Some("timeout_exceeded_waiting_room")
        );
        assert_eq!(t.groups[0].whose_move, Some(Party::Host));
        assert_eq!(t.count(Verdict::Failed), 3);
        assert!(
            t.summary().starts_with("4 bots: 3 failed"),
            "{}",
            t.summary()
        );
        let csv = t.csv();
        assert_eq!(csv.lines().count(), 5);
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"x\"\")\""),
            "a formula stays text: {csv}"
        );
        let md = t.markdown();
        assert!(
            md.contains(&format!(
                "- [{a}](https://us-east-1.recall.ai/dashboard/explorer/bot/{a})"
            )),
            "{md}"
        );
        assert!(md.contains("### Not looked up: not_found (1)"), "{md}");
    }
}
