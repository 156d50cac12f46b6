//! Table columns: in a Markdown table or a CSV/TSV document whose first line is
//! a header, the column's header is the label of every cell below it
//! (`| Bot ID | Recording ID |`, `bot_id,recording_id`).

use super::context::{
    classify_label, is_id_word, is_label_byte, split_last_word, Ctx, Label, MAX_LABEL,
};

/// The table layout of a CSV/TSV document, taken from its first line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Header {
    delim: u8,
    cells: Vec<Label>,
}

impl Header {
    /// Read the header from the start of a document; `None` unless it looks like a header row
    /// (at least two cells, one of them an id-ish label, no UUID in it).
    pub(crate) fn detect(doc: &[u8]) -> Option<Header> {
        let line_end = memchr::memchr(b'\n', doc).unwrap_or(doc.len());
        if line_end > 4096 {
            return None;
        }
        let line = doc.get(..line_end)?;
        let delim = [b',', b'\t', b';']
            .into_iter()
            .max_by_key(|d| line.iter().filter(|b| *b == d).count())?;
        if !line.contains(&delim) || line.len() > 36 && super::scan::first_uuid(line).is_some() {
            return None;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let label_like =
            |c: &[u8]| c.len() <= MAX_LABEL && c.iter().all(|&b| is_label_byte(b) || b == b' ');
        if !split_cells(line, delim).all(|c| label_like(trim_cell(c))) {
            return None;
        }
        let cells: Vec<Label> = split_cells(line, delim)
            .map(|c| classify_label(trim_cell(c)))
            .collect();
        // A header names at least one id column (`id`, `bot_id`, `Recording ID`); prose with
        // commas does not.
        let has_id_column = split_cells(line, delim).any(|c| {
            let (_, last) = split_last_word(trim_cell(c));
            is_id_word(last)
        });
        (has_id_column && cells.iter().any(|l| *l != Label::Unknown))
            .then_some(Header { delim, cells })
    }
}

fn trim_cell(c: &[u8]) -> &[u8] {
    let is_trim = |b: &u8| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'' || *b == b'*';
    let start = c.iter().position(|b| !is_trim(b)).unwrap_or(c.len());
    let end = c.iter().rposition(|b| !is_trim(b)).map_or(start, |e| e + 1);
    c.get(start..end).unwrap_or_default()
}

/// Cells of a delimited line, honouring double quotes.
fn split_cells(line: &[u8], delim: u8) -> impl Iterator<Item = &[u8]> {
    let mut in_quotes = false;
    line.split(move |&b| {
        if b == b'"' {
            in_quotes = !in_quotes;
        }
        b == delim && !in_quotes
    })
}

/// Count delimiters outside double quotes in `bytes`.
fn column_of(bytes: &[u8], delim: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for &b in bytes {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delim && !in_quotes {
            n += 1;
        }
    }
    n
}

/// The label of the table column the UUID sits in.
pub(super) fn column_label(cx: &Ctx<'_>) -> Label {
    let b = cx.before;
    let line_start = match memchr::memrchr(b'\n', b) {
        Some(i) => i + 1,
        None if cx.at_doc_start => 0,
        None => return Label::Unknown,
    };
    let line = b.get(line_start..).unwrap_or_default();
    let trimmed = trim_start_ws(line);
    if trimmed.first() == Some(&b'|') {
        return markdown_column(b, line_start, trimmed);
    }
    let Some(header) = cx.header else {
        return Label::Unknown;
    };
    if line_start == 0 && cx.at_doc_start {
        return Label::Unknown; // the header line itself
    }
    let col = column_of(line, header.delim);
    header.cells.get(col).copied().unwrap_or(Label::Unknown)
}

fn trim_start_ws(s: &[u8]) -> &[u8] {
    let i = s
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(s.len());
    s.get(i..).unwrap_or_default()
}

/// Markdown table: find the `|---|---|` line above, the header is the line above that.
fn markdown_column(b: &[u8], line_start: usize, row: &[u8]) -> Label {
    let row = row.get(1..).unwrap_or_default();
    let col = row.iter().filter(|c| **c == b'|').count();
    let mut end = line_start.saturating_sub(1); // the '\n' that ends the previous line
    for _ in 0..64 {
        let start = memchr::memrchr(b'\n', b.get(..end).unwrap_or_default()).map_or(0, |i| i + 1);
        let line = trim_start_ws(b.get(start..end).unwrap_or_default());
        if line.first() != Some(&b'|') {
            return Label::Unknown;
        }
        if is_md_separator(line) {
            if start == 0 {
                return Label::Unknown;
            }
            let hend = start - 1;
            let hstart =
                memchr::memrchr(b'\n', b.get(..hend).unwrap_or_default()).map_or(0, |i| i + 1);
            let header = trim_start_ws(b.get(hstart..hend).unwrap_or_default());
            let header = header.get(1..).unwrap_or_default();
            return header
                .split(|c| *c == b'|')
                .nth(col)
                .map_or(Label::Unknown, |cell| {
                    match classify_label(trim_cell(cell)) {
                        Label::Neutral => Label::Unknown,
                        l => l,
                    }
                });
        }
        if start == 0 {
            return Label::Unknown;
        }
        end = start - 1;
    }
    Label::Unknown
}

fn is_md_separator(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.windows(3).any(|w| w == b"---")
        && line
            .iter()
            .all(|c| matches!(c, b'|' | b'-' | b':' | b' ' | b'\t'))
}
