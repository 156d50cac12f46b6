//! The botlens browser extension (Rust side).
