//! Where sessions run: never in the grader's own process, but in sandbox processes (the
//! grader's executable with [`SANDBOX_ARG`], an empty environment, two pipes). The grader
//! keeps each session's clock and output budget and kills the process at its deadline, so
//! wasm runs without the checks epoch interruption compiles into every loop and call.

mod child;
mod pool;
#[cfg(target_os = "linux")]
mod seccomp;
mod wire;

use std::time::{Duration, Instant};

use polyrun_core::Language;
use polyrun_core::grading::SessionEnd;
use tokio::sync::{OnceCell, Semaphore};

pub(crate) use child::Frames;
pub use child::{Relay, SANDBOX_ARG, sandbox_main};
use pool::Pool;
use wire::{FromSandbox, SessionRequest, ToSandbox};

use crate::sink::{SharedOutput, Watch};
use crate::{GraderConfig, GraderError};

/// How long a sandbox process may take to load a runtime (the first compile of the Python
/// component takes about 25 s on two cores; set-up makes it once and caches it).
const LOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// The grader: cheap to share (`Arc`), safe to use from many tasks at once.
pub struct Grader {
    pub(crate) config: GraderConfig,
    pub(crate) permits: Semaphore,
    pool: Pool,
    footprints: [OnceCell<usize>; 3],
}

/// What to run in a session, and its limits.
pub(crate) struct Spec {
    /// A whole program's source; `None`: the language's harness on `output`'s feed.
    pub whole: Option<String>,
    /// A whole program's standard input.
    pub stdin: Vec<u8>,
    /// Time limit of each phase (loading, each test; a whole program's run).
    pub time_limit: Duration,
    /// Memory beyond the runtime's footprint, in bytes.
    pub memory_limit: usize,
    /// When the grading this session belongs to must be over, if it is part of one.
    pub grading_end: Option<Instant>,
}

impl Grader {
    /// A grader with `config`; runtimes load on first use.
    pub fn new(config: GraderConfig) -> Result<Self, GraderError> {
        let setup = wire::Setup {
            runtimes_dir: absolute(&config.runtimes_dir),
            cache_dir: config.cache_dir.as_deref().map(absolute),
            cache_limit: config.cache_limit,
        };
        Ok(Grader {
            pool: Pool::new(config.sandbox_program.clone(), setup),
            permits: Semaphore::new(config.max_concurrent.max(1)),
            config,
            footprints: Default::default(),
        })
    }

    /// How the grader was configured.
    pub fn config(&self) -> &GraderConfig {
        &self.config
    }

    /// Loads every runtime now and starts a sandbox process for each sandbox that may run
    /// at once (a server does this before it accepts work).
    pub async fn warm_up(&self) -> Result<(), GraderError> {
        for language in Language::ALL {
            self.footprint(language).await?;
        }
        for _ in self.pool.idle()..self.config.max_concurrent {
            self.pool.add(&Language::ALL)?;
        }
        Ok(())
    }

