//! The typed requests extension pages may send to the background worker, and
//! its replies. The background answers nothing else: it is not a fetch proxy.

use botlens::recall::client::Endpoint;
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use serde::{Deserialize, Serialize};

/// A question about one bot, or a key check from the options page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    Bot {
        id: String,
    },
    Screenshots {
        id: String,
    },
    Logs {
        id: String,
    },
    /// Try the key (or the saved one when `None`) in every region.
    TestKey {
        key: Option<String>,
        host: Option<String>,
    },
}

impl Request {
    /// The endpoint and bot ID of a bot request, after checking the ID.
    pub fn bot_endpoint(&self) -> Option<Result<(Endpoint, &str), ApiError>> {
        let (endpoint, id) = match self {
            Request::Bot { id } => (Endpoint::Bot, id),
            Request::Screenshots { id } => (Endpoint::Screenshots, id),
            Request::Logs { id } => (Endpoint::Logs, id),
            Request::TestKey { .. } => return None,
        };
        Some(
            if botlens::detect::is_uuid(id) && id.bytes().all(|b| !b.is_ascii_uppercase()) {
                Ok((endpoint, id.as_str()))
            } else {
                Err(ApiError::InvalidId {
                    id: id.chars().take(60).collect(),
                })
            },
        )
    }
}

/// The background's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Reply {
    /// The JSON Recall sent, unparsed: the page that asked does the parsing.
    Found {
        region: Region,
        body: String,
    },
    /// The key works in this region.
    KeyWorks {
        region: Region,
    },
    Failed {
        error: ApiError,
    },
}
