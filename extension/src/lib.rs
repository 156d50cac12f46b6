//! The botlens browser extension, Rust side. One wasm module serves every
//! extension page; each page calls its own entry point:
//!
//! - `background.js` → [`background::handle_message`]: the only code that reads the key and calls Recall.
//! - `card.html` → [`card::start_card`]: the hover card, in a frame the page cannot read.
//! - `options.html` → [`options::start_options`]: key, Recall host, test connection.
//!
//! The content script (`static/sensor.js`) is plain JavaScript: Chromium refuses
//! WebAssembly in content scripts on pages with a strict CSP.

pub mod background;
pub mod card;
mod chrome;
pub mod messages;
pub mod options;
