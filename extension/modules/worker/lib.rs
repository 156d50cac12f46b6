//! `background.js`'s wasm module: the only code that reads the key, calls
//! Recall and diagnoses.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;

/// Every message of the content script, the card and the pages
/// ([`botlens_extension::background::handle_message`]).
#[wasm_bindgen]
pub async fn handle_message(
    message: JsValue,
    from: String,
    tab_id: Option<i32>,
    frame_id: Option<i32>,
) -> JsValue {
    botlens_extension::background::handle_message(message, from, tab_id, frame_id).await
}

/// A tab closed ([`botlens_extension::background::forget_tab`]).
#[wasm_bindgen]
pub async fn forget_tab(tab_id: i32) {
    botlens_extension::background::forget_tab(tab_id).await;
}

/// The bot ID in what the user selected or typed (a menu item, the omnibox):
/// [`botlens_extension::messages::bot_in`], the popup's look-up box's rule.
#[wasm_bindgen]
pub fn bot_in(text: &str) -> Option<String> {
    botlens_extension::messages::bot_in(text)
}
