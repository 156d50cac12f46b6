//! Focus survives a redraw. The card is drawn anew when its state changes (an
//! answer arrives, a section the user opened starts loading), and a keyboard
//! user's focus would fall out of it. Before the redraw the card notes which
//! control had focus (its place among the card's controls); after it, the
//! control in that place gets focus again.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// What Tab reaches in the card.
const CONTROLS: &str = "a[href], button, summary, input, select, textarea, [tabindex='0']";

/// The place among `holder`'s controls of the one that has focus, if one does.
pub fn place_in(holder: &Element) -> Option<u32> {
    let root = holder.get_root_node();
    let active = match root.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => holder.owner_document()?.active_element(),
    }?;
    if !holder.contains(Some(&active)) {
        return None;
    }
    let controls = holder.query_selector_all(CONTROLS).ok()?;
    (0..controls.length()).find(|&i| {
        controls
            .get(i)
            .is_some_and(|c| c.is_same_node(Some(&active)))
    })
}

/// Once the redraw is done, focus the control at `place` (the last one when there are fewer now).
pub fn restore(holder: Element, place: u32) {
    let later = Closure::once_into_js(move || {
        let Ok(controls) = holder.query_selector_all(CONTROLS) else {
            return;
        };
        let Some(last) = controls.length().checked_sub(1) else {
            return;
        };
        if let Some(control) = controls
            .get(place.min(last))
            .and_then(|c| c.dyn_into::<HtmlElement>().ok())
        {
            let _ = control.focus();
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(later.unchecked_ref());
    }
}
