//! The card frame reads the worker's answers by hand (`src/wire.rs`, for
//! size). These tests hold it to what the worker's serde serializer writes,
//! after the JSON trip a runtime message takes, for every built-in scenario
//! and every error; and bad answers read as nothing, never a panic.
#![cfg(target_arch = "wasm32")]

use botlens::diagnose::gather::Gathered;
use botlens::diagnose::{diagnose_json, report};
use botlens::recall::error::one_of_each;
use botlens_extension::messages::{Reply, Request};
use botlens_extension::wire::{diagnose_request, DiagnoseReply, FromJs};
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! scenarios {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../src/cli/serve/simulator/scenarios/", $name, ".json")))),*]
    };
}

/// Every scenario `botlens serve --demo` serves.
const BUILT_IN: [(&str, &str); 17] = scenarios!(
    "01d5c001-legacy-v110",
    "0dd0c0de-zoom-unknown-sub-code",
    "10bbee00-zoom-waiting-room-timeout",
    "10c4ed00-meet-sign-in-required",
    "11fe11fe-meet-live",
    "1a7e1a7e-teams-lobby-timeout",
    "5100f100-zoom-slow",
    "600dca11-zoom-good-call",
    "7407711e-meet-throttled-once",
    "a10ae000-goto-noone-joined",
    "ab5e7000-zoom-host-absent",
    "b0075ed0-meet-rejected-from-lobby",
    "ba5eba11-webex-good-call",
    "c4a77e00-slack-huddle",
    "ca11ed0f-teams-kicked",
    "dec11ed0-zoom-recording-permission-denied",
    "fee1900d-teams-good-call",
);

/// What the worker sends (`chrome::to_js`), after the JSON trip of `runtime.sendMessage`.
fn sent<T: Serialize>(value: &T) -> JsValue {
    let value = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("serializable");
    let json = js_sys::JSON::stringify(&value).expect("JSON");
    js_sys::JSON::parse(&String::from(json)).expect("JSON")
}

#[wasm_bindgen_test]
fn every_built_in_diagnosis_reads_back_exactly() {
    let errors = one_of_each();
    for (i, (name, text)) in BUILT_IN.iter().enumerate() {
        let diagnosis = diagnose_json(text, None, Some(1.77e12)).expect(name);
        let answer = Gathered {
            report: report::markdown(&diagnosis),
            diagnosis,
            screenshots_error: errors.get(i % errors.len()).cloned(),
            logs_error: None,
        };
        let read = DiagnoseReply::from_js(&sent(&Reply::Diagnosed(Box::new(answer.clone()))));
        assert_eq!(
            read,
            Some(DiagnoseReply::Diagnosed(Box::new(answer))),
            "{name}"
        );
    }
}

#[wasm_bindgen_test]
fn every_error_reads_back_exactly() {
    for error in one_of_each() {
        let read = DiagnoseReply::from_js(&sent(&Reply::Failed {
            error: error.clone(),
        }));
        assert_eq!(read, Some(DiagnoseReply::Failed(error)));
    }
}

#[wasm_bindgen_test]
fn bad_answers_read_as_nothing() {
    let (name, text) = BUILT_IN[0];
    let good = diagnose_json(text, None, None).expect(name);
    let good = sent(&Reply::Diagnosed(Box::new(Gathered {
        report: String::new(),
        diagnosis: good,
        screenshots_error: None,
        logs_error: None,
    })));
    let broken_field = js_sys::JSON::parse(
        &String::from(js_sys::JSON::stringify(&good).unwrap())
            .replace("\"verdict\":\"healthy\"", "\"verdict\":\"martian\""),
    )
    .unwrap();
    for bad in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        JsValue::from_str("diagnosed"),
        JsValue::from_f64(4.0),
        js_sys::JSON::parse("{}").unwrap(),
        js_sys::JSON::parse(r#"{"diagnosed": {"diagnosis": 5}}"#).unwrap(),
        js_sys::JSON::parse(r#"{"diagnosed": []}"#).unwrap(),
        js_sys::JSON::parse(r#"{"failed": {"error": {"kind": "martian"}}}"#).unwrap(),
        js_sys::JSON::parse(r#"{"failed": {"error": {"kind": "throttled", "retry_after_s": -1}}}"#)
            .unwrap(),
        js_sys::JSON::parse(r#"{"failed": {"error": {"kind": "server", "status": 1.5}}}"#).unwrap(),
        broken_field,
    ] {
        assert_eq!(DiagnoseReply::from_js(&bad), None, "{bad:?}");
    }
}

#[wasm_bindgen_test]
fn the_hand_built_request_is_the_typed_one() {
    let request: Request = serde_wasm_bindgen::from_value(diagnose_request(
        "0b5f5b0e-1111-4a4a-8b8b-123456789abc",
        true,
        false,
    ))
    .expect("a request");
    assert_eq!(
        request,
        Request::Diagnose {
            id: "0b5f5b0e-1111-4a4a-8b8b-123456789abc".into(),
            screenshots: true,
            logs: false,
        }
    );
}
