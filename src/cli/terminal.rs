//! Text from a document reaches the terminal as text. A bot name or a log line
//! may hold escape sequences (recolouring, retitling, hiding the lines above),
//! carriage returns or bidi overrides: they are written out visibly, never obeyed.

/// `text` with every control and bidi character except a line break written
/// out as `\u{…}`: the backstop over a whole answer.
pub fn safe(text: &str) -> String {
    shown(text, |c| c == '\n')
}

/// One field on one line: a line break inside it is written out too, so a
/// value cannot fake a line of the answer.
pub fn one_line(text: &str) -> String {
    shown(text, |_| false)
}

fn shown(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() || is_bidi(c)) && !keep(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Marks that reorder how a line is drawn (U+061C, U+200E/F, U+202A–E, U+2066–9).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_obeyed() {
        assert_eq!(safe("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\nc");
        assert_eq!(one_line("x\ny\r\u{202e}z"), "x\\u{a}y\\u{d}\\u{202e}z");
        assert_eq!(safe("plain · text ✔"), "plain · text ✔");
    }
}
