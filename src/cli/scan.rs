//! `botlens scan`: find bot IDs in logs, HTML pages, chat exports, CSV and webhook dumps.
//!
//! Text inputs are streamed (bounded memory whatever their size); HTML inputs are parsed whole.
//! All inputs of one run form one document for the merge of [`botlens::detect`]: an ID shown to
//! be a bot anywhere is a bot; one shown to be another resource (and never a bot) is not
//! printed. Output comes at the end, one ID per line in order of first appearance, as grep
//! prints a match — `FILE:LINE: KIND ID` at the ID's first appearance (`(standard input)` for
//! `-`) — or with `--json` one array of `{id, kind, file, line, context}`. When nothing is
//! found, standard error says so. Memory grows with the number of distinct IDs only.
//!
//! Exit status: 0 when an ID was found, 1 when none, 2 when an input could not be read.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use botlens::detect::{self, Kind, Seen};
use serde::Serialize;

use super::terminal;

#[derive(clap::Args)]
#[command(
    after_help = "Prints one line per ID at its first appearance, `FILE:LINE: KIND ID`, where KIND is \
`bot` (the context says so) or `candidate` (a UUID with no telling context). `awk '{print $NF}'` \
keeps the IDs alone.\n\n\
Exit status: 0 when an ID was found, 1 when none, 2 when an input could not be read."
)]
pub struct ScanArgs {
    /// Files to scan; `-` for standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print one JSON array of {id, kind, file, line, context}, one entry per ID (first appearance).
    #[arg(long)]
    json: bool,
    /// Read every input as HTML (default: by extension, .html and .htm).
    #[arg(long, conflicts_with = "text")]
    html: bool,
    /// Read every input as plain text (logs, JSON, CSV, chat exports).
    #[arg(long)]
    text: bool,
}

/// A hasher for UUIDs already reduced to 128 random-ish bits: fold and multiply.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(29) ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A UUID as two words (16 bytes, 8-aligned: a 24-byte map slot with its value).
type Key = (u64, u64);

/// Positions of the 32 hex digits of a UUID: the first 16 and the last 16.
const HI: [usize; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17];
const LO: [usize; 16] = [
    19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
];

const NIBBLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        };
        i += 1;
    }
    t
};

fn key(id: &[u8; 36]) -> Key {
    let word = |pos: &[usize; 16]| {
        pos.iter().fold(0u64, |acc, &i| {
            let c = id.get(i).copied().unwrap_or(b'0');
            (acc << 4) | u64::from(NIBBLE[usize::from(c)])
        })
    };
    (word(&HI), word(&LO))
}

fn id_text(k: Key) -> String {
    let h = format!("{:016x}{:016x}", k.0, k.1);
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

/// Where an ID was first seen with bot or candidate evidence (the context for `--json` only).
struct First {
    file: u32,
    line: u64,
    context: Box<str>,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: &'a str,
    kind: Kind,
    file: &'a str,
    line: u64,
    context: &'a str,
}

/// Flags in the top bits of an index value; the low bits are the position in `order`.
const BOT: u32 = 1 << 31;
const OTHER: u32 = 1 << 30;
const POS: u32 = (1 << 30) - 1;

/// The merge of every occurrence of every input. Memory: one 24-byte map slot per distinct
/// UUID, plus 48 bytes per ID seen with bot or candidate evidence (its first appearance; and
/// the context around it with `--json`).
#[derive(Default)]
struct Aggregate {
    /// UUID → BOT | OTHER | position in `order` (POS when it has none yet).
    index: HashMap<Key, u32, BuildHasherDefault<IdHasher>>,
    /// IDs in order of first bot/candidate appearance.
    order: Vec<Key>,
    firsts: Vec<First>,
    files: Vec<String>,
    json: bool,
}

impl Aggregate {
    fn note(&mut self, id: &[u8; 36], seen: Seen, line: u64, context: impl FnOnce() -> String) {
        let slot = self.index.entry(key(id)).or_insert(POS);
        match seen {
            Seen::Bot => *slot |= BOT,
            Seen::Other => {
                *slot |= OTHER;
                return;
            }
            Seen::Candidate => {}
        }
        if *slot & POS == POS && self.order.len() < POS as usize {
            *slot = (*slot & !POS) | self.order.len() as u32;
            self.order.push(key(id));
            self.firsts.push(First {
                file: u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(u32::MAX),
                line,
                context: if self.json {
                    context().into_boxed_str()
                } else {
                    Box::default()
                },
            });
        }
    }

    fn reported(&self) -> impl Iterator<Item = (usize, Key, Kind)> + '_ {
        self.order.iter().enumerate().filter_map(|(i, k)| {
            let flags = self.index.get(k).copied().unwrap_or(0);
            if flags & BOT != 0 {
                Some((i, *k, Kind::Bot))
            } else if flags & OTHER != 0 {
                None
            } else {
                Some((i, *k, Kind::Candidate))
            }
        })
    }
}

