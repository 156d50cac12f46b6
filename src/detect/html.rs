//! HTML mode (native only): the detection rules over an HTML document, as a browser shows it.
//!
//! The document is tokenized with html5ever (the tokenizer of Servo's parser), which gives line
//! numbers and never fails on broken markup. From the tokens we read:
//! - **visible text**, joined the way it reads: block elements start new lines, table cells are
//!   separated by tabs and a `<dd>` follows its `<dt>` on the same line, so `Bot ID` in one cell
//!   or term labels the UUID in the next; a cell under a `<th>` header (`Bot ID`, `Recording`)
//!   takes the header as its label;
//! - the `href`, `title`, `aria-label` and `data-*` attributes, via
//!   [`classify_attribute`](super::classify_attribute)'s rules.
//!
//! Skipped ([`SKIPPED_ELEMENTS`], [`EDITABLE_VALUES`], [`OPT_OUT`]): `script`, `style`,
//! `template`, `noscript`, `title`, `iframe`, comments, editable controls (`input`, `textarea`,
//! `select`, anything inside an editor: `contenteditable` of `""`, `true` or `plaintext-only`)
//! and anything the page opted out with `data-botlens="off"`, attributes included. The live-page
//! sensor skips the same (`extension/static/hover.js`; `tests/skip_list.rs` compares them).
//!
//! The whole document is held in memory (HTML pages are small; logs go through
//! [`stream`](super::stream)).

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::context::{classify_label, Label};
use super::scan::{lower_id, Engine, UUID_LEN};
use super::{Kind, Seen, Verdicts};

/// One UUID occurrence in an HTML document (any kind; see [`scan`] for the merged view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The UUID in lowercase.
    pub id: String,
    /// What this occurrence's own context says.
    pub seen: Seen,
    /// 1-based line of the source where the text or the tag holding it is.
    pub line: u64,
    /// The visible text line around it, or `name="value"` for an attribute.
    pub context: String,
}

/// A reported UUID of an HTML document, after the per-document merge.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HtmlMatch {
    pub id: String,
    pub kind: Kind,
    pub line: u64,
    pub context: String,
}

/// Elements whose content is not visible text or not the page's own text.
pub const SKIPPED_ELEMENTS: [&str; 9] = [
    "script", "style", "template", "noscript", "title", "textarea", "input", "select", "iframe",
];
/// `contenteditable` values (any case) that make an element an editor; others inherit.
pub const EDITABLE_VALUES: [&str; 3] = ["", "true", "plaintext-only"];
/// The page's own opt-out: `data-botlens="off"` (any case) on an element.
pub const OPT_OUT: (&str, &str) = ("data-botlens", "off");

