//! List Bots (`GET /api/v1/bot/`): its filters, its page-number pages, and
//! the one rule for following `next` — only to the origin that was asked, so
//! the key never goes where a body points. Pure, like the rest of `recall`.

use super::client::{origin, read_reply, Answer, Credential, Transport};
use super::error::ApiError;
use super::model::{Bot, Page};
use super::region::{expand_host_template, Region};
use super::retry::{self, Clock, Retries};
use super::time::Timestamp;

/// The path of List Bots.
pub const PATH: &str = "/api/v1/bot/";

/// What to list; every filter set must match (Recall's rule).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub join_at_after: Option<Timestamp>,
    pub join_at_before: Option<Timestamp>,
    /// The bots sent to this meeting.
    pub meeting_url: Option<String>,
    pub platforms: Vec<String>,
    /// The bot's current status code (`fatal`, `done`, …).
    pub statuses: Vec<String>,
    /// `metadata__<key>=<value>` pairs.
    pub metadata: Vec<(String, String)>,
}

impl ListQuery {
    /// The query string, form-encoded.
    pub fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = self.join_at_after {
            q.append_pair("join_at_after", &t.to_rfc3339());
        }
        if let Some(t) = self.join_at_before {
            q.append_pair("join_at_before", &t.to_rfc3339());
        }
        if let Some(u) = &self.meeting_url {
            q.append_pair("meeting_url", u);
        }
        for p in &self.platforms {
            q.append_pair("platform", p);
        }
        for s in &self.statuses {
            q.append_pair("status", s);
        }
        for (k, v) in &self.metadata {
            q.append_pair(&format!("metadata__{k}"), v);
        }
        q.finish()
    }

    /// The first page's URL in a region.
    pub fn url(&self, host_template: &str, region: Region) -> String {
        let query = self.query();
        let base = expand_host_template(host_template, region);
        if query.is_empty() {
            format!("{base}{PATH}")
        } else {
            format!("{base}{PATH}?{query}")
        }
    }

    /// Read a query string back (a server's side), and the page asked for.
    pub fn parse(query: &str) -> (ListQuery, u32) {
        let mut q = ListQuery::default();
        let mut page = 1;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "join_at_after" => q.join_at_after = Timestamp::parse(&v),
                "join_at_before" => q.join_at_before = Timestamp::parse(&v),
                "meeting_url" => q.meeting_url = Some(v.into_owned()),
                "platform" => q.platforms.push(v.into_owned()),
                "status" => q.statuses.push(v.into_owned()),
                "page" => page = v.parse().unwrap_or(1),
                key => {
                    if let Some(meta) = key.strip_prefix("metadata__") {
                        q.metadata.push((meta.to_string(), v.into_owned()));
                    }
                }
            }
        }
        (q, page.max(1))
    }

    /// Does `bot` pass every filter? `joined` is when it was to join (its
    /// `join_at`, else its first status change).
    pub fn matches(&self, bot: &Bot, metadata: &serde_json::Value) -> bool {
        let joined = bot.join_time();
        let after = self
            .join_at_after
            .is_none_or(|t| joined.is_some_and(|j| j >= t));
        let before = self
            .join_at_before
            .is_none_or(|t| joined.is_some_and(|j| j < t));
        let platform = self.platforms.is_empty()
            || bot
                .platform()
                .is_some_and(|p| self.platforms.iter().any(|f| f == p.as_str()));
        let status = self.statuses.is_empty()
            || bot
                .current_status()
                .is_some_and(|c| self.statuses.iter().any(|s| s == c.code.as_str()));
        let meeting = self
            .meeting_url
            .as_deref()
            .is_none_or(|u| same_meeting(bot, u));
        let meta = self.metadata.iter().all(|(k, v)| {
            metadata
                .get(k)
                .is_some_and(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string) == *v)
        });
        after && before && platform && status && meeting && meta
    }
}

/// The bot was sent to the meeting `link` names: its meeting ID is in the
/// link, or its own link is the same.
fn same_meeting(bot: &Bot, link: &str) -> bool {
    let Some(m) = &bot.meeting_url else {
        return false;
    };
    let link = link.trim().to_ascii_lowercase();
    let by_id = m
        .meeting_id
        .as_deref()
        .map(str::to_ascii_lowercase)
        .is_some_and(|id| !id.is_empty() && link.contains(&id));
    let by_link = m
        .link
        .as_deref()
        .is_some_and(|own| own.trim().to_ascii_lowercase() == link);
    by_id || by_link
}

/// One page of List Bots.
#[derive(Clone, Debug, PartialEq)]
pub struct ListPage {
    pub bots: Vec<Bot>,
    /// Items that were not readable bots.
    pub skipped: usize,
    /// The next page, only when it is on the origin that was asked.
    pub next: Option<String>,
    /// Recall's total for the query, when it says.
    pub count: Option<u64>,
}

