//! The typed messages the background worker answers, who may send each, and
//! the replies. The background answers nothing else: it is not a fetch proxy.
//!
//! | kind | from | fields | reply |
//! | --- | --- | --- | --- |
//! | `bot`, `screenshots`, `logs` | extension pages (card, popup, options, explorer) | `id`: a lowercase UUID | [`Reply`] |
//! | `diagnose` | extension pages | `id`, `screenshots`, `logs` (bools: also fetch those) | [`Reply::Diagnosed`] or [`Reply::Failed`] |
//! | `meeting` | extension pages | `url`: a meeting link ([`meeting_link`]) | [`Reply::Meeting`] or [`Reply::Failed`] |
//! | `frame_check` | the card frame | (its `frame_token`, as every card frame message) | [`Reply::FrameConfirmed`] or [`Reply::Failed`] |
//! | `test_key` | extension pages | `key`, `host`, `proxy` (all optional: the saved ones) | [`Reply::KeyWorks`] or [`Reply::Failed`] |
//! | `classify` | content scripts | `texts`: ≤ [`MAX_TEXTS`] strings of ≤ [`MAX_TEXT_LEN`] UTF-16 units | [`ContentReply::Classified`] |
//! | `page_bots` | content scripts | `count`: distinct IDs in the sender's frame, `since` (the badge: the sum over the frames of the tab's page, [`page_count`]) | [`ContentReply::Done`] |
//! | `card_opened` | content scripts | `token`: the sensor's own (its tab's other frames close their cards) | [`ContentReply::Done`] |
//! | `pointer_away` | content scripts | `token` of another frame's card (the pointer moves elsewhere: it closes) | [`ContentReply::Done`] |
//! | `frame_token` | content scripts | `token`: a lowercase UUID the sensor made for the card frame it opens | [`ContentReply::Done`] or [`ContentReply::Refused`] |
//!
//! The card frame is an extension page that any web page could frame itself,
//! so it is answered only when its message carries the token its own tab's
//! sensor registered ([`Sender::CardFrame`]; the worker checks it).
//!
//! Web pages cannot message the extension at all (no `externally_connectable`),
//! and a content script, which runs next to a page that may be hostile, can
//! only ask for what the page already shows it: which of its texts are bot IDs.

use botlens::detect::meeting::meeting_link;
use botlens::detect::uuid::byte_to_utf16;
use botlens::detect::Kind;
use botlens::diagnose::document::Bots;
use botlens::diagnose::gather::Gathered;
use botlens::recall::client::Endpoint;
use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use serde::{Deserialize, Serialize};

/// Most texts one `classify` batch may carry.
pub const MAX_TEXTS: usize = 200;
/// Longest text in a `classify` batch, in UTF-16 units as JavaScript counts
/// (the overview cuts longer text nodes into overlapping pieces).
pub const MAX_TEXT_LEN: usize = 8192;
/// The badge shows at most this; more reads `999+`.
pub const MAX_BADGE: u32 = 999;

/// Every message kind the background understands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
    /// Try the key (or the saved one when `None`) in every region, or the team
    /// proxy when `proxy` is given (or saved and no key is given).
    TestKey {
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        host: Option<String>,
        #[serde(default)]
        proxy: Option<String>,
    },
    /// The bot, diagnosed in the worker so the card frame carries no engine;
    /// screenshots and logs are fetched only once the card shows them.
    /// (Sent by the card frame and the full view.)
    Diagnose {
        id: String,
        #[serde(default)]
        screenshots: bool,
        #[serde(default)]
        logs: bool,
    },
    /// The bots this workspace sent to the meeting `url` (List Bots), each
    /// diagnosed. Sent by the card frame when the user hovers a meeting link
    /// and has turned that on.
    Meeting {
        url: String,
    },
    /// The card frame: is the token it was offered its tab's? (The worker
    /// checks every card frame message's token; this one asks nothing else.)
    FrameCheck,
    /// Content scripts: which of these page texts hold bot IDs?
    Classify {
        texts: Vec<String>,
    },
    /// Content scripts: the overview found this many distinct IDs in the
    /// sender's frame, whose document began loading at `since` (ms since the
    /// epoch): frames older than the tab's top document are a page gone by.
    PageBots {
        count: u32,
        #[serde(default)]
        since: f64,
    },
    /// Content scripts: the sensor with this token opened a card; the tab's
    /// other frames close theirs.
    CardOpened {
        token: String,
    },
    /// Content scripts: the pointer moves in the sender's frame, away from
    /// the card of `token` (another frame of the tab), which then closes.
    PointerAway {
        token: String,
    },
    /// Content scripts: the card frame this sensor opens will carry `token`.
    FrameToken {
        token: String,
    },
}

