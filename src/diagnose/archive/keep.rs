//! What an evidence file keeps beside the diagnosis, gathered one way
//! wherever the file is made (`botlens diagnose --save`, the extension's full
//! view): the logs, or a line saying why there are none; the screenshots'
//! images, fetched while their links still work, within one size cap; and a
//! plain line for each thing left out. The caller brings the transport.

use super::{image_type, Image};
use crate::diagnose::ScreenshotRef;
use crate::recall::client::parse_body;
use crate::recall::model::Logs;

/// Screenshots are a few hundred KB each; this keeps a file that still opens
/// quickly and can be attached to a ticket.
pub const MAX_IMAGE_BYTES: usize = 20_000_000;

/// Why one image is not in the file.
#[derive(Debug, PartialEq)]
pub enum Miss {
    /// Larger than the room left for it.
    TooBig,
    /// In words for the file (never the signed URL).
    Failed(String),
}

/// The logs from Recall's answer: `None` when they were not asked for,
/// `Some(Err(why))` when they could not be had.
pub fn logs(answer: Option<Result<String, String>>, left_out: &mut Vec<String>) -> Option<Logs> {
    match answer? {
        Ok(body) => match parse_body::<Logs>(&body) {
            Ok(logs) => Some(logs),
            Err(e) => {
                left_out.push(format!("Logs: botlens could not read them ({e})."));
                None
            }
        },
        Err(why) => {
            left_out.push(format!("Logs: they could not be had ({why})."));
            None
        }
    }
}

/// Each screenshot's image, in order, until [`MAX_IMAGE_BYTES`] are used.
/// `fetch(url, room)` answers an image's content type and bytes, and may
/// refuse one larger than `room` as it streams ([`Miss::TooBig`]).
pub async fn images(
    shots: &[ScreenshotRef],
    fetch: impl AsyncFn(&str, usize) -> Result<(String, Vec<u8>), Miss>,
    left_out: &mut Vec<String>,
) -> Vec<Image> {
    let too_big = |room: usize| {
        format!(
            "over the {} left of the {} this file keeps for screenshots",
            size(room as u64),
            size(MAX_IMAGE_BYTES as u64)
        )
    };
    let mut room = MAX_IMAGE_BYTES;
    let mut images = Vec::new();
    for shot in shots {
        let at = shot
            .recorded_at
            .map_or_else(|| "at an unknown time".to_string(), |t| t.human());
        let mut skip = |why: String| left_out.push(format!("The screenshot taken {at}: {why}."));
        let Some(url) = shot.url.as_deref() else {
            skip("Recall gave no link to it".into());
            continue;
        };
        match fetch(url, room).await {
            Ok((_, bytes)) if bytes.len() > room => skip(too_big(room)),
            Ok((content_type, bytes)) if image_type(&content_type).is_some() => {
                room -= bytes.len();
                images.push(Image {
                    bytes,
                    content_type,
                    taken_at: shot.recorded_at,
                });
            }
            Ok((content_type, _)) => skip(format!("it is not an image ({content_type:?})")),
            Err(Miss::TooBig) => skip(too_big(room)),
            Err(Miss::Failed(why)) => skip(format!("it could not be fetched ({why})")),
        }
    }
    images
}

/// `1.2 MB`, `34 KB`: sizes for people (decimal units).
pub fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if bytes >= 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.0} KB", b / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recall::time::Timestamp;
    use crate::testing::block_on;

    fn shot(url: Option<&str>) -> ScreenshotRef {
        ScreenshotRef {
            id: None,
            url: url.map(str::to_string),
            recorded_at: Timestamp::parse("2026-01-01T10:00:00Z"),
            status: None,
            status_label: None,
        }
    }

    #[test]
    fn images_fill_the_room_in_order_and_say_what_they_left_out() {
        let shots = [
            shot(Some("https://x/a")),
            shot(None),
            shot(Some("https://x/page")),
            shot(Some("https://x/huge")),
            shot(Some("https://x/gone")),
            shot(Some("https://x/b")),
        ];
        let mut left_out = Vec::new();
        let fetch = async |url: &str, _room: usize| match url {
            "https://x/page" => Ok(("text/html".to_string(), b"<html>".to_vec())),
            "https://x/huge" => Ok(("image/png".to_string(), vec![0; MAX_IMAGE_BYTES])),
            "https://x/gone" => Err(Miss::Failed("HTTP 403".into())),
            _ => Ok(("image/png".to_string(), vec![1; 10])),
        };
        let images = block_on(images(&shots, fetch, &mut left_out));
        assert_eq!(images.len(), 2);
        assert_eq!(left_out.len(), 4, "{left_out:#?}");
        assert!(left_out[0].ends_with("Recall gave no link to it."));
        assert!(left_out[1].contains("not an image"));
        assert!(
            left_out[2].contains("over the 20.0 MB left"),
            "{}",
            left_out[2]
        );
        assert!(left_out[3].contains("could not be fetched (HTTP 403)"));
        assert!(
            left_out.iter().all(|l| !l.contains("https://")),
            "no link in the words"
        );
    }

    #[test]
    fn logs_say_why_they_are_missing() {
        let mut left_out = Vec::new();
        assert!(logs(None, &mut left_out).is_none());
        assert!(logs(Some(Err("HTTP 429".into())), &mut left_out).is_none());
        assert!(logs(Some(Ok("not json".into())), &mut left_out).is_none());
        assert!(logs(Some(Ok("[]".into())), &mut left_out).is_some());
        assert_eq!(left_out.len(), 2);
        assert_eq!(left_out[0], "Logs: they could not be had (HTTP 429).");
        assert_eq!(size(34_567), "35 KB");
        assert_eq!(size(999), "999 bytes");
    }
}
