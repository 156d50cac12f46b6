//! `botlens diagnose --save FILE`: the evidence file of `diagnose::archive`.
//! A live look-up keeps Recall's answers and fetches each screenshot image
//! (within the budget, at most [`keep::MAX_IMAGE_BYTES`] in all); a diagnosed file
//! keeps the file. Written to a temporary file beside FILE and renamed over
//! it, so FILE is never half written.

use std::io::Write;
use std::path::Path;

use botlens::diagnose::archive::keep::{self, Miss};
use botlens::diagnose::archive::{self, Archive, Image};
use botlens::diagnose::Diagnosis;
use botlens::recall::error::ApiError;
use botlens::recall::model::Logs;
use botlens::recall::time::Timestamp;

use super::live::{Bodies, Live};

/// What goes into the file beside the diagnosis.
pub struct Kept {
    pub document: String,
    pub logs: Option<Logs>,
    pub images: Vec<Image>,
    pub left_out: Vec<String>,
}

impl Kept {
    /// A diagnosed file: the file itself and the logs given with it.
    pub fn from_file(name: &str, text: String, logs: Option<Logs>) -> Kept {
        Kept {
            document: text,
            logs,
            images: Vec::new(),
            left_out: vec![format!(
                "Screenshots: this file was made from {name}, a saved document; botlens fetches \
                 screenshot images only when it looks a bot up live (botlens diagnose <bot ID> --save)."
            )],
        }
    }

    /// A live look-up: Recall's answers, and the screenshot images fetched now.
    pub async fn live(
        live: &Live,
        d: &Diagnosis,
        bodies: Bodies,
        screenshots_error: Option<&ApiError>,
        logs_error: Option<&ApiError>,
    ) -> Kept {
        let mut left_out = Vec::new();
        if let Some(e) = screenshots_error {
            left_out.push(format!(
                "Screenshots: Recall's list could not be had ({e})."
            ));
        } else if d.screenshots.is_empty() {
            left_out.push("Screenshots: Recall had none for this bot.".to_string());
        }
        let answer = match (bodies.logs, logs_error) {
            (Some(body), _) => Some(Ok(body)),
            (None, Some(e)) => Some(Err(e.to_string())),
            (None, None) => None,
        };
        let logs = keep::logs(answer, &mut left_out);
        let fetch = async |url: &str, room: usize| {
            if !fetchable(url) {
                return Err(Miss::Failed(
                    "its link is not https, so it was not fetched".into(),
                ));
            }
            live.image(url, room).await
        };
        let images = keep::images(&d.screenshots, fetch, &mut left_out).await;
        Kept {
            document: bodies.bot.unwrap_or_default(),
            logs,
            images,
            left_out,
        }
    }
}

/// https, or plain http to this machine (the simulator).
fn fetchable(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
    .to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost") || host == "127.0.0.1" || host == "[::1]"
}

/// Write the evidence file; its size in bytes.
pub fn write(path: &Path, d: &Diagnosis, kept: &Kept, saved_at: Timestamp) -> Result<u64, String> {
    let page = archive::html(&Archive {
        diagnosis: d,
        document: &kept.document,
        logs: kept.logs.as_ref(),
        images: &kept.images,
        left_out: &kept.left_out,
        saved_at,
    });
    let cannot = |e: std::io::Error| format!("{}: cannot write: {e}", path.display());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".botlens-evidence");
    if let Some(mode) = permissions(path) {
        builder.permissions(mode);
    }
    let mut file = builder.tempfile_in(dir).map_err(cannot)?;
    file.write_all(page.as_bytes()).map_err(cannot)?;
    file.as_file().sync_all().map_err(cannot)?;
    file.persist(path).map_err(|e| cannot(e.error))?;
    Ok(page.len() as u64)
}

/// A file the user asked for is readable as their other files are (a
/// temporary file would be private): a replaced file keeps its mode, a new
/// one is 0644 on Unix.
fn permissions(path: &Path) -> Option<std::fs::Permissions> {
    if let Ok(meta) = std::fs::metadata(path) {
        return Some(meta.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_machine_is_fetched() {
        assert!(fetchable(
            "https://s3.amazonaws.com/x.png?X-Amz-Signature=1"
        ));
        assert!(fetchable(
            "http://us-west-2.localhost:8787/sim/screenshots/a.svg"
        ));
        assert!(fetchable("http://127.0.0.1:9/a.png"));
        assert!(!fetchable("http://example.com/a.png"));
        assert!(!fetchable("http://localhost.example.com/a.png"));
        assert!(!fetchable("file:///etc/passwd"));
    }
}
