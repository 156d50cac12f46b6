//! Bounded-memory scanning of a reader (native only): the engine of `botlens scan`.
//!
//! The input is read in chunks; each round keeps the last 8 KiB (the context window) plus a
//! short tail so that UUIDs and their context crossing a chunk edge are classified exactly as
//! a whole-file scan would classify them. Memory stays at `chunk + 8 KiB` whatever the size.

use std::io::{self, Read};

use super::context::LOOKBACK;
use super::scan::{lower_id, Engine, LOOKAHEAD, UUID_LEN};
use super::Seen;

/// One occurrence found in a stream (any kind, including other resources: the caller merges).
pub struct Found<'a> {
    /// The UUID in lowercase ASCII.
    pub id: [u8; 36],
    /// What this occurrence's own context says.
    pub seen: Seen,
    /// Absolute byte offset of the UUID in the input.
    pub offset: u64,
    /// 1-based line number, or 0 when line counting is off.
    pub line: u64,
    buf: &'a [u8],
    start: usize,
}

impl Found<'_> {
    /// The UUID as text.
    pub fn id_str(&self) -> &str {
        std::str::from_utf8(&self.id).unwrap_or_default()
    }

    /// The text around the UUID on its line (at most 100 bytes before and 60 after, trimmed,
    /// lossily decoded). Independent of chunk size.
    pub fn context(&self) -> String {
        let s = self.start;
        let e = s + UUID_LEN;
        let lo = s.saturating_sub(100);
        let hi = (e + 60).min(self.buf.len());
        let before = self.buf.get(lo..s).unwrap_or_default();
        let after = self.buf.get(e..hi).unwrap_or_default();
        let ls = memchr::memrchr(b'\n', before).map_or(lo, |i| lo + i + 1);
        let le = memchr::memchr2(b'\n', b'\r', after).map_or(hi, |i| e + i);
        let text = String::from_utf8_lossy(self.buf.get(ls..le).unwrap_or_default());
        text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FFFD}')
            .to_string()
    }
}

/// Options of [`scan_reader`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Count lines (costs a pass over the bytes; needed for `--json`).
    pub count_lines: bool,
    /// Bytes read per round (default 1 MiB; small values only slow it down).
    pub chunk: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            count_lines: false,
            chunk: 1 << 20,
        }
    }
}

/// memchr counts with SIMD: over five times a plain loop, which kept line
/// numbers from halving the scan's speed.
fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// Scan everything `reader` yields, calling `on` for every UUID occurrence in order.
/// Returns the number of bytes read.
pub fn scan_reader<R: Read>(
    mut reader: R,
    opts: &Options,
    mut on: impl FnMut(&Found<'_>),
) -> io::Result<u64> {
    let chunk = opts.chunk.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(LOOKBACK + chunk);
    let mut engine = Engine::default();
    let mut base: u64 = 0;
    let mut line: u64 = 1;
    let mut counted: usize = 0;
    loop {
        // Fill the buffer up to the chunk size (or the end of the input).
        // The first round holds at least the context window, so the header line is whole.
        let target = (buf.len() + chunk).max(LOOKBACK + UUID_LEN + LOOKAHEAD + 1);
        let mut eof = false;
        while buf.len() < target {
            let old = buf.len();
            buf.resize(target, 0);
            match reader.read(buf.get_mut(old..).unwrap_or_default()) {
                Ok(0) => {
                    buf.truncate(old);
                    eof = true;
                    break;
                }
                Ok(n) => buf.truncate(old + n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(old),
                Err(e) => {
                    buf.truncate(old);
                    return Err(e);
                }
            }
        }
        let limit = if eof {
            buf.len()
        } else {
            buf.len().saturating_sub(UUID_LEN + LOOKAHEAD)
        };
        let data = buf.as_slice();
        engine.run(data, base, limit, |hit| {
            if opts.count_lines {
                line += count_newlines(data.get(counted..hit.start).unwrap_or_default());
                counted = hit.start;
            }
            on(&Found {
                id: lower_id(data, hit.start),
                seen: hit.seen.unwrap_or(Seen::Candidate),
                offset: base + hit.start as u64,
                line: if opts.count_lines { line } else { 0 },
                buf: data,
                start: hit.start,
            });
        });
        if eof {
            return Ok(base + buf.len() as u64);
        }
        if opts.count_lines {
            line += count_newlines(buf.get(counted..limit).unwrap_or_default());
            counted = limit;
        }
        let cut = limit.saturating_sub(LOOKBACK);
        buf.drain(..cut);
        base += cut as u64;
        counted = counted.saturating_sub(cut);
    }
}
