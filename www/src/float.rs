//! The hover card of the embed's wasm mode, kept next to the text it explains.
//!
//! The card and its anchor share a document here, so Floating UI
//! (`floating-ui-dom`) places it from the live DOM: a virtual reference whose
//! rectangle is read from the hovered Range (or element) each time, strategy
//! `fixed`, and `auto_update` to follow scrolling (of the window or of any
//! scrolling ancestor), resizes and layout shifts while the card is open.
//!
//! The rules are the extension's (`botlens::ui::placement`, which places the
//! card frame from rectangles): below the anchor, else above (flip); shifted
//! sideways to stay `MARGIN` inside the viewport (shift); never over the
//! anchor, so never under the pointer; a card taller than the room on either
//! side gets the larger side and scrolls inside (size). When the anchor is
//! scrolled out of sight or leaves the document, `on_hidden` is called once.

use std::cell::Cell;
use std::rc::Rc;

use botlens::ui::placement::{GAP, MARGIN};
use floating_ui_dom::{
    auto_update, compute_position, ApplyState, AutoUpdateOptions, ComputePositionConfig, CrossAxis,
    DefaultVirtualElement, DetectOverflowOptions, ElementOrVirtual, Flip, FlipOptions, Hide,
    HideData, HideOptions, MiddlewareVec, Offset, OffsetOptions, Padding, Placement, Shift,
    ShiftOptions, Size, SizeOptions, Strategy, VirtualElement, HIDE_NAME,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DomRect, Element, HtmlElement, Window};

#[wasm_bindgen]
extern "C" {
    /// What the card is placed against: a `Range` (text) or an `Element`
    /// (a link or labelled element) — anything with `getBoundingClientRect()`.
    #[wasm_bindgen(typescript_type = "Range | Element")]
    pub type Anchor;

    #[wasm_bindgen(method, js_name = getBoundingClientRect)]
    fn bounding_client_rect(this: &Anchor) -> DomRect;
}

/// A card kept in place by [`float`]. `stop()` (or dropping it) ends the
/// following; `update()` places it again now (after its content changed).
#[wasm_bindgen]
pub struct Float {
    update: Rc<dyn Fn()>,
    cleanup: Option<Box<dyn Fn()>>,
}

#[wasm_bindgen]
impl Float {
    pub fn update(&self) {
        (self.update)();
    }

    pub fn stop(self) {}
}

impl Drop for Float {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

/// Place `card` (a `position: fixed` element of this document) next to
/// `anchor` and keep it there until `stop()`. `context` is the element the
/// anchor lives in: its scrolling ancestors are watched, and its leaving the
/// document counts as hidden. `on_hidden` is called (once, asynchronously)
/// when the anchor can no longer be seen.
#[wasm_bindgen]
pub fn float(
    card: HtmlElement,
    anchor: Anchor,
    context: Element,
    on_hidden: js_sys::Function,
) -> Float {
    let anchor = Rc::new(anchor);
    let reference: Box<dyn VirtualElement<Element>> = Box::new(
        DefaultVirtualElement::new(Rc::new({
            let anchor = Rc::clone(&anchor);
            move || anchor.bounding_client_rect().into()
        }))
        .context_element(context.clone()),
    );
    let floating: Element = card.clone().into();
    let hidden = Rc::new(Cell::new(false));
    let update: Rc<dyn Fn()> = Rc::new({
        let reference = reference.clone();
        let floating = floating.clone();
        move || {
            if hidden.get() {
                return;
            }
            if !context.is_connected() {
                return report_hidden(&hidden, &on_hidden);
            }
            // Measure the card at its natural size each time: the cap set for the
            // room it had (when it was still a small skeleton, or at its last anchor)
            // would hide that it has grown and keep flip from moving it above the ID.
            let style = card.style();
            let _ = style.remove_property("--botlens-max-height");
            let _ = style.remove_property("--botlens-max-width");
            let spot = compute_position(
                ElementOrVirtual::VirtualElement(reference.clone()),
                &floating,
                ComputePositionConfig::default()
                    .placement(Placement::BottomStart)
                    .strategy(Strategy::Fixed)
                    .middleware(middleware()),
            );
            let _ = style.set_property_with_priority("left", &px(spot.x), "important");
            let _ = style.set_property_with_priority("top", &px(spot.y), "important");
            let _ = style.set_property_with_priority("visibility", "visible", "important");
            let gone = spot
                .middleware_data
                .get_as::<HideData>(HIDE_NAME)
                .and_then(|data| data.reference_hidden)
                .unwrap_or(false);
            if gone {
                report_hidden(&hidden, &on_hidden);
            }
        }
    });
    let cleanup = auto_update(
        ElementOrVirtual::VirtualElement(reference),
        &floating,
        Rc::clone(&update),
        AutoUpdateOptions::default(),
    );
    Float {
        update,
        cleanup: Some(cleanup),
    }
}

/// Below-start, flipped above, shifted along, fitted, and told when hidden.
fn middleware() -> MiddlewareVec {
    let inside = || DetectOverflowOptions::default().padding(Padding::All(MARGIN));
    vec![
        Box::new(Offset::new(OffsetOptions::Value(GAP))),
        // Only above or below: sideways is shift's job, and the alignment stays at the start.
        Box::new(Flip::new(
            FlipOptions::default()
                .detect_overflow(inside())
                .cross_axis(CrossAxis::False)
                .flip_alignment(false),
        )),
        Box::new(Shift::new(
            ShiftOptions::default().detect_overflow(inside()),
        )),
        Box::new(Size::new(
            SizeOptions::new().detect_overflow(inside()).apply(&fit),
        )),
        Box::new(Hide::new(HideOptions::default())),
    ]
}

/// The room the card has, as custom properties on its host: the card's
/// stylesheet in the embed caps itself with them and scrolls inside.
fn fit(state: ApplyState<Element, Window>) {
    let Some(card) = state.state.elements.floating.dyn_ref::<HtmlElement>() else {
        return;
    };
    let style = card.style();
    let room = |length: f64| format!("{}px", length.max(0.0).floor());
    let _ = style.set_property("--botlens-max-height", &room(state.available_height));
    let _ = style.set_property("--botlens-max-width", &room(state.available_width));
}

fn px(value: f64) -> String {
    format!("{}px", value.round())
}

/// Tell the page once, outside the current call: the page's answer is to
/// stop this `Float`, which must not happen while it is running.
fn report_hidden(hidden: &Cell<bool>, on_hidden: &js_sys::Function) {
    if hidden.replace(true) {
        return;
    }
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(on_hidden);
    }
}
