use super::*;
use crate::recall::cache;
use crate::recall::retry::{RETRIES, TIMEOUT_DETAIL};
use crate::testing::block_on;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::collections::VecDeque;

/// Answers by URL; a URL may have a queue of answers (the last repeats).
#[derive(Default)]
struct Scripted {
    replies: RefCell<HashMap<String, VecDeque<Result<HttpReply, ApiError>>>>,
    asked: RefCell<Vec<(String, String)>>,
}

impl Scripted {
    fn on(self, url: &str, answers: Vec<Result<HttpReply, ApiError>>) -> Self {
        self.replies
            .borrow_mut()
            .insert(url.to_string(), answers.into());
        self
    }
    fn urls(&self) -> Vec<String> {
        self.asked.borrow().iter().map(|(u, _)| u.clone()).collect()
    }
}

impl Transport for Scripted {
    async fn get(&self, url: &str, credential: &Credential<'_>) -> Result<HttpReply, ApiError> {
        let header = credential
            .header()
            .map(|(name, value)| format!("{name}: {value}"))
            .unwrap_or_default();
        self.asked.borrow_mut().push((url.to_string(), header));
        let mut replies = self.replies.borrow_mut();
        match replies.get_mut(url) {
            Some(queue) if queue.len() > 1 => queue.pop_front().unwrap_or(Ok(status(500))),
            Some(queue) => queue.front().cloned().unwrap_or(Ok(status(500))),
            None => Ok(status(401)),
        }
    }
}

#[derive(Default)]
struct FakeClock {
    now: Cell<f64>,
    slept: RefCell<Vec<u32>>,
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    async fn sleep(&self, ms: u32) {
        self.slept.borrow_mut().push(ms);
        self.now.set(self.now.get() + f64::from(ms));
    }
}

fn status(status: u16) -> HttpReply {
    HttpReply {
        status,
        body: match status {
            401 => r#"{"code":"authentication_failed"}"#.into(),
            404 => r#"{"code":"not_found"}"#.into(),
            _ => "{}".into(),
        },
        ..HttpReply::default()
    }
}

fn bot(last: &str) -> HttpReply {
    HttpReply {
        status: 200,
        body: format!(
            r#"{{"id":"{ID}","status_changes":[{{"code":"joining_call","created_at":"2026-01-01T00:00:00Z"}},{{"code":"{last}","created_at":"2026-01-01T00:01:00Z"}}]}}"#
        ),
        ..HttpReply::default()
    }
}

const ID: &str = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
const HOST: &str = "http://{region}.sim";

fn u(region: &str, tail: &str) -> String {
    format!("http://{region}.sim/api/v1/bot/{ID}/{tail}")
}

fn key_mode(remembered: Option<Region>) -> Upstream {
    Upstream::recall("k", HOST, remembered)
}

#[test]
fn remembered_region_first_then_the_others_on_401() {
    let t = Scripted::default().on(&u("eu-central-1", ""), vec![Ok(bot("done"))]);
    let c = FakeClock::default();
    let state = RefCell::default();
    let out = block_on(lookup(
        &state,
        &t,
        &c,
        &key_mode(Some(Region::UsEast1)),
        Endpoint::Bot,
        ID,
    ));
    assert!(matches!(
        out.result,
        Ok(Found {
            region: Some(Region::EuCentral1),
            ..
        })
    ));
    assert_eq!(out.key_region, Some(Region::EuCentral1));
    assert_eq!(
        t.urls(),
        vec![
            u("us-east-1", ""),
            u("us-west-2", ""),
            u("eu-central-1", "")
        ]
    );
    assert!(t
        .asked
        .borrow()
        .iter()
        .all(|(_, a)| a == "Authorization: Token k"));
}

