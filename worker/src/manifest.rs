//! The runtimes' manifest (`manifest.json` under the runtimes' base URL, written by
//! `web/build.mjs`): per language, the files the sandbox needs, with their sizes (for the
//! loading progress) and SHA-256 sums.

use std::collections::BTreeMap;

use polyrun_core::Language;
use serde::Deserialize;

/// The manifest: per language id, its runtime's files.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Manifest(BTreeMap<String, RuntimeFiles>);

/// One runtime's files.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuntimeFiles {
    /// What the runtime is (e.g. `Pyodide 314.0.8`).
    #[serde(default)]
    pub runtime: String,
    /// The files, in the order to fetch them.
    pub files: Vec<RuntimeFile>,
}

/// One file of a runtime.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuntimeFile {
    /// Path relative to the runtimes' base URL (e.g. `python/pyodide.asm.wasm`).
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file, hex.
    #[serde(default)]
    pub sha256: String,
}

impl RuntimeFile {
    /// The file's name (the last part of its path): what the sandbox worker knows it by.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

impl RuntimeFiles {
    /// Bytes to download in all.
    pub fn total(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The name of the app's Cache Storage cache that keeps this runtime's memory snapshot:
    /// it changes with any of the runtime's files and with the worker code that makes the
    /// snapshot, so a snapshot is only ever used by the build that could have made it.
    pub fn snapshot_cache(&self, worker_js: &str) -> String {
        let mut hash = Fnv64::default();
        for file in &self.files {
            hash.write(file.path.as_bytes());
            hash.write(&file.size.to_le_bytes());
            hash.write(file.sha256.as_bytes());
        }
        hash.write(worker_js.as_bytes());
        format!("{SNAPSHOT_CACHE_PREFIX}{:016x}", hash.0)
    }
}

/// What every cache name of [`RuntimeFiles::snapshot_cache`] starts with (older ones are
/// deleted when a new one is stored).
pub const SNAPSHOT_CACHE_PREFIX: &str = "polyrun-snapshot-";

/// FNV-1a, 64 bits: a cache key, not a checksum (the files' SHA-256 sums go into it).
struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

impl Manifest {
    /// Parses and checks a manifest: every path stays under the base URL.
    pub fn parse(text: &str) -> Result<Self, String> {
        let manifest: Manifest =
            serde_json::from_str(text).map_err(|e| format!("the runtime manifest is malformed: {e}"))?;
        for files in manifest.0.values() {
            for file in &files.files {
                let path = &file.path;
                let escapes = path.is_empty()
                    || path.starts_with('/')
                    || path.contains("://")
                    || path.contains('\\')
                    || path.split('/').any(|part| part == ".." || part.is_empty());
                if escapes {
                    return Err(format!("the runtime manifest lists an invalid path '{path}'"));
                }
            }
        }
        Ok(manifest)
    }

    /// The files of `language`'s runtime.
    pub fn runtime(&self, language: Language) -> Result<&RuntimeFiles, String> {
        self.0
            .get(language.id())
            .ok_or_else(|| format!("the runtime manifest has no entry for {}", language.id()))
    }
}

/// Whether a download's progress is worth reporting: at least 1 % more of the total (or
/// 256 KiB when the total is unknown) since the last report, or the end.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn worth_reporting(last_reported: u64, loaded: u64, total: Option<u64>) -> bool {
    let step = match total {
        Some(total) if total > 0 => {
            if loaded >= total {
                return true;
            }
            (total / 100).max(1)
        }
        _ => 256 * 1024,
    };
    loaded.saturating_sub(last_reported) >= step
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "python": {"runtime": "Pyodide 314.0.8", "files": [
        {"path": "python/pyodide.mjs", "size": 10, "sha256": "aa"},
        {"path": "python/pyodide.asm.wasm", "size": 90, "sha256": "bb"}]},
      "javascript": {"runtime": "the browser's engine", "files": []}
    }"#;

    #[test]
    fn reads_files_and_totals() {
        let manifest = Manifest::parse(SAMPLE).unwrap();
        let python = manifest.runtime(Language::Python).unwrap();
        assert_eq!(python.total(), 100);
        assert_eq!(python.files[1].name(), "pyodide.asm.wasm");
        assert_eq!(manifest.runtime(Language::Javascript).unwrap().total(), 0);
        assert!(manifest.runtime(Language::Ruby).is_err());
    }

    #[test]
    fn rejects_paths_outside_the_base() {
        for bad in ["../x", "/etc/passwd", "https://example.com/x", "a//b", "a/../../b"] {
            let text = format!(r#"{{"ruby": {{"files": [{{"path": "{bad}", "size": 1}}]}}}}"#);
            assert!(Manifest::parse(&text).is_err(), "{bad}");
        }
        assert!(Manifest::parse("not json").is_err());
    }

    #[test]
    fn snapshot_cache_changes_with_files_and_worker() {
        let manifest = Manifest::parse(SAMPLE).unwrap();
        let python = manifest.runtime(Language::Python).unwrap();
        let name = python.snapshot_cache("worker v1");
        assert!(name.starts_with(SNAPSHOT_CACHE_PREFIX), "{name}");
        assert_eq!(name, python.snapshot_cache("worker v1"));
        assert_ne!(name, python.snapshot_cache("worker v2"));
        let mut changed = python.clone();
        changed.files[1].sha256 = "cc".to_owned();
        assert_ne!(name, changed.snapshot_cache("worker v1"));
    }

    #[test]
    fn progress_is_reported_by_percent() {
        assert!(!worth_reporting(0, 5, Some(1000)));
        assert!(worth_reporting(0, 10, Some(1000)));
        assert!(worth_reporting(995, 1000, Some(1000)));
        assert!(!worth_reporting(0, 1000, None));
        assert!(worth_reporting(0, 300 * 1024, None));
    }
}
