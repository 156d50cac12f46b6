//! `card.html`'s wasm module: the hover card only. It never links the engine,
//! so the frame stays small and opens fast.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;

/// The card frame's entry point ([`botlens_extension::card::start_card`]).
#[wasm_bindgen]
pub fn start_card(port: web_sys::MessagePort, frame_token: String) {
    botlens_extension::card::start_card(port, frame_token)
}