    /// The memory a runtime holds after start-up, in bytes (what limits come on top of),
    /// measured once per compiled runtime by a sandbox process.
    pub async fn footprint(&self, language: Language) -> Result<usize, GraderError> {
        self.footprints[language as usize]
            .get_or_try_init(|| async {
                let mut sandbox = self.pool.take()?;
                if !sandbox.ready().await {
                    return Err(self.stopped());
                }
                sandbox.send(&ToSandbox::Load(language));
                loop {
                    match tokio::time::timeout(LOAD_TIMEOUT, sandbox.recv()).await {
                        Ok(Some(FromSandbox::Loaded(footprint))) => {
                            self.pool.give_back(sandbox);
                            return Ok(footprint);
                        }
                        Ok(Some(FromSandbox::Failed(failure))) => {
                            self.pool.give_back(sandbox);
                            return Err(failure.into());
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => return Err(self.stopped()),
                        Err(_) => {
                            sandbox.kill();
                            return Err(GraderError::Sandbox(format!(
                                "the {language} runtime did not load within {} s",
                                LOAD_TIMEOUT.as_secs()
                            )));
                        }
                    }
                }
            })
            .await
            .copied()
    }

    /// Runs one session in a sandbox process, its output into `output`, and returns how it
    /// ended and the peak of its linear memory in bytes.
    pub(crate) async fn session(
        &self,
        language: Language,
        spec: Spec,
        output: &SharedOutput,
    ) -> Result<(SessionEnd, usize), GraderError> {
        let mut sandbox = self.pool.take()?;
        if !sandbox.ready().await {
            return Err(self.stopped());
        }
        let mut feeding = spec.whole.is_none();
        let request = SessionRequest {
            language,
            whole: spec.whole,
            memory_limit: spec.memory_limit,
        };
        if !sandbox.send(&ToSandbox::Session(request, spec.stdin)) {
            return Err(self.stopped());
        }
        output.start_clock(spec.time_limit, spec.grading_end);
        let mut peak = 0;
        loop {
            let pool::Sandbox { outbound, inbound, .. } = &mut sandbox;
            tokio::select! {
                () = outbound.flush() => {}
                message = inbound.recv() => match message {
                    Some(FromSandbox::Output(fd, bytes)) => {
                        if !output.write(fd, &bytes) {
                            self.retire(sandbox);
                            return Ok((SessionEnd::OutputLimit, peak));
                        }
                    }
                    Some(FromSandbox::Peak(bytes)) => peak = peak.max(bytes),
                    Some(FromSandbox::End(end, bytes)) => {
                        self.pool.give_back(sandbox);
                        return Ok((end.into(), peak.max(bytes)));
                    }
                    Some(FromSandbox::Failed(failure)) => {
                        self.pool.give_back(sandbox);
                        return Err(failure.into());
                    }
                    Some(FromSandbox::Loaded(_)) => {}
                    None => {
                        self.retire(sandbox);
                        let reason = "the sandbox process stopped unexpectedly".to_string();
                        return Ok((SessionEnd::Crashed(reason), peak));
                    }
                },
                input = std::future::poll_fn(|cx| output.poll_input(cx, 64 << 10)), if feeding => {
                    let message = match input {
                        Some(bytes) => ToSandbox::Input(bytes),
                        None => {
                            feeding = false;
                            ToSandbox::InputEnd
                        }
                    };
                    outbound.send(&message);
                }
                stopped = watchdog(output) => {
                    self.retire(sandbox);
                    return Ok((stopped, peak));
                }
            }
        }
    }

    /// Kills a process whose session the grader stopped (or that stopped by itself) and
    /// starts one in its place, loading the runtimes this grader has used, so that the
    /// next session does not wait for it.
    fn retire(&self, sandbox: pool::Sandbox) {
        sandbox.kill();
        let languages: Vec<Language> = Language::ALL
            .into_iter()
            .filter(|l| self.footprints[*l as usize].initialized())
            .collect();
        if self.pool.idle() < self.config.max_concurrent
            && let Err(e) = self.pool.add(&languages)
        {
            eprintln!("polyrun: {e}");
        }
    }
}

impl Grader {
    /// A sandbox process stopped answering outside a session (loading, or before one).
    fn stopped(&self) -> GraderError {
        GraderError::Sandbox(format!(
            "`{} {SANDBOX_ARG}` stopped unexpectedly (a program using the grader library must \
             call `sandbox_main` when its first argument is `{SANDBOX_ARG}`)",
            self.config.sandbox_program.display()
        ))
    }
}

/// `path` made absolute against the current directory (the sandbox process gets it whole).
fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Resolves when the session must stop: its phase (loading, the test in flight, a whole
/// program) or the session as a whole ran past its deadline, or it wrote past its output
/// budget. Woken by every write that changes the deadlines, so that a test started after
/// the longer loading phase gets its own limit, not what was left of loading's.
async fn watchdog(output: &SharedOutput) -> SessionEnd {
    loop {
        let until = match output.watch() {
            Watch::TimeUp => return SessionEnd::TimeLimit,
            Watch::OverBudget => return SessionEnd::OutputLimit,
            Watch::Until(until) => until,
        };
        tokio::select! {
            () = tokio::time::sleep_until(until.into()) => {}
            () = output.changed() => {}
        }
    }
}
