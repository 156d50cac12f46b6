//! The links the proxy hands out instead of Recall's signed download URLs
//! (`recall::trim`): `/api/v1/bot/{id}/media?of=bot|screenshots&at=<JSON
//! pointer>&exp=<unix s>&sig=<hex>`. The signature (HMAC-SHA-256 with a key
//! derived from the Recall key, so every replica holding that key checks the
//! others' links, and never stored) proves the proxy wrote the link for that bot,
//! so a link opens from an `<img>` or a click without the embedding page's
//! token; it expires with the answer it came in. Opening it looks the bot up
//! again (cached) and redirects to the signed URL as Recall gives it now.

use std::time::{SystemTime, UNIX_EPOCH};

use ring::hmac;

use botlens::recall::client::Endpoint;

/// How long a media link works: long enough for a card left open, short
/// enough that a pasted link soon stops working.
const LINK_TTL_S: u64 = 3600;

pub struct MediaKey(hmac::Key);

impl MediaKey {
    /// The key for links, derived from the Recall key (it reveals nothing of it).
    pub fn for_key(recall_key: &str) -> MediaKey {
        let purpose = hmac::Key::new(hmac::HMAC_SHA256, b"botlens proxy media links v1");
        let derived = hmac::sign(&purpose, recall_key.as_bytes());
        MediaKey(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    fn message(id: &str, of: &str, at: &str, exp: u64) -> String {
        format!("{id}\n{of}\n{at}\n{exp}")
    }

    /// The link (with [`botlens::recall::trim::PROXY_LINK`] in front) for the value at `at`.
    pub fn link(&self, id: &str, endpoint: Endpoint, at: &str) -> String {
        let of = kind(endpoint);
        let exp = now_s() + LINK_TTL_S;
        let sig = hmac::sign(&self.0, Self::message(id, of, at, exp).as_bytes());
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("of", of)
            .append_pair("at", at)
            .append_pair("exp", &exp.to_string())
            .append_pair("sig", &hex(sig.as_ref()))
            .finish();
        format!(
            "{}/api/v1/bot/{id}/media?{query}",
            botlens::recall::trim::PROXY_LINK
        )
    }

    /// The endpoint and pointer a link names, if this proxy signed it and it has not expired.
    pub fn check(&self, id: &str, query: &str) -> Option<(Endpoint, String)> {
        let mut of = None;
        let mut at = None;
        let mut exp = None;
        let mut sig = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "of" => of = Some(v.into_owned()),
                "at" => at = Some(v.into_owned()),
                "exp" => exp = v.parse::<u64>().ok(),
                "sig" => sig = unhex(&v),
                _ => {}
            }
        }
        let (of, at, exp, sig) = (of?, at?, exp?, sig?);
        if exp < now_s() {
            return None;
        }
        hmac::verify(&self.0, Self::message(id, &of, &at, exp).as_bytes(), &sig).ok()?;
        let endpoint = match of.as_str() {
            "bot" => Endpoint::Bot,
            "screenshots" => Endpoint::Screenshots,
            _ => return None,
        };
        Some((endpoint, at))
    }
}

fn kind(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Screenshots => "screenshots",
        _ => "bot",
    }
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "600dca11-0001-4b07-8000-000000000001";

    #[test]
    fn only_links_this_proxy_signed_open() {
        let key = MediaKey::for_key("sk-one");
        let link = key.link(ID, Endpoint::Bot, "/video_url");
        let query = link.split_once('?').unwrap().1;
        assert_eq!(
            key.check(ID, query),
            Some((Endpoint::Bot, "/video_url".to_string()))
        );
        assert_eq!(key.check("another-bot", query), None, "bound to its bot");
        let moved = query.replace("video_url", "recordings");
        assert_eq!(key.check(ID, &moved), None, "bound to its value");
        let other = MediaKey::for_key("sk-two");
        assert_eq!(other.check(ID, query), None, "bound to the Recall key");
        let replica = MediaKey::for_key("sk-one");
        assert!(
            replica.check(ID, query).is_some(),
            "any replica with the key"
        );
        let stale = format!("of=bot&at=%2Fvideo_url&exp=1&sig={}", "00".repeat(32));
        assert_eq!(key.check(ID, &stale), None);
    }
}
