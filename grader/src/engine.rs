//! The grader's long-lived state: one wasmtime `Engine` with epoch interruption, a ticker
//! thread, and each language's runtime linked once (`InstancePre`) on first use.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use polyrun_core::Language;
use tokio::sync::{OnceCell, Semaphore};
use wasmtime::{Caller, Config, Engine, InstancePre, Linker, Module};

use crate::GraderError;
use crate::host::HostState;

/// How often the epoch advances: the granularity of time limits.
pub(crate) const TICK: Duration = Duration::from_millis(5);

/// Settings of a [`Grader`].
#[derive(Debug, Clone)]
pub struct GraderConfig {
    /// Folder with the runtimes (`python-3.12.0.wasm`, `ruby+stdlib.wasm`,
    /// `polyrun-js.wasm`; the Python 3.14 component `python-3.14.0-*.wasm` and its standard
    /// library `python-3.14.0-lib/`).
    pub runtimes_dir: PathBuf,
    /// Folder for compiled modules (only used when it is this user's alone); `None`:
    /// compile in memory.
    pub cache_dir: Option<PathBuf>,
    /// How many sandboxes may run at once (others wait).
    pub max_concurrent: usize,
    /// Python runs on the CPython 3.14 component (`component.rs`) instead of the 3.12
    /// module; by default when `$POLYRUN_PYTHON_COMPONENT` is `1`.
    pub python_component: bool,
}

impl Default for GraderConfig {
    fn default() -> Self {
        GraderConfig {
            runtimes_dir: polyrun_runtimes::artifacts_dir(),
            cache_dir: crate::cache::cache_dir(),
            max_concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
            python_component: std::env::var_os("POLYRUN_PYTHON_COMPONENT").is_some_and(|v| v == "1"),
        }
    }
}

/// How a runtime module is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A WASI command: `_start`.
    Command,
    /// ruby.wasm's reactor: `_initialize`, `ruby-init`, `rb-eval-string-protect`.
    RubyReactor,
    /// A `wasi:cli/command` component (Python): its `run` export.
    Component,
}

/// A runtime linked once: a core module or a component.
pub(crate) enum Linked {
    /// A core module with the WASI preview 1 linker.
    Module(InstancePre<HostState>),
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

/// The grader: cheap to share (`Arc`), safe to use from many tasks at once.
pub struct Grader {
    pub(crate) engine: Engine,
    pub(crate) config: GraderConfig,
    runtimes: [OnceCell<Arc<Runtime>>; 3],
    pub(crate) permits: Semaphore,
    stop: Arc<AtomicBool>,
}

impl Grader {
    /// How the grader was configured.
    pub fn config(&self) -> &GraderConfig {
        &self.config
    }

    /// A grader with `config`; runtimes load on first use.
    pub fn new(config: GraderConfig) -> Result<Self, GraderError> {
        let mut wasm = Config::new();
        wasm.epoch_interruption(true)
            .max_wasm_stack(8 << 20)
            .async_stack_size(10 << 20)
            .parallel_compilation(true);
        let engine = Engine::new(&wasm).map_err(|e| GraderError::Engine(format!("{e:#}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker_engine = engine.weak();
        let ticker_stop = stop.clone();
        std::thread::Builder::new()
            .name("polyrun-epoch".into())
            .spawn(move || {
                while !ticker_stop.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    match ticker_engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| GraderError::Engine(e.to_string()))?;
        Ok(Grader {
            engine,
            permits: Semaphore::new(config.max_concurrent.max(1)),
            config,
            runtimes: Default::default(),
            stop,
        })
    }

    /// The runtime of `language`, loaded, linked and measured on first use.
    pub(crate) async fn runtime(&self, language: Language) -> Result<Arc<Runtime>, GraderError> {
        let slot = &self.runtimes[language as usize];
        slot.get_or_try_init(|| async {
            let (pre, entry, cached) = self.link(language)?;
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

    /// Loads every runtime now (a server does this before it accepts work).
    pub async fn warm_up(&self) -> Result<(), GraderError> {
        for language in Language::ALL {
            self.runtime(language).await?;
        }
        Ok(())
    }

    /// The memory a runtime holds after start-up, in bytes (what limits come on top of).
    pub async fn footprint(&self, language: Language) -> Result<usize, GraderError> {
        Ok(self.runtime(language).await?.footprint)
    }

    fn link(&self, language: Language) -> Result<(Linked, Entry, Option<PathBuf>), GraderError> {
        if language == Language::Python && self.config.python_component {
            let (python, cached) = crate::component::link(
                &self.engine,
                &self.config.runtimes_dir,
                self.config.cache_dir.as_deref(),
            )?;
            return Ok((Linked::Component(python), Entry::Component, cached));
        }
        let file = match language {
            Language::Python => polyrun_runtimes::PYTHON.artifact,
            Language::Ruby => polyrun_runtimes::RUBY.artifact,
            Language::Javascript => polyrun_runtimes::JS_ENGINE_ARTIFACT,
        };
        let path = self.config.runtimes_dir.join(file);
        let crate::cache::Loaded { module, entry: cached } =
            crate::cache::load_module(&self.engine, &path, self.config.cache_dir.as_deref())?;
        let link_err = |e: wasmtime::Error| GraderError::Compile {
            path: path.clone(),
            reason: format!("{e:#}"),
        };
        let mut linker: Linker<HostState> = Linker::new(&self.engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |s: &mut HostState| &mut s.wasi).map_err(link_err)?;
        let entry = if language == Language::Ruby {
            define_ruby_imports(&mut linker, &module).map_err(link_err)?;
            Entry::RubyReactor
        } else {
            Entry::Command
        };
        let pre = linker.instantiate_pre(&module).map_err(link_err)?;
        Ok((Linked::Module(pre), entry, cached))
    }
}

impl Drop for Grader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
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
