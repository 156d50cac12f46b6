//! Markdown for a support ticket. Placeholder; filled in below.
use super::Diagnosis;

/// The diagnosis as Markdown.
pub fn markdown(d: &Diagnosis) -> String {
    format!("{} {}\n", d.bot_id, d.reason.clone().unwrap_or_default())
}
