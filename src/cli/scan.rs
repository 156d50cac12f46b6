//! `botlens scan`: find bot IDs in logs, HTML pages, chat exports, CSV and webhook dumps.
//!
//! Text inputs are streamed (bounded memory whatever their size); HTML inputs are parsed whole.
//! All inputs of one run form one document for the merge of [`botlens::detect`]: an ID shown to
//! be a bot anywhere is a bot; one shown to be another resource (and never a bot) is not
//! printed. Output comes at the end, one ID per line in order of first appearance, or with
//! `--json` one array of `{id, kind, file, line, context}` (the first appearance of each ID).
//! Memory grows with the number of distinct IDs only.
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

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 when an ID was found, 1 when none, 2 when an input could not be read."
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
    fn write_u128(&mut self, v: u128) {
        let folded = (v as u64) ^ ((v >> 64) as u64);
        self.0 = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

fn key(id: &[u8; 36]) -> u128 {
    id.iter().filter(|&&c| c != b'-').fold(0u128, |acc, &c| {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => 0,
        };
        (acc << 4) | u128::from(v)
    })
}

struct Entry {
    id: [u8; 36],
    bot: bool,
    other: bool,
    file: usize,
    line: u64,
    context: String,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    id: &'a str,
    kind: Kind,
    file: &'a str,
    line: u64,
    context: &'a str,
}

#[derive(Default)]
struct Aggregate {
    index: HashMap<u128, usize, BuildHasherDefault<IdHasher>>,
    entries: Vec<Entry>,
    files: Vec<String>,
}

impl Aggregate {
    fn note(&mut self, id: [u8; 36], seen: Seen, line: u64, context: impl FnOnce() -> String) {
        let file = self.files.len().saturating_sub(1);
        let entries = &mut self.entries;
        let i = *self.index.entry(key(&id)).or_insert_with(|| {
            entries.push(Entry {
                id,
                bot: false,
                other: false,
                file,
                line,
                context: context(),
            });
            entries.len() - 1
        });
        if let Some(e) = entries.get_mut(i) {
            match seen {
                Seen::Bot => e.bot = true,
                Seen::Other => e.other = true,
                Seen::Candidate => {}
            }
        }
    }

    fn reported(&self) -> impl Iterator<Item = (&Entry, Kind)> {
        self.entries.iter().filter_map(|e| match (e.bot, e.other) {
            (true, _) => Some((e, Kind::Bot)),
            (false, true) => None,
            (false, false) => Some((e, Kind::Candidate)),
        })
    }
}

fn is_html_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

fn scan_text(input: impl Read, agg: &mut Aggregate, json: bool) -> io::Result<()> {
    let opts = detect::stream::Options {
        count_lines: json,
        ..Default::default()
    };
    detect::stream::scan_reader(input, &opts, |f| {
        agg.note(f.id, f.seen, f.line, || {
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
        agg.note(id, f.seen, f.line, || f.context.clone());
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

fn print(agg: &Aggregate, json: bool) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if json {
        let list: Vec<JsonEntry<'_>> = agg
            .reported()
            .map(|(e, kind)| JsonEntry {
                id: std::str::from_utf8(&e.id).unwrap_or_default(),
                kind,
                file: agg.files.get(e.file).map_or("", String::as_str),
                line: e.line,
                context: &e.context,
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
    } else {
        for (e, _) in agg.reported() {
            out.write_all(&e.id)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

pub fn run(args: ScanArgs) -> ExitCode {
    let mut agg = Aggregate::default();
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
    match print(&agg, args.json) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            eprintln!("botlens scan: cannot write the output: {e}");
            return ExitCode::from(2);
        }
    }
    if failed {
        ExitCode::from(2)
    } else if agg.reported().next().is_none() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
