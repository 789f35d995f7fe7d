//! The grader's Python: CPython 3.14 as a pre-initialised `wasi:cli/command` component
//! (made at set-up by `componentize-py`, see `polyrun_runtimes::python_component_file`),
//! linked once with WASI 0.2 and instantiated fresh for every session. Its sandbox is the
//! modules' one: no environment, no network, stdin from memory, capped output, the memory
//! cap by the store's limiter, time by epoch; the one directory it sees is the standard
//! library, mounted read-only at `/python`.

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

/// Real sessions of the real component (made by `cargo xtask setup`) in a real grader.
#[cfg(test)]
mod tests {
    use std::time::Instant;

    use polyrun_core::Language;
    use polyrun_core::report::{RunReport, RunStatus};

    use crate::run::Output;
    use crate::{Grader, GraderConfig, Limits};

    fn grader() -> Grader {
        Grader::new(GraderConfig::default()).expect("a grader")
    }

    async fn run(grader: &Grader, source: &str, stdin: &str, limits: Limits) -> RunReport {
        grader
            .run_program(
                Language::Python,
                source,
                stdin.as_bytes().to_vec(),
                limits,
                Output::Collect { cap: 1 << 16 },
            )
            .await
            .expect("the Python component runs")
    }

    fn limits() -> Limits {
        Limits::new(10_000, 64)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_program_runs_with_its_stdin_and_its_exit_status() {
        let grader = grader();
        let source = "import sys\nname = input()\nprint('hello', name, sys.version_info[:2])\nsys.exit(3)\n";
        let report = run(&grader, source, "polyrun\n", limits()).await;
        assert_eq!(report.stdout, "hello polyrun (3, 14)\n", "{report:?}");
        assert_eq!((report.status, report.exit_code), (RunStatus::Ok, 3), "{report:?}");
        let report = run(&grader, "raise SystemExit('bye')\n", "", limits()).await;
        assert_eq!((report.exit_code, report.stderr.as_str()), (1, "bye\n"), "{report:?}");
        let report = run(&grader, "print('fine')\n", "", limits()).await;
        assert_eq!((report.exit_code, report.stdout.as_str()), (0, "fine\n"), "{report:?}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_uncaught_exception_is_a_traceback_and_status_1() {
        let grader = grader();
        let report = run(&grader, "print('a')\n{}['missing']\n", "", limits()).await;
        assert_eq!(report.exit_code, 1, "{report:?}");
        assert_eq!(report.stdout, "a\n");
        assert!(report.stderr.contains("File \"main.py\", line 2"), "{}", report.stderr);
        assert!(report.stderr.ends_with("KeyError: 'missing'\n"), "{}", report.stderr);
        assert!(!report.stderr.contains("polyrun_app"), "{}", report.stderr);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn each_session_is_fresh_and_seeded_anew() {
        let grader = grader();
        let source = "import random, os, sys\nx = globals().get('leftover')\nprint(x, random.random(), os.urandom(8).hex())\nimport builtins\nbuiltins.leftover = 1\n";
        let first = run(&grader, source, "", limits()).await;
        let second = run(&grader, source, "", limits()).await;
        assert!(first.stdout.starts_with("None "), "{first:?}");
        assert!(second.stdout.starts_with("None "), "{second:?}");
        assert_ne!(
            first.stdout, second.stdout,
            "random draws the same numbers in two sessions"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn it_sees_no_environment_and_only_the_standard_library_read_only() {
        let grader = grader();
        let source = r#"
import os, sys
print(dict(os.environ), all(p.startswith('/python') for p in sys.path))
for d in ['/', '.', '..', '/python/..']:
    try:
        print('LIST', d, sorted(os.listdir(d)))
    except OSError as e:
        print('nolist', d)
for path in ['/python/polyrun.txt', '/python/os.py', '/etc/passwd', '/python/../../etc/passwd', '/tmp/x']:
    for mode in ['r', 'a', 'w']:
        try:
            open(path, mode).close()
            print('opened', path, mode)
        except OSError as e:
            print('no', path, mode, type(e).__name__)
try:
    os.mkdir('/python/new')
    print('made a folder')
except OSError as e:
    print('no mkdir', type(e).__name__)
"#;
        let report = run(&grader, source, "", limits()).await;
        assert_eq!(report.exit_code, 0, "{report:?}");
        let lines: Vec<&str> = report.stdout.lines().collect();
        assert_eq!(lines[0], "{} True", "{}", report.stdout);
        for line in lines.iter().filter(|l| l.starts_with("LIST")) {
            assert!(line.ends_with("['python']"), "sees more than the library: {line}");
        }
        let opened: Vec<&&str> = lines.iter().filter(|l| l.starts_with("opened")).collect();
        assert_eq!(opened, [&"opened /python/os.py r"], "{}", report.stdout);
        assert!(report.stdout.contains("no mkdir"), "{}", report.stdout);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn loops_and_sleeps_stop_at_the_time_limit() {
        let grader = grader();
        for source in ["while True:\n    pass\n", "import time\ntime.sleep(100)\n"] {
            let started = Instant::now();
            let report = run(&grader, source, "", Limits::new(500, 64)).await;
            assert_eq!(report.status, RunStatus::TimeLimitExceeded, "{source}: {report:?}");
            assert!(
                started.elapsed().as_secs() < 30,
                "{source} took {:?}",
                started.elapsed()
            );
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn memory_beyond_the_limit_is_refused() {
        let grader = grader();
        let footprint = grader.footprint(Language::Python).await.expect("a footprint");
        assert!(footprint > 1 << 20 && footprint < 256 << 20, "footprint {footprint}");
        let hog = "a = []\nwhile True:\n    a.append(bytearray(10**6))\n";
        let report = run(&grader, hog, "", Limits::new(20_000, 32)).await;
        assert_eq!(report.status, RunStatus::MemoryLimitExceeded, "{report:?}");
        let fits = "a = bytearray(16 * 2**20)\nprint(len(a))\n";
        let report = run(&grader, fits, "", Limits::new(20_000, 32)).await;
        assert_eq!(
            (report.status, report.stdout.as_str()),
            (RunStatus::Ok, "16777216\n"),
            "{report:?}"
        );
    }
}
