//! Component tests in real headless Chromium: data in, DOM contract out.
#![cfg(target_arch = "wasm32")]

use botlens::diagnose::{diagnose, Diagnosis};
use botlens::recall::error::ApiError;
use botlens::recall::model::{Bot, Logs, Screenshots};
use botlens::recall::region::Region;
use botlens::ui::card::{Card, CardActions, Theme};
use botlens::ui::state::{CardState, Loaded, Section};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ZOOM_DENIED: &str =
    include_str!("../../tests/e2e/scenarios/bot-zoom-recording-permission-denied.json");
const TEAMS_DONE: &str = include_str!("../../tests/e2e/scenarios/bot-done-teams.json");
const MEET_FATAL: &str = include_str!("../../tests/e2e/scenarios/bot-fatal-google-meet.json");
const FUTURE_CODE: &str = include_str!("../../tests/e2e/scenarios/bot-future-code-zoom.json");

fn scenario(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// Diagnose a scenario file the way the worker does, with its screenshots and logs.
fn diagnosed(text: &str, region: Region) -> Diagnosis {
    let s = scenario(text);
    let bot: Bot = serde_json::from_value(s["bot"].clone()).expect("a bot");
    let shots: Screenshots = serde_json::from_value(s["screenshots"].clone()).expect("screenshots");
    let logs: Logs = serde_json::from_value(s["logs"].clone()).expect("logs");
    // No clock: these fixtures are years old, their media would read as expired.
    diagnose(&bot, Some(&shots), Some(&logs), Some(region), None)
}

fn shown(diagnosis: Diagnosis) -> CardState {
    CardState::Ready(Box::new(Loaded {
        report: botlens::diagnose::report::markdown(&diagnosis),
        diagnosis,
        screenshots: Section::Shown,
        logs: Section::Shown,
        fetched_at_ms: 0.0,
    }))
}

/// Mount a card into a fresh element and return that element.
fn mount_with(
    state: RwSignal<CardState>,
    actions: CardActions,
    theme: Theme,
) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <Card state=state actions theme/> },
    )
    .forget();
    host
}

fn mount(state: RwSignal<CardState>) -> web_sys::HtmlElement {
    mount_with(state, CardActions::default(), Theme::Light)
}

fn card(host: &web_sys::HtmlElement) -> web_sys::Element {
    host.query_selector(".botlens-card")
        .unwrap()
        .expect("card root rendered")
}

fn attr(el: &web_sys::Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

fn text(el: &web_sys::Element) -> String {
    el.text_content().unwrap_or_default()
}

fn all(el: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let list = el.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i)?.dyn_into().ok())
        .collect()
}

#[wasm_bindgen_test]
fn a_failed_bot_shows_verdict_reason_and_status() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    let state = RwSignal::new(shown(diagnosed(ZOOM_DENIED, Region::UsWest2)));
    let root = card(&mount(state));
    assert_eq!(attr(&root, "data-state").as_deref(), Some("ready"));
    assert_eq!(attr(&root, "data-bot-id").as_deref(), Some(id));
    assert_eq!(attr(&root, "data-verdict").as_deref(), Some("failed"));
    assert_eq!(
        attr(&root, "data-reason").as_deref(),
        Some("timeout_exceeded_recording_permission_denied")
    );
    assert_eq!(
        attr(&root, "data-reason-known"),
        None,
        "known codes are not flagged"
    );
    assert_eq!(attr(&root, "data-status").as_deref(), Some("done"));
    assert_eq!(attr(&root, "role").as_deref(), Some("dialog"));
    assert!(attr(&root, "aria-label")
        .unwrap_or_default()
        .contains("a1c3e5f7"));
    let explorer = root
        .query_selector("a[href*='/dashboard/explorer/bot/']")
        .unwrap()
        .unwrap();
    assert_eq!(
        attr(&explorer, "href").as_deref(),
        Some("https://us-west-2.recall.ai/dashboard/explorer/bot/a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f")
    );
    // The earlier refusal is shown as the underlying cause.
    let detail = root
        .query_selector(".detail")
        .unwrap()
        .expect("underlying cause");
    assert!(
        text(&detail).contains("zoom_local_recording_disabled"),
        "{}",
        text(&detail)
    );
}

#[wasm_bindgen_test]
fn the_timeline_lists_every_change_old_to_new_with_phases() {
    let d = diagnosed(ZOOM_DENIED, Region::UsWest2);
    let codes: Vec<String> = d.timeline.iter().map(|e| e.code.clone()).collect();
    let root = card(&mount(RwSignal::new(shown(d))));
    let section = root
        .query_selector("[data-section='timeline']")
        .unwrap()
        .unwrap();
    let shown: Vec<String> = all(&section, ".timeline li .what > code")
        .iter()
        .map(text)
        .collect();
    assert_eq!(shown, codes);
    assert_eq!(shown.first().map(String::as_str), Some("joining_call"));
    assert_eq!(shown.last().map(String::as_str), Some("done"));
    assert!(
        !all(&section, ".phases .phase").is_empty(),
        "a proportional bar"
    );
    assert!(
        text(&section).contains("In call, not recording 33s"),
        "{}",
        text(&section)
    );
}

