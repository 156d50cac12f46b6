//! The byte scanner: find standalone UUIDs fast, then classify each one by its context.
//!
//! The hot loop is `memchr` for `-`: every dash is tried as the *first* dash of a UUID
//! (8 hex digits before it, dashes 5, 10 and 15 bytes after it), which rejects ordinary dashes
//! (dates, words) after one or two byte compares. Only real UUID shapes reach the context rules.

use super::context::{self, Ctx, Header, LOOKBACK};
pub(crate) use super::uuid::UUID_LEN;
use super::uuid::{is_hex, uuid_shape};
use super::Seen;

/// How far past a UUID's end the standalone check may look (`-` plus a bounded hex run).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // only the native stream reader needs it
pub(crate) const LOOKAHEAD: usize = 1 + HEX_RUN_MAX + 1;
const HEX_RUN_MAX: usize = 64;

/// The alphanumeric run beyond a neighbouring `-` is all hex digits: the UUID is part of a
/// longer dashed hex string (`deadbeef-<uuid>`, `<uuid>-0001`), so it is not standalone.
fn hex_run<'a>(mut run: impl Iterator<Item = &'a u8>) -> bool {
    let mut n = 0;
    for &c in run.by_ref() {
        if !context::is_word(c) {
            break;
        }
        if !is_hex(c) {
            return false;
        }
        n += 1;
        if n >= HEX_RUN_MAX {
            break;
        }
    }
    n > 0
}

/// The UUID at `buf[s..s + 36]` is not glued to letters, digits or `_` (ASCII) on either side.
/// A `-` neighbour is a separator (`bot-<uuid>`, `<uuid>-v2`) unless a hex run lies beyond it.
#[inline]
pub(crate) fn standalone(buf: &[u8], s: usize) -> bool {
    let e = s + UUID_LEN;
    let before_ok = match s.checked_sub(1).and_then(|i| buf.get(i)) {
        None => true,
        Some(&b'-') => !hex_run(buf.get(..s - 1).unwrap_or_default().iter().rev()),
        Some(&c) => !context::is_word(c),
    };
    before_ok
        && match buf.get(e) {
            None => true,
            Some(&b'-') => !hex_run(buf.get(e + 1..).unwrap_or_default().iter()),
            Some(&c) => !context::is_word(c),
        }
}

/// Start of the first standalone UUID in `buf`, if any (no classification).
pub(crate) fn first_uuid(buf: &[u8]) -> Option<usize> {
    let mut pos = 8;
    while let Some(i) = memchr::memchr(b'-', buf.get(pos..)?) {
        let d = pos + i;
        let s = d - 8;
        if uuid_shape(buf.get(s..)?) && standalone(buf, s) {
            return Some(s);
        }
        pos = d + 1;
    }
    None
}

/// Lowercase copy of the 36 bytes of a UUID found at `s`.
#[inline]
pub(crate) fn lower_id(buf: &[u8], s: usize) -> [u8; UUID_LEN] {
    let mut id = [0u8; UUID_LEN];
    if let Some(src) = buf.get(s..s + UUID_LEN) {
        id.copy_from_slice(src);
        id.make_ascii_lowercase();
    }
    id
}

/// One classified occurrence, offsets relative to the window passed to [`Engine::run`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub start: usize,
    /// `None`: no evidence (a candidate unless a default label says more).
    pub seen: Option<Seen>,
}

/// The stateful scanner behind both the whole-text API and the streaming reader: it remembers
/// the document's CSV header, the previous occurrence (for lists) and where scanning stopped.
#[derive(Default)]
pub(crate) struct Engine {
    header: Option<Header>,
    header_checked: bool,
    /// Decided with the header, on the document's first window.
    bot_document: bool,
    /// Absolute end of the previous occurrence and its class.
    prev: Option<(u64, Option<Seen>)>,
    /// Absolute offset from which the next UUID may start.
    next_from: u64,
}

impl Engine {
    /// An engine that never treats the first line as a CSV/TSV header (HTML text, attributes).
    pub(crate) fn without_header() -> Engine {
        Engine {
            header_checked: true,
            ..Engine::default()
        }
    }

    /// Scan `buf`, which starts at absolute offset `base` of the document, for UUIDs starting
    /// in `[next_from, base + limit)`. The caller guarantees `LOOKBACK` bytes of history before
    /// `next_from` (or the document start) and `LOOKAHEAD` bytes after `limit + 36` (or the
    /// document end) are inside `buf`, so the result equals a whole-document scan.
    pub(crate) fn run(&mut self, buf: &[u8], base: u64, limit: usize, mut emit: impl FnMut(Hit)) {
        if !self.header_checked && base == 0 {
            self.header_checked = true;
            self.header = Header::detect(buf);
            self.bot_document = context::is_bot_document(buf);
        }
        let limit = limit.min(buf.len());
        let from = usize::try_from(self.next_from.saturating_sub(base)).unwrap_or(usize::MAX);
        let mut pos = from.saturating_add(8);
        while let Some(i) = buf.get(pos..).and_then(|rest| memchr::memchr(b'-', rest)) {
            let d = pos + i;
            let s = d - 8;
            if s >= limit {
                break;
            }
            // Cheapest rejection first: the second dash.
            if buf.get(d + 5) != Some(&b'-')
                || !uuid_shape(buf.get(s..).unwrap_or_default())
                || !standalone(buf, s)
            {
                pos = d + 1;
                continue;
            }
            let lo = s.saturating_sub(LOOKBACK);
            let before = buf.get(lo..s).unwrap_or_default();
            let prev = self.prev.and_then(|(end, class)| {
                let end = usize::try_from(end.checked_sub(base)?).ok()?;
                (end >= lo && end <= s).then(|| (buf.get(end..s).unwrap_or_default(), class))
            });
            let cx = Ctx {
                before,
                at_doc_start: base + lo as u64 == 0,
                header: self.header.as_ref(),
                bot_document: self.bot_document,
                prev,
            };
            let seen = context::classify(&cx);
            emit(Hit { start: s, seen });
            self.prev = Some((base + (s + UUID_LEN) as u64, seen));
            pos = s + UUID_LEN + 8;
            self.next_from = base + (s + UUID_LEN) as u64;
        }
        self.next_from = self.next_from.max(base + limit as u64);
    }
}

/// Scan a whole in-memory document.
pub(crate) fn scan_all(buf: &[u8], emit: impl FnMut(Hit)) {
    Engine::default().run(buf, 0, buf.len(), emit);
}

/// Scan a short fragment (an attribute value) that has no header line.
pub(crate) fn scan_fragment(buf: &[u8], emit: impl FnMut(Hit)) {
    Engine::without_header().run(buf, 0, buf.len(), emit);
}