#[test]
fn terminal_bots_are_cached_long_live_ones_briefly() {
    let t = Scripted::default()
        .on(&u("us-west-2", ""), vec![Ok(bot("done"))])
        .on(&u("us-west-2", "logs/"), vec![Ok(status(200))]);
    let c = FakeClock::default();
    let state = RefCell::default();
    let mode = key_mode(None);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    c.now.set(cache::LIVE_BOT_TTL_MS * 5.0);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(t.urls().len(), 1, "a done bot is not asked again");
    // Logs go straight to the bot's region and are cached like it.
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Logs, ID));
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Logs, ID));
    assert_eq!(t.urls(), vec![u("us-west-2", ""), u("us-west-2", "logs/")]);

    let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(bot("in_call_recording"))]);
    let state = RefCell::default();
    c.now.set(0.0);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    c.now.set(cache::LIVE_BOT_TTL_MS - 1.0);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(t.urls().len(), 1);
    c.now.set(cache::LIVE_BOT_TTL_MS + 1.0);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(t.urls().len(), 2, "a live bot is asked again after 10 s");
}

#[test]
fn a_404_per_region_is_remembered_for_a_minute() {
    let t = Scripted::default()
        .on(&u("us-west-2", ""), vec![Ok(status(404))])
        .on(&u("us-east-1", ""), vec![Ok(status(404))]);
    let c = FakeClock::default();
    let state = RefCell::default();
    let mode = key_mode(None);
    let out = block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(
        out.result,
        Err(ApiError::NotFound {
            regions_tried: vec![Region::UsWest2, Region::UsEast1]
        })
    );
    assert_eq!(out.key_region, Some(Region::UsWest2));
    assert_eq!(t.urls().len(), 4);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(
        t.urls().len(),
        6,
        "only the two 401 regions are asked again"
    );
    c.now.set(NOT_FOUND_TTL_MS + 1.0);
    block_on(lookup(&state, &t, &c, &mode, Endpoint::Bot, ID));
    assert_eq!(t.urls().len(), 10);
}

#[test]
fn a_key_valid_nowhere_says_so() {
    let t = Scripted::default();
    let c = FakeClock::default();
    assert_eq!(
        block_on(test_key(&t, &c, &key_mode(None))),
        Err(ApiError::Unauthorized {
            regions_tried: Region::ALL.to_vec()
        })
    );
    let t = Scripted::default().on(
        "http://ap-northeast-1.sim/api/v1/bot/00000000-0000-4000-8000-000000000000/",
        vec![Ok(status(404))],
    );
    assert_eq!(
        block_on(test_key(&t, &c, &key_mode(None))),
        Ok(Some(Region::ApNortheast1))
    );
    let none = Upstream::recall(" ", HOST, None);
    assert_eq!(block_on(test_key(&t, &c, &none)), Err(ApiError::NoKey));
}

#[test]
fn throttling_waits_as_asked_with_jitter_and_gives_up_in_bounds() {
    let throttled = HttpReply {
        status: 429,
        body: "{}".into(),
        retry_after: Some("3".into()),
        ..HttpReply::default()
    };
    let t = Scripted::default().on(
        &u("us-west-2", ""),
        vec![Ok(throttled.clone()), Ok(bot("done"))],
    );
    let c = FakeClock::default();
    let state = RefCell::default();
    let out = block_on(lookup(&state, &t, &c, &key_mode(None), Endpoint::Bot, ID));
    assert!(out.result.is_ok());
    let slept = c.slept.borrow().clone();
    assert_eq!(slept.len(), 1);
    assert!((3000..3600).contains(&slept[0]), "{slept:?}");

    // Always throttled: two retries, then the 429 is the answer.
    let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(throttled)]);
    let c = FakeClock::default();
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &key_mode(None),
        Endpoint::Bot,
        ID,
    ));
    assert_eq!(out.result, Err(ApiError::Throttled { retry_after_s: 3 }));
    assert_eq!(t.urls().len(), 1 + RETRIES as usize);

    // A Retry-After beyond the budget is not waited for.
    let long = HttpReply {
        status: 429,
        body: "{}".into(),
        retry_after: Some("120".into()),
        ..HttpReply::default()
    };
    let t = Scripted::default().on(&u("us-west-2", ""), vec![Ok(long)]);
    let c = FakeClock::default();
    block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &key_mode(None),
        Endpoint::Bot,
        ID,
    ));
    assert!(c.slept.borrow().is_empty());
    assert_eq!(t.urls().len(), 1);
}

