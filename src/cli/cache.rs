//! The command line's memory between runs: finished bots on disk, so a second
//! triage of the same incident asks Recall almost nothing.
//!
//! Only bots that have shut down are kept (they no longer change but for media
//! expiring), for [`KEEP`]. The folder is the user's cache folder
//! (`$XDG_CACHE_HOME/botlens`, `~/.cache/botlens`, …, or `BOTLENS_CACHE_DIR`),
//! one subfolder per API key — named by a hash of the key, never the key — so
//! one workspace's answers never stand in for another's. Each answer is written
//! to a temporary file and renamed into place: a run stopped at any moment
//! (Ctrl-C) leaves whole files or none.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use botlens::recall::cache::bot_is_finished;
use botlens::recall::client::Found;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a finished bot is reused.
pub const KEEP: Duration = Duration::from_secs(24 * 3600);

/// Overrides the cache folder (tests, and users who want it elsewhere).
pub const DIR_VARIABLE: &str = "BOTLENS_CACHE_DIR";

pub struct DiskCache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    found: Found,
}

impl DiskCache {
    /// The cache for `key`, or `None` when there is no cache folder to use.
    pub fn open(key: &str) -> Option<DiskCache> {
        let base = std::env::var_os(DIR_VARIABLE)
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("botlens")))?;
        let digest = Sha256::digest(format!("botlens-cache-v1:{key}").as_bytes());
        let name: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let dir = base.join(name).join("bots");
        std::fs::create_dir_all(&dir).ok()?;
        Some(DiskCache { dir })
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        // Only a bot ID names a file: nothing else reaches the file system.
        botlens::detect::is_uuid(id)
            .then(|| self.dir.join(format!("{}.json", id.to_ascii_lowercase())))
    }

    /// A finished bot saved less than [`KEEP`] ago.
    pub fn get(&self, id: &str) -> Option<Found> {
        let path = self.path(id)?;
        let age = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())?;
        if age > KEEP {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        serde_json::from_str::<Entry>(&text).ok().map(|e| e.found)
    }

    /// Keep `found` if the bot has finished; a failure to write only costs a call later.
    pub fn put(&self, id: &str, found: &Found) {
        if !bot_is_finished(&found.body) {
            return;
        }
        let Some(path) = self.path(id) else {
            return;
        };
        let Ok(text) = serde_json::to_vec(&Entry {
            found: found.clone(),
        }) else {
            return;
        };
        let Ok(mut file) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        if file.write_all(&text).is_ok() {
            let _ = file.persist(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_finished_bots_only_under_the_keys_own_folder() {
        let base = tempfile::tempdir().unwrap();
        let cache = DiskCache {
            dir: base.path().join("k").join("bots"),
        };
        std::fs::create_dir_all(&cache.dir).unwrap();
        let id = "0b5f5b0e-1111-4a4a-8b8b-123456789abc";
        let done = Found {
            region: None,
            body: format!(r#"{{"id":"{id}","status_changes":[{{"code":"done"}}]}}"#),
        };
        let running = Found {
            region: None,
            body: format!(r#"{{"id":"{id}","status_changes":[{{"code":"joining_call"}}]}}"#),
        };
        cache.put(id, &running);
        assert_eq!(cache.get(id), None, "a running bot is not kept");
        cache.put(id, &done);
        assert_eq!(cache.get(&id.to_uppercase()), Some(done));
        cache.put(
            "../../etc/passwd",
            &Found {
                region: None,
                body: "{}".into(),
            },
        );
        assert_eq!(std::fs::read_dir(&cache.dir).unwrap().count(), 1);
    }
}
