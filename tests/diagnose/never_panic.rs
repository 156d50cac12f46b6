//! Arbitrary JSON and arbitrary status sequences never panic, and the
//! verdict's invariants hold for every sequence.

use super::*;
use proptest::prelude::*;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("fatal".to_string()),
            Just("done".to_string()),
            Just("call_ended".to_string()),
            Just("in_call_recording".to_string()),
            Just("2025-01-01T00:00:00Z".to_string()),
            Just("zoom".to_string()),
            ".{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_string()),
            Just("bot".to_string()),
            Just("event".to_string()),
            Just("data".to_string()),
            Just("status".to_string()),
            Just("status_changes".to_string()),
            Just("code".to_string()),
            Just("sub_code".to_string()),
            Just("created_at".to_string()),
            Just("recordings".to_string()),
            Just("meeting_url".to_string()),
            Just("media_shortcuts".to_string()),
            Just("results".to_string()),
            "[a-z_]{1,8}"
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "ready",
            "joining_call",
            "in_waiting_room",
            "in_call_not_recording",
            "recording_permission_allowed",
            "recording_permission_denied",
            "in_call_recording",
            "call_ended",
            "recording_done",
            "done",
            "fatal",
            "analysis_done",
            "analysis_failed",
            "media_expired",
            "participant_in_waiting_room",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,20}",
    ]
}

fn sub_code() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(
            catalog::entries()
                .iter()
                .map(|e| e.code.clone())
                .collect::<Vec<_>>()
        ),
        "[a-z_]{1,20}",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_json_never_panics(v in json(), now in prop::option::of(any::<i64>())) {
        let text = v.to_string();
        let _ = diagnose::diagnose_json(&text, None, now.map(|n| n as f64));
        let _ = serde_json::from_str::<Bot>(&text);
        let _ = serde_json::from_str::<Screenshots>(&text);
        let _ = serde_json::from_str::<Logs>(&text);
        if let Ok(Input::Bot(b)) = model::parse_value(v.clone()) {
            let d = diagnose::diagnose(&b, None, None, None, now.and_then(Timestamp::from_millis));
            let _ = report::markdown(&d);
        }
        // Wrapped as a bot, to reach deeper into the model.
        let wrapped = serde_json::json!({"id": "x", "status_changes": v, "recordings": [v.clone()], "meeting_url": v});
        let _ = diagnose::diagnose_json(&wrapped.to_string(), Some(Region::UsWest2), None);
    }

    #[test]
    fn arbitrary_status_sequences_never_panic(
        seq in prop::collection::vec((code(), sub_code(), prop::option::of(-10_000i64..10_000)), 0..12),
        platform in prop::sample::select(vec!["zoom", "google_meet", "microsoft_teams", "webex", "goto_meeting", "slack_huddle_observer", "quantum_meet"]),
        now in prop::option::of(-20_000i64..20_000),
    ) {
        let base = 1_750_000_000_000i64;
        let changes: Vec<Value> = seq.iter().map(|(c, s, t)| serde_json::json!({
            "code": c, "sub_code": s,
            "created_at": t.and_then(|t| Timestamp::from_millis(base + t * 1000)).map(|t| t.to_rfc3339()),
        })).collect();
        let bot = serde_json::json!({"id": "b", "meeting_url": {"platform": platform}, "status_changes": changes});
        let bot: Bot = serde_json::from_value(bot).unwrap();
        let d = diagnose::diagnose(&bot, None, None, None, now.and_then(|n| Timestamp::from_millis(base + n * 1000)));
        let _ = report::markdown(&d);
        // Invariants.
        prop_assert_eq!(d.reason.is_none(), matches!(d.verdict, Verdict::Healthy | Verdict::InProgress));
        let ended = bot.status_changes.iter().any(|c| c.code.is_terminal());
        prop_assert_eq!(d.verdict == Verdict::InProgress, !ended);
        if bot.status_changes.iter().any(|c| c.code == model::StatusCode::Fatal) {
            prop_assert_eq!(d.verdict, Verdict::Failed);
        }
        for p in &d.phases {
            prop_assert!(p.seconds.is_none_or(|s| s >= 0));
        }
    }
}
