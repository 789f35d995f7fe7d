//! Compiled runtime modules, cached on disk by the module's SHA-256 and the engine's
//! settings, so that no run and no start recompiles a runtime.
//!
//! A cached module is native code that wasmtime maps and runs as it is, so **native code
//! is only loaded from a folder that is ours**: the folder is made 0700, and a folder or a
//! file that another user owns or can write is never loaded from (nor written to); the
//! runtime is then compiled in memory, with one warning. There is no fallback folder in
//! the shared temporary directory.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::GraderError;

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

/// Loads `wasm_path` compiled for `engine`, compiling it and caching it in `cache` (when
/// that folder is ours) on first use.
pub fn load_module(engine: &Engine, wasm_path: &Path, cache: Option<&Path>) -> Result<Module, GraderError> {
    let bytes = std::fs::read(wasm_path).map_err(|e| GraderError::MissingRuntime {
        path: wasm_path.to_owned(),
        reason: e.to_string().to_lowercase(),
    })?;
    let compile = || {
        Module::new(engine, &bytes).map_err(|e| GraderError::Compile {
            path: wasm_path.to_owned(),
            reason: format!("{e:#}"),
        })
    };
    let Some(cache) = cache else {
        return compile();
    };
    if let Err(why) = private_dir(cache) {
        warn_once(&format!("not caching compiled runtimes in {}: {why}", cache.display()));
        return compile();
    }
    let digest = hex::encode(Sha256::digest(&bytes));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let key = format!(
        "{}-{}-{:016x}.cwasm",
        &digest[..32],
        env!("CARGO_PKG_VERSION"),
        hasher.finish()
    );
    let cached = cache.join(key);
    if let Ok(meta) = std::fs::symlink_metadata(&cached) {
        match private_file(&meta) {
            // A stale or damaged entry fails to load: it is compiled again and replaced.
            Ok(()) => {
                if let Ok(module) = deserialize(engine, &cached) {
                    return Ok(module);
                }
            }
            Err(why) => {
                warn_once(&format!("not loading {}: {why}", cached.display()));
                return compile();
            }
        }
    }
    let module = compile()?;
    if let Ok(serialized) = module.serialize() {
        let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
        if write_private(&tmp, &serialized).is_ok() && std::fs::rename(&tmp, &cached).is_ok() {
            // Reload from the file so memory images are mapped copy-on-write.
            if let Ok(module) = deserialize(engine, &cached) {
                return Ok(module);
            }
        }
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(module)
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

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Module> {
    // SAFETY: the file is one this module wrote with `Module::serialize` for an engine with
    // the same compatibility hash (part of its name), in a folder that only this user can
    // write, and it is a plain file only this user can write (checked just before);
    // wasmtime checks the header and the engine settings again before it trusts the code.
    unsafe { Module::deserialize_file(engine, path) }
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

    #[test]
    fn the_cache_folder_and_its_files_are_private() {
        let engine = Engine::default();
        let root = tempfile::tempdir().unwrap();
        let wasm = root.path().join("m.wasm");
        std::fs::write(&wasm, EMPTY).unwrap();
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
        let engine = Engine::default();
        let root = tempfile::tempdir().unwrap();
        let wasm = root.path().join("m.wasm");
        std::fs::write(&wasm, EMPTY).unwrap();
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
        let engine = Engine::default();
        let root = tempfile::tempdir().unwrap();
        let wasm = root.path().join("m.wasm");
        std::fs::write(&wasm, EMPTY).unwrap();
        let cache = root.path().join("cache");
        load_module(&engine, &wasm, Some(&cache)).unwrap();
        let entry = cwasm_files(&cache).remove(0);
        let planted = Module::new(&engine, WITH_MEMORY).unwrap().serialize().unwrap();
        std::fs::write(&entry, planted).unwrap();
        // Ours and private: loaded (the check is the file's owner and mode, not its bytes).
        assert_eq!(load_module(&engine, &wasm, Some(&cache)).unwrap().exports().count(), 1);

        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(load_module(&engine, &wasm, Some(&cache)).unwrap().exports().count(), 0);

        let me = std::fs::metadata("/proc/self").unwrap().uid();
        if me == 0 {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::chown(&entry, Some(65534), None).unwrap();
            assert_eq!(load_module(&engine, &wasm, Some(&cache)).unwrap().exports().count(), 0);
        }
    }
}
