//! The botlens embed (Rust side): the extension's card, mounted into an element
//! the page's loader made (a shadow root's child, or the frame page's body),
//! fed by the botlens proxy instead of the extension's background worker.
//!
//! Exports (see `www/static/botlens.mjs` for the JavaScript around them):
//! - [`mount`]`(element, botId?, options)` → a [`BotCard`] with `show(id)`,
//!   `clear()`, `refresh()`, `botId()`, `unmount()`;
//! - [`mount_triage`]`(element, ids, options)` (JS `mountTriage`) → a [`BotTriage`]:
//!   many bots grouped by why, as the extension's popup shows them;
//! - [`pick`]`(text, offset, attribute?)`: the bot ID under the pointer, by the
//!   detection rules (`detect::at`, `detect::classify_attribute`);
//! - [`scan`]`(text)`: every reportable ID of a text, UTF-16 offsets;
//! - [`float`]`(host, anchor, context, onHidden)` → a [`Float`]: the hover
//!   card of wasm mode, placed and kept next to the live anchor by Floating UI
//!   (`floating-ui-dom`: offset, flip, shift, size, hide; `auto_update`);
//! - [`place`]: where the card frame goes in frame mode (`card-frame.js`), from
//!   rectangles only (`ui::placement`: flip and shift).
//!
//! Nothing here panics on outside data: a bad answer is an error state of the
//! card, a bad argument a JavaScript exception.

#[cfg(target_arch = "wasm32")]
mod card;
#[cfg(target_arch = "wasm32")]
pub use card::{mount, BotCard};
#[cfg(target_arch = "wasm32")]
mod float;
#[cfg(target_arch = "wasm32")]
mod triage;
#[cfg(target_arch = "wasm32")]
pub use float::{float, Anchor, Float};
#[cfg(target_arch = "wasm32")]
pub use triage::{mount_triage, BotTriage};

use botlens::detect::uuid::{byte_to_utf16, utf16_to_byte};
#[cfg(target_arch = "wasm32")]
use botlens::recall::lookup::Upstream;
use botlens::ui::placement::{self, Rect, Viewport};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The botlens proxy the page named: its base URL (no trailing slash; empty
/// for the origin serving the embed) and its token, if one was given.
#[cfg(target_arch = "wasm32")]
fn proxy(api_base: Option<String>, token: Option<String>) -> Upstream {
    Upstream::Proxy {
        base: api_base
            .unwrap_or_default()
            .trim()
            .trim_end_matches('/')
            .to_string(),
        token: token.filter(|t| !t.trim().is_empty()),
    }
}

/// The bot ID under the pointer: `text` is what surrounds it, `offset` the
/// caret (UTF-16). With `attribute` (`href`, `title`, `aria-label`, `data-*`),
/// `text` is that attribute's value. IDs shown to be other resources
/// (recordings, transcripts, …) give nothing.
#[wasm_bindgen]
pub fn pick(text: &str, offset: usize, attribute: Option<String>) -> Option<String> {
    match attribute {
        Some(name) => botlens::detect::classify_attribute(&name, text)
            .into_iter()
            .next()
            .map(|m| m.id),
        None => botlens::detect::at(text, utf16_to_byte(text, offset)).map(|m| m.id),
    }
}

#[derive(Serialize)]
struct Found {
    id: String,
    kind: botlens::detect::Kind,
    start: usize,
    end: usize,
}

/// Every reportable ID of a text: `[{id, kind, start, end}]`, UTF-16 offsets.
#[wasm_bindgen]
pub fn scan(text: &str) -> JsValue {
    let found: Vec<Found> = botlens::detect::scan(text)
        .into_iter()
        .map(|m| Found {
            start: byte_to_utf16(text, m.start),
            end: byte_to_utf16(text, m.end),
            id: m.id,
            kind: m.kind,
        })
        .collect();
    serde_wasm_bindgen::to_value(&found).unwrap_or(JsValue::NULL)
}

/// Where a `card_width`×`card_height` card goes next to the anchor rectangle
/// in a viewport: `[left, top, width, height]` (below, else above; shifted to
/// stay inside; a card taller than the room gets the room and scrolls).
/// Frame mode's card page only knows rectangles from the host page; in wasm
/// mode the card and the anchor share a document and [`float`] is used.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn place(
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    card_width: f64,
    card_height: f64,
    viewport_width: f64,
    viewport_height: f64,
) -> Vec<f64> {
    let spot = placement::place(
        Rect {
            left,
            top,
            width,
            height,
        },
        (card_width, card_height),
        Viewport {
            width: viewport_width,
            height: viewport_height,
        },
    );
    vec![spot.left, spot.top, spot.width, spot.height]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_between_utf16_and_bytes() {
        let text = "é 😀 0b5f5b0e-1111-4a4a-8b8b-123456789abc";
        let byte = text.find('0').unwrap();
        let utf16 = byte_to_utf16(text, byte);
        assert_eq!(utf16, 5);
        assert_eq!(utf16_to_byte(text, utf16), byte);
        assert_eq!(utf16_to_byte(text, 10_000), text.len());
        assert_eq!(byte_to_utf16(text, 10_000), 0);
    }

    #[test]
    fn picks_bots_not_other_resources() {
        let id = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
        assert_eq!(pick(&format!("bot_id: {id}"), 12, None), Some(id.into()));
        assert_eq!(pick(&format!("recording_id: {id}"), 18, None), None);
        assert_eq!(
            pick(&format!("https://x/bot/{id}/"), 0, Some("href".into())),
            Some(id.into())
        );
        assert_eq!(pick("nothing here", 3, None), None);
    }
}
