//! One sandboxed session, run inside a sandbox process: a fresh instance of a runtime with
//! no environment, no files and no network, stdin from memory or from the grader, output
//! streamed to the grader, and a memory cap. It has no clock: the grader kills the process
//! at the session's deadline (`sandbox::pool`), so the compiled code checks no time.

use polyrun_core::Language;
use polyrun_core::grading::SessionEnd;
use polyrun_core::harness;
use wasmtime::{Store, Trap};
use wasmtime_wasi::I32Exit;
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;

use crate::GraderError;
use crate::engine::{Entry, Host, JS_HARNESS_NAME, JS_PROGRAM_NAME, Linked, Runtime};
use crate::host::{HostState, MemoryLimitHit};
use crate::sink::{Destination, SharedOutput};

/// Memory any sandbox may reach before its footprint is known.
const CALIBRATION_CAP: usize = 1 << 30;

/// What a session runs.
pub(crate) enum Program<'a> {
    /// The language's harness, reading its input from the session's feed
    /// ([`SharedOutput::harness`](crate::sink::SharedOutput::harness)).
    Harness,
    /// A whole program, with this source.
    Whole(&'a str),
}

/// Figures about a finished session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionStats {
    /// Largest linear memory reached, in bytes.
    pub peak_memory: usize,
}

/// The memory sessions used (a run's one, a grading's several): the largest peak, and
/// whether one hit the limit.
#[derive(Default)]
pub(crate) struct MemoryUse {
    peak: usize,
    hit: bool,
}

impl MemoryUse {
    /// A session that ended with `end` after reaching `peak` bytes.
    pub(crate) fn session(&mut self, end: &SessionEnd, peak: usize) {
        self.peak = self.peak.max(peak);
        self.hit |= *end == SessionEnd::MemoryLimit;
    }

    /// KiB beyond `footprint`; at least `limit` bytes when a session hit it.
    pub(crate) fn kib(&self, footprint: usize, limit: usize) -> u64 {
        let used = self.peak.saturating_sub(footprint);
        let used = if self.hit { used.max(limit) } else { used };
        (used as u64).div_ceil(1024)
    }
}

/// Where a session's standard input comes from.
pub(crate) enum Stdin {
    /// A whole program's bytes.
    Bytes(Vec<u8>),
    /// The grader's frames (a harness session in a sandbox process).
    Grader(crate::sandbox::Frames),
}

/// What to run in a session, and its limits.
pub(crate) struct Spec<'a> {
    /// The program.
    pub program: Program<'a>,
    /// Its standard input.
    pub stdin: Stdin,
    /// Largest linear memory allowed, in bytes.
    pub memory_cap: usize,
    /// Hears each new peak of the linear memory.
    pub on_peak: Option<crate::host::PeakReport>,
}

/// Runs one session to its end, its output into `output`.
pub(crate) async fn run_session(
    host: &Host,
    language: Language,
    runtime: &Runtime,
    spec: Spec<'_>,
    output: &SharedOutput,
) -> (SessionEnd, SessionStats) {
    let Spec {
        program,
        stdin,
        memory_cap,
        on_peak,
    } = spec;
    let mut wasi = WasiCtxBuilder::new();
    match stdin {
        Stdin::Bytes(bytes) => wasi.stdin(MemoryInputPipe::new(bytes)),
        Stdin::Grader(frames) => wasi.stdin(frames),
    };
    wasi.stdout(output.stream(1))
        .stderr(output.stream(2))
        .allow_blocking_current_thread(false);
    match (language, &program) {
        // The component's arguments come with its standard library (`component::configure`).
        (Language::Python, _) => &mut wasi,
        (Language::Javascript, Program::Harness) => wasi.args(&["polyrun-js", JS_HARNESS_NAME, harness::JAVASCRIPT]),
        (Language::Javascript, Program::Whole(source)) => wasi.args(&["polyrun-js", JS_PROGRAM_NAME, source]),
        (Language::Ruby, _) => wasi.args(&["ruby"]),
    };
    if let Linked::Component(python) = &runtime.pre {
        let whole = match &program {
            Program::Harness => None,
            Program::Whole(source) => Some(*source),
        };
        if let Err(e) = crate::component::configure(&mut wasi, python, whole) {
            let reason = format!("cannot mount the standard library: {e:#}");
            return (SessionEnd::Crashed(reason), SessionStats { peak_memory: 0 });
        }
    }
    let engine = match language {
        Language::Python => &host.python_engine,
        _ => &host.engine,
    };
    let mut store = HostState::store(engine, wasi.build_p1(), memory_cap);
    store.data_mut().limits.on_peak = on_peak;
    let result = execute(&mut store, runtime, language, &program).await;
    let limits = &store.data().limits;
    let stats = SessionStats {
        peak_memory: limits.peak,
    };
    let end = match result {
        _ if limits.hit => SessionEnd::MemoryLimit,
        Ok(()) => SessionEnd::Exited(0),
        Err(e) => classify(&e),
    };
    (end, stats)
}