fn is_html_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn scan_text(input: impl Read, agg: &mut Aggregate, json: bool) -> io::Result<()> {
    // Both outputs name the line.
    let opts = detect::stream::Options {
        count_lines: true,
        ..Default::default()
    };
    detect::stream::scan_reader(input, &opts, |f| {
        agg.note(&f.id, f.seen, f.line, || {
            if json {
                f.context()
            } else {
                String::new()
            }
        });
    })?;
    Ok(())
}

fn scan_html(mut input: impl Read, agg: &mut Aggregate) -> io::Result<()> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let html = String::from_utf8_lossy(&bytes);
    for f in detect::html::occurrences(&html) {
        let mut id = [0u8; 36];
        if let Some(src) = f.id.as_bytes().get(..36) {
            id.copy_from_slice(src);
        }
        agg.note(&id, f.seen, f.line, || f.context.clone());
    }
    Ok(())
}

fn scan_one(path: &Path, html: bool, agg: &mut Aggregate, json: bool) -> io::Result<()> {
    if path == Path::new("-") {
        let stdin = io::stdin().lock();
        return if html {
            scan_html(stdin, agg)
        } else {
            scan_text(stdin, agg, json)
        };
    }
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    if html {
        scan_html(file, agg)
    } else {
        scan_text(file, agg, json)
    }
}

fn print(agg: &Aggregate) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if agg.json {
        let ids: Vec<(usize, String, Kind)> = agg
            .reported()
            .map(|(i, k, kind)| (i, id_text(k), kind))
            .collect();
        let list: Vec<JsonEntry<'_>> = ids
            .iter()
            .filter_map(|(i, id, kind)| {
                let first = agg.firsts.get(*i)?;
                Some(JsonEntry {
                    id,
                    kind: *kind,
                    file: agg
                        .files
                        .get(first.file as usize)
                        .map_or("", String::as_str),
                    line: first.line,
                    context: &first.context,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
    } else {
        for (i, k, kind) in agg.reported() {
            let (file, line) = agg.firsts.get(i).map_or(("", 0), |f| {
                let file = agg.files.get(f.file as usize).map_or("", String::as_str);
                (file, f.line)
            });
            let file = if file == "-" {
                "(standard input)".to_string()
            } else {
                terminal::one_line(file)
            };
            writeln!(out, "{file}:{line}: {} {}", kind_word(kind), id_text(k))?;
        }
    }
    out.flush()
}

/// The kind as `--json` writes it.
fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Bot => "bot",
        Kind::Candidate => "candidate",
    }
}

/// The bot IDs (and candidates) of `files`, in order of first appearance, read
/// as `botlens scan` reads them; `html` forces HTML (`Some(true)`) or text
/// (`Some(false)`), else by extension. The error names the file.
pub fn ids(files: &[PathBuf], html: Option<bool>) -> Result<Vec<(String, Kind)>, String> {
    let mut agg = Aggregate::default();
    for path in files {
        agg.files.push(path.display().to_string());
        let as_html = html.unwrap_or_else(|| is_html_path(path));
        scan_one(path, as_html, &mut agg, false)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    Ok(agg
        .reported()
        .map(|(_, k, kind)| (id_text(k), kind))
        .collect())
}

pub fn run(args: ScanArgs) -> ExitCode {
    let mut agg = Aggregate {
        json: args.json,
        ..Default::default()
    };
    let mut failed = false;
    for path in &args.files {
        agg.files.push(path.display().to_string());
        let html = args.html || (!args.text && is_html_path(path));
        if let Err(err) = scan_one(path, html, &mut agg, args.json) {
            let name = if path == Path::new("-") {
                "standard input".to_string()
            } else {
                path.display().to_string()
            };
            eprintln!("botlens scan: cannot read {name}: {err}");
            failed = true;
        }
    }
    match print(&agg) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("botlens scan: cannot write the output: {e}");
            return ExitCode::from(2);
        }
    }
    let none = agg.reported().next().is_none();
    if none {
        // Standard output stays empty (or `[]`) for pipes; people read this.
        let read = if failed { " in the inputs read" } else { "" };
        eprintln!("botlens scan: no bot ID found{read}");
    }
    if failed {
        ExitCode::from(2)
    } else if none {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