/// Who sent a message, as the browser (not the message) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// A page of this extension: popup, options, explorer.
    ExtensionPage,
    /// The card frame in a tab. Answered only once the token its message
    /// carried matches the one its tab's sensor registered.
    CardFrame { tab_id: Option<i32> },
    /// This extension's content script in a tab; the tab ID when the browser gave one.
    ContentScript { tab_id: Option<i32> },
}

/// Why a message was refused. Never echoes the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The kind is not one this sender may send.
    NotPermitted,
    /// The fields are out of bounds or malformed.
    TooLarge,
}

/// Where a card frame's token is kept (`storage.session`: content scripts
/// cannot read it, and it outlives a restart of the worker): `frame:{token}`
/// holds its tab.
pub fn frame_token_key(token: &str) -> String {
    format!("frame:{token}")
}

/// The one live token of a tab's frame (`frames_of:{tab}:{frame}` holds it):
/// a new document there registers a new one and the old one goes.
pub fn frame_slot_key(tab_id: i32, frame_id: i32) -> String {
    format!("frames_of:{tab_id}:{frame_id}")
}

/// The `storage.session` keys that go when tab `tab_id` closes, among `items`.
pub fn keys_of_tab<'a>(
    tab_id: i32,
    items: impl IntoIterator<Item = (&'a str, Option<f64>)>,
) -> Vec<String> {
    let slot = format!("frames_of:{tab_id}:");
    items
        .into_iter()
        .filter(|(key, value)| {
            key.starts_with(&slot)
                || (key.starts_with("frame:") && *value == Some(f64::from(tab_id)))
        })
        .map(|(key, _)| key.to_string())
        .collect()
}

impl Request {
    /// May `from` send this, and is it within bounds?
    pub fn check(&self, from: Sender) -> Result<(), Refusal> {
        let content = matches!(
            self,
            Request::Classify { .. }
                | Request::PageBots { .. }
                | Request::FrameToken { .. }
                | Request::CardOpened { .. }
                | Request::PointerAway { .. }
        );
        match (from, content, self) {
            (Sender::CardFrame { .. }, _, Request::FrameCheck) => {}
            (_, _, Request::FrameCheck) => return Err(Refusal::NotPermitted),
            (Sender::ExtensionPage | Sender::CardFrame { .. }, false, _)
            | (Sender::ContentScript { .. }, true, _) => {}
            _ => return Err(Refusal::NotPermitted),
        }
        if let Request::FrameToken { token }
        | Request::CardOpened { token }
        | Request::PointerAway { token } = self
        {
            if !valid_id(token) {
                return Err(Refusal::TooLarge);
            }
        }
        if let Request::Meeting { url } = self {
            if meeting_link(url).is_none() {
                return Err(Refusal::TooLarge);
            }
        }
        if let Request::Classify { texts } = self {
            let too_long = texts
                .iter()
                .any(|t| t.len() > 3 * MAX_TEXT_LEN || t.encode_utf16().count() > MAX_TEXT_LEN);
            if texts.len() > MAX_TEXTS || too_long {
                return Err(Refusal::TooLarge);
            }
        }
        Ok(())
    }

    /// What a tab's share is charged for (a bot ID, a meeting link): the
    /// requests that may reach Recall from a card frame.
    pub fn charged_item(&self) -> Option<&str> {
        match self {
            Request::Diagnose { id, .. }
            | Request::Bot { id }
            | Request::Screenshots { id }
            | Request::Logs { id } => Some(id),
            Request::Meeting { url } => Some(url),
            _ => None,
        }
    }

    /// The endpoint and bot ID of a bot request, after checking the ID.
    pub fn bot_endpoint(&self) -> Option<Result<(Endpoint, &str), ApiError>> {
        let (endpoint, id) = match self {
            Request::Bot { id } => (Endpoint::Bot, id),
            Request::Screenshots { id } => (Endpoint::Screenshots, id),
            Request::Logs { id } => (Endpoint::Logs, id),
            _ => return None,
        };
        Some(if valid_id(id) {
            Ok((endpoint, id.as_str()))
        } else {
            Err(ApiError::InvalidId {
                id: id.chars().take(60).collect(),
            })
        })
    }
}

/// A bot ID as requests carry it: one UUID in lowercase, nothing around it.
pub fn valid_id(id: &str) -> bool {
    botlens::detect::is_uuid(id) && id.bytes().all(|b| !b.is_ascii_uppercase())
}

/// The first bot ID in what the user typed or pasted (the popup's look-up
/// box): an ID in any case, an Explorer URL, a log line. Another resource's ID
/// (a recording's) is not taken.
pub fn bot_in(text: &str) -> Option<String> {
    let found = botlens::detect::scan(text);
    found
        .iter()
        .find(|m| m.kind == Kind::Bot)
        .or(found.first())
        .map(|m| m.id.clone())
}

