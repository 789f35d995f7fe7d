//! polyrun's browser sandbox: the Web Worker that runs Python (Pyodide), Ruby (ruby.wasm)
//! and JavaScript for the app, inside an `<iframe sandbox="allow-scripts">` with an opaque
//! origin and a strict CSP, so user code can reach neither the app's storage nor the
//! network.
//!
//! CONTRACT (the frontend codes against exactly this API):
//!
//! ```text
//! /// State of one language's runtime, for the `runtime-status` indicator.
//! pub enum RuntimeState {
//!     Idle,                                          // not requested yet
//!     Loading { loaded: u64, total: Option<u64> },   // bytes downloaded so far
//!     Ready,
//!     Error(String),                                 // shown with a retry button
//! }
//!
//! #[derive(Clone)]  // cheap handle (Rc inside); one per app
//! pub struct SandboxHost { .. }
//!
//! impl SandboxHost {
//!     /// `base` is the URL prefix the runtime files are served under (e.g. "./runtimes/").
//!     /// `on_state` is called on every runtime state change (and progress tick).
//!     pub fn new(base: &str, on_state: impl Fn(Language, RuntimeState) + 'static) -> Self;
//!     /// Adds the sandbox frame and starts JavaScript's worker (no download), at app start.
//!     pub fn prepare(&self);
//!     /// Starts loading a language's runtime (lazily, on first use; no-op when loading or
//!     /// ready; retries after an error). Keeps a pre-warmed spare once ready.
//!     pub fn load(&self, language: Language);
//!     /// Current state.
//!     pub fn state(&self, language: Language) -> RuntimeState;
//!     /// Runs the language's harness with `input` (as the grader does) and resolves with
//!     /// the session: records and stray output, and how it ended. A phase running past
//!     /// `time_limit_ms` is stopped (worker terminated, spare promoted) and ends as
//!     /// `SessionEnd::TimeLimit`. Loads the runtime first if needed.
//!     pub async fn run_harness(&self, language: Language, input: &HarnessInput, time_limit_ms: u64)
//!         -> Result<polyrun_core::grading::Session, SandboxError>;
//!     /// Runs a whole program with `stdin` as `polyrun run` does and reports as the grader
//!     /// does (`polyrun_core::run`): output capped per stream, exit 124 at the time limit,
//!     /// 137 at the memory limit.
//!     pub async fn run_program(&self, language: Language, source: &str, stdin: &str,
//!         time_limit_ms: u64, memory_limit_mb: u64) -> Result<RunReport, SandboxError>;
//!     /// Stops every run in flight (the Stop button): its worker is terminated (a spare
//!     /// takes over) and the run resolves with `SandboxError::Stopped`.
//!     pub fn stop(&self);
//! }
//! ```
//!
//! The app grades exactly as the grader does:
//! `let mut g = Grading::with_tests(&problem, lang, &source, tests);`
//! `while let Some(input) = g.next_input() { g.absorb(host.run_harness(lang, &input, limit).await?); }`
//! `let report = g.report(elapsed_ms);`
//!
//! # How it works
//!
//! - The host ([`SandboxHost`], `host.rs`) adopts the page's hidden `<iframe
//!   sandbox="allow-scripts" src="sandbox.html">` (`index.html` has it, so it loads while
//!   the app does) or adds one ([`SANDBOX_HTML`], served as [`SANDBOX_URL`]; `frame.rs`); its
//!   CSP allows scripts, eval and wasm but no network (`connect-src 'none'`). The frame
//!   starts classic workers from a `blob:` URL of [`WORKER_JS`] and relays messages.
//! - A runtime's files are listed in `{base}manifest.json` (written by `web/build.mjs`) and
//!   fetched once, with byte progress (`download.rs`); the host keeps the bytes and hands the
//!   frame a copy. Nothing inside the sandbox fetches anything.
//! - Every session runs in a fresh worker (a fresh interpreter, as in the grader); a worker
//!   is single-use and terminated when its session ends. Per language the host keeps one
//!   ready worker and, once the first one was ready, a pre-warmed spare; the replacement
//!   starts once a session has ended, so that it does not compete with the run.
//! - Before it reports ready, a worker runs core's primer (`harness::primer`) through the
//!   harness a few times, output kept to itself, and removes the primer's global: the
//!   user's session then finds the harness compiled and the interpreter's paths warm.
//! - Each worker gets one end of a `MessageChannel` whose other end the app keeps: runs go
//!   out and output comes back on it directly (`frame.rs`).
//! - The frame compiles each wasm module once and hands the compiled module to every
//!   worker. The first Python worker makes a memory snapshot of a freshly started
//!   interpreter (before any user code), from which the next ones start in a few hundred
//!   milliseconds; the app keeps it in Cache Storage for the next visit (`persist.rs`).
//!   After the first worker is ready, a throwaway worker runs a typical workload once, so
//!   that the engine has compiled and optimised the interpreter's hot code before the
//!   first real run is timed.
//! - [`SandboxHost::prepare`] adds the frame and starts JavaScript's worker when the app
//!   starts (it downloads nothing); Python and Ruby load on first use.
//! - Before user code runs, the worker deletes what it must not use (`fetch`,
//!   `XMLHttpRequest`, `WebSocket`, `importScripts`, `indexedDB`, `caches`, `postMessage`,
//!   nested workers, …): the CSP and the opaque origin block them anyway, and Pyodide's `js`
//!   module or ruby.wasm's `JS` then find nothing either.
//! - Output comes back as bytes, fed to [`polyrun_core::grading::SessionLog`] as the
//!   grader's sink does (the same output budget: a session past it ends as
//!   `SessionEnd::OutputLimit`), and core's `PhaseClock` is the grader's watchdog: loading the
//!   source may take max(limit, 10 s), each test the limit from its `start` record, the
//!   session no more than loading + tests × limit.
//! - The runtimes run the grader's way: Python runs the harness as `python -c` would (an
//!   escaping exception prints its traceback and exits 1), Ruby starts with `ruby
//!   --disable-gems -EUTF-8 -e_=0` and evaluates the harness, output streams are pipes (not
//!   terminals), and JavaScript gets core's prelude and a `__polyrun` host object with the
//!   QuickJS engine's event loop (`runTicks`, macrotasks, unhandled rejections, `exitCode`).
//!
//! The frame is its own document with its own CSP (a `<meta>` in `sandbox.html`); a host
//! that serves it with a stricter `Content-Security-Policy` header (one without
//! `'unsafe-inline'`, `'unsafe-eval'`, `'wasm-unsafe-eval'` and `blob:` for scripts and
//! workers) stops the sandbox, and the runtime state turns to an error after 15 s.

