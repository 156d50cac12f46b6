//! The Recall API as botlens uses it: the bot model, regions and hosts, the
//! requests we make, where a bot is found (`lookup`, over each channel's
//! transport), and how failures read to a user.

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod budget;
pub mod cache;
pub mod client;
pub mod error;
pub mod list;
pub mod lookup;
pub mod model;
pub mod region;
pub mod retry;
pub mod share;
pub mod shared;
pub mod time;
pub mod trim;
