//! Where the card goes: next to its anchor, inside the viewport, never over
//! the anchor itself. Pure geometry, shared by the extension's frame (which
//! only knows rectangles) and tested natively.

use serde::{Deserialize, Serialize};

/// A rectangle in viewport pixels, as `getBoundingClientRect` gives it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.left + self.width
    }
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }
}

/// The viewport's size in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    pub width: f64,
    pub height: f64,
}

/// Space kept between the card, its anchor and the viewport's edges.
pub const GAP: f64 = 6.0;
pub const MARGIN: f64 = 8.0;

/// Place a card of `size` (width, height) for `anchor`: below it when it fits,
/// else above when that fits, else on the side with more room (and then
/// clamped, scrolling inside the card). Shifted sideways to stay in view.
pub fn place(anchor: Rect, card: (f64, f64), viewport: Viewport) -> Rect {
    let (width, height) = (
        card.0.min(viewport.width - 2.0 * MARGIN).max(0.0),
        card.1.max(0.0),
    );
    let room_below = viewport.height - anchor.bottom() - GAP - MARGIN;
    let room_above = anchor.top - GAP - MARGIN;
    let (top, height) = if height <= room_below || (room_below >= room_above && height > room_above)
    {
        (anchor.bottom() + GAP, height.min(room_below.max(0.0)))
    } else {
        let height = height.min(room_above.max(0.0));
        (anchor.top - GAP - height, height)
    };
    let max_left = (viewport.width - MARGIN - width).max(MARGIN);
    let left = anchor.left.clamp(MARGIN, max_left);
    Rect {
        left,
        top,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: Viewport = Viewport {
        width: 1000.0,
        height: 800.0,
    };

    fn anchor(left: f64, top: f64) -> Rect {
        Rect {
            left,
            top,
            width: 280.0,
            height: 18.0,
        }
    }

    fn overlaps(a: Rect, b: Rect) -> bool {
        a.left < b.right() && b.left < a.right() && a.top < b.bottom() && b.top < a.bottom()
    }

    #[test]
    fn below_when_it_fits() {
        let a = anchor(100.0, 100.0);
        let r = place(a, (380.0, 300.0), VIEW);
        assert_eq!((r.left, r.top), (100.0, 118.0 + GAP));
        assert!(!overlaps(r, a));
    }

    #[test]
    fn flips_above_near_the_bottom() {
        let a = anchor(100.0, 700.0);
        let r = place(a, (380.0, 300.0), VIEW);
        assert_eq!(r.top + r.height, 700.0 - GAP);
        assert!(!overlaps(r, a));
    }

    #[test]
    fn shifts_left_at_the_right_edge() {
        let r = place(anchor(900.0, 100.0), (380.0, 300.0), VIEW);
        assert_eq!(r.left + r.width, VIEW.width - MARGIN);
    }

    #[test]
    fn a_card_taller_than_either_side_is_clamped_to_the_larger_side() {
        let a = anchor(100.0, 300.0);
        let r = place(a, (380.0, 2000.0), VIEW);
        assert!(r.top >= a.bottom(), "more room below");
        assert!(r.bottom() <= VIEW.height - MARGIN + 0.001);
        assert!(!overlaps(r, a));
    }

    #[test]
    fn never_over_the_anchor_for_any_position() {
        for x in (0..1000).step_by(50) {
            for y in (0..800).step_by(40) {
                let a = anchor(f64::from(x), f64::from(y));
                let r = place(a, (380.0, 260.0), VIEW);
                assert!(!overlaps(r, a), "anchor at {x},{y} covered by {r:?}");
                assert!(r.left >= MARGIN && r.right() <= VIEW.width - MARGIN + 0.001);
            }
        }
    }
}