mod manifest;
mod session;

#[cfg(target_arch = "wasm32")]
mod download;
#[cfg(target_arch = "wasm32")]
mod frame;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod persist;
#[cfg(not(target_arch = "wasm32"))]
mod unavailable;

pub use manifest::{Manifest, RuntimeFile, RuntimeFiles, SNAPSHOT_CACHE_PREFIX};
pub use polyrun_core::Language;

#[cfg(target_arch = "wasm32")]
pub use host::SandboxHost;
#[cfg(not(target_arch = "wasm32"))]
pub use unavailable::SandboxHost;

/// The sandbox frame's document: CSP, worker start-up and relay. The site serves it as
/// [`SANDBOX_URL`] (Trunk copies `worker/js/sandbox.html`).
pub const SANDBOX_HTML: &str = include_str!("../js/sandbox.html");

/// Where the sandbox frame's document is served, relative to the app's page.
pub const SANDBOX_URL: &str = "sandbox.html";

/// The sandbox worker's script (started by the frame from a `blob:` URL).
pub const WORKER_JS: &str = include_str!("../js/worker.js");

/// The file, under the runtimes' base URL, that lists each runtime's files.
pub const MANIFEST_FILE: &str = "manifest.json";

/// State of one language's runtime, for the `runtime-status` indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RuntimeState {
    /// Not requested yet.
    #[default]
    Idle,
    /// Downloading and starting: bytes downloaded so far, and the total when known.
    Loading {
        /// Bytes downloaded so far.
        loaded: u64,
        /// Bytes to download in all, when known.
        total: Option<u64>,
    },
    /// Ready to run code.
    Ready,
    /// Failed to load (shown with a retry button; [`SandboxHost::load`] retries).
    Error(String),
}

impl RuntimeState {
    /// The `data-state` of the `runtime-status` element: `idle`, `loading`, `ready` or
    /// `error`.
    pub fn data_state(&self) -> &'static str {
        match self {
            RuntimeState::Idle => "idle",
            RuntimeState::Loading { .. } => "loading",
            RuntimeState::Ready => "ready",
            RuntimeState::Error(_) => "error",
        }
    }

    /// The download's progress in `0.0..=1.0`, when loading and the total is known.
    pub fn progress(&self) -> Option<f64> {
        match self {
            RuntimeState::Loading {
                loaded,
                total: Some(total),
            } if *total > 0 => Some((*loaded as f64 / *total as f64).clamp(0.0, 1.0)),
            _ => None,
        }
    }

    /// Whether the runtime is ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, RuntimeState::Ready)
    }
}

/// Why a harness run could not happen at all (a run that happened but failed is a
/// [`polyrun_core::grading::Session`] with its [`polyrun_core::grading::SessionEnd`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// The language's runtime could not be loaded or does not start.
    #[error("the {} runtime is not available: {reason}", .language.display_name())]
    Runtime {
        /// The language.
        language: Language,
        /// What went wrong.
        reason: String,
    },
    /// The sandbox cannot run here (no browser page, or the sandbox frame is gone).
    #[error("the sandbox is not available: {0}")]
    Unavailable(String),
    /// The run was stopped ([`SandboxHost::stop`]) before it ended.
    #[error("the run was stopped")]
    Stopped,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_state_for_the_status_indicator() {
        assert_eq!(RuntimeState::Idle.data_state(), "idle");
        let loading = RuntimeState::Loading {
            loaded: 25,
            total: Some(100),
        };
        assert_eq!(loading.data_state(), "loading");
        assert_eq!(loading.progress(), Some(0.25));
        assert_eq!(
            RuntimeState::Loading {
                loaded: 25,
                total: None
            }
            .progress(),
            None
        );
        assert!(RuntimeState::Ready.is_ready());
        assert_eq!(RuntimeState::Error("x".into()).data_state(), "error");
    }

    #[test]
    fn errors_read_as_sentences() {
        let err = SandboxError::Runtime {
            language: Language::Python,
            reason: "the download failed".into(),
        };
        assert_eq!(
            err.to_string(),
            "the Python runtime is not available: the download failed"
        );
    }

    #[test]
    fn the_frame_carries_the_sandbox_policy() {
        assert!(SANDBOX_HTML.contains("connect-src 'none'"));
        assert!(SANDBOX_HTML.contains("worker-src blob:"));
        assert!(WORKER_JS.contains("lockDown"));
    }
}
