//! Compiled runtime modules, cached on disk by the module's SHA-256 and the engine's
//! settings, so that no run and no start recompiles a runtime.
//!
//! A cached module is native code that wasmtime maps and runs as it is, so **native code
//! is only loaded from a folder that is ours**: the folder is made 0700, and a folder or a
//! file that another user owns or can write is never loaded from (nor written to); the
//! runtime is then compiled in memory, with one warning. There is no fallback folder in
//! the shared temporary directory.
//!
//! Two small notes live beside the modules so that a short-lived process (`polyrun run`,
//! `polyrun grade`) pays for neither again: the module file's SHA-256 under its
//! `(device, inode, size, mtime, ctime)` (the file is read and hashed again whenever any of
//! them changes), and each runtime's measured footprint under the compiled module's key and
//! the harness texts that measured it. Both are read with the same checks as the modules.
//!
//! The folder is kept under a size (`prune`): entries unused for a day go, least recently
//! used first, once it holds more than [`cache_limit`].

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

use crate::GraderError;

mod prune;
pub(crate) use prune::{cache_limit, prune_if_due};

/// Where compiled modules are kept: `$POLYRUN_CACHE`, else `$XDG_CACHE_HOME/polyrun`, else
/// `~/.cache/polyrun`; `None` (compile in memory) when none is set.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("POLYRUN_CACHE").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("polyrun"));
    }
    std::env::var_os("HOME")
        .filter(|d| !d.is_empty())
        .map(|home| PathBuf::from(home).join(".cache").join("polyrun"))
}

/// What the cache holds: a core module or a component, compiled for an engine.
pub trait Compiled: Sized {
    /// Told apart in the cache key (a file is only ever loaded as one kind).
    const KIND: &'static str;
    /// Compiles `bytes` for `engine`.
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self>;
    /// The native code, to be written to the cache.
    fn serialize(&self) -> wasmtime::Result<Vec<u8>>;
    /// Maps a cache file written by [`Compiled::serialize`]; only [`deserialize`] calls it,
    /// on a file it has checked (see there).
    fn map_checked_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self>;
}

impl Compiled for Module {
    const KIND: &'static str = "";
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Module::new(engine, bytes)
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Module::serialize(self)
    }
    #[allow(unsafe_code)]
    fn map_checked_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: see `deserialize`, the only caller.
        unsafe { Module::deserialize_file(engine, path) }
    }
}

impl Compiled for Component {
    const KIND: &'static str = "-component";
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Component::new(engine, bytes)
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Component::serialize(self)
    }
    #[allow(unsafe_code)]
    fn map_checked_file(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: see `deserialize`, the only caller.
        unsafe { Component::deserialize_file(engine, path) }
    }
}

/// A compiled module (or component) and, when it is cached, the path of its cache entry
/// (the key the notes beside it are filed under).
pub struct Loaded<T = Module> {
    /// The module.
    pub module: T,
    /// Its cache entry, when the cache folder is usable.
    pub entry: Option<PathBuf>,
}

/// Loads `wasm_path` compiled for `engine`, compiling it and caching it in `cache` (when
/// that folder is ours) on first use. (The runtimes themselves are loaded as snapshots,
/// [`load_derived`], and components; this is what the cache's tests exercise.)
#[cfg(test)]
pub fn load_module(engine: &Engine, wasm_path: &Path, cache: Option<&Path>) -> Result<Loaded, GraderError> {
    load(engine, wasm_path, cache)
}

/// Loads the component `wasm_path` compiled for `engine`, compiled and cached on first use.
pub fn load_component(
    engine: &Engine,
    wasm_path: &Path,
    cache: Option<&Path>,
) -> Result<Loaded<Component>, GraderError> {
    load(engine, wasm_path, cache)
}

