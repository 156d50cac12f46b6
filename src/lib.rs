//! botlens: hover a Recall.ai bot ID and see why the bot did what it did.
//!
//! The modules follow the data flow:
//!
//! ```text
//! detect   → find bot IDs in text and classify them by context
//! recall   → the Recall API: model, regions, requests, errors
//! diagnose → verdict, reason, cause, remedy, timeline, notable logs
//! ui       → placement (pure) and the Leptos card (browser builds only)
//! ```
//!
//! Everything but the Leptos components is pure Rust and tests natively.

pub mod detect;
pub mod diagnose;
pub mod recall;

pub mod ui;

#[cfg(test)]
mod testing;
