//! The sandbox process (`polyrun __sandbox`): reads frames from the grader on stdin, runs
//! each session it is sent in wasmtime, and streams its output, memory peaks and end back
//! on stdout. It keeps no clock; the grader kills it at a session's deadline.

use std::io::Write;
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use polyrun_core::grading::SessionEnd;
use tokio::sync::mpsc;

use super::wire::{End, FromSandbox, OUTPUT_PIECE, SessionRequest, ToSandbox, read_frame};
use crate::engine::Host;
use crate::session::{Program, run_session};
use crate::sink::SharedOutput;

/// The first argument that makes `polyrun` a sandbox process.
pub const SANDBOX_ARG: &str = "__sandbox";

/// How often a sandbox process checks that the grader that started it is still there (one
/// that died without closing its pipes must not leave a program spinning).
const PARENT_CHECK: Duration = Duration::from_millis(250);

/// How much a session's memory grows before the grader is told (it hears the exact peak
/// with the session's end; one it kills first reports at most this much less).
const PEAK_STEP: usize = 1 << 20;

/// The grader's end of a sandbox process's stdout: whole frames, one writer at a time.
#[derive(Clone)]
pub struct Relay(Arc<Mutex<std::fs::File>>);

impl Relay {
    /// Sends one message; false if the grader is gone.
    pub(crate) fn send(&self, message: &FromSandbox) -> bool {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(&message.encode()).is_ok()
    }

    /// Relays a session's output on `fd`, in pieces; false if the grader is gone.
    pub(crate) fn output(&self, fd: u8, bytes: &[u8]) -> bool {
        bytes
            .chunks(OUTPUT_PIECE)
            .all(|piece| self.send(&FromSandbox::Output(fd, piece.to_vec())))
    }
}

/// Runs this process as a sandbox process until the grader closes its stdin.
pub fn sandbox_main() -> ExitCode {
    let parent = std::os::unix::process::parent_id();
    let watcher = std::thread::Builder::new()
        .name("polyrun-parent".into())
        .spawn(move || {
            loop {
                std::thread::sleep(PARENT_CHECK);
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(137);
                }
            }
        });
    let descriptors = (
        std::io::stdin().as_fd().try_clone_to_owned(),
        std::io::stdout().as_fd().try_clone_to_owned(),
    );
    let (Ok(_), Ok(input), Ok(output)) = (watcher, descriptors.0, descriptors.1) else {
        eprintln!("polyrun sandbox: cannot set up");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("polyrun sandbox: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let relay = Relay(Arc::new(Mutex::new(std::fs::File::from(output))));
    runtime.block_on(serve(std::fs::File::from(input), relay))
}

/// What the reader hands the session loop.
enum Work {
    Setup(super::wire::Setup),
    Load(polyrun_core::Language),
    Session(SessionRequest, Vec<u8>, SharedOutput),
}

async fn serve(input: std::fs::File, relay: Relay) -> ExitCode {
    let mut input = match tokio::net::unix::pipe::Receiver::from_file(input) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("polyrun sandbox: stdin is not a pipe from the grader: {e}");
            return ExitCode::from(2);
        }
    };
    // The session whose stdin `Input` frames feed. Set by the reader when it reads the
    // session's frame (the input that follows is the session's), cleared before its end is
    // sent (input the grader sent before it saw the end is dropped).
    let current: Arc<Mutex<Option<SharedOutput>>> = Arc::default();
    let (work_tx, mut work) = mpsc::unbounded_channel();
    let reader_current = current.clone();
    let reader_relay = relay.clone();
    tokio::spawn(async move {
        let current = reader_current;
        loop {
            let (tag, payload) = match read_frame(&mut input).await {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => {
                    eprintln!("polyrun sandbox: {e}");
                    break;
                }
            };
            let feed = || current.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let job = match ToSandbox::decode(tag, payload) {
                Ok(ToSandbox::Input(bytes)) => {
                    if let Some(output) = feed() {
                        output.push_input(&bytes);
                    }
                    continue;
                }
                Ok(ToSandbox::InputEnd) => {
                    if let Some(output) = feed() {
                        output.close_input();
                    }
                    continue;
                }
                Ok(ToSandbox::Setup(setup)) => Work::Setup(setup),
                Ok(ToSandbox::Load(language)) => Work::Load(language),
                Ok(ToSandbox::Session(request, stdin)) => {
                    let output = SharedOutput::relay(reader_relay.clone());
                    *current.lock().unwrap_or_else(|e| e.into_inner()) = Some(output.clone());
                    Work::Session(request, stdin, output)
                }
                Err(e) => {
                    eprintln!("polyrun sandbox: {e}");
                    break;
                }
            };
            if work_tx.send(job).is_err() {
                break;
            }
        }
    });

    let mut host: Option<Host> = None;
    while let Some(job) = work.recv().await {
        match job {
            Work::Setup(setup) => match Host::new(setup.runtimes_dir, setup.cache_dir, setup.cache_limit) {
                Ok(made) => host = Some(made),
                Err(e) => {
                    relay.send(&FromSandbox::Failed((&e).into()));
                }
            },
            Work::Load(language) => {
                let answer = match loaded(&host, language).await {
                    Ok(runtime) => FromSandbox::Loaded(runtime.footprint),
                    Err(failure) => FromSandbox::Failed(failure),
                };
                relay.send(&answer);
            }
            Work::Session(request, stdin, output) => {
                let runtime = match loaded(&host, request.language).await {
                    Ok(runtime) => runtime,
                    Err(failure) => {
                        *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
                        relay.send(&FromSandbox::Failed(failure));
                        continue;
                    }
                };
                let Some(host) = &host else { continue };
                let (program, stdin) = match &request.whole {
                    Some(source) => (Program::Whole(source), Some(stdin)),
                    None => (Program::Harness, None),
                };
                let peaks = relay.clone();
                let mut told = 0;
                let on_peak = Box::new(move |bytes: usize| {
                    // The exact peak comes with the end; meanwhile, to within a step.
                    if bytes >= told + PEAK_STEP {
                        told = bytes;
                        peaks.send(&FromSandbox::Peak(bytes));
                    }
                });
                let memory_cap = runtime.footprint.saturating_add(request.memory_limit);
                let spec = crate::session::Spec {
                    program,
                    stdin,
                    memory_cap,
                    on_peak: Some(on_peak),
                };
                let (end, stats) = run_session(host, request.language, &runtime, spec, &output).await;
                *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
                relay.send(&FromSandbox::End(wire_end(end), stats.peak_memory));
            }
        }
    }
    ExitCode::SUCCESS
}

async fn loaded(
    host: &Option<Host>,
    language: polyrun_core::Language,
) -> Result<Arc<crate::engine::Runtime>, super::wire::Failure> {
    match host {
        Some(host) => host.runtime(language).await.map_err(|e| (&e).into()),
        None => Err(super::wire::Failure::Engine(
            "the sandbox process was not set up".into(),
        )),
    }
}

/// How a session ended, for the grader. Time and output limits are the grader's to see: a
/// sandbox process never ends a session for them.
fn wire_end(end: SessionEnd) -> End {
    match end {
        SessionEnd::Exited(status) => End::Exited(status),
        SessionEnd::MemoryLimit => End::MemoryLimit,
        SessionEnd::StackOverflow => End::StackOverflow,
        SessionEnd::Crashed(reason) => End::Crashed(reason),
        other => End::Crashed(format!("the session ended as {other:?}")),
    }
}
