//! The wasm module of the extension's own pages: options, popup, full view.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;

/// `options.html`.
#[wasm_bindgen]
pub fn start_options() {
    botlens_extension::options::start_options()
}

/// `popup.html`.
#[wasm_bindgen]
pub fn start_popup() {
    botlens_extension::popup::start_popup()
}

/// `explorer.html#<id>`: the card at full size.
#[wasm_bindgen]
pub fn start_explorer() {
    botlens_extension::explorer::start_explorer()
}