#[test]
fn timeouts_are_not_retried_network_errors_are() {
    let timeout = Err(ApiError::Unreachable {
        host: "h".into(),
        detail: TIMEOUT_DETAIL.into(),
    });
    let t = Scripted::default().on(&u("us-west-2", ""), vec![timeout]);
    let c = FakeClock::default();
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &key_mode(None),
        Endpoint::Bot,
        ID,
    ));
    assert!(matches!(out.result, Err(ApiError::Unreachable { .. })));
    assert_eq!(t.urls().len(), 1);
    let reset = Err(ApiError::Unreachable {
        host: "h".into(),
        detail: "connection reset".into(),
    });
    let t = Scripted::default().on(
        &u("us-west-2", ""),
        vec![reset, Ok(status(503)), Ok(bot("fatal"))],
    );
    let c = FakeClock::default();
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &key_mode(None),
        Endpoint::Bot,
        ID,
    ));
    assert!(out.result.is_ok());
    assert_eq!(c.slept.borrow().len(), 2);
}

#[test]
fn the_proxy_is_asked_without_a_key() {
    let t = Scripted::default().on(
        &format!("https://proxy.example/api/v1/bot/{ID}/"),
        vec![Ok(bot("done"))],
    );
    let c = FakeClock::default();
    let mode = Upstream::Proxy {
        base: "https://proxy.example/".into(),
        token: None,
    };
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &mode,
        Endpoint::Bot,
        ID,
    ));
    assert!(out.result.is_ok());
    assert_eq!(t.asked.borrow()[0].1, "", "no credential at all");
    let mode = Upstream::Proxy {
        base: "https://proxy.example".into(),
        token: Some("shared".into()),
    };
    block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &mode,
        Endpoint::Bot,
        ID,
    ));
    assert_eq!(
        t.asked.borrow()[1].1,
        "X-Botlens-Token: shared",
        "the proxy's token, never as a Recall key"
    );
}

#[test]
fn no_key_asks_nothing() {
    let t = Scripted::default();
    let c = FakeClock::default();
    let mode = Upstream::recall("", HOST, None);
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &mode,
        Endpoint::Bot,
        ID,
    ));
    assert_eq!(out.result, Err(ApiError::NoKey));
    assert!(t.urls().is_empty());
}

#[test]
fn a_pinned_region_is_the_only_one_asked_and_throttling_ends_the_search() {
    let t = Scripted::default().on(
        &u("eu-central-1", ""),
        vec![Ok(HttpReply {
            status: 429,
            body: "{}".into(),
            retry_after: Some("17".into()),
            ..HttpReply::default()
        })],
    );
    let c = FakeClock::default();
    let pinned = Upstream::Recall {
        key: "k".into(),
        host: HOST.into(),
        remembered: Some(Region::UsWest2),
        only: Some(Region::EuCentral1),
    };
    let state = RefCell::default();
    let out = block_on(find(
        &state,
        &t,
        &c,
        Retries::Never,
        &pinned,
        Endpoint::Bot,
        ID,
    ));
    assert_eq!(out.result, Err(ApiError::Throttled { retry_after_s: 17 }));
    assert_eq!(
        t.urls(),
        vec![u("eu-central-1", "")],
        "one region, no retry"
    );
}

#[test]
fn a_key_valid_nowhere_names_every_region_tried() {
    let t = Scripted::default();
    let c = FakeClock::default();
    let out = block_on(lookup(
        &RefCell::default(),
        &t,
        &c,
        &key_mode(None),
        Endpoint::Bot,
        ID,
    ));
    let error = out.result.unwrap_err();
    assert_eq!(
        error,
        ApiError::Unauthorized {
            regions_tried: Region::ALL.to_vec()
        }
    );
    assert!(error
        .to_string()
        .contains("us-west-2, us-east-1, eu-central-1, ap-northeast-1"));
    assert_eq!(out.key_region, None);
}