/// The background's answer to an extension page. Externally tagged
/// (`{"diagnosed": {…}}`): an internally tagged enum would make serde buffer
/// the whole diagnosis generically (measured: 15 KB more gzip in the card frame).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The JSON Recall sent, unparsed: the page that asked does the parsing.
    /// `region` is `None` only when a team proxy did not say where.
    Found {
        region: Option<Region>,
        body: String,
    },
    /// The key works in this region; `None`: the team proxy answers (it
    /// searches the regions itself).
    KeyWorks {
        region: Option<Region>,
    },
    Failed {
        error: ApiError,
    },
    /// The answer to `diagnose`.
    Diagnosed(Box<Gathered>),
    /// The answer to `meeting`: the bots sent there, in the order they were sent.
    Meeting(Box<Bots>),
    /// The answer to `frame_check`: the token is this tab's.
    FrameConfirmed,
}

/// One reportable ID in one text of a `classify` batch. Offsets count UTF-16
/// units, as JavaScript strings do, so the overview can build `Range`s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classified {
    pub id: String,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// The background's answer to a content script.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ContentReply {
    /// `results[i]` holds the IDs found in `texts[i]`.
    Classified {
        results: Vec<Vec<Classified>>,
    },
    Done,
    Refused,
}

/// Run the detection rules over each text of a batch.
pub fn classify(texts: &[String]) -> Vec<Vec<Classified>> {
    texts
        .iter()
        .map(|text| {
            botlens::detect::scan(text)
                .into_iter()
                .map(|m| Classified {
                    start: byte_to_utf16(text, m.start),
                    end: byte_to_utf16(text, m.end),
                    id: m.id,
                    kind: m.kind,
                })
                .collect()
        })
        .collect()
}

/// Each frame of a tab (by frame ID): when its document began loading, and
/// the IDs the overview counted in it.
pub type FrameCounts = std::collections::HashMap<i32, (f64, u32)>;

/// The IDs on a tab's page: the sum over its frames whose documents began
/// loading no earlier than the top frame's (frame 0): the frames of a page the
/// tab has left are not counted.
pub fn page_count(frames: &FrameCounts) -> u32 {
    let top = frames.get(&0).map(|(since, _)| *since);
    frames
        .values()
        .filter(|(since, _)| top.is_none_or(|t| *since >= t))
        .map(|(_, count)| count)
        .sum()
}

