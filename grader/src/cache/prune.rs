//! Keeps the compile cache under a size: every engine, harness or runtime change leaves
//! entries behind that no polyrun will load again (a Ruby module is ~100 MB).
//!
//! An entry is a compiled module (`*.cwasm`, with its footprint notes) or a snapshot
//! (`derived-*.wasm`, with its digest note). Its last use is the module's modification time,
//! set again when a cache hit finds it older than [`USE_GRANULARITY`]; a snapshot counts as
//! used when the module compiled from it was (the snapshot itself is never touched: its
//! `(mtime, ctime)` is part of the identity its digest note is filed under). Once an hour
//! at most, a grader that loads a runtime removes entries least recently used first while
//! the folder holds more than the limit, but **never one used within the last day**, so
//! processes that run side by side never take each other's modules away (the limit is soft).
//! Leftover temporary files of killed writers go after an hour, digest notes of files
//! nobody hashed for a month after that month (a note is only a shortcut: removing one
//! costs one hash). Nothing else in the folder (`downloads/`, set-up's tools) is touched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The default bound on the folder's size, in bytes: room for two or three versions of
/// every runtime (one version of all three takes about 180 MB).
pub const DEFAULT_LIMIT: u64 = 1 << 30;
/// A cache hit marks its entry used when the mark is older than this.
const USE_GRANULARITY: Duration = Duration::from_secs(10 * 60);
/// Entries used more recently than this are never removed.
const KEEP_RECENT: Duration = Duration::from_secs(24 * 60 * 60);
/// How often a folder is looked over.
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);
/// A temporary file this old is a killed writer's.
const STALE_TEMPORARY: Duration = Duration::from_secs(60 * 60);
/// A digest note nobody rewrote for this long goes (unless its snapshot is kept).
const STALE_NOTE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// The file whose modification time says when the folder was last looked over.
const STAMP: &str = ".pruned";

/// The bound on the cache folder's size: `$POLYRUN_CACHE_LIMIT_MB` mebibytes, else
/// [`DEFAULT_LIMIT`].
pub fn cache_limit() -> u64 {
    limit_from(std::env::var_os("POLYRUN_CACHE_LIMIT_MB"))
}

/// [`cache_limit`] for this value of the variable.
fn limit_from(value: Option<std::ffi::OsString>) -> u64 {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return DEFAULT_LIMIT;
    };
    match value.to_str().and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(mebibytes) => mebibytes.saturating_mul(1 << 20),
        None => {
            eprintln!(
                "polyrun: warning: POLYRUN_CACHE_LIMIT_MB={} is not a number of mebibytes; using {}",
                value.to_string_lossy(),
                DEFAULT_LIMIT >> 20
            );
            DEFAULT_LIMIT
        }
    }
}

/// Marks the cache entry `path` (whose metadata is `meta`) used now, when its mark is older
/// than [`USE_GRANULARITY`] (a hit costs no write most of the time).
pub(super) fn mark_used(path: &Path, meta: &std::fs::Metadata) {
    let now = SystemTime::now();
    let stale = meta
        .modified()
        .map_or(true, |m| now.duration_since(m).unwrap_or_default() > USE_GRANULARITY);
    if stale && let Ok(file) = std::fs::File::open(path) {
        let _ = file.set_modified(now);
    }
}

/// Looks `cache` over (see the module's text) unless that was done within the hour or the
/// folder is not ours.
pub(crate) fn prune_if_due(cache: &Path, limit: u64) {
    let now = SystemTime::now();
    let stamp = cache.join(STAMP);
    let recent = std::fs::metadata(&stamp)
        .and_then(|m| m.modified())
        .is_ok_and(|m| now.duration_since(m).unwrap_or_default() < PRUNE_EVERY);
    if recent || super::private_dir(cache).is_err() {
        return;
    }
    super::write_atomically(&stamp, b"");
    prune(cache, limit, now);
}

/// One group of files that go together, and when it was last used.
#[derive(Debug)]
struct Entry {
    files: Vec<PathBuf>,
    bytes: u64,
    used: SystemTime,
}

