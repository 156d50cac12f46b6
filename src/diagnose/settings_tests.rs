use crate::diagnose::{diagnose, Setting};
use crate::recall::model::Bot;
use crate::recall::time::Timestamp;

fn settings(json: &str, now: Option<&str>) -> Vec<Setting> {
    let bot: Bot = serde_json::from_str(json).unwrap();
    let now = now.and_then(Timestamp::parse);
    diagnose(&bot, None, None, None, now).settings
}

fn named<'a>(all: &'a [Setting], name: &str) -> &'a Setting {
    all.iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no {name} in {all:#?}"))
}

#[test]
fn the_waiting_room_timeout_that_ended_the_bot_is_set_against_the_wait() {
    let all = settings(
        r#"{"id": "b", "automatic_leave": {"waiting_room_timeout": 600},
        "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_waiting_room", "created_at": "2026-01-01T10:00:05Z"},
          {"code": "call_ended", "sub_code": "timeout_exceeded_waiting_room", "created_at": "2026-01-01T10:10:06Z"},
          {"code": "done", "created_at": "2026-01-01T10:10:09Z"}]}"#,
        None,
    );
    let lobby = named(&all, "automatic_leave.waiting_room_timeout");
    assert!(lobby.ended_it);
    assert_eq!(lobby.value, "600 s (10m 00s)");
    assert_eq!(lobby.happened, "10m 01s in the waiting room");
    // Only what bears on this bot: it never reached the call.
    assert_eq!(all.iter().filter(|s| s.ended_it).count(), 1);
    assert!(all.iter().all(|s| !s.name.contains("not_recording")));
}

#[test]
fn the_platforms_own_lobby_limit_is_told_apart_from_the_setting() {
    let all = settings(
        r#"{"id": "b", "automatic_leave": {"waiting_room_timeout": 1800},
        "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_waiting_room", "created_at": "2026-01-01T10:00:05Z"},
          {"code": "call_ended", "sub_code": "call_ended_by_platform_waiting_room_timeout", "created_at": "2026-01-01T10:10:05Z"},
          {"code": "done", "created_at": "2026-01-01T10:10:09Z"}]}"#,
        None,
    );
    let lobby = named(&all, "automatic_leave.waiting_room_timeout");
    assert!(!lobby.ended_it);
    assert!(lobby.happened.starts_with("10m 00s in the waiting room"));
    assert!(lobby.happened.contains("platform's own lobby limit"));
}

#[test]
fn an_unset_timeout_says_recalls_default_and_a_missing_object_says_so() {
    let unset = settings(
        r#"{"id": "b", "automatic_leave": {"noone_joined_timeout": null},
        "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_call_not_recording", "created_at": "2026-01-01T10:00:10Z"},
          {"code": "call_ended", "sub_code": "timeout_exceeded_noone_joined", "created_at": "2026-01-01T10:20:10Z"},
          {"code": "done", "created_at": "2026-01-01T10:20:12Z"}]}"#,
        None,
    );
    let nobody = named(&unset, "automatic_leave.noone_joined_timeout");
    assert!(nobody.ended_it);
    assert_eq!(nobody.value, "not set (Recall's default: 1200 s (20m 00s))");
    assert_eq!(
        nobody.happened,
        "20m 00s in the call, with nobody else joining"
    );

    let absent = settings(
        r#"{"id": "b", "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_call_not_recording", "created_at": "2026-01-01T10:00:10Z"},
          {"code": "call_ended", "sub_code": "timeout_exceeded_in_call_not_recording", "created_at": "2026-01-01T11:00:10Z"},
          {"code": "done", "created_at": "2026-01-01T11:00:12Z"}]}"#,
        None,
    );
    let idle = named(&absent, "automatic_leave.in_call_not_recording_timeout");
    assert!(idle.ended_it);
    assert!(
        idle.value.starts_with("not in the bot's data"),
        "{}",
        idle.value
    );
    assert_eq!(idle.happened, "1h 00m in the call without recording");
}

#[test]
fn the_time_after_a_refusal_is_measured_from_the_refusal() {
    let all = settings(
        r#"{"id": "b", "automatic_leave": {"recording_permission_denied_timeout": 30,
            "everyone_left_timeout": {"timeout": 2, "activate_after": null}},
        "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_call_not_recording", "created_at": "2026-01-01T10:00:10Z"},
          {"code": "recording_permission_denied", "sub_code": "zoom_host_denied_permission", "created_at": "2026-01-01T10:01:00Z"},
          {"code": "call_ended", "sub_code": "timeout_exceeded_recording_permission_denied", "created_at": "2026-01-01T10:01:31Z"},
          {"code": "done", "created_at": "2026-01-01T10:01:33Z"}]}"#,
        None,
    );
    let refused = named(&all, "automatic_leave.recording_permission_denied_timeout");
    assert!(refused.ended_it);
    assert_eq!(
        refused.happened,
        "31s in the call after recording was refused"
    );
    // Shown only when it is why the bot left.
    assert!(all
        .iter()
        .all(|s| s.name != "automatic_leave.everyone_left_timeout"));
}

#[test]
fn everyone_left_reads_both_shapes_of_its_timeout() {
    for shape in [r#"2"#, r#"{"timeout": 2, "activate_after": null}"#] {
        let all = settings(
            &format!(
                r#"{{"id": "b", "automatic_leave": {{"everyone_left_timeout": {shape}}},
                "status_changes": [
                  {{"code": "in_call_recording", "created_at": "2026-01-01T10:00:00Z"}},
                  {{"code": "call_ended", "sub_code": "timeout_exceeded_everyone_left", "created_at": "2026-01-01T10:30:00Z"}},
                  {{"code": "done", "created_at": "2026-01-01T10:30:02Z"}}]}}"#
            ),
            None,
        );
        let left = named(&all, "automatic_leave.everyone_left_timeout");
        assert!(left.ended_it);
        assert_eq!(left.value, "2 s (2s)");
        assert_eq!(left.happened, "everyone else left");
        let recording = named(&all, "automatic_leave.in_call_recording_timeout");
        assert_eq!(recording.value, "no limit");
        assert_eq!(recording.happened, "30m 00s recording");
    }
}

#[test]
fn a_live_bot_in_the_lobby_says_how_long_it_has_left() {
    let all = settings(
        r#"{"id": "b", "join_at": "2026-01-01T09:59:00Z", "automatic_leave": {"waiting_room_timeout": 1200},
        "status_changes": [
          {"code": "joining_call", "created_at": "2026-01-01T10:00:00Z"},
          {"code": "in_waiting_room", "created_at": "2026-01-01T10:00:05Z"}]}"#,
        Some("2026-01-01T10:05:05Z"),
    );
    let lobby = named(&all, "automatic_leave.waiting_room_timeout");
    assert!(!lobby.ended_it);
    assert_eq!(
        lobby.happened,
        "5m 00s in the waiting room so far; it leaves in 15m 00s unless that changes"
    );
    let join = named(&all, "join_at");
    assert_eq!(join.at, Timestamp::parse("2026-01-01T09:59:00Z"));
    assert_eq!(join.happened, "set off 1m 00s after it");
}

#[test]
fn a_bot_scheduled_for_later_counts_down_to_join_at() {
    let all = settings(
        r#"{"id": "b", "join_at": "2026-01-01T12:00:00Z", "status_changes": []}"#,
        Some("2026-01-01T11:30:00Z"),
    );
    assert_eq!(named(&all, "join_at").happened, "not yet: 30m 00s to go");
    assert_eq!(all.len(), 1);
}
