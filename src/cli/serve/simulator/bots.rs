//! Every bot the simulator serves: the built-in demo scenarios (the JSON
//! files in `scenarios/`, compiled in) and those of `--scenarios DIR`.

use std::collections::BTreeMap;
use std::path::Path;

use botlens::recall::region::Region;

use super::scenario::SimBot;

/// Every bot the simulator serves, keyed by lower-case id.
#[derive(Default)]
pub struct SimBots {
    bots: BTreeMap<String, SimBot>,
}

/// The built-in scenarios, compiled into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "600dca11-zoom-good-call.json",
        include_str!("scenarios/600dca11-zoom-good-call.json"),
    ),
    (
        "10bbee00-zoom-waiting-room-timeout.json",
        include_str!("scenarios/10bbee00-zoom-waiting-room-timeout.json"),
    ),
    (
        "dec11ed0-zoom-recording-permission-denied.json",
        include_str!("scenarios/dec11ed0-zoom-recording-permission-denied.json"),
    ),
    (
        "ab5e7000-zoom-host-absent.json",
        include_str!("scenarios/ab5e7000-zoom-host-absent.json"),
    ),
    (
        "0dd0c0de-zoom-unknown-sub-code.json",
        include_str!("scenarios/0dd0c0de-zoom-unknown-sub-code.json"),
    ),
    (
        "10c4ed00-meet-sign-in-required.json",
        include_str!("scenarios/10c4ed00-meet-sign-in-required.json"),
    ),
    (
        "b0075ed0-meet-rejected-from-lobby.json",
        include_str!("scenarios/b0075ed0-meet-rejected-from-lobby.json"),
    ),
    (
        "11fe11fe-meet-live.json",
        include_str!("scenarios/11fe11fe-meet-live.json"),
    ),
    (
        "fee1900d-teams-good-call.json",
        include_str!("scenarios/fee1900d-teams-good-call.json"),
    ),
    (
        "1a7e1a7e-teams-lobby-timeout.json",
        include_str!("scenarios/1a7e1a7e-teams-lobby-timeout.json"),
    ),
    (
        "ca11ed0f-teams-kicked.json",
        include_str!("scenarios/ca11ed0f-teams-kicked.json"),
    ),
    (
        "ba5eba11-webex-good-call.json",
        include_str!("scenarios/ba5eba11-webex-good-call.json"),
    ),
    (
        "a10ae000-goto-noone-joined.json",
        include_str!("scenarios/a10ae000-goto-noone-joined.json"),
    ),
    (
        "c4a77e00-slack-huddle.json",
        include_str!("scenarios/c4a77e00-slack-huddle.json"),
    ),
    (
        "01d5c001-legacy-v110.json",
        include_str!("scenarios/01d5c001-legacy-v110.json"),
    ),
    (
        "5100f100-zoom-slow.json",
        include_str!("scenarios/5100f100-zoom-slow.json"),
    ),
    (
        "7407711e-meet-throttled-once.json",
        include_str!("scenarios/7407711e-meet-throttled-once.json"),
    ),
];

impl SimBots {
    pub fn builtin() -> Result<SimBots, String> {
        let mut bots = SimBots::default();
        for (name, text) in BUILTIN {
            let scenario = SimBot::parse(text, &format!("built-in {name}"))?;
            if let Some(old) = bots.insert(scenario) {
                return Err(format!("built-in {name}: bot id {} used twice", old.id));
            }
        }
        Ok(bots)
    }

