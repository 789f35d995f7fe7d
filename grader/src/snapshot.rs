//! Pre-initialised runtimes: a module instantiated once, set up, and snapshotted with Wizer
//! (`wasmtime-wizer`: instrument → run → snapshot, driven here on the grader's own engine)
//! into a module whose sessions start where set-up ended. Made on first use and kept in the
//! compile cache by content hash (`cache::load_derived`).
//!
//! - Ruby: ruby.wasm after `_initialize`, `ruby-init` and the definitions of core's harness
//!   and runner. A session reseeds `Random` (`srand` draws from WASI's `random_get`, fresh
//!   per session), hands a whole program its source (`ARGV`) and runs the harness or the
//!   runner.
//! - JavaScript: polyrun-js after its `wizer-initialize` (the engine up to the end of the
//!   prelude), one snapshot per script name (`harness.js`, `main.js`: the prelude shows it).
//!   Its `_start` restarts the clock and reseeds `Math.random` before it runs the script.

use polyrun_core::harness;
use wasmtime::{Engine, Instance, Linker, Module, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

use crate::host::HostState;

/// `ruby-init`'s arguments: no RubyGems, UTF-8 sources, and an empty `-e` script so that
/// nothing is read from stdin while starting.
pub(crate) const RUBY_ARGS: [&str; 4] = ["ruby", "--disable-gems", "-EUTF-8", "-e_=0"];

/// The last line of core's Ruby harness, run per session.
const HARNESS_CALL: &str = "PolyrunHarness.run\n";
/// The last line of core's Ruby runner, run per session.
const RUNNER_CALL: &str = "PolyrunRunner.run\n";

/// polyrun-js's initialisation export (`runtimes-wasm/src/main.rs`); Wizer drops it from the
/// snapshot.
const JS_INIT: &str = "wizer-initialize";

/// Memory the interpreter may take while it is set up (it needs a few tens of MiB).
const SETUP_MEMORY: usize = 1 << 30;

/// Everything the Ruby snapshot is made from besides the module: a changed harness,
/// runner, argument list or Wizer makes another snapshot.
pub(crate) fn ruby_salt() -> String {
    format!(
        "ruby snapshot 1\nwasmtime-wizer 50.0.1\n{:?}\n{}\n{}",
        RUBY_ARGS,
        harness::RUBY,
        harness::RUBY_RUNNER
    )
}

/// The harness and the runner without their last lines: what the snapshot has run.
fn ruby_definitions() -> wasmtime::Result<String> {
    let harness = harness::RUBY
        .strip_suffix(HARNESS_CALL)
        .ok_or_else(|| wasmtime::format_err!("core's Ruby harness does not end with `{}`", HARNESS_CALL.trim()))?;
    let runner = harness::RUBY_RUNNER
        .strip_suffix(RUNNER_CALL)
        .ok_or_else(|| wasmtime::format_err!("core's Ruby runner does not end with `{}`", RUNNER_CALL.trim()))?;
    Ok(format!("{harness}\n{runner}\n"))
}

/// What a session evaluates in the snapshot: the harness, or the runner on `source`.
pub(crate) fn ruby_session_script(whole_program: Option<&str>) -> String {
    match whole_program {
        None => format!("srand\n{HARNESS_CALL}"),
        // Hex keeps any source out of the script's syntax.
        Some(source) => format!(
            "srand\nARGV.replace([[\"{}\"].pack(\"H*\")])\n{RUNNER_CALL}",
            hex::encode(source)
        ),
    }
}

/// What is run before the snapshot is taken.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Setup<'a> {
    /// ruby.wasm: `_initialize`, `ruby-init`, the harness's and runner's definitions.
    Ruby,
    /// polyrun-js: `wizer-initialize` with the arguments `polyrun-js FILENAME [SCRIPT]`.
    Javascript {
        /// The script name the engine is set up for.
        filename: &'a str,
        /// A script compiled ahead (the harness): sessions given this source skip parsing it.
        script: Option<&'a str>,
    },
}

/// Everything a JavaScript snapshot is made from besides the module.
pub(crate) fn javascript_salt(filename: &str, script: Option<&str>) -> String {
    format!(
        "javascript snapshot 2\nwasmtime-wizer 50.0.1\n{filename}\n{}",
        script.unwrap_or_default()
    )
}

