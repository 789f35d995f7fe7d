//! Compiled runtime modules, cached on disk by the module's SHA-256 and the engine's
//! settings, so that no run and no start recompiles a runtime.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

use crate::GraderError;

/// Where compiled modules are kept: `$POLYRUN_CACHE`, else `$XDG_CACHE_HOME/polyrun`, else
/// `~/.cache/polyrun`, else a folder in the system's temporary directory.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("POLYRUN_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("polyrun");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("polyrun");
    }
    std::env::temp_dir().join("polyrun-cache")
}

/// Loads `wasm_path` compiled for `engine`, compiling and caching it on first use.
pub fn load_module(engine: &Engine, wasm_path: &Path, cache: &Path) -> Result<Module, GraderError> {
    let bytes = std::fs::read(wasm_path).map_err(|e| GraderError::MissingRuntime {
        path: wasm_path.to_owned(),
        reason: e.to_string().to_lowercase(),
    })?;
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
    // A stale or damaged entry fails to load: it is compiled again below and replaced.
    if cached.is_file()
        && let Ok(module) = deserialize(engine, &cached)
    {
        return Ok(module);
    }
    let module = Module::new(engine, &bytes).map_err(|e| GraderError::Compile {
        path: wasm_path.to_owned(),
        reason: format!("{e:#}"),
    })?;
    if let Ok(serialized) = module.serialize() {
        let _ = std::fs::create_dir_all(cache);
        let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, serialized).is_ok() && std::fs::rename(&tmp, &cached).is_ok() {
            // Reload from the file so memory images are mapped copy-on-write.
            if let Ok(module) = deserialize(engine, &cached) {
                return Ok(module);
            }
        }
    }
    Ok(module)
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Module> {
    // SAFETY: the file is one this module wrote with `Module::serialize` for an engine with
    // the same compatibility hash (part of its name); wasmtime checks the header and the
    // engine settings again before it trusts the code. The cache folder is the user's own.
    unsafe { Module::deserialize_file(engine, path) }
}