#[wasm_bindgen_test]
fn a_healthy_bot_has_no_reason_and_links_its_media() {
    let state = RwSignal::new(shown(diagnosed(TEAMS_DONE, Region::UsEast1)));
    let root = card(&mount(state));
    assert_eq!(attr(&root, "data-verdict").as_deref(), Some("healthy"));
    assert_eq!(attr(&root, "data-reason"), None);
    let media = root
        .query_selector("[data-section='media']")
        .unwrap()
        .unwrap();
    let links = all(&media, "a[href]");
    assert!(
        !links.is_empty(),
        "recording or transcript link: {}",
        text(&media)
    );
    assert!(links
        .iter()
        .all(|a| attr(a, "href").unwrap_or_default().starts_with("https://")));
}

#[wasm_bindgen_test]
async fn screenshots_are_lazy_thumbnails_that_open_inside_the_card() {
    let d = diagnosed(MEET_FATAL, Region::EuCentral1);
    assert!(!d.screenshots.is_empty(), "fixture has screenshots");
    let host = mount(RwSignal::new(shown(d.clone())));
    let root = card(&host);
    let thumbs = all(&root, "[data-section='screenshots'] .shots img");
    assert_eq!(thumbs.len(), d.screenshots.len());
    assert!(thumbs
        .iter()
        .all(|img| attr(img, "loading").as_deref() == Some("lazy")));
    let button: web_sys::HtmlElement = root
        .query_selector("[data-section='screenshots'] .thumb")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    leptos::task::tick().await;
    let zoomed = root
        .query_selector(".zoom img")
        .unwrap()
        .expect("full view inside the card");
    assert_eq!(attr(&zoomed, "src"), attr(&thumbs[0], "src"));
}

