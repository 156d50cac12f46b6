//! What users see. `placement` is pure geometry; the Leptos components exist
//! only in browser builds.

pub mod placement;

#[cfg(target_arch = "wasm32")]
pub mod card;
