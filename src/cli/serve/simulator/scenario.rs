//! The bots the simulator knows: the built-in demo scenarios, scenario files
//! loaded with `--scenarios DIR`, their faults and their progression.
//!
//! A scenario file is one JSON object:
//!
//! ```json
//! {"bot": {…Retrieve Bot JSON…}, "screenshots": […] | {"results": […]} | null,
//!  "logs": […] | null, "region": "eu-central-1",
//!  "fault": {"kind": "throttle", "retry_after": 2, "times": 1},
//!  "progress": {"every_secs": 15},
//!  "expect": {"verdict": "failed", "reason": "…"}, "story": "…"}
//! ```
//!
//! `bot`, `screenshots` and `logs` are served byte for byte as written (only
//! the placeholders `{{base}}` and `{{region}}` are filled in); a missing
//! `screenshots`/`logs` serves `[]`, an explicit `null` makes that endpoint
//! answer 404. Keys the simulator does not know are ignored.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use botlens::detect::is_uuid;
use botlens::recall::client::Endpoint;
use botlens::recall::region::Region;
use botlens::recall::time::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use super::raw::{splice, Entries};

/// What a fault does to a response.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Wait, then answer normally (or with the next fault in the list).
    Slow { delay_ms: u64 },
    /// 429 with `Retry-After` and Recall's throttle body.
    Throttle { retry_after: u64 },
    /// A server error; JSON body unless `body` is given.
    Error {
        status: u16,
        body: Option<String>,
        content_type: Option<String>,
        retry_after: Option<u64>,
    },
    /// 200 with `application/json` but the body cut in half.
    Malformed,
    /// An HTML page where JSON was expected.
    Html { status: u16 },
}

/// One fault of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Only the first `times` matching requests are affected; `None` = all.
    pub times: Option<u32>,
    /// Endpoints affected; empty = all three.
    pub endpoints: Vec<Endpoint>,
}