#[wasm_bindgen_test]
async fn opening_a_section_asks_for_its_data_once() {
    let asked = RwSignal::new(Vec::<&'static str>::new());
    let actions = CardActions {
        want_screenshots: Some(Callback::new(move |()| {
            asked.update(|a| a.push("screenshots"))
        })),
        want_logs: Some(Callback::new(move |()| asked.update(|a| a.push("logs")))),
        ..CardActions::default()
    };
    let d = diagnosed(ZOOM_DENIED, Region::UsWest2);
    let state = RwSignal::new(CardState::ready(d, 0.0));
    let root = card(&mount_with(state, actions, Theme::Light));
    assert!(text(&root).contains("Loading screenshots"));
    let details: web_sys::HtmlDetailsElement = root
        .query_selector("[data-section='logs']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    details.set_open(true);
    // The toggle event is dispatched asynchronously.
    gloo_timers_sleep(50).await;
    assert_eq!(asked.get_untracked(), vec!["logs"]);
}

#[wasm_bindgen_test]
async fn log_notes_explain_known_codes_and_filter_by_level() {
    let d = diagnosed(ZOOM_DENIED, Region::UsWest2);
    let root = card(&mount(RwSignal::new(shown(d))));
    let logs = root
        .query_selector("[data-section='logs']")
        .unwrap()
        .unwrap();
    let everything = all(&logs, ".note").len();
    assert!(everything >= 2, "{}", text(&logs));
    assert!(text(&logs).contains("zoom_join_token_fetch_using_zoom_oauth_failed"));
    let select: web_sys::HtmlSelectElement = logs
        .query_selector("select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value("error");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    leptos::task::tick().await;
    let errors = all(&logs, ".note");
    assert!(errors.len() < everything);
    assert!(errors
        .iter()
        .all(|n| attr(n, "data-level").as_deref() == Some("error")));
}

#[wasm_bindgen_test]
fn unknown_codes_are_shown_raw_and_marked() {
    let root = card(&mount(RwSignal::new(shown(diagnosed(
        FUTURE_CODE,
        Region::UsWest2,
    )))));
    assert_eq!(
        attr(&root, "data-reason").as_deref(),
        Some("zoom_quantum_flux_error")
    );
    assert_eq!(attr(&root, "data-reason-known").as_deref(), Some("false"));
    assert!(text(&root).contains("not yet in the botlens catalog"));
}

#[wasm_bindgen_test]
async fn states_follow_the_signal() {
    let id = "11111111-2222-4333-8444-555555555555";
    let state = RwSignal::new(CardState::Loading { bot_id: id.into() });
    let host = mount(state);
    assert_eq!(attr(&card(&host), "data-state").as_deref(), Some("loading"));
    assert_eq!(attr(&card(&host), "aria-busy").as_deref(), Some("true"));
    state.set(CardState::Failed {
        bot_id: id.into(),
        error: ApiError::NotFound {
            regions_tried: vec![Region::UsWest2, Region::EuCentral1],
        },
    });
    leptos::task::tick().await;
    let root = card(&host);
    assert_eq!(attr(&root, "data-state").as_deref(), Some("error"));
    assert_eq!(attr(&root, "data-error").as_deref(), Some("not_found"));
    let shown = text(&root);
    assert!(shown.contains("us-west-2, eu-central-1"), "{shown}");
    assert!(
        shown.contains("recordings, transcripts, screenshots"),
        "{shown}"
    );
    state.set(CardState::Idle);
    leptos::task::tick().await;
    assert!(host.query_selector(".botlens-card").unwrap().is_none());
}

#[wasm_bindgen_test]
fn every_error_says_what_happened_and_what_to_try() {
    let id = "11111111-2222-4333-8444-555555555555";
    for error in botlens::recall::error::one_of_each() {
        let kind = error.kind();
        let root = card(&mount(RwSignal::new(CardState::Failed {
            bot_id: id.into(),
            error,
        })));
        assert_eq!(attr(&root, "data-error").as_deref(), Some(kind));
        let title = text(&root.query_selector(".title").unwrap().unwrap());
        let remedy = text(&root.query_selector(".remedy").unwrap().unwrap());
        assert!(
            title.len() > 10 && remedy.len() > 20,
            "{kind}: {title} / {remedy}"
        );
    }
}

#[wasm_bindgen_test]
fn markup_from_recall_stays_text() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    let mut s = scenario(ZOOM_DENIED);
    s["bot"]["bot_name"] = "<img src=x onerror=window.__pwned=1><b>Notetaker</b>".into();
    s["bot"]["status_changes"][4]["code"] = "<script>window.__pwned=1</script>".into();
    s["logs"][1]["message"] = "<img src=x onerror=window.__pwned=2>".into();
    let text_json = s.to_string();
    let d = diagnosed(&text_json, Region::UsWest2);
    let root = card(&mount(RwSignal::new(shown(d))));
    assert!(
        root.query_selector("img[onerror], b, script")
            .unwrap()
            .is_none(),
        "no element came from data"
    );
    assert!(text(&root).contains("<b>Notetaker</b>"));
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
    assert_eq!(attr(&root, "data-bot-id").as_deref(), Some(id));
}

#[wasm_bindgen_test]
fn links_from_data_are_only_web_links() {
    let mut s = scenario(TEAMS_DONE);
    s["bot"]["recordings"][0]["media_shortcuts"]["video_mixed"]["data"]["download_url"] =
        "javascript:window.__pwned=3".into();
    let d = diagnosed(&s.to_string(), Region::UsEast1);
    let root = card(&mount(RwSignal::new(shown(d))));
    for a in all(&root, "a[href]") {
        let href = attr(&a, "href").unwrap_or_default();
        assert!(
            href.starts_with("https://") || href.starts_with("http://"),
            "{href}"
        );
    }
}

#[wasm_bindgen_test]
fn garbage_json_is_an_error_state_not_a_panic() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    for body in ["", "{", "[]", "null", "\"text\"", "{\"id\": 5}"] {
        let state = RwSignal::new(CardState::from_bot_json(id, body, None, 0.0));
        let root = card(&mount(state));
        assert_eq!(
            attr(&root, "data-state").as_deref(),
            Some("error"),
            "{body}"
        );
        assert_eq!(
            attr(&root, "data-error").as_deref(),
            Some("malformed"),
            "{body}"
        );
    }
}

#[wasm_bindgen_test]
fn the_theme_is_an_attribute_and_changes_colours() {
    let light = card(&mount_with(
        RwSignal::new(shown(diagnosed(TEAMS_DONE, Region::UsEast1))),
        CardActions::default(),
        Theme::Light,
    ));
    let dark = card(&mount_with(
        RwSignal::new(shown(diagnosed(TEAMS_DONE, Region::UsEast1))),
        CardActions::default(),
        Theme::Dark,
    ));
    assert_eq!(attr(&light, "data-theme").as_deref(), Some("light"));
    assert_eq!(attr(&dark, "data-theme").as_deref(), Some("dark"));
    let background = |el: &web_sys::Element| {
        web_sys::window()
            .unwrap()
            .get_computed_style(el)
            .unwrap()
            .unwrap()
            .get_property_value("background-color")
            .unwrap()
    };
    assert_ne!(background(&light), background(&dark));
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
