//! The Leptos card (browser builds only).
