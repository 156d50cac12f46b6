//! The botlens embed (Rust side).
