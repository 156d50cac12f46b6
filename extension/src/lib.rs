//! The botlens browser extension, Rust side. Three wasm modules are built on
//! it, one small crate each in `modules/`: `worker` (the background: key,
//! Recall, diagnosis engine), `card` (the card frame, which stays small because
//! it never links the engine) and `pages`. Each page calls its own entry point:
//!
//! - `background.js` → [`background::handle_message`]: the only code that reads the key, calls Recall and diagnoses.
//! - `card.html` → [`card::start_card`]: the hover card, in a frame the page cannot read.
//! - `options.html` → [`options::start_options`]: key or team proxy, test connection, sites, theme, detection mode.
//! - `popup.html` → [`popup::start_popup`]: the bots on the current page, this site on/off, look-up box.
//! - `explorer.html#<id>` → [`explorer::start_explorer`]: the card at full size.
//!
//! The content script (`static/sensor.js`) is plain JavaScript: Chromium refuses
//! WebAssembly in content scripts on pages with a strict CSP.

// Pure: compiled and tested natively too (`cargo test -p botlens-extension`).
pub mod messages;
pub mod prefs;

// The browser side.
#[cfg(target_arch = "wasm32")]
pub mod background;
#[cfg(target_arch = "wasm32")]
pub mod card;
#[cfg(target_arch = "wasm32")]
mod chrome;
#[cfg(target_arch = "wasm32")]
pub mod explorer;
#[cfg(target_arch = "wasm32")]
pub mod options;
#[cfg(target_arch = "wasm32")]
pub mod popup;
#[cfg(target_arch = "wasm32")]
mod triage;
#[cfg(target_arch = "wasm32")]
pub mod wire;
