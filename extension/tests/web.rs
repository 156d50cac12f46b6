//! Component tests in real headless Chromium: data in, DOM contract out.
#![cfg(target_arch = "wasm32")]

use botlens::recall::error::ApiError;
use botlens::recall::region::Region;
use botlens::ui::card::{Card, CardState};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ZOOM_DENIED: &str = include_str!("../../tests/e2e/scenarios/bot-zoom-recording-permission-denied.json");
const TEAMS_DONE: &str = include_str!("../../tests/e2e/scenarios/bot-done-teams.json");

/// The `bot` member of a scenario file, as Recall would send it.
fn bot_json(scenario: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(scenario).expect("fixture is JSON");
    value["bot"].to_string()
}

/// Mount a card into a fresh element and return that element.
fn mount(state: RwSignal<CardState>) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || view! { <Card state=state/> }).forget();
    host
}

fn card(host: &web_sys::HtmlElement) -> web_sys::Element {
    host.query_selector(".botlens-card").unwrap().expect("card root rendered")
}

#[wasm_bindgen_test]
async fn a_failed_bot_shows_verdict_reason_and_status() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    let state = RwSignal::new(CardState::from_bot_json(id, &bot_json(ZOOM_DENIED), Some(Region::UsWest2), 0.0));
    let host = mount(state);
    let root = card(&host);
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(root.get_attribute("data-bot-id").as_deref(), Some(id));
    assert_eq!(root.get_attribute("data-verdict").as_deref(), Some("failed"));
    assert_eq!(root.get_attribute("data-reason").as_deref(), Some("timeout_exceeded_recording_permission_denied"));
    assert_eq!(root.get_attribute("data-status").as_deref(), Some("done"));
    let explorer = root.query_selector("a[href*='/dashboard/explorer/bot/']").unwrap().unwrap();
    assert_eq!(
        explorer.get_attribute("href").as_deref(),
        Some("https://us-west-2.recall.ai/dashboard/explorer/bot/a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f")
    );
}

#[wasm_bindgen_test]
async fn a_healthy_bot_has_no_reason() {
    let id = "7c1e4b2a-9d3f-4e8a-b5c6-2f1a0d9e8b74";
    let state = RwSignal::new(CardState::from_bot_json(id, &bot_json(TEAMS_DONE), Some(Region::UsEast1), 0.0));
    let root = card(&mount(state));
    assert_eq!(root.get_attribute("data-verdict").as_deref(), Some("healthy"));
    assert_eq!(root.get_attribute("data-reason"), None);
}

#[wasm_bindgen_test]
async fn states_follow_the_signal() {
    let id = "11111111-2222-4333-8444-555555555555";
    let state = RwSignal::new(CardState::Loading { bot_id: id.into() });
    let host = mount(state);
    assert_eq!(card(&host).get_attribute("data-state").as_deref(), Some("loading"));
    state.set(CardState::Failed {
        bot_id: id.into(),
        error: ApiError::NotFound { regions_tried: vec![Region::UsWest2, Region::EuCentral1] },
    });
    leptos::task::tick().await;
    let root = card(&host);
    assert_eq!(root.get_attribute("data-state").as_deref(), Some("error"));
    assert_eq!(root.get_attribute("data-error").as_deref(), Some("not_found"));
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("us-west-2, eu-central-1"), "{text}");
    assert!(text.contains("recordings, transcripts, screenshots"), "{text}");
    state.set(CardState::Idle);
    leptos::task::tick().await;
    assert!(host.query_selector(".botlens-card").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn markup_from_recall_stays_text() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    let mut bot: serde_json::Value = serde_json::from_str(&bot_json(ZOOM_DENIED)).unwrap();
    bot["bot_name"] = "<img src=x onerror=window.__pwned=1><b>Notetaker</b>".into();
    bot["status_changes"][4]["code"] = "<script>window.__pwned=1</script>".into();
    let state = RwSignal::new(CardState::from_bot_json(id, &bot.to_string(), None, 0.0));
    let host = mount(state);
    let root = card(&host);
    assert!(root.query_selector("img, b, script").unwrap().is_none(), "no element came from data");
    assert!(root.text_content().unwrap_or_default().contains("<b>Notetaker</b>"));
    let pwned = js_sys::Reflect::get(&js_sys::global(), &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined());
}

#[wasm_bindgen_test]
async fn garbage_json_is_an_error_state_not_a_panic() {
    let id = "a1c3e5f7-9b2d-4f6e-8a1c-3e5f7a9b2d4f";
    for body in ["", "{", "[]", "{\"id\": 5}", "null", "\"text\""] {
        let state = RwSignal::new(CardState::from_bot_json(id, body, None, 0.0));
        let root = card(&mount(state));
        assert_eq!(root.get_attribute("data-state").as_deref(), Some("error"), "{body}");
        assert_eq!(root.get_attribute("data-error").as_deref(), Some("malformed"), "{body}");
    }
}