/// An element botlens does not read, nor anything inside it.
fn is_skipped(name: &str, tag: &Tag) -> bool {
    let has = |attr: &str, values: &[&str]| {
        tag.attrs.iter().any(|a| {
            &*a.name.local == attr && values.iter().any(|v| a.value.eq_ignore_ascii_case(v))
        })
    };
    SKIPPED_ELEMENTS.contains(&name)
        || has("contenteditable", &EDITABLE_VALUES)
        || has(OPT_OUT.0, &[OPT_OUT.1])
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements that start a new line of the text the rules read (the live page's
/// hover layer reads the same: `BLOCK_TAGS` in `extension/static/reach.js`,
/// compared by `tests/skip_list.rs`).
pub const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "caption",
    "details",
    "dialog",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

fn is_block(name: &str) -> bool {
    BLOCK_ELEMENTS.contains(&name)
}

struct Open {
    name: String,
    skip: bool,
}

#[derive(Default)]
struct Table {
    /// Header labels by column, from `<th>` rows.
    headers: Vec<Label>,
    in_head: bool,
    row_is_header: bool,
    col: usize,
    /// Text of the header cell being read.
    cell_text: String,
    in_cell: bool,
    cell_is_th: bool,
    cell_col: usize,
    cell_start: usize,
    row_headers: Vec<(usize, String)>,
}

#[derive(Default)]
struct State {
    text: String,
    /// `(offset in text, source line)` at each text token.
    lines: Vec<(usize, u64)>,
    /// `(start, end, label)` of table cells whose column has a header.
    cells: Vec<(usize, usize, Label)>,
    stack: Vec<Open>,
    skip_depth: usize,
    tables: Vec<Table>,
    found: Vec<Found>,
}

impl State {
    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn start_tag(&mut self, tag: &Tag, line: u64) {
        let name = tag.name.to_string();
        let skip = is_skipped(&name, tag);
        let visible = self.skip_depth == 0 && !skip;
        if visible {
            for attr in &tag.attrs {
                let aname = attr.name.local.to_string();
                for (_, id, seen) in super::attribute_occurrences(&aname, &attr.value) {
                    self.found.push(Found {
                        id: String::from_utf8_lossy(&id).into_owned(),
                        seen,
                        line,
                        context: format!("{aname}=\"{}\"", truncate(&attr.value, 200)),
                    });
                }
            }
        }
        if !is_void(&name) && !tag.self_closing {
            if skip {
                self.skip_depth += 1;
            }
            self.stack.push(Open {
                name: name.clone(),
                skip,
            });
        }
        self.layout_start(&name, tag);
    }

    fn end_tag(&mut self, name: &str) {
        if let Some(pos) = self.stack.iter().rposition(|o| o.name == name) {
            for open in self.stack.drain(pos..) {
                if open.skip {
                    self.skip_depth = self.skip_depth.saturating_sub(1);
                }
            }
        }
        self.layout_end(name);
    }

    fn layout_start(&mut self, name: &str, tag: &Tag) {
        match name {
            "table" => {
                self.newline();
                self.tables.push(Table::default());
            }
            "thead" => {
                if let Some(t) = self.tables.last_mut() {
                    t.in_head = true;
                }
            }
            "tr" => {
                self.newline();
                if let Some(t) = self.tables.last_mut() {
                    t.col = 0;
                    t.row_is_header = true;
                    t.row_headers.clear();
                }
            }
            "td" | "th" => {
                self.close_cell();
                let at = self.text.len();
                if let Some(t) = self.tables.last_mut() {
                    if t.col > 0 {
                        self.text.push('\t');
                    }
                    let span = tag
                        .attrs
                        .iter()
                        .find(|a| &*a.name.local == "colspan")
                        .and_then(|a| a.value.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, 64);
                    t.in_cell = true;
                    t.cell_is_th = name == "th";
                    t.cell_col = t.col;
                    t.cell_start = at;
                    t.cell_text.clear();
                    if name == "td" && !t.in_head {
                        t.row_is_header = false;
                    }
                    t.col += span;
                } else {
                    self.text.push('\t');
                }
            }
            "dt" => self.newline(),
            "dd" => self.text.push('\t'),
            n if is_block(n) => self.newline(),
            _ => {}
        }
    }

    fn close_cell(&mut self) {
        let end = self.text.len();
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        if !t.in_cell {
            return;
        }
        t.in_cell = false;
        if t.cell_is_th {
            t.row_headers
                .push((t.cell_col, t.cell_text.trim().to_string()));
        } else if let Some(label) = t.headers.get(t.cell_col).copied() {
            if label != Label::Unknown {
                self.cells.push((t.cell_start, end, label));
            }
        }
    }

    fn layout_end(&mut self, name: &str) {
        match name {
            "td" | "th" => self.close_cell(),
            "tr" => {
                self.close_cell();
                if let Some(t) = self.tables.last_mut() {
                    if t.row_is_header && !t.row_headers.is_empty() {
                        let mut headers = vec![Label::Unknown; t.col.min(256)];
                        for (col, text) in t.row_headers.drain(..) {
                            if let Some(slot) = headers.get_mut(col) {
                                *slot = match classify_label(text.as_bytes()) {
                                    Label::Neutral => Label::Unknown,
                                    l => l,
                                };
                            }
                        }
                        t.headers = headers;
                    }
                }
                self.newline();
            }
            "thead" => {
                if let Some(t) = self.tables.last_mut() {
                    t.in_head = false;
                }
            }
            "table" => {
                self.close_cell();
                self.tables.pop();
                self.newline();
            }
            "dt" => {}
            n if is_block(n) || n == "dd" => self.newline(),
            _ => {}
        }
    }

    fn text(&mut self, s: &str, line: u64) {
        if self.skip_depth > 0 {
            return;
        }
        self.lines.push((self.text.len(), line));
        // Collapse runs of whitespace the way the page renders them (not inside `pre`).
        let pre = self.stack.iter().any(|o| o.name == "pre");
        for c in s.chars() {
            if c.is_whitespace() && !pre {
                if !self.text.ends_with([' ', '\n', '\t']) && !self.text.is_empty() {
                    self.text.push(' ');
                }
            } else {
                self.text.push(c);
            }
        }
        if let Some(t) = self.tables.last_mut() {
            if t.in_cell && t.cell_is_th {
                t.cell_text.push_str(s);
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let mut st = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => {
                    st.start_tag(&tag, line);
                    // The tokenizer alone does not know which elements hold raw text.
                    match &*tag.name {
                        "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "noscript" | "iframe" | "xmp" | "noembed" | "noframes" => {
                            return TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "textarea" | "title" => return TokenSinkResult::RawData(RawKind::Rcdata),
                        "plaintext" => return TokenSinkResult::Plaintext,
                        _ => {}
                    }
                }
                TagKind::EndTag => st.end_tag(&tag.name),
            },
            Token::CharacterTokens(s) => st.text(&s, line),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Every UUID occurrence of an HTML document (visible text and read attributes), ordered by
/// source line.
pub fn occurrences(html: &str) -> Vec<Found> {
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from_slice(html));
    let tok = Tokenizer::new(
        Sink(RefCell::new(State::default())),
        TokenizerOpts::default(),
    );
    let _ = tok.feed(&queue);
    tok.end();
    let mut st = std::mem::take(&mut *tok.sink.0.borrow_mut());
    st.close_cell();

    let text = st.text.as_bytes();
    let mut hits = Vec::new();
    Engine::without_header().run(text, 0, text.len(), |hit| hits.push(hit));
    let mut out = Vec::with_capacity(hits.len() + st.found.len());
    for hit in hits {
        let seen = hit.seen.or_else(|| {
            st.cells
                .iter()
                .find(|(s, e, _)| *s <= hit.start && hit.start < *e)
                .and_then(|(_, _, l)| match l {
                    Label::Bot => Some(Seen::Bot),
                    Label::Other => Some(Seen::Other),
                    _ => None,
                })
        });
        let line = match st.lines.binary_search_by(|(off, _)| off.cmp(&hit.start)) {
            Ok(i) => st.lines.get(i).map_or(1, |l| l.1),
            Err(i) => st.lines.get(i.wrapping_sub(1)).map_or(1, |l| l.1),
        };
        out.push(Found {
            id: String::from_utf8_lossy(&lower_id(text, hit.start)).into_owned(),
            seen: seen.unwrap_or(Seen::Candidate),
            line,
            context: line_around(text, hit.start),
        });
    }
    out.append(&mut st.found);
    out.sort_by_key(|f| f.line);
    out
}

/// The text line holding the UUID at `start` (at most 100 bytes before, 60 after).
fn line_around(text: &[u8], start: usize) -> String {
    let end = start + UUID_LEN;
    let lo = start.saturating_sub(100);
    let hi = (end + 60).min(text.len());
    let ls =
        memchr::memrchr(b'\n', text.get(lo..start).unwrap_or_default()).map_or(lo, |i| lo + i + 1);
    let le = memchr::memchr(b'\n', text.get(end..hi).unwrap_or_default()).map_or(hi, |i| end + i);
    String::from_utf8_lossy(text.get(ls..le).unwrap_or_default())
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FFFD}')
        .to_string()
}

/// The reportable UUIDs of an HTML document, unique, in order of first appearance, merged as
/// in [`scan`](super::scan): a bot anywhere is a bot; another resource (and never a bot) is
/// dropped.
pub fn scan(html: &str) -> Vec<HtmlMatch> {
    let found = occurrences(html);
    let mut verdicts = Verdicts::default();
    for f in &found {
        verdicts.note(lower_id(f.id.as_bytes(), 0), f.seen);
    }
    let mut seen_ids = std::collections::BTreeSet::new();
    found
        .into_iter()
        .filter_map(|f| {
            let kind = verdicts.kind(&lower_id(f.id.as_bytes(), 0))?;
            seen_ids.insert(f.id.clone()).then_some(HtmlMatch {
                id: f.id,
                kind,
                line: f.line,
                context: f.context,
            })
        })
        .collect()
}
