//! The Recall API as botlens uses it: the bot model, regions and hosts, the
//! requests we make and how their failures read to a user.

pub mod cache;
pub mod client;
pub mod error;
pub mod model;
pub mod region;
pub mod time;
