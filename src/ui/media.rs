//! Recording and transcript: available or not, links, and when they expire.

use leptos::prelude::*;

use super::safe_url;
use crate::diagnose::{Availability, Media};
use crate::recall::time::{human_duration, Timestamp};

#[component]
pub fn MediaLinks(media: Media, now: Option<Timestamp>) -> impl IntoView {
    let _ = now;
    let expiry = match (media.expires_at, media.expires_in_seconds) {
        (Some(at), Some(left)) if left > 0 => Some(format!(
            "Media expires in {} ({}).",
            human_duration(left),
            at.human()
        )),
        (Some(at), Some(_)) => Some(format!("Media expired on {}.", at.human())),
        (Some(at), None) => Some(format!("Media expires {}.", at.human())),
        _ => None,
    };
    view! {
        <div class="section media" data-section="media">
            <MediaItem name="Recording" availability=media.recording url=media.video_url.clone()/>
            <MediaItem name="Transcript" availability=media.transcript url=media.transcript_url.clone()/>
            {expiry.map(|e| view! { <p class="muted">{e}</p> })}
        </div>
    }
}

#[component]
fn MediaItem(name: &'static str, availability: Availability, url: Option<String>) -> impl IntoView {
    view! {
        <span class=format!("media-item media-{}", availability.label()) data-availability=availability.label()>
            {name}": "
            {match download(url.as_deref(), availability) {
                Some(link) => link.into_any(),
                None => view! { <span>{availability.label()}</span> }.into_any(),
            }}
        </span>
    }
}

/// A "download" link to a media file, only when it is available and its link is a web link.
pub(super) fn download(url: Option<&str>, availability: Availability) -> Option<impl IntoView> {
    let href = url
        .and_then(safe_url)
        .filter(|_| availability == Availability::Available)?;
    Some(view! { <a href=href target="_blank" rel="noopener noreferrer">"download"</a> })
}