#[test]
fn the_region_rule() {
    use Endpoint::{Bot, Logs, Screenshots};
    let (eu, ap) = (Some(Region::EuCentral1), Some(Region::ApNortheast1));
    assert_eq!(regions(Bot, None, None, None), Region::ALL.to_vec());
    assert_eq!(regions(Bot, None, ap, eu)[0], Region::ApNortheast1);
    assert_eq!(regions(Bot, None, ap, None).len(), 4);
    assert_eq!(regions(Logs, None, ap, eu), vec![Region::EuCentral1]);
    assert_eq!(
        regions(Screenshots, None, ap, None)[0],
        Region::ApNortheast1
    );
    assert_eq!(
        regions(Screenshots, ap, None, eu),
        vec![Region::ApNortheast1]
    );
}

#[test]
fn proxy_answers_are_read_one_way() {
    let reply = |status, body: &str, region: Option<&str>| HttpReply {
        status,
        body: body.into(),
        region: region.map(str::to_string),
        ..HttpReply::default()
    };
    let base = "https://proxy.example";
    assert_eq!(
        read_proxy_reply(&reply(200, "{}", Some("eu-central-1")), base),
        Ok(Found {
            region: Some(Region::EuCentral1),
            body: "{}".into()
        })
    );
    // A proxy that does not say where: the region is unknown, not guessed.
    assert_eq!(
        read_proxy_reply(&reply(200, "{}", None), base).map(|f| f.region),
        Ok(None)
    );
    let typed = serde_json::json!({
        "code": "not_found",
        "detail": "…",
        "botlens": ApiError::NotFound { regions_tried: vec![Region::UsWest2] },
    });
    assert_eq!(
        read_proxy_reply(&reply(404, &typed.to_string(), None), base),
        Err(ApiError::NotFound {
            regions_tried: vec![Region::UsWest2]
        })
    );
    let refusal =
        r#"{"code":"token_required","detail":"needs the token","source":"botlens-proxy"}"#;
    assert_eq!(
        read_proxy_reply(&reply(401, refusal, None), base),
        Err(ApiError::Unreachable {
            host: "the botlens proxy at https://proxy.example".into(),
            detail: "needs the token".into()
        })
    );
    // Not a botlens proxy at all: a 404 page is not "no such bot".
    assert!(matches!(
        read_proxy_reply(&reply(404, "<html>", None), base),
        Err(ApiError::Unreachable { .. })
    ));
    assert_eq!(
        read_proxy_reply(&reply(503, "", None), base),
        Err(ApiError::Server { status: 503 })
    );
    assert!(matches!(
        read_proxy_reply(&reply(200, "<html>portal</html>", None), base),
        Err(ApiError::Malformed { .. })
    ));
}

#[test]
fn debug_output_never_shows_the_key_or_the_token() {
    let shown = format!(
        "{:?} {:?}",
        Upstream::recall("sk_live_secret", HOST, None),
        Upstream::Proxy {
            base: "https://p".into(),
            token: Some("tok_secret".into())
        }
    );
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("https://p"), "{shown}");
}

#[test]
fn proxy_media_links_become_links_to_that_proxy() {
    let reply = HttpReply {
        status: 200,
        body: r#"{"video_url": "botlens-proxy:/api/v1/bot/b/media?of=bot&sig=1", "x": "botlens-proxy: not a link"}"#.into(),
        ..HttpReply::default()
    };
    let found = read_proxy_reply(&reply, "https://proxy.example/botlens/").unwrap();
    assert!(found
        .body
        .contains(r#""https://proxy.example/botlens/api/v1/bot/b/media?of=bot&sig=1""#));
    let same_origin = read_proxy_reply(&reply, "").unwrap();
    assert!(same_origin
        .body
        .contains(r#""/api/v1/bot/b/media?of=bot&sig=1""#));
    assert!(same_origin.body.contains("botlens-proxy: not a link"));
}
