//! The grader's Python: CPython 3.14 as a pre-initialised `wasi:cli/command` component
//! (made at set-up by `componentize-py`, see `polyrun_runtimes::python_component_file`),
//! linked once with WASI 0.2 and instantiated fresh for every session. Its sandbox is the
//! modules' one: no environment, no network, stdin from memory, capped output, the memory
//! cap by the store's limiter, time by the grader killing the sandbox process; the one
//! directory it sees is the standard library, mounted read-only at `/python`.

use std::path::{Path, PathBuf};

use polyrun_core::harness;
use wasmtime::Store;
use wasmtime::component::Linker;
use wasmtime_wasi::p2::bindings::CommandPre;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::GraderError;
use crate::host::HostState;

/// Where the component sees the standard library (what it was made with).
const STDLIB_GUEST_PATH: &str = "/python";

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.wasi.ctx()
    }
}

/// The Python component, linked once.
pub(crate) struct PythonComponent {
    pre: CommandPre<HostState>,
    /// The standard library folder on the host.
    stdlib: PathBuf,
}

/// The component file made for the harness compiled into this grader, in `runtimes_dir`.
pub(crate) fn component_path(runtimes_dir: &Path) -> PathBuf {
    runtimes_dir.join(polyrun_runtimes::python_component_file(
        harness::PYTHON,
        harness::PYTHON_RUNNER,
    ))
}

/// Loads (from the cache when it can), links and checks the Python component of
/// `runtimes_dir`; also returns the cache entry its notes are filed under.
pub(crate) fn link(
    engine: &wasmtime::Engine,
    runtimes_dir: &Path,
    cache: Option<&Path>,
) -> Result<(PythonComponent, Option<PathBuf>), GraderError> {
    let path = component_path(runtimes_dir);
    if !path.is_file() {
        return Err(GraderError::MissingRuntime {
            path,
            reason: "no Python component made for this grader's harness".into(),
        });
    }
    let stdlib = runtimes_dir.join(polyrun_runtimes::PYTHON_STDLIB_DIR);
    if !stdlib.join("os.py").is_file() {
        return Err(GraderError::MissingRuntime {
            path: stdlib,
            reason: "the Python standard library is not there".into(),
        });
    }
    let crate::cache::Loaded {
        module: component,
        entry,
    } = crate::cache::load_component(engine, &path, cache)?;
    let link_err = |e: wasmtime::Error| GraderError::Compile {
        path: path.clone(),
        reason: format!("{e:#}"),
    };
    let mut linker: Linker<HostState> = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link_err)?;
    let pre = linker.instantiate_pre(&component).map_err(link_err)?;
    let pre = CommandPre::new(pre).map_err(link_err)?;
    Ok((PythonComponent { pre, stdlib }, entry))
}

/// Gives a session's WASI context what the component needs: its arguments (`python` for
/// the harness, `python run SOURCE` for a whole program) and the standard library,
/// read-only.
pub(crate) fn configure(
    wasi: &mut WasiCtxBuilder,
    python: &PythonComponent,
    whole_program: Option<&str>,
) -> wasmtime::Result<()> {
    match whole_program {
        None => wasi.args(&["python"]),
        Some(source) => wasi.args(&["python", "run", source]),
    };
    wasi.preopened_dir(&python.stdlib, STDLIB_GUEST_PATH, FsPerms::ReadOnly)?;
    Ok(())
}

/// Instantiates the component afresh in `store` and calls its `run`; `Err(())` from `run`
/// is exit status 1, as for a command.
pub(crate) async fn run(store: &mut Store<HostState>, python: &PythonComponent) -> wasmtime::Result<()> {
    let command = python.pre.instantiate_async(&mut *store).await?;
    match command.wasi_cli_run().call_run(&mut *store).await? {
        Ok(()) => Ok(()),
        Err(()) => Err(wasmtime::Error::new(I32Exit(1))),
    }
}