/// Read a page Recall answered `asked` with.
pub fn read_page(asked: &str, body: &str) -> Result<ListPage, ApiError> {
    let malformed = |detail: String| ApiError::Malformed {
        status: 200,
        detail,
    };
    let v: serde_json::Value =
        serde_json::from_str(body).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let items = v
        .get("results")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| malformed("a list page has `results`".into()))?;
    let Page { bots, skipped, .. } = Page::from_items(items, false);
    let next = v
        .get("next")
        .and_then(serde_json::Value::as_str)
        .filter(|n| origin(n) == origin(asked))
        .map(str::to_string);
    Ok(ListPage {
        bots,
        skipped,
        next,
        count: v.get("count").and_then(serde_json::Value::as_u64),
    })
}

/// The bots List Bots gives from `url` (a [`ListQuery::url`] in `region`,
/// the key's), page after page (`next` followed only on the origin asked), at
/// most `max`. The second value says whether more were left. Every channel
/// lists through here: the CLI, the extension's worker.
pub async fn collect<T: Transport, C: Clock>(
    transport: &T,
    clock: &C,
    retries: Retries,
    region: Region,
    url: String,
    credential: &Credential<'_>,
    max: usize,
) -> Result<(Vec<Bot>, bool), ApiError> {
    let mut url = url;
    let mut bots = Vec::new();
    loop {
        let reply = retry::get(transport, clock, retries, &url, credential).await?;
        let body = match read_reply(&reply) {
            Answer::Found(body) => body,
            Answer::Unauthorized => {
                return Err(ApiError::Unauthorized {
                    regions_tried: vec![region],
                })
            }
            Answer::NotFound => {
                return Err(ApiError::NotFound {
                    regions_tried: vec![region],
                })
            }
            Answer::Failed(error) => return Err(error),
        };
        let page = read_page(&url, &body)?;
        bots.extend(page.bots);
        if bots.len() >= max {
            let more = bots.len() > max || page.next.is_some();
            bots.truncate(max);
            return Ok((bots, more));
        }
        match page.next {
            Some(next) => url = next,
            None => return Ok((bots, false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_round_trip_and_next_stays_home() {
        let q = ListQuery {
            join_at_after: Timestamp::parse("2026-12-04T09:00:00Z"),
            meeting_url: Some("https://zoom.us/j/81234567890?pwd=a&b".into()),
            statuses: vec!["fatal".into(), "done".into()],
            metadata: vec![("customer id".into(), "acme & co".into())],
            ..ListQuery::default()
        };
        let url = q.url("https://{region}.recall.ai", Region::EuCentral1);
        assert!(url
            .starts_with("https://eu-central-1.recall.ai/api/v1/bot/?join_at_after=2026-12-04T09"));
        let (back, page) = ListQuery::parse(url.split_once('?').unwrap().1);
        assert_eq!(back, q);
        assert_eq!(page, 1);

        let asked = "https://us-west-2.recall.ai/api/v1/bot/?status=fatal";
        let page = read_page(
            asked,
            r#"{"count": 3, "next": "https://us-west-2.recall.ai/api/v1/bot/?page=2&status=fatal",
                "results": [{"id": "b1", "status_changes": []}, {"x": 1}]}"#,
        )
        .unwrap();
        assert_eq!((page.bots.len(), page.skipped, page.count), (1, 1, Some(3)));
        assert!(page.next.is_some());
        let elsewhere = read_page(
            asked,
            r#"{"next": "https://evil.example/steal", "results": []}"#,
        )
        .unwrap();
        assert_eq!(
            elsewhere.next, None,
            "the key never follows a body elsewhere"
        );
        assert!(read_page(asked, "{}").is_err());
    }

    #[test]
    fn filters_match_as_recall_documents() {
        let bot: Bot = serde_json::from_str(
            r#"{"id": "b1", "meeting_url": {"platform": "zoom", "meeting_id": "81234567890"},
                "status_changes": [{"code": "joining_call", "created_at": "2026-12-04T10:00:00Z"},
                                   {"code": "fatal", "created_at": "2026-12-04T10:00:30Z"}]}"#,
        )
        .unwrap();
        let meta = serde_json::json!({"customer": "acme", "n": 2});
        let (q, _) = ListQuery::parse("join_at_after=2026-12-04T09:00:00Z&status=fatal&platform=zoom&metadata__customer=acme&metadata__n=2&meeting_url=https://us02web.zoom.us/j/81234567890");
        assert!(q.matches(&bot, &meta));
        for miss in [
            "join_at_after=2026-12-04T11:00:00Z",
            "join_at_before=2026-12-04T09:00:00Z",
            "status=done",
            "platform=google_meet",
            "metadata__customer=other",
            "meeting_url=https://zoom.us/j/999",
        ] {
            assert!(!ListQuery::parse(miss).0.matches(&bot, &meta), "{miss}");
        }
    }
}