    /// `n` more bots, made from the built-ins without faults in turn (every
    /// verdict, every platform), each with an id of its own: the template's
    /// first group, then a counter (`10bbee00-0000-4b07-9000-000000000007`).
    /// All live in us-west-2: one workspace has one region, as on Recall.
    pub fn generate(&mut self, n: u32) -> Result<(), String> {
        let templates: Vec<(&str, SimBot)> = BUILTIN
            .iter()
            .map(|(name, text)| SimBot::parse(text, name).map(|b| (*text, b)))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|(_, b)| b.faults.is_empty())
            .collect();
        for i in 0..n {
            let Some((text, template)) = templates.get(i as usize % templates.len().max(1)) else {
                return Ok(());
            };
            let prefix = template.id.get(..8).unwrap_or("00000000");
            let id = format!("{prefix}-{:04x}-4b07-9000-{:012x}", i >> 16, i);
            let copy = text.replace(&template.id, &id);
            let mut bot = SimBot::parse(&copy, &format!("generated from {}", template.source))?;
            bot.region = Region::UsWest2;
            self.insert(bot);
        }
        Ok(())
    }

    /// Add a scenario; returns the one it replaces.
    pub fn insert(&mut self, scenario: SimBot) -> Option<SimBot> {
        self.bots.insert(scenario.id.clone(), scenario)
    }

    pub fn get(&self, id: &str) -> Option<&SimBot> {
        self.bots.get(&id.to_ascii_lowercase())
    }

    pub fn len(&self) -> usize {
        self.bots.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &SimBot> {
        self.bots.values()
    }
}

/// Load every `*.json` of a folder (sorted by name; other files and
/// sub-folders are skipped). Two files with one bot id are an error.
pub fn load_dir(dir: &Path) -> Result<Vec<SimBot>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read scenario folder {}: {e}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| format!("cannot read scenario folder {}: {e}", dir.display()))?;
        let path = entry.path();
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        if is_json && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
        let scenario = SimBot::parse(&text, &shown)?;
        if let Some(first) = seen.insert(scenario.id.clone(), shown.clone()) {
            return Err(format!(
                "{shown}: bot id {} is already used by {first}",
                scenario.id
            ));
        }
        out.push(scenario);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::serve::simulator::scenario::SimTime;
    use botlens::recall::client::Endpoint;
    use serde_json::Value;
    use std::time::{Duration, SystemTime};
    const VERDICTS: [&str; 4] = ["healthy", "in_progress", "failed", "warning"];

    /// Each built-in file is well formed. That together they cover every
    /// platform, verdict and region is checked end to end, through
    /// `/sim/scenarios` (tests/simulator/scenarios.rs).
    #[test]
    fn builtins_load_and_serve_json() {
        let bots = SimBots::builtin().unwrap();
        assert_eq!(bots.len(), BUILTIN.len());
        for s in bots.iter() {
            // Valid v4 ids.
            assert_eq!(s.id.as_bytes()[14], b'4', "{}", s.id);
            assert!(
                matches!(s.id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
                "{}",
                s.id
            );
            let (name, _) = BUILTIN
                .iter()
                .find(|(name, _)| s.source.ends_with(name))
                .unwrap();
            assert!(name.starts_with(&s.id[..8]), "{name} holds {}", s.id);
            let expect = s
                .expect
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: expect"));
            let verdict = expect["verdict"].as_str().unwrap();
            assert!(VERDICTS.contains(&verdict), "{name}: {verdict}");
            match verdict {
                "healthy" | "in_progress" => assert!(expect["reason"].is_null(), "{name}"),
                _ => assert!(expect["reason"].is_string(), "{name}"),
            }
            assert!(s.story.is_some(), "{name}: story");
            assert!(s.platform.is_some(), "{name}: meeting_url.platform");
            // Bodies are valid JSON once the placeholders are filled in.
            let clock = SimTime {
                epoch: SystemTime::now(),
                elapsed: Duration::from_secs(1000),
                pace: None,
            };
            for endpoint in [Endpoint::Bot, Endpoint::Screenshots, Endpoint::Logs] {
                if let Some(body) = s.render(endpoint, &clock) {
                    let body = body
                        .replace("{{base}}", "http://127.0.0.1:8787")
                        .replace("{{region}}", "us-east-1");
                    serde_json::from_str::<Value>(&body)
                        .unwrap_or_else(|e| panic!("{name} {endpoint:?}: {e}"));
                }
            }
        }
    }
}