fn load<T: Compiled>(engine: &Engine, wasm_path: &Path, cache: Option<&Path>) -> Result<Loaded<T>, GraderError> {
    let read = || {
        std::fs::read(wasm_path).map_err(|e| GraderError::MissingRuntime {
            path: wasm_path.to_owned(),
            reason: e.to_string().to_lowercase(),
        })
    };
    let compile = |bytes: &[u8]| {
        T::compile(engine, bytes).map_err(|e| GraderError::Compile {
            path: wasm_path.to_owned(),
            reason: format!("{e:#}"),
        })
    };
    let uncached = |bytes: Option<Vec<u8>>| {
        let bytes = match bytes {
            Some(bytes) => bytes,
            None => read()?,
        };
        Ok(Loaded {
            module: compile(&bytes)?,
            entry: None,
        })
    };
    let Some(cache) = cache else {
        return uncached(None);
    };
    if let Err(why) = private_dir(cache) {
        warn_once(&format!("not caching compiled runtimes in {}: {why}", cache.display()));
        return uncached(None);
    }
    let (digest, mut bytes) = digest_of(wasm_path, cache).map_err(|e| GraderError::MissingRuntime {
        path: wasm_path.to_owned(),
        reason: e.to_string().to_lowercase(),
    })?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    crate::engine::DENSE_IMAGE_BYTES.hash(&mut hasher);
    let key = format!(
        "{}{}-{}-{:016x}.cwasm",
        &digest[..32],
        T::KIND,
        env!("CARGO_PKG_VERSION"),
        hasher.finish()
    );
    let cached = cache.join(key);
    if let Ok(meta) = std::fs::symlink_metadata(&cached) {
        match private_file(&meta) {
            // A stale or damaged entry fails to load: it is compiled again and replaced.
            Ok(()) => {
                if let Ok(module) = deserialize(engine, &cached) {
                    prune::mark_used(&cached, &meta);
                    return Ok(Loaded {
                        module,
                        entry: Some(cached),
                    });
                }
            }
            Err(why) => {
                warn_once(&format!("not loading {}: {why}", cached.display()));
                return uncached(bytes);
            }
        }
    }
    let bytes = match bytes.take() {
        Some(bytes) => bytes,
        None => read()?,
    };
    let module = compile(&bytes)?;
    if let Ok(serialized) = module.serialize()
        && write_atomically(&cached, &serialized)
    {
        // Reload from the file so memory images are mapped copy-on-write.
        if let Ok(module) = deserialize(engine, &cached) {
            return Ok(Loaded {
                module,
                entry: Some(cached),
            });
        }
    }
    Ok(Loaded { module, entry: None })
}

/// Loads a module made from the file `source` by `make` (a pre-initialised snapshot),
/// cached in `cache` by the source's SHA-256 and `salt` (everything else it is made from):
/// made once, then compiled and cached like any module. Without a usable cache it is made
/// and compiled in memory.
pub(crate) async fn load_derived<F, Fut>(
    engine: &Engine,
    source: &Path,
    cache: Option<&Path>,
    salt: &str,
    make: F,
) -> Result<Loaded, GraderError>
where
    F: FnOnce(Vec<u8>) -> Fut,
    Fut: Future<Output = wasmtime::Result<Vec<u8>>>,
{
    let missing = |e: std::io::Error| GraderError::MissingRuntime {
        path: source.to_owned(),
        reason: e.to_string().to_lowercase(),
    };
    let failed = |e: wasmtime::Error| GraderError::Compile {
        path: source.to_owned(),
        reason: format!("{e:#}"),
    };
    let in_memory = |made: Vec<u8>| -> Result<Loaded, GraderError> {
        Ok(Loaded {
            module: Module::new(engine, &made).map_err(failed)?,
            entry: None,
        })
    };
    let usable = cache.filter(|dir| private_dir(dir).is_ok());
    let Some(cache) = usable else {
        let bytes = std::fs::read(source).map_err(missing)?;
        return in_memory(make(bytes).await.map_err(failed)?);
    };
    let (digest, bytes) = digest_of(source, cache).map_err(missing)?;
    let key = hex::encode(Sha256::digest(format!("{digest}\n{salt}").as_bytes()));
    let derived = cache.join(format!("derived-{}.wasm", &key[..32]));
    if let Ok(meta) = std::fs::symlink_metadata(&derived)
        && private_file(&meta).is_ok()
        && let Ok(loaded) = load(engine, &derived, Some(cache))
    {
        return Ok(loaded);
    }
    let bytes = match bytes {
        Some(bytes) => bytes,
        None => std::fs::read(source).map_err(missing)?,
    };
    let made = make(bytes).await.map_err(failed)?;
    if write_atomically(&derived, &made) {
        return load(engine, &derived, Some(cache));
    }
    in_memory(made)
}

