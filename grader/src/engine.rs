//! What a sandbox process holds: one wasmtime `Engine` (no epoch interruption: the grader
//! kills the process at a deadline, so compiled code carries no time checks), and each
//! language's runtime linked once (`InstancePre`) on first use.

use std::path::PathBuf;
use std::sync::Arc;

use polyrun_core::{Language, harness};
use tokio::sync::OnceCell;
use wasmtime::{Caller, Config, Engine, InstancePre, Linker, Module};

use crate::GraderError;
use crate::host::HostState;

/// Initial memory up to this size always gets a copy-on-write image in the compiled module:
/// a Ruby snapshot starts with ~67 MiB of heap that is less than half non-zero pages, which
/// wasmtime's default (16 MiB) would copy into every instance instead of mapping it.
/// Part of the compile cache's key.
pub(crate) const DENSE_IMAGE_BYTES: u64 = 256 << 20;

/// The native stack wasm code may use in a session: deep enough for about 10,000 nested
/// JavaScript calls (QuickJS's interpreter is a large native frame per call; with wasmtime
/// 50 an 8 MiB stack ended that recursion near 8,000 calls, where 48 reached 11,000). An
/// overflow traps and is reported as the language's own stack error.
pub(crate) const MAX_WASM_STACK: usize = 12 << 20;

/// Settings of a [`Grader`](crate::Grader).
#[derive(Debug, Clone)]
pub struct GraderConfig {
    /// Folder with the runtimes (the Python 3.14 component `python-3.14.0-*.wasm` and its
    /// standard library `python-3.14.0-lib/`, `ruby+stdlib.wasm`, `polyrun-js.wasm`).
    pub runtimes_dir: PathBuf,
    /// Folder for compiled modules (only used when it is this user's alone); `None`:
    /// compile in memory.
    pub cache_dir: Option<PathBuf>,
    /// The size the cache folder is kept under, in bytes (entries used within the last day
    /// are kept whatever it holds).
    pub cache_limit: u64,
    /// How many sandboxes may run at once (others wait).
    pub max_concurrent: usize,
    /// The program sandbox processes run (`polyrun`, which enters
    /// [`sandbox_main`](crate::sandbox_main) when its first argument is
    /// [`SANDBOX_ARG`](crate::SANDBOX_ARG)): by default this process's own executable
    /// (`/proc/self/exe`, so an upgrade of the file does not mix two versions).
    pub sandbox_program: PathBuf,
}

impl Default for GraderConfig {
    fn default() -> Self {
        GraderConfig {
            runtimes_dir: polyrun_runtimes::artifacts_dir(),
            cache_dir: crate::cache::cache_dir(),
            cache_limit: crate::cache::cache_limit(),
            max_concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
            sandbox_program: this_executable(),
        }
    }
}

/// The running executable: `/proc/self/exe` where there is one (the very file this process
/// runs, even if a newer `polyrun` has replaced it on disk since), else its path.
fn this_executable() -> PathBuf {
    let proc = PathBuf::from("/proc/self/exe");
    if proc.exists() {
        return proc;
    }
    std::env::current_exe().unwrap_or_else(|_| PathBuf::from("polyrun"))
}

/// How a runtime module is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A WASI command: `_start` (QuickJS).
    Command,
    /// ruby.wasm's reactor, pre-initialised (`snapshot.rs`): `rb-eval-string-protect` of
    /// the session's script.
    RubyReactor,
    /// A `wasi:cli/command` component (Python): its `run` export.
    Component,
}

/// A runtime linked once: pre-initialised core modules or a component.
pub(crate) enum Linked {
    /// Core modules with the WASI preview 1 linker: the one harness sessions start from and
    /// the one whole programs start from (the same module for Ruby; JavaScript's snapshots
    /// differ in the script name the prelude shows).
    Modules {
        /// For `Program::Harness`.
        harness: InstancePre<HostState>,
        /// For `Program::Whole`.
        program: InstancePre<HostState>,
    },
    /// The Python component with the WASI 0.2 linker.
    Component(crate::component::PythonComponent),
}

/// What a runtime's footprint depends on besides its module: the texts an empty program
/// runs through (a changed runner or prelude is measured again).
fn footprint_salt(language: Language) -> String {
    use polyrun_core::harness;
    format!(
        "{language:?}\n{}\n{}\n{}",
        harness::PYTHON_RUNNER,
        harness::RUBY_RUNNER,
        harness::JAVASCRIPT_PRELUDE
    )
}