impl Fault {
    pub fn applies_to(&self, endpoint: Endpoint) -> bool {
        self.endpoints.is_empty() || self.endpoints.contains(&endpoint)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSpec {
    kind: String,
    delay_ms: Option<u64>,
    retry_after: Option<u64>,
    status: Option<u16>,
    times: Option<u32>,
    endpoints: Option<Vec<Endpoint>>,
    body: Option<String>,
    content_type: Option<String>,
}

impl FaultSpec {
    fn into_fault(self) -> Result<Fault, String> {
        let kind = match self.kind.as_str() {
            "slow" => {
                let delay_ms = self.delay_ms.unwrap_or(3000);
                if delay_ms > 600_000 {
                    return Err("fault \"slow\": delay_ms is at most 600000".into());
                }
                FaultKind::Slow { delay_ms }
            }
            "throttle" => FaultKind::Throttle {
                retry_after: self.retry_after.unwrap_or(2),
            },
            "error" => {
                let status = self.status.unwrap_or(503);
                if !(400..=599).contains(&status) {
                    return Err(format!(
                        "fault \"error\": status {status} is not an error status (400–599)"
                    ));
                }
                FaultKind::Error {
                    status,
                    body: self.body,
                    content_type: self.content_type,
                    retry_after: self.retry_after,
                }
            }
            "malformed" => FaultKind::Malformed,
            "html" => {
                let status = self.status.unwrap_or(200);
                if !(200..=599).contains(&status) {
                    return Err(format!("fault \"html\": status {status} is out of range"));
                }
                FaultKind::Html { status }
            }
            other => {
                return Err(format!(
                "unknown fault kind {other:?}: expected slow, throttle, error, malformed or html"
            ))
            }
        };
        Ok(Fault {
            kind,
            times: self.times,
            endpoints: self.endpoints.unwrap_or_default(),
        })
    }
}

/// How a progressing bot reveals its status changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Seconds between two revealed status changes.
    pub every_secs: f64,
    /// Start over after this many seconds (`None`: stop at the last status).
    pub loop_secs: Option<f64>,
    /// Hide `recordings` until a status with this code is revealed.
    pub recordings_from: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressSpec {
    every_secs: Option<f64>,
    loop_secs: Option<f64>,
    recordings_from: Option<String>,
}

/// The body of `/screenshots/` or `/logs/`.
#[derive(Clone, Debug)]
enum Payload {
    /// Not in the file: `[]`.
    Absent,
    /// `null` in the file: the endpoint answers 404.
    Null,
    Given {
        raw: String,
        value: Value,
    },
}

/// One simulated bot.
#[derive(Clone, Debug)]
pub struct SimBot {
    /// Lower-case bot id.
    pub id: String,
    pub region: Region,
    /// Where it came from: `built-in <file>` or the file's path.
    pub source: String,
    pub platform: Option<String>,
    pub expect: Option<Value>,
    pub story: Option<String>,
    pub faults: Vec<Fault>,
    bot_raw: String,
    bot: Value,
    screenshots: Payload,
    logs: Payload,
    progress: Option<Progress>,
}

/// The progression clock: when the server (or `/sim/reset`) started it.
#[derive(Clone, Copy, Debug)]
pub struct SimTime {
    pub epoch: SystemTime,
    pub elapsed: Duration,
    /// `--progress-secs`: overrides every scenario's `every_secs`.
    pub pace: Option<f64>,
}

impl SimBot {
    /// Parse one scenario file. `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<SimBot, String> {
        let fail = |what: String| format!("{source}: {what}");
        let doc: Value = serde_json::from_str(text).map_err(|e| fail(format!("not JSON: {e}")))?;
        let Value::Object(top) = &doc else {
            return Err(fail("expected a JSON object with a \"bot\" key".into()));
        };
        let entries = Entries::parse(text).map_err(fail)?;
        let raw = |key: &str| entries.raw(key).map(str::to_string);

        let bot = top
            .get("bot")
            .cloned()
            .ok_or_else(|| fail("missing \"bot\" (the Retrieve Bot JSON)".into()))?;
        let id = match bot.get("id") {
            Some(Value::String(id)) if is_uuid(id) => id.to_ascii_lowercase(),
            Some(Value::String(id)) => {
                return Err(fail(format!("bot.id {id:?} is not a UUID")));
            }
            _ => return Err(fail("bot.id is missing or not a string".into())),
        };
        if !bot.is_object() {
            return Err(fail("\"bot\" must be a JSON object".into()));
        }
        let bot_raw = raw("bot").ok_or_else(|| fail("could not locate \"bot\"".into()))?;

        let region = match top.get("region") {
            None | Some(Value::Null) => Region::UsEast1,
            Some(Value::String(r)) => r.parse().map_err(|e| fail(format!("region: {e}")))?,
            Some(_) => {
                return Err(fail(
                    "region must be a string such as \"eu-central-1\"".into(),
                ))
            }
        };

        let payload = |key: &str| -> Payload {
            match top.get(key) {
                None => Payload::Absent,
                Some(Value::Null) => Payload::Null,
                Some(value) => Payload::Given {
                    raw: raw(key).unwrap_or_else(|| value.to_string()),
                    value: value.clone(),
                },
            }
        };

        let faults = match top.get("fault") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(parse_fault)
                .collect::<Result<Vec<_>, _>>()
                .map_err(fail)?,
            Some(item) => vec![parse_fault(item).map_err(fail)?],
        };

        let progress = match top.get("progress") {
            None | Some(Value::Null) => None,
            Some(spec) => Some(parse_progress(spec).map_err(fail)?),
        };

        let platform = bot
            .get("meeting_url")
            .and_then(|m| m.get("platform"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let story = top.get("story").and_then(Value::as_str).map(str::to_string);

        Ok(SimBot {
            id,
            region,
            source: source.to_string(),
            platform,
            expect: top.get("expect").cloned(),
            story,
            faults,
            bot_raw,
            bot,
            screenshots: payload("screenshots"),
            logs: payload("logs"),
            progress,
        })
    }

    /// Whether the status of this bot advances with the clock.
    pub fn progresses(&self) -> bool {
        self.progress.is_some()
    }

    /// The JSON body for one endpoint, placeholders not yet filled in;
    /// `None` when the endpoint should answer 404.
    pub fn render(&self, endpoint: Endpoint, clock: &SimTime) -> Option<String> {
        let payload = match endpoint {
            Endpoint::Bot => {
                return Some(match &self.progress {
                    None => self.bot_raw.clone(),
                    Some(p) => {
                        let bot = self.progressed_bot(p, clock);
                        splice(&self.bot_raw, &bot, &["status_changes", "recordings"])
                    }
                })
            }
            Endpoint::Screenshots => &self.screenshots,
            Endpoint::Logs => &self.logs,
        };
        match payload {
            Payload::Null => None,
            Payload::Absent => Some("[]".into()),
            Payload::Given { raw, value } => Some(match &self.progress {
                None => raw.clone(),
                Some(p) => {
                    let stamp = match endpoint {
                        Endpoint::Screenshots => "recorded_at",
                        _ => "created_at",
                    };
                    let list = self.progressed_list(value, stamp, p, clock);
                    if list.is_object() {
                        splice(raw, &list, &["results"])
                    } else {
                        list.to_string()
                    }
                }
            }),
        }
    }

    /// How many status changes are visible now and when each happened.
    fn timeline(&self, p: &Progress, clock: &SimTime) -> (usize, Vec<SystemTime>) {
        let total = self
            .bot
            .get("status_changes")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let every = clock.pace.unwrap_or(p.every_secs).max(0.001);
        let scale = every / p.every_secs.max(0.001);
        let elapsed = clock.elapsed.as_secs_f64();
        let (cycle_start, t) = match p.loop_secs.map(|l| (l * scale).max(every)) {
            Some(cycle) => {
                let cycles = (elapsed / cycle).floor();
                (cycles * cycle, elapsed - cycles * cycle)
            }
            None => (0.0, elapsed),
        };
        let shown = ((t / every).floor() as usize).saturating_add(1).min(total);
        let times = (0..total)
            .map(|k| clock.epoch + Duration::from_secs_f64(cycle_start + k as f64 * every))
            .collect();
        (shown, times)
    }

    fn progressed_bot(&self, p: &Progress, clock: &SimTime) -> Value {
        let (shown, times) = self.timeline(p, clock);
        let mut bot = self.bot.clone();
        let mut recordings_at = None;
        if let Some(Value::Array(changes)) = bot.get_mut("status_changes") {
            changes.truncate(shown);
            for (k, change) in changes.iter_mut().enumerate() {
                if let (Some(obj), Some(at)) = (change.as_object_mut(), times.get(k)) {
                    obj.insert("created_at".into(), Value::String(rfc3339(*at)));
                }
                let code = change.get("code").and_then(Value::as_str);
                if recordings_at.is_none() && code.is_some() && code == p.recordings_from.as_deref()
                {
                    recordings_at = times.get(k).copied();
                }
            }
        }
        if p.recordings_from.is_some() {
            if let Some(Value::Array(recordings)) = bot.get_mut("recordings") {
                match recordings_at {
                    None => recordings.clear(),
                    Some(at) => {
                        for recording in recordings.iter_mut().filter_map(Value::as_object_mut) {
                            for key in ["created_at", "started_at"] {
                                if recording.get(key).is_some_and(Value::is_string) {
                                    recording.insert(key.into(), Value::String(rfc3339(at)));
                                }
                            }
                            if let Some(Value::Object(status)) = recording.get_mut("status") {
                                if status.get("updated_at").is_some_and(Value::is_string) {
                                    status.insert("updated_at".into(), Value::String(rfc3339(at)));
                                }
                            }
                        }
                    }
                }
            }
        }
        bot
    }

    /// Screenshots and logs of a progressing bot: item k appears with status
    /// change k and takes its time.
    fn progressed_list(&self, value: &Value, stamp: &str, p: &Progress, clock: &SimTime) -> Value {
        let (shown, times) = self.timeline(p, clock);
        let reveal = |items: &mut Vec<Value>| {
            items.truncate(shown);
            for (k, item) in items.iter_mut().enumerate() {
                if let (Some(obj), Some(at)) = (item.as_object_mut(), times.get(k)) {
                    obj.insert(stamp.into(), Value::String(rfc3339(*at)));
                }
            }
        };
        let mut value = value.clone();
        match &mut value {
            Value::Array(items) => reveal(items),
            Value::Object(obj) => {
                if let Some(Value::Array(items)) = obj.get_mut("results") {
                    reveal(items);
                }
            }
            _ => {}
        }
        value
    }
}

fn parse_fault(value: &Value) -> Result<Fault, String> {
    let spec: FaultSpec =
        serde_json::from_value(value.clone()).map_err(|e| format!("fault: {e}"))?;
    spec.into_fault()
}

fn parse_progress(value: &Value) -> Result<Progress, String> {
    let spec: ProgressSpec =
        serde_json::from_value(value.clone()).map_err(|e| format!("progress: {e}"))?;
    let every_secs = spec.every_secs.unwrap_or(15.0);
    if !(every_secs.is_finite() && every_secs > 0.0) {
        return Err("progress: every_secs must be above 0".into());
    }
    if let Some(l) = spec.loop_secs {
        if !(l.is_finite() && l > 0.0) {
            return Err("progress: loop_secs must be above 0".into());
        }
    }
    Ok(Progress {
        every_secs,
        loop_secs: spec.loop_secs,
        recordings_from: spec.recordings_from,
    })
}

/// `2026-11-25T15:09:41.123456Z`, the way Recall writes times: the core's
/// format for the whole second (it writes milliseconds), then six digits of it.
fn rfc3339(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let whole = i64::try_from(since.as_secs())
        .ok()
        .and_then(|s| s.checked_mul(1000))
        .and_then(Timestamp::from_millis)
        .map(Timestamp::to_rfc3339);
    whole
        .as_deref()
        .and_then(|w| w.strip_suffix(".000Z"))
        .map(|w| format!("{w}.{:06}Z", since.subsec_micros()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_named() {
        for (text, needle) in [
            ("[]", "JSON object"),
            ("{", "not JSON"),
            (r#"{"region":"us-east-1"}"#, "missing \"bot\""),
            (r#"{"bot":{"id":"nope"}}"#, "not a UUID"),
            (
                r#"{"bot":{"id":"600dca11-0001-4b07-8000-000000000001"},"region":"mars"}"#,
                "region",
            ),
            (
                r#"{"bot":{"id":"600dca11-0001-4b07-8000-000000000001"},"fault":{"kind":"boom"}}"#,
                "unknown fault kind",
            ),
            (
                r#"{"bot":{"id":"600dca11-0001-4b07-8000-000000000001"},"fault":{"kind":"slow","delay":5}}"#,
                "unknown field",
            ),
        ] {
            let err = SimBot::parse(text, "x/y.json").unwrap_err();
            assert!(err.starts_with("x/y.json: "), "{err}");
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn progression_reveals_one_status_per_step() {
        let text = r#"{"bot":{"id":"11fe11fe-0008-4b07-8000-000000000008","status_changes":[
            {"code":"joining_call","created_at":"x"},{"code":"in_call_recording","created_at":"x"},
            {"code":"done","created_at":"x"}],"recordings":[{"id":"r","started_at":"x"}]},
            "progress":{"every_secs":10,"recordings_from":"in_call_recording"}}"#;
        let s = SimBot::parse(text, "t").unwrap();
        let epoch = UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        let at = |secs| {
            let clock = SimTime {
                epoch,
                elapsed: Duration::from_secs(secs),
                pace: None,
            };
            serde_json::from_str::<Value>(&s.render(Endpoint::Bot, &clock).unwrap()).unwrap()
        };
        assert_eq!(at(0)["status_changes"].as_array().unwrap().len(), 1);
        assert_eq!(at(0)["recordings"].as_array().unwrap().len(), 0);
        let later = at(15);
        assert_eq!(later["status_changes"].as_array().unwrap().len(), 2);
        assert_eq!(
            later["status_changes"][1]["created_at"],
            "2025-11-24T16:00:10.000000Z"
        );
        assert_eq!(
            later["recordings"][0]["started_at"],
            "2025-11-24T16:00:10.000000Z"
        );
        assert_eq!(at(1000)["status_changes"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn times_format_like_recall() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let t = UNIX_EPOCH + Duration::from_micros(951_782_400_123_456);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.123456Z");
    }
}
