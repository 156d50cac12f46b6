//! What can go wrong when asking Recall about a bot, in words a user understands.

use serde::{Deserialize, Serialize};

use super::region::Region;

/// A failed look-up. Every variant reads as one sentence plus a next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    #[error("No Recall API key is set.")]
    NoKey,
    #[error("“{id}” is not a bot ID (a bot ID is a UUID).")]
    InvalidId { id: String },
    #[error("The API key was refused in {}.", list(regions_tried))]
    Unauthorized { regions_tried: Vec<Region> },
    #[error("No bot with this ID in {}.", list(regions_tried))]
    NotFound { regions_tried: Vec<Region> },
    #[error("Recall is rate-limiting requests; retrying in {retry_after_s} s.")]
    Throttled { retry_after_s: u32 },
    #[error("Recall answered {status} (server error).")]
    Server { status: u16 },
    #[error("Recall's firewall blocked the request (HTTP 403).")]
    Blocked,
    #[error("Recall answered {status} with something that is not the expected JSON: {detail}")]
    Malformed { status: u16, detail: String },
    #[error("Recall refused the request (HTTP {status}{}): “{detail}”", code.as_deref().map(|c| format!(", `{c}`")).unwrap_or_default())]
    Refused {
        status: u16,
        code: Option<String>,
        detail: String,
    },
    #[error("This card was not opened by botlens on this page.")]
    NotPermitted,
    #[error("Recall could not be reached at {host}: {detail}")]
    Unreachable { host: String, detail: String },
    /// What was asked needs something this set-up does not have.
    #[error("{detail}")]
    Unsupported { detail: String },
}

impl ApiError {
    /// Throttled for `wait_s` seconds, told as whole seconds from 1 to 300 (the
    /// range botlens reads `Retry-After` in).
    pub fn throttled_for(wait_s: f64) -> ApiError {
        let secs = if wait_s.is_finite() {
            wait_s.ceil().clamp(1.0, 300.0)
        } else {
            300.0
        };
        // Clamped to 1..=300 above: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let retry_after_s = secs as u32;
        ApiError::Throttled { retry_after_s }
    }

    /// A short machine-readable name, used as `data-error` in the card's DOM contract.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::NoKey => "no_key",
            ApiError::InvalidId { .. } => "invalid_id",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Throttled { .. } => "throttled",
            ApiError::Server { .. } => "server",
            ApiError::Blocked => "blocked",
            ApiError::Malformed { .. } => "malformed",
            ApiError::Refused { .. } => "refused",
            ApiError::Unreachable { .. } => "unreachable",
            ApiError::NotPermitted => "not_permitted",
            ApiError::Unsupported { .. } => "unsupported",
        }
    }

    /// What the user can do about it.
    pub fn next_step(&self) -> String {
        match self {
            ApiError::NoKey => {
                "Open the botlens options, paste your Recall API key (or a team proxy URL) and press Test connection.".into()
            }
            ApiError::InvalidId { .. } => "Hover a bot ID: 8-4-4-4-12 hexadecimal digits.".into(),
            ApiError::Unauthorized { .. } => {
                "Keys are bound to the region they were created in. Check the key in the botlens options \
                 (Test connection names the region it works in), or create one in the bot's region."
                    .into()
            }
            ApiError::NotFound { .. } => {
                "This UUID may not be a bot: recordings, transcripts, screenshots and calendar events use the \
                 same format. If it is a bot, it belongs to another workspace or region than your key."
                    .into()
            }
            ApiError::Throttled { .. } => {
                "botlens waits as Recall asks and tries again; nothing to do unless it persists.".into()
            }
            ApiError::Server { .. } => "Recall may be busy or down. Try again in a minute.".into(),
            ApiError::Blocked => {
                "This happens when a proxy adds a body to the request; check the team proxy or network filter.".into()
            }
            ApiError::Malformed { .. } => {
                "A proxy or captive portal may be answering instead of Recall; check the Recall host setting.".into()
            }
            ApiError::Refused { status: 402, .. } => {
                "The workspace's Recall credit is used up: top it up in the Recall dashboard.".into()
            }
            ApiError::Refused { .. } => {
                "Recall's own words say what it refused; `botlens diagnose` on the saved answer explains its code.".into()
            }
            ApiError::NotPermitted => {
                "Another script on the page may have framed the card; reload the page and hover the ID again.".into()
            }
            ApiError::Unsupported { .. } => {
                "Hover a bot ID instead, or run `botlens meeting <link>` with RECALL_API_KEY set.".into()
            }
            ApiError::Unreachable { .. } => {
                "Check your network and the Recall host setting (or the team proxy URL), then refresh.".into()
            }
        }
    }

    /// Worth asking again later without any change on the user's side.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Throttled { .. } | ApiError::Server { .. } | ApiError::Unreachable { .. }
        )
    }
}

/// One error of every kind, with made-up fields: tests walk every error state with it.
pub fn one_of_each() -> Vec<ApiError> {
    // A new variant breaks this match: add it to the list below as well.
    let _listed = |e: &ApiError| match e {
        ApiError::NoKey
        | ApiError::InvalidId { .. }
        | ApiError::Unauthorized { .. }
        | ApiError::NotFound { .. }
        | ApiError::Throttled { .. }
        | ApiError::Server { .. }
        | ApiError::Blocked
        | ApiError::Malformed { .. }
        | ApiError::Refused { .. }
        | ApiError::NotPermitted
        | ApiError::Unreachable { .. }
        | ApiError::Unsupported { .. } => (),
    };
    vec![
        ApiError::NoKey,
        ApiError::InvalidId {
            id: "<b>not-a-uuid</b>".into(),
        },
        ApiError::Unauthorized {
            regions_tried: Region::ALL.to_vec(),
        },
        ApiError::NotFound {
            regions_tried: vec![Region::EuCentral1],
        },
        ApiError::Throttled { retry_after_s: 17 },
        ApiError::Server { status: 503 },
        ApiError::Blocked,
        ApiError::Malformed {
            status: 200,
            detail: "<html>".into(),
        },
        ApiError::Refused {
            status: 400,
            code: Some("cannot_command_completed_bot".into()),
            detail: "Cannot send a command to a bot which has completed.".into(),
        },
        ApiError::NotPermitted,
        ApiError::Unreachable {
            host: "http://x".into(),
            detail: "refused".into(),
        },
        ApiError::Unsupported {
            detail: "Not through <b>this</b> set-up.".into(),
        },
    ]
}

fn list(regions: &[Region]) -> String {
    if regions.is_empty() {
        return "no region".into();
    }
    regions
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}