/// A language's runtime, linked and measured.
pub(crate) struct Runtime {
    pub pre: Linked,
    pub entry: Entry,
    /// Linear memory the runtime holds after start-up with an empty program, in bytes.
    pub footprint: usize,
}

/// The runtimes of a sandbox process: wasm runs only here, never in the grader's own process.
pub(crate) struct Host {
    /// The engine of Ruby's and JavaScript's modules.
    pub(crate) engine: Engine,
    /// The engine of the Python component: function tables filled at instantiation. Its
    /// calls between CPython's dynamically linked libraries all go through tables, and a
    /// lazily filled table checks every entry on every call.
    pub(crate) python_engine: Engine,
    pub(crate) runtimes_dir: PathBuf,
    cache_dir: Option<PathBuf>,
    cache_limit: u64,
    runtimes: [OnceCell<Arc<Runtime>>; 3],
    /// The engine runtimes are set up on before their snapshots are taken (made on first use).
    setup: std::sync::OnceLock<Engine>,
}

impl Host {
    /// A host for runtimes in `runtimes_dir`, compiled modules cached in `cache_dir`.
    pub(crate) fn new(
        runtimes_dir: PathBuf,
        cache_dir: Option<PathBuf>,
        cache_limit: u64,
    ) -> Result<Self, GraderError> {
        let mut wasm = Config::new();
        wasm.max_wasm_stack(MAX_WASM_STACK)
            .async_stack_size(MAX_WASM_STACK + (2 << 20))
            .parallel_compilation(true)
            .memory_guaranteed_dense_image_size(DENSE_IMAGE_BYTES);
        let engine = Engine::new(&wasm).map_err(|e| GraderError::Engine(format!("{e:#}")))?;
        wasm.table_lazy_init(false);
        let python_engine = Engine::new(&wasm).map_err(|e| GraderError::Engine(format!("{e:#}")))?;
        Ok(Host {
            engine,
            python_engine,
            runtimes_dir,
            cache_dir,
            cache_limit,
            runtimes: Default::default(),
            setup: Default::default(),
        })
    }

    /// The engine a runtime is set up on for its snapshot: Winch, wasmtime's baseline
    /// compiler, which compiles ruby.wasm (instrumented by Wizer, run once) about ten times
    /// faster than Cranelift; the snapshot itself is compiled by the grader's engine. No
    /// epoch interruption: set-up is the grader's own code and has no deadline.
    pub(crate) fn setup_engine(&self) -> Result<&Engine, GraderError> {
        if let Some(engine) = self.setup.get() {
            return Ok(engine);
        }
        let mut config = Config::new();
        config
            .strategy(wasmtime::Strategy::Winch)
            .max_wasm_stack(8 << 20)
            .async_stack_size(10 << 20)
            .parallel_compilation(true);
        let engine = Engine::new(&config).map_err(|e| GraderError::Engine(format!("{e:#}")))?;
        Ok(self.setup.get_or_init(|| engine))
    }

    /// The runtime of `language`, loaded, linked and measured on first use.
    pub(crate) async fn runtime(&self, language: Language) -> Result<Arc<Runtime>, GraderError> {
        let slot = &self.runtimes[language as usize];
        slot.get_or_try_init(|| async {
            let (pre, entry, cached) = self.link(language).await?;
            if let Some(dir) = &self.cache_dir {
                crate::cache::prune_if_due(dir, self.cache_limit);
            }
            let mut runtime = Runtime {
                pre,
                entry,
                footprint: 0,
            };
            // Measured once per compiled module and harness, then noted beside the module:
            // a one-shot process (`polyrun run`) does not start the interpreter twice.
            let harness = footprint_salt(language);
            match cached
                .as_deref()
                .and_then(|entry| crate::cache::read_footprint(entry, &harness))
            {
                Some(footprint) => runtime.footprint = footprint,
                None => {
                    runtime.footprint = crate::session::measure_footprint(self, language, &runtime).await?;
                    if let Some(entry) = &cached {
                        crate::cache::write_footprint(entry, &harness, runtime.footprint);
                    }
                }
            }
            Ok(Arc::new(runtime))
        })
        .await
        .cloned()
    }