/// Removes what [`prune_if_due`] says from `cache` as of `now`; the files removed.
fn prune(cache: &Path, limit: u64, now: SystemTime) -> Vec<PathBuf> {
    let age = |t: SystemTime| now.duration_since(t).unwrap_or_default();
    let mut removed = Vec::new();
    let mut remove = |path: &Path| {
        if std::fs::remove_file(path).is_ok() {
            removed.push(path.to_owned());
        }
    };
    let Ok(dir) = std::fs::read_dir(cache) else {
        return removed;
    };
    // Plain files only, by name: (path, size, modified).
    let mut modules: HashMap<String, (PathBuf, u64, SystemTime)> = HashMap::new();
    let mut footprints: Vec<(String, PathBuf, u64)> = Vec::new();
    let mut snapshots: Vec<(PathBuf, u64, SystemTime)> = Vec::new();
    let mut digests: HashMap<PathBuf, (u64, SystemTime)> = HashMap::new();
    for item in dir.flatten() {
        let path = item.path();
        let (Ok(meta), Some(name)) = (
            std::fs::symlink_metadata(&path),
            item.file_name().to_str().map(str::to_owned),
        ) else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        let (bytes, modified) = (meta.len(), meta.modified().unwrap_or(now));
        if let Some((_, pid)) = name.rsplit_once(".tmp")
            && !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
        {
            if age(modified) > STALE_TEMPORARY {
                remove(&path);
            }
        } else if let Some(stem) = name.strip_suffix(".cwasm") {
            modules.insert(stem.to_owned(), (path, bytes, modified));
        } else if let Some((stem, _)) = name.split_once(".footprint-") {
            footprints.push((stem.to_owned(), path, bytes));
        } else if name.starts_with("derived-") && name.ends_with(".wasm") {
            snapshots.push((path, bytes, modified));
        } else if name.ends_with(".digest") {
            digests.insert(path, (bytes, modified));
        }
    }

    let mut entries: HashMap<String, Entry> = modules
        .iter()
        .map(|(stem, (path, bytes, used))| {
            let entry = Entry {
                files: vec![path.clone()],
                bytes: *bytes,
                used: *used,
            };
            (stem.clone(), entry)
        })
        .collect();
    for (stem, path, bytes) in footprints {
        match entries.get_mut(&stem) {
            Some(entry) => {
                entry.files.push(path);
                entry.bytes += bytes;
            }
            None => remove(&path),
        }
    }
    let mut groups: Vec<Entry> = entries.into_values().collect();
    for (path, bytes, modified) in snapshots {
        let mut entry = Entry {
            files: vec![path.clone()],
            bytes,
            used: modified,
        };
        let note = std::fs::canonicalize(&path).map(|canonical| super::digest_note(cache, &canonical));
        if let Ok(note) = note
            && let Some((note_bytes, _)) = digests.remove(&note)
        {
            // Used when a module compiled from this snapshot (named by its digest) was.
            let digest = super::read_note(&note)
                .and_then(|text| text.rsplit_once(' ').map(|(_, digest)| digest.trim().to_owned()))
                .filter(|digest| digest.len() == 64);
            if let Some(digest) = digest {
                for (stem, (_, _, used)) in &modules {
                    if stem.starts_with(&digest[..32]) {
                        entry.used = entry.used.max(*used);
                    }
                }
            }
            entry.files.push(note);
            entry.bytes += note_bytes;
        }
        groups.push(entry);
    }
    for (note, (_, modified)) in digests {
        if age(modified) > STALE_NOTE {
            remove(&note);
        }
    }

    let mut total: u64 = groups.iter().map(|g| g.bytes).sum();
    groups.sort_by_key(|g| g.used);
    for group in groups {
        if total <= limit || age(group.used) < KEEP_RECENT {
            break;
        }
        for file in &group.files {
            remove(file);
        }
        total = total.saturating_sub(group.bytes);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(60 * 60);
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);

    /// Writes `bytes` bytes to `dir/name`, last modified `ago` before now.
    fn file(dir: &Path, name: &str, bytes: usize, ago: Duration) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, vec![1u8; bytes]).unwrap();
        set_age(&path, ago);
        path
    }

    fn set_age(path: &Path, ago: Duration) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - ago).unwrap();
    }

    fn age(path: &Path) -> Duration {
        let modified = std::fs::metadata(path).unwrap().modified().unwrap();
        SystemTime::now().duration_since(modified).unwrap_or_default()
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        let mut names: Vec<String> = paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Over the limit, entries unused for longest go first, with their notes, until the
    /// folder fits; a snapshot counts as used when its module was; what is not the cache's
    /// stays.
    #[test]
    fn least_recently_used_entries_go_until_the_folder_fits() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path();
        let digest = "ab".repeat(32);
        file(cache, "oldest-0.1.0-1.cwasm", 1000, 4 * DAY);
        file(cache, "oldest-0.1.0-1.footprint-0123", 8, 4 * DAY);
        file(cache, "older-0.1.0-1.cwasm", 1000, 2 * DAY);
        file(cache, &format!("{}-0.1.0-1.cwasm", &digest[..32]), 1000, HOUR);
        // A snapshot made five days ago whose module was used an hour ago.
        let snapshot = file(cache, "derived-5678.wasm", 1000, 5 * DAY);
        let note = super::super::digest_note(cache, &std::fs::canonicalize(&snapshot).unwrap());
        std::fs::write(&note, format!("1:2:3:4.5:6.7 {digest}")).unwrap();
        set_age(&note, 5 * DAY);
        file(cache, "orphan-0.1.0-1.footprint-0123", 8, DAY);
        file(cache, "old.digest", 80, 40 * DAY);
        file(cache, "recent.digest", 80, DAY);
        file(cache, "derived-1.wasm.tmp4242", 500, 2 * HOUR);
        file(cache, "derived-2.wasm.tmp4243", 500, Duration::ZERO);
        file(cache, "python-3.14.0.tgz", 5000, 100 * DAY);
        std::fs::create_dir(cache.join("downloads")).unwrap();
        file(&cache.join("downloads"), "ruby.tgz", 5000, 100 * DAY);

        let removed = prune(cache, 2500, SystemTime::now());
        assert_eq!(
            names(&removed),
            [
                "derived-1.wasm.tmp4242",
                "old.digest",
                "older-0.1.0-1.cwasm",
                "oldest-0.1.0-1.cwasm",
                "oldest-0.1.0-1.footprint-0123",
                "orphan-0.1.0-1.footprint-0123",
            ]
        );
        let kept: Vec<PathBuf> = std::fs::read_dir(cache).unwrap().map(|e| e.unwrap().path()).collect();
        let mut expected = vec![
            format!("{}-0.1.0-1.cwasm", &digest[..32]),
            "derived-2.wasm.tmp4243".into(),
            "derived-5678.wasm".into(),
            note.file_name().unwrap().to_string_lossy().into_owned(),
            "downloads".into(),
            "python-3.14.0.tgz".into(),
            "recent.digest".into(),
        ];
        expected.sort();
        assert_eq!(names(&kept), expected);
        // 2000 bytes of entries (and the note) are left: within the limit of 2500.
        assert!(cache.join("downloads").join("ruby.tgz").exists());
    }

    /// The limit never takes an entry used within the last day: processes side by side
    /// keep their modules, whatever the limit.
    #[test]
    fn nothing_used_within_a_day_goes() {
        let root = tempfile::tempdir().unwrap();
        file(root.path(), "a-0.1.0-1.cwasm", 4000, 23 * HOUR);
        file(root.path(), "derived-1.wasm", 4000, Duration::ZERO);
        assert_eq!(prune(root.path(), 0, SystemTime::now()), Vec::<PathBuf>::new());
    }

    /// A folder is looked over at most once an hour.
    #[test]
    fn the_folder_is_looked_over_once_an_hour() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join("cache");
        std::fs::create_dir(&cache).unwrap();
        let first = file(&cache, "a-0.1.0-1.cwasm", 100, 2 * DAY);
        prune_if_due(&cache, 0);
        assert!(!first.exists());
        let second = file(&cache, "b-0.1.0-1.cwasm", 100, 2 * DAY);
        prune_if_due(&cache, 0);
        assert!(second.exists(), "looked over again within the hour");
        set_age(&cache.join(STAMP), 2 * HOUR);
        prune_if_due(&cache, 0);
        assert!(!second.exists());
    }

    /// A cache hit marks its module used; a hit on a fresh mark writes nothing.
    #[test]
    fn a_cache_hit_marks_the_module_used() {
        let root = tempfile::tempdir().unwrap();
        let wasm = root.path().join("m.wasm");
        std::fs::write(&wasm, b"\0asm\x01\0\0\0").unwrap();
        let cache = root.path().join("cache");
        let engine = wasmtime::Engine::default();
        let entry = super::super::load_module(&engine, &wasm, Some(&cache))
            .unwrap()
            .entry
            .unwrap();
        set_age(&entry, 3 * DAY);
        super::super::load_module(&engine, &wasm, Some(&cache)).unwrap();
        assert!(age(&entry) < HOUR, "marked used: {:?} ago", age(&entry));
        set_age(&entry, Duration::from_secs(5 * 60));
        super::super::load_module(&engine, &wasm, Some(&cache)).unwrap();
        assert!(
            age(&entry) >= Duration::from_secs(5 * 60),
            "a fresh mark is left as it is"
        );
    }

    #[test]
    fn the_limit_is_read_in_mebibytes() {
        assert_eq!(limit_from(Some("300".into())), 300 << 20);
        assert_eq!(limit_from(Some(" 0 ".into())), 0);
        assert_eq!(limit_from(Some("lots".into())), DEFAULT_LIMIT);
        assert_eq!(limit_from(Some("".into())), DEFAULT_LIMIT);
        assert_eq!(limit_from(None), DEFAULT_LIMIT);
    }
}
