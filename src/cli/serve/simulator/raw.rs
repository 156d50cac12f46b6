//! JSON kept as written. Scenario files are served byte for byte: each
//! top-level value is held as its raw text (serde_json's `RawValue`), and a
//! value the simulator changes (a progressing bot's statuses) is the only text
//! it writes anew.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

/// A JSON object's top-level entries in their order, each value as written.
pub struct Entries(Vec<(String, Box<RawValue>)>);

impl Entries {
    pub fn parse(text: &str) -> Result<Entries, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// The text of `key`'s value as written (the last one, as JSON readers do).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.get())
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(InOrder)
    }
}

/// `raw` with the values of some top-level `keys` taken from `patched`; every
/// other entry keeps its text and its place. Text that is not a JSON object
/// becomes `patched` as a whole.
pub fn splice(raw: &str, patched: &Value, keys: &[&str]) -> String {
    let Ok(entries) = Entries::parse(raw) else {
        return patched.to_string();
    };
    let fields: Vec<String> = entries
        .0
        .iter()
        .map(|(key, value)| {
            let text = match patched.get(key).filter(|_| keys.contains(&key.as_str())) {
                Some(new) => new.to_string(),
                None => value.get().to_string(),
            };
            format!("{}:{text}", Value::String(key.clone()))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_text_and_only_the_named_keys_change() {
        let raw = r#"{ "id" : "b1", "n": 1.50, "status_changes": [ {"code":"ready"} ], "x": {"a" : [1,2]} }"#;
        let entries = Entries::parse(raw).unwrap();
        assert_eq!(entries.raw("n"), Some("1.50"));
        assert_eq!(entries.raw("x"), Some(r#"{"a" : [1,2]}"#));
        assert_eq!(entries.raw("missing"), None);
        let patched = serde_json::json!({"id": "other", "status_changes": [{"code": "done"}]});
        let out = splice(raw, &patched, &["status_changes"]);
        assert_eq!(
            out,
            r#"{"id":"b1","n":1.50,"status_changes":[{"code":"done"}],"x":{"a" : [1,2]}}"#
        );
        assert_eq!(splice("[1]", &patched, &["id"]), patched.to_string());
        assert!(Entries::parse("[]").is_err());
    }
}