/// The SHA-256 of `path` (hex), from the note filed under the file's identity when it is
/// still true, else by reading the file (whose bytes are then returned too).
fn digest_of(path: &Path, cache: &Path) -> std::io::Result<(String, Option<Vec<u8>>)> {
    let identity = identity(path)?;
    let note = digest_note(cache, &std::fs::canonicalize(path)?);
    if let Some(text) = read_note(&note)
        && let Some((stamp, digest)) = text.rsplit_once(' ')
        && stamp == identity
        && digest.len() == 64
        && digest.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok((digest.to_owned(), None));
    }
    let bytes = std::fs::read(path)?;
    let digest = hex::encode(Sha256::digest(&bytes));
    // Only a file that did not change while it was read is filed under its identity.
    if self::identity(path).is_ok_and(|after| after == identity) {
        write_atomically(&note, format!("{identity} {digest}").as_bytes());
    }
    Ok((digest, Some(bytes)))
}

/// The note holding the SHA-256 of the file at the canonical path `canonical`.
fn digest_note(cache: &Path, canonical: &Path) -> PathBuf {
    let name = hex::encode(Sha256::digest(canonical.as_os_str().as_encoded_bytes()));
    cache.join(format!("{}.digest", &name[..32]))
}

/// What changes whenever a file's bytes may have: device, inode, size, mtime and ctime
/// (ctime cannot be set back by anybody but the kernel's clock).
#[cfg(unix)]
fn identity(path: &Path) -> std::io::Result<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    Ok(format!(
        "{}:{}:{}:{}.{}:{}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    ))
}

#[cfg(not(unix))]
fn identity(_path: &Path) -> std::io::Result<String> {
    // No inode and ctime to trust: never skip reading the file.
    Ok(String::from("unknown"))
}

/// The footprint noted beside the cache entry `entry` for these harness texts.
pub(crate) fn read_footprint(entry: &Path, harness: &str) -> Option<usize> {
    read_note(&footprint_note(entry, harness))?.trim().parse().ok()
}

/// Notes `footprint` beside the cache entry `entry` for these harness texts.
pub(crate) fn write_footprint(entry: &Path, harness: &str, footprint: usize) {
    write_atomically(&footprint_note(entry, harness), footprint.to_string().as_bytes());
}

fn footprint_note(entry: &Path, harness: &str) -> PathBuf {
    let salt = hex::encode(Sha256::digest(harness.as_bytes()));
    entry.with_extension(format!("footprint-{}", &salt[..16]))
}

/// A small note's text, when it is a plain file that is ours alone.
fn read_note(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    private_file(&meta).ok()?;
    if meta.len() > 4096 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Writes `bytes` to `path` through a private temporary file and a rename; whether it worked.
fn write_atomically(path: &Path, bytes: &[u8]) -> bool {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    if write_private(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&tmp);
    false
}

/// Says `message` on stderr, once per process.
fn warn_once(message: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!("polyrun: warning: {message}; compiling in memory instead");
    }
}

/// Makes `dir` (0700 when new) and checks that it is ours alone.
#[cfg(unix)]
fn private_dir(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot create it ({e})"))?;
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read it ({e})"))?;
    if !meta.is_dir() {
        return Err("it is not a folder".into());
    }
    ours(meta.uid(), meta.mode())
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create it ({e})"))
}

/// Checks that a cached entry is a plain file that is ours alone.
#[cfg(unix)]
fn private_file(meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if !meta.file_type().is_file() {
        return Err("it is not a plain file".into());
    }
    ours(meta.uid(), meta.mode())
}

#[cfg(not(unix))]
fn private_file(meta: &std::fs::Metadata) -> Result<(), String> {
    if meta.file_type().is_file() {
        Ok(())
    } else {
        Err("it is not a plain file".into())
    }
}

/// Whether an owner and a mode leave a file to this process's user alone.
#[cfg(unix)]
fn ours(uid: u32, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is this process's effective user (no unsafe geteuid()).
    let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    if me.is_some_and(|me| me != uid) {
        return Err(format!("it belongs to another user (uid {uid})"));
    }
    if mode & 0o022 != 0 {
        return Err(format!("other users can write it (mode {:o})", mode & 0o777));
    }
    Ok(())
}

/// Writes `bytes` to a new file at `path` that only its owner can read or write.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

fn deserialize<T: Compiled>(engine: &Engine, path: &Path) -> wasmtime::Result<T> {
    // SAFETY: the file is one this module wrote with `Module::serialize` for an engine with
    // the same compatibility hash (part of its name), in a folder that only this user can
    // write, and it is a plain file only this user can write (checked just before);
    // wasmtime checks the header and the engine settings again before it trusts the code.
    T::map_checked_file(engine, path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    /// An empty module.
    const EMPTY: &[u8] = b"\0asm\x01\0\0\0";
    /// A module exporting one page of memory as `mem`.
    const WITH_MEMORY: &[u8] = b"\0asm\x01\0\0\0\x05\x03\x01\x00\x01\x07\x07\x01\x03mem\x02\x00";

    fn cwasm_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "cwasm"));
        files
    }

    /// An engine, a temporary folder and the empty module written into it as `m.wasm`.
    fn fixture() -> (Engine, tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let wasm = root.path().join("m.wasm");
        std::fs::write(&wasm, EMPTY).unwrap();
        (Engine::default(), root, wasm)
    }

    #[test]
    fn the_cache_folder_and_its_files_are_private() {
        let (engine, root, wasm) = fixture();
        let cache = root.path().join("a").join("cache");
        load_module(&engine, &wasm, Some(&cache)).unwrap();
        assert_eq!(std::fs::metadata(&cache).unwrap().mode() & 0o777, 0o700);
        let files = cwasm_files(&cache);
        assert_eq!(files.len(), 1);
        assert_eq!(std::fs::metadata(&files[0]).unwrap().mode() & 0o777, 0o600);
        load_module(&engine, &wasm, Some(&cache)).unwrap();
    }

    #[test]
    fn a_folder_others_can_write_is_not_used() {
        let (engine, root, wasm) = fixture();
        let cache = root.path().join("shared");
        std::fs::create_dir(&cache).unwrap();
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
        load_module(&engine, &wasm, Some(&cache)).unwrap();
        assert!(cwasm_files(&cache).is_empty(), "nothing is written to a shared folder");
    }

    /// A module planted under the right name (another module's compiled code) is not
    /// loaded when others can write it or another user owns it: the real module is.
    #[test]
    fn a_planted_module_is_not_loaded() {
        let (engine, root, wasm) = fixture();
        let cache = root.path().join("cache");
        load_module(&engine, &wasm, Some(&cache)).unwrap();
        let entry = cwasm_files(&cache).remove(0);
        let planted = Module::new(&engine, WITH_MEMORY).unwrap().serialize().unwrap();
        std::fs::write(&entry, planted).unwrap();
        // Ours and private: loaded (the check is the file's owner and mode, not its bytes).
        assert_eq!(
            load_module(&engine, &wasm, Some(&cache))
                .unwrap()
                .module
                .exports()
                .count(),
            1
        );

        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(
            load_module(&engine, &wasm, Some(&cache))
                .unwrap()
                .module
                .exports()
                .count(),
            0
        );

        let me = std::fs::metadata("/proc/self").unwrap().uid();
        if me == 0 {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::chown(&entry, Some(65534), None).unwrap();
            assert_eq!(
                load_module(&engine, &wasm, Some(&cache))
                    .unwrap()
                    .module
                    .exports()
                    .count(),
                0
            );
        }
    }

    /// A runtime file replaced in place is hashed again (its identity changed), so the
    /// module compiled from its old bytes is never used for the new ones.
    #[test]
    fn a_changed_runtime_file_is_hashed_again() {
        let (engine, root, wasm) = fixture();
        let cache = root.path().join("cache");
        assert_eq!(
            load_module(&engine, &wasm, Some(&cache))
                .unwrap()
                .module
                .exports()
                .count(),
            0
        );
        let first = load_module(&engine, &wasm, Some(&cache)).unwrap().entry.unwrap();
        std::fs::write(&wasm, WITH_MEMORY).unwrap();
        let loaded = load_module(&engine, &wasm, Some(&cache)).unwrap();
        assert_eq!(loaded.module.exports().count(), 1);
        assert_ne!(loaded.entry.unwrap(), first);
        assert_eq!(cwasm_files(&cache).len(), 2);
    }

    /// A footprint note is read back for the same harness only, and never from a file
    /// others can write.
    #[test]
    fn footprint_notes_are_private_and_keyed_by_the_harness() {
        let (engine, root, wasm) = fixture();
        let cache = root.path().join("cache");
        let entry = load_module(&engine, &wasm, Some(&cache)).unwrap().entry.unwrap();
        assert_eq!(read_footprint(&entry, "h1"), None);
        write_footprint(&entry, "h1", 78_643_200);
        assert_eq!(read_footprint(&entry, "h1"), Some(78_643_200));
        assert_eq!(read_footprint(&entry, "h2"), None);
        let note = footprint_note(&entry, "h1");
        assert_eq!(std::fs::metadata(&note).unwrap().mode() & 0o777, 0o600);
        std::fs::set_permissions(&note, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(read_footprint(&entry, "h1"), None);
    }
}