    async fn link(&self, language: Language) -> Result<(Linked, Entry, Option<PathBuf>), GraderError> {
        use crate::snapshot::Setup;
        let cache = self.cache_dir.as_deref();
        let (artifact, entry, salt, setups): (_, _, _, [Setup<'_>; 2]) = match language {
            Language::Python => {
                let (python, cached) = crate::component::link(&self.python_engine, &self.runtimes_dir, cache)?;
                return Ok((Linked::Component(python), Entry::Component, cached));
            }
            Language::Ruby => (
                polyrun_runtimes::RUBY.artifact,
                Entry::RubyReactor,
                [crate::snapshot::ruby_salt(), String::new()],
                [Setup::Ruby, Setup::Ruby],
            ),
            Language::Javascript => (
                polyrun_runtimes::JS_ENGINE_ARTIFACT,
                Entry::Command,
                [
                    crate::snapshot::javascript_salt(JS_HARNESS_NAME, Some(harness::JAVASCRIPT)),
                    crate::snapshot::javascript_salt(JS_PROGRAM_NAME, None),
                ],
                [
                    Setup::Javascript {
                        filename: JS_HARNESS_NAME,
                        script: Some(harness::JAVASCRIPT),
                    },
                    Setup::Javascript {
                        filename: JS_PROGRAM_NAME,
                        script: None,
                    },
                ],
            ),
        };
        let path = self.runtimes_dir.join(artifact);
        let link_err = |e: wasmtime::Error| GraderError::Compile {
            path: path.clone(),
            reason: format!("{e:#}"),
        };
        let link_imports = |linker: &mut Linker<HostState>, module: &Module| match entry {
            Entry::RubyReactor => link_ruby(linker, module),
            _ => wasmtime_wasi::p1::add_to_linker_async(linker, |s: &mut HostState| &mut s.wasi),
        };
        let mut pres = Vec::with_capacity(2);
        let mut cached = None;
        for (salt, setup) in salt.iter().zip(setups) {
            if salt.is_empty() {
                // The same module as the one before.
                let again = pres
                    .last()
                    .cloned()
                    .ok_or_else(|| link_err(wasmtime::format_err!("no module")))?;
                pres.push(again);
                continue;
            }
            let make = |bytes: Vec<u8>| async move {
                crate::snapshot::make(self.setup_engine()?, &bytes, setup, link_imports).await
            };
            let loaded = crate::cache::load_derived(&self.engine, &path, cache, salt, make).await?;
            let mut linker: Linker<HostState> = Linker::new(&self.engine);
            link_imports(&mut linker, &loaded.module).map_err(link_err)?;
            pres.push(linker.instantiate_pre(&loaded.module).map_err(link_err)?);
            // The footprint is measured with an empty whole program: noted beside that module.
            cached = loaded.entry;
        }
        let program = pres.pop().ok_or_else(|| link_err(wasmtime::format_err!("no module")))?;
        let harness = pres.pop().ok_or_else(|| link_err(wasmtime::format_err!("no module")))?;
        Ok((Linked::Modules { harness, program }, entry, cached))
    }
}

/// The script names polyrun-js runs the harness and a whole program under.
pub(crate) const JS_HARNESS_NAME: &str = "harness.js";
/// See [`JS_HARNESS_NAME`].
pub(crate) const JS_PROGRAM_NAME: &str = "main.js";

/// What a ruby.wasm instance imports: WASI preview 1 and the reactor's own (below).
fn link_ruby(linker: &mut Linker<HostState>, module: &Module) -> wasmtime::Result<()> {
    wasmtime_wasi::p1::add_to_linker_async(linker, |s: &mut HostState| &mut s.wasi)?;
    define_ruby_imports(linker, module)
}

/// ruby.wasm imports a JavaScript bridge (`rb-js-abi-host`) and a handle table
/// (`canonical_abi`). The grader has no JavaScript: the bridge traps if used (`require "js"`
/// fails), and the handle table is a plain vector in the host state.
fn define_ruby_imports(linker: &mut Linker<HostState>, module: &Module) -> wasmtime::Result<()> {
    linker.func_wrap(
        "canonical_abi",
        "resource_new_rb-abi-value",
        |mut caller: Caller<'_, HostState>, rep: i32| -> i32 {
            let handles = &mut caller.data_mut().handles;
            handles.push(Some(rep));
            (handles.len() - 1) as i32
        },
    )?;
    linker.func_wrap(
        "canonical_abi",
        "resource_get_rb-abi-value",
        |caller: Caller<'_, HostState>, handle: i32| -> wasmtime::Result<i32> {
            caller
                .data()
                .handles
                .get(handle as usize)
                .copied()
                .flatten()
                .ok_or_else(|| wasmtime::format_err!("unknown rb-abi-value handle {handle}"))
        },
    )?;
    linker.func_wrap(
        "canonical_abi",
        "resource_drop_js-abi-value",
        |_caller: Caller<'_, HostState>, _handle: i32| {},
    )?;
    linker.define_unknown_imports_as_traps(module)?;
    Ok(())
}
