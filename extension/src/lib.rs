//! The botlens browser extension, Rust side. The crate is built twice: with
//! the `worker` feature for the background (key, Recall, diagnosis engine) and
//! with `pages` for the card frame and the other pages, which stay small
//! because they never link the engine. Each page calls its own entry point:
//!
//! - `background.js` → [`background::handle_message`]: the only code that reads the key, calls Recall and diagnoses.
//! - `card.html` → [`card::start_card`]: the hover card, in a frame the page cannot read.
//! - `options.html` → [`options::start_options`]: key, Recall host, test connection.
//!
//! The content script (`static/sensor.js`) is plain JavaScript: Chromium refuses
//! WebAssembly in content scripts on pages with a strict CSP.

pub mod background;
pub mod card;
mod chrome;
mod diagnosis;
pub mod messages;
pub mod options;