fn classify(e: &wasmtime::Error) -> SessionEnd {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return SessionEnd::Exited(exit.0);
    }
    if e.downcast_ref::<MemoryLimitHit>().is_some() {
        return SessionEnd::MemoryLimit;
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => SessionEnd::StackOverflow,
        Some(trap) => SessionEnd::Crashed(format!("the runtime stopped: {trap}")),
        // The cause, not the wasm backtrace around it (WASI refusing an exit status of 126
        // or more, say: `exit!(380)`, `process.exit(-1)`).
        None => {
            let cause = e.chain().last().map_or_else(|| e.to_string(), ToString::to_string);
            SessionEnd::Crashed(format!("the runtime stopped: {cause}"))
        }
    }
}

async fn execute(
    store: &mut Store<HostState>,
    runtime: &Runtime,
    language: Language,
    program: &Program<'_>,
) -> wasmtime::Result<()> {
    let pre = match &runtime.pre {
        Linked::Modules { harness, .. } if matches!(program, Program::Harness) => harness,
        Linked::Modules { program, .. } => program,
        Linked::Component(python) => return crate::component::run(store, python).await,
    };
    let instance = pre.instantiate_async(&mut *store).await?;
    match runtime.entry {
        Entry::Component => Err(wasmtime::format_err!("a component is not entered as a module")),
        Entry::Command => {
            let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
            start.call_async(&mut *store, ()).await
        }
        Entry::RubyReactor => {
            debug_assert_eq!(language, Language::Ruby);
            let whole = match program {
                Program::Harness => None,
                Program::Whole(source) => Some(*source),
            };
            let script = crate::snapshot::ruby_session_script(whole);
            crate::ruby::eval(store, &instance, &script).await
        }
    }
}

/// Runs an empty program once and returns the memory the runtime holds at its end.
pub(crate) async fn measure_footprint(
    host: &Host,
    language: Language,
    runtime: &Runtime,
) -> Result<usize, GraderError> {
    let output = SharedOutput::new(Destination::Collect {
        stdout: Vec::new(),
        stderr: Vec::new(),
        dropped: 0,
        cap: 4096,
    });
    let spec = Spec {
        program: Program::Whole(""),
        stdin: Stdin::Bytes(Vec::new()),
        memory_cap: CALIBRATION_CAP,
        on_peak: None,
    };
    let (end, stats) = run_session(host, language, runtime, spec, &output).await;
    match end {
        SessionEnd::Exited(0) => Ok(stats.peak_memory),
        other => {
            let detail = match &output.lock().destination {
                Destination::Collect { stderr, .. } => String::from_utf8_lossy(stderr).into_owned(),
                _ => String::new(),
            };
            Err(GraderError::Compile {
                path: host.runtimes_dir.clone(),
                reason: format!("the {language} runtime does not start ({other:?}): {}", detail.trim()),
            })
        }
    }
}
