//! Colour for botlens's own words on a terminal: the verdict by its tone and
//! the headings in bold. Text that came from a document never carries colour:
//! every piece still goes through [`terminal::safe`], and the escape codes are
//! added around our pieces only after that.
//!
//! Off when standard output is not a terminal (a pipe, a file), when
//! `NO_COLOR` is set to anything non-empty, or when `TERM` is `dumb`;
//! `--color always|never` overrides all three.

use std::io::IsTerminal;

use botlens::diagnose::Verdict;
// clap re-exports anstyle here, so the styles cost no new dependency.
use clap::builder::styling::{AnsiColor, Style};
use clap::ColorChoice;

use super::terminal;

/// The `--color` flag of the commands that print a diagnosis.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct ColorArgs {
    /// Colour the verdicts and headings: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

impl ColorArgs {
    /// Whether this run's standard output gets colour.
    pub fn on(self) -> bool {
        wanted(
            self.color,
            std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            std::io::stdout().is_terminal(),
        )
    }
}

/// The rule, apart from the environment it reads.
fn wanted(choice: ColorChoice, no_color: bool, dumb: bool, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color && !dumb,
    }
}

/// What a painted piece says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Bad,
    Caution,
    Good,
    Busy,
    Dim,
    Heading,
}

impl Tone {
    pub fn of(verdict: Verdict) -> Tone {
        match verdict {
            Verdict::Failed => Tone::Bad,
            Verdict::Warning => Tone::Caution,
            Verdict::Healthy => Tone::Good,
            Verdict::InProgress => Tone::Busy,
            Verdict::Unknown => Tone::Dim,
        }
    }

    fn style(self) -> Style {
        let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        match self {
            Tone::Bad => colour(AnsiColor::Red).bold(),
            Tone::Caution => colour(AnsiColor::Yellow).bold(),
            Tone::Good => colour(AnsiColor::Green).bold(),
            Tone::Busy => colour(AnsiColor::Cyan).bold(),
            Tone::Dim => colour(AnsiColor::BrightBlack),
            Tone::Heading => Style::new().bold(),
        }
    }
}

/// An answer for the terminal, built piece by piece: plain text, or our own
/// words with a tone. Rendering makes every piece safe first.
#[derive(Default)]
pub struct Painted {
    parts: Vec<(Option<Tone>, String)>,
}

impl Painted {
    pub fn push_str(&mut self, text: &str) {
        match self.parts.last_mut() {
            Some((None, last)) => last.push_str(text),
            _ => self.parts.push((None, text.to_string())),
        }
    }

    pub fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    pub fn paint(&mut self, tone: Tone, words: &str) {
        self.parts.push((Some(tone), words.to_string()));
    }

    /// `words` painted, then spaces up to `width` columns left unpainted, so
    /// the columns line up with colour on or off.
    pub fn paint_padded(&mut self, tone: Tone, words: &str, width: usize) {
        self.paint(tone, words);
        let pad = width.saturating_sub(words.chars().count());
        self.push_str(&" ".repeat(pad));
    }

    /// The text, each piece through [`terminal::safe`], painted pieces wrapped
    /// in escape codes when `colour` is on.
    pub fn render(&self, colour: bool) -> String {
        let mut out = String::new();
        for (tone, text) in &self.parts {
            let text = terminal::safe(text);
            match tone {
                Some(t) if colour && !text.is_empty() => {
                    let style = t.style();
                    out.push_str(&format!("{style}{text}{style:#}"));
                }
                _ => out.push_str(&text),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_where_asked_and_on_a_terminal() {
        use ColorChoice::{Always, Auto, Never};
        assert!(wanted(Auto, false, false, true));
        assert!(!wanted(Auto, false, false, false), "a pipe");
        assert!(!wanted(Auto, true, false, true), "NO_COLOR");
        assert!(!wanted(Auto, false, true, true), "TERM=dumb");
        assert!(wanted(Always, true, true, false));
        assert!(!wanted(Never, false, false, true));
    }

    #[test]
    fn document_text_stays_text_and_our_words_get_colour() {
        let mut p = Painted::default();
        p.paint(Tone::of(Verdict::Failed), "FAILED");
        p.push_str(": \u{1b}[32mfake\n");
        let on = p.render(true);
        assert!(on.starts_with("\u{1b}["), "{on:?}");
        assert!(on.contains("FAILED\u{1b}[0m"), "{on:?}");
        assert!(on.ends_with(": \\u{1b}[32mfake\n"), "{on:?}");
        assert_eq!(p.render(false), "FAILED: \\u{1b}[32mfake\n");
    }
}