/// The toolbar badge text for a count of IDs on a page: empty for none.
pub fn badge_text(count: u32) -> String {
    match count {
        0 => String::new(),
        n if n > MAX_BADGE => format!("{MAX_BADGE}+"),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";

    fn from_json(json: &str) -> Result<Request, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn each_sender_may_send_only_its_kinds() {
        let page = Sender::ExtensionPage;
        let content = Sender::ContentScript { tab_id: Some(3) };
        let bot = Request::Bot { id: ID.into() };
        let classify = Request::Classify {
            texts: vec!["x".into()],
        };
        let badge = Request::PageBots {
            count: 2,
            since: 0.0,
        };
        let test = from_json(r#"{"kind":"test_key"}"#).unwrap();
        assert_eq!(bot.check(page), Ok(()));
        assert_eq!(test.check(page), Ok(()));
        assert_eq!(bot.check(content), Err(Refusal::NotPermitted));
        assert_eq!(test.check(content), Err(Refusal::NotPermitted));
        assert_eq!(
            Request::Logs { id: ID.into() }.check(content),
            Err(Refusal::NotPermitted)
        );
        assert_eq!(classify.check(content), Ok(()));
        assert_eq!(badge.check(content), Ok(()));
        assert_eq!(classify.check(page), Err(Refusal::NotPermitted));
        let frame = Sender::CardFrame { tab_id: Some(3) };
        assert_eq!(bot.check(frame), Ok(()));
        assert_eq!(classify.check(frame), Err(Refusal::NotPermitted));
        let token = Request::FrameToken { token: ID.into() };
        assert_eq!(token.check(content), Ok(()));
        assert_eq!(token.check(page), Err(Refusal::NotPermitted));
        assert_eq!(token.check(frame), Err(Refusal::NotPermitted));
        let odd = Request::FrameToken {
            token: "frame:1".into(),
        };
        assert_eq!(odd.check(content), Err(Refusal::TooLarge));
        assert_eq!(badge.check(page), Err(Refusal::NotPermitted));
        let meeting = Request::Meeting {
            url: "https://meet.google.com/abc-defg-hij".into(),
        };
        assert_eq!(meeting.check(frame), Ok(()));
        assert_eq!(meeting.check(content), Err(Refusal::NotPermitted));
        let elsewhere = Request::Meeting {
            url: "https://evil.example/api/v1/bot/".into(),
        };
        assert_eq!(elsewhere.check(frame), Err(Refusal::TooLarge));
        assert_eq!(Request::FrameCheck.check(frame), Ok(()));
        assert_eq!(Request::FrameCheck.check(page), Err(Refusal::NotPermitted));
        assert_eq!(
            Request::FrameCheck.check(content),
            Err(Refusal::NotPermitted)
        );
    }

    #[test]
    fn a_closed_tab_takes_its_tokens_along() {
        let items = [
            ("frame:a", Some(3.0)),
            ("frame:b", Some(4.0)),
            ("frames_of:3:0", None),
            ("frames_of:31:0", None),
            ("region", None),
        ];
        assert_eq!(
            keys_of_tab(3, items),
            vec!["frame:a".to_string(), "frames_of:3:0".to_string()]
        );
    }

    #[test]
    fn unknown_kinds_and_fields_do_not_parse() {
        assert!(from_json(r#"{"kind":"fetch","url":"https://evil.example"}"#).is_err());
        assert!(from_json(r#"{"kind":"bot","id":"x","url":"https://evil"}"#).is_err());
        assert!(from_json(r#"{"kind":"get_key"}"#).is_err());
        assert!(from_json(r#"{"id":"x"}"#).is_err());
        assert!(from_json(r#"{"kind":"classify","texts":"not a list"}"#).is_err());
        assert!(from_json(r#"{"kind":"page_bots","count":-1}"#).is_err());
    }

    #[test]
    fn classify_batches_are_bounded() {
        let content = Sender::ContentScript { tab_id: None };
        let many = Request::Classify {
            texts: vec![String::new(); MAX_TEXTS + 1],
        };
        assert_eq!(many.check(content), Err(Refusal::TooLarge));
        let long = Request::Classify {
            texts: vec!["a".repeat(MAX_TEXT_LEN + 1)],
        };
        assert_eq!(long.check(content), Err(Refusal::TooLarge));
        let fits = Request::Classify {
            texts: vec!["é".repeat(MAX_TEXT_LEN); MAX_TEXTS],
        };
        assert_eq!(fits.check(content), Ok(()));
    }

    #[test]
    fn bot_ids_must_be_lowercase_uuids() {
        let ok = Request::Bot { id: ID.into() };
        assert!(matches!(ok.bot_endpoint(), Some(Ok((Endpoint::Bot, _)))));
        for bad in [
            ID.to_uppercase(),
            format!("{ID}/../../v2/secret"),
            format!("{ID}?x=1"),
            "../".into(),
            String::new(),
        ] {
            let r = Request::Screenshots { id: bad };
            assert!(matches!(
                r.bot_endpoint(),
                Some(Err(ApiError::InvalidId { .. }))
            ));
        }
        assert!(Request::PageBots {
            count: 1,
            since: 1.0,
        }
        .bot_endpoint()
        .is_none());
    }

    #[test]
    fn classify_reports_utf16_offsets_and_skips_other_resources() {
        let text = format!("é🙂 bot_id {ID}, recording_id e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f");
        let results = classify(&[text.clone(), "nothing".into()]);
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].len(), 1);
        let hit = &results[0][0];
        assert_eq!(hit.id, ID);
        assert_eq!(hit.kind, Kind::Bot);
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(String::from_utf16_lossy(&utf16[hit.start..hit.end]), ID);
        assert!(results[1].is_empty());
    }

    #[test]
    fn the_look_up_box_takes_ids_and_explorer_urls() {
        assert_eq!(bot_in(&ID.to_uppercase()), Some(ID.into()));
        assert_eq!(
            bot_in(&format!(
                "https://eu-central-1.recall.ai/dashboard/explorer/bot/{ID}"
            )),
            Some(ID.into())
        );
        assert_eq!(bot_in(&format!("  {ID}  ")), Some(ID.into()));
        assert_eq!(
            bot_in(
                "https://us-east-1.recall.ai/api/v1/recording/e3b9a1f4-6c2d-4a7e-9f80-5d4c3b2a1e0f/"
            ),
            None
        );
        assert_eq!(bot_in("not an id"), None);
    }

    #[test]
    fn the_badge_counts_the_frames_of_the_page_shown() {
        let mut frames = std::collections::HashMap::new();
        frames.insert(3, (100.0, 2)); // a frame of the page before
        frames.insert(4, (205.0, 1));
        frames.insert(0, (200.0, 5));
        frames.insert(7, (210.0, 1));
        assert_eq!(page_count(&frames), 7);
        frames.remove(&0);
        assert_eq!(page_count(&frames), 4, "no top count yet: every frame");
    }

    #[test]
    fn badges_are_short() {
        assert_eq!(badge_text(0), "");
        assert_eq!(badge_text(7), "7");
        assert_eq!(badge_text(5000), "999+");
    }
}