/// Makes the pre-initialised module from the runtime's bytes, set up on `engine` (the
/// grader's set-up engine: no epoch deadline). `link` adds the imports an
/// instance needs (WASI and, for ruby.wasm, the reactor's own) to a linker.
pub(crate) async fn make(
    engine: &Engine,
    wasm: &[u8],
    setup: Setup<'_>,
    link: impl FnOnce(&mut Linker<HostState>, &Module) -> wasmtime::Result<()>,
) -> wasmtime::Result<Vec<u8>> {
    let definitions = match setup {
        Setup::Ruby => ruby_definitions()?,
        Setup::Javascript { .. } => String::new(),
    };
    let wizer = Wizer::new();
    let (context, instrumented) = wizer.instrument(wasm)?;
    let module = Module::new(engine, &instrumented)?;
    let mut linker: Linker<HostState> = Linker::new(engine);
    link(&mut linker, &module)?;

    let said = MemoryOutputPipe::new(64 << 10);
    let mut wasi = WasiCtxBuilder::new();
    wasi.stdout(said.clone()).stderr(said.clone());
    if let Setup::Javascript { filename, script } = setup {
        wasi.args(&["polyrun-js", filename]);
        if let Some(script) = script {
            wasi.arg(script);
        }
    }
    let mut store = HostState::store(engine, wasi.build_p1(), SETUP_MEMORY);

    let run = async {
        let instance = linker.instantiate_async(&mut store, &module).await?;
        match setup {
            Setup::Ruby => {
                let initialize = instance.get_typed_func::<(), ()>(&mut store, "_initialize")?;
                initialize.call_async(&mut store, ()).await?;
                crate::ruby::init(&mut store, &instance, &RUBY_ARGS).await?;
                crate::ruby::eval(&mut store, &instance, &definitions).await?;
            }
            Setup::Javascript { .. } => {
                let initialize = instance.get_typed_func::<(), ()>(&mut store, JS_INIT)?;
                initialize.call_async(&mut store, ()).await?;
            }
        }
        wasmtime::Result::<Instance>::Ok(instance)
    };
    let instance = match run.await {
        Ok(instance) => instance,
        Err(e) => {
            let said = String::from_utf8_lossy(&said.contents()).trim().to_owned();
            let said = if said.is_empty() {
                said
            } else {
                format!(" (it said: {said})")
            };
            return Err(e.context(format!("setting {setup:?} up for its snapshot failed{said}")));
        }
    };
    let mut state = Snapshotting {
        store: &mut store,
        instance,
    };
    wizer.snapshot(&context, &mut state).await
}

/// Wizer's view of the set-up instance: its exported globals and memories.
struct Snapshotting<'a> {
    store: &'a mut Store<HostState>,
    instance: Instance,
}

impl InstanceState for Snapshotting<'_> {
    async fn global_get(&mut self, name: &str, _type_hint: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut *self.store, name)
            .unwrap_or_else(|| panic!("Wizer's instrumentation exports the global {name}"));
        match global.get(&mut *self.store) {
            wasmtime::Val::I32(x) => SnapshotVal::I32(x),
            wasmtime::Val::I64(x) => SnapshotVal::I64(x),
            wasmtime::Val::F32(x) => SnapshotVal::F32(x),
            wasmtime::Val::F64(x) => SnapshotVal::F64(x),
            wasmtime::Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => panic!("a global Wizer cannot snapshot: {other:?}"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut *self.store, name)
            .unwrap_or_else(|| panic!("Wizer's instrumentation exports the memory {name}"));
        contents(memory.data(&*self.store));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GraderConfig;
    use crate::engine::Host;

    /// A JavaScript session given the very script its snapshot compiled calls the compiled
    /// function (a function body, where `arguments` exists) instead of parsing it again;
    /// any other source, one byte longer, is evaluated as a script. (The grader compiles
    /// `harness::JAVASCRIPT` into the harness snapshot and hands sessions that constant.)
    #[tokio::test(flavor = "multi_thread")]
    async fn a_javascript_snapshot_runs_the_script_it_compiled_without_parsing_it() {
        let config = GraderConfig::default();
        let grader = Host::new(config.runtimes_dir, None, 0).expect("a host");
        let path = grader.runtimes_dir.join(polyrun_runtimes::JS_ENGINE_ARTIFACT);
        let wasm = std::fs::read(&path).expect("polyrun-js.wasm (cargo xtask setup)");
        let script = "console.log(typeof arguments, typeof this);\n";
        let setup = Setup::Javascript {
            filename: "probe.js",
            script: Some(script),
        };
        let link = |linker: &mut Linker<HostState>, _: &Module| {
            wasmtime_wasi::p1::add_to_linker_async(linker, |s: &mut HostState| &mut s.wasi)
        };
        let made = make(grader.setup_engine().expect("Winch"), &wasm, setup, link)
            .await
            .expect("a snapshot");
        let module = Module::new(&grader.engine, &made).expect("the snapshot compiles");
        let again = format!("{script}\n");
        for (source, expected) in [(script, "object object\n"), (again.as_str(), "undefined object\n")] {
            let out = MemoryOutputPipe::new(1 << 16);
            let mut wasi = WasiCtxBuilder::new();
            wasi.args(&["polyrun-js", "probe.js", source])
                .stdout(out.clone())
                .stderr(out.clone());
            let mut store = HostState::store(&grader.engine, wasi.build_p1(), SETUP_MEMORY);
            let mut linker: Linker<HostState> = Linker::new(&grader.engine);
            link(&mut linker, &module).expect("WASI");
            let instance = linker
                .instantiate_async(&mut store, &module)
                .await
                .expect("an instance");
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start").expect("_start");
            let exit = start.call_async(&mut store, ()).await.expect_err("polyrun-js exits");
            let status = exit.downcast_ref::<wasmtime_wasi::I32Exit>().map(|e| e.0);
            let said = String::from_utf8_lossy(&out.contents()).into_owned();
            assert_eq!((status, said.as_str()), (Some(0), expected), "{exit:?}");
        }
    }

    #[test]
    fn the_harness_and_the_runner_end_with_the_calls_a_session_makes() {
        let definitions = ruby_definitions().expect("definitions");
        assert!(!definitions.contains(HARNESS_CALL), "{definitions}");
        assert!(definitions.contains("module PolyrunRunner"));
    }

    #[test]
    fn a_whole_program_reaches_argv_as_hex_whatever_it_holds() {
        let script = ruby_session_script(Some("puts \"]\\\"#{1}\"\n"));
        assert!(script.starts_with("srand\nARGV.replace([[\""), "{script}");
        assert!(script.ends_with(RUNNER_CALL));
        assert!(!script.contains("puts"));
    }
}
