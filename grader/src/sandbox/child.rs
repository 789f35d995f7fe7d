//! The sandbox process (`polyrun __sandbox`): reads frames from the grader on stdin, runs
//! each session it is sent in wasmtime, and streams its output, memory peaks and end back
//! on stdout. It keeps no clock; the grader kills it at a session's deadline. It does one
//! thing at a time, so it reads and writes its pipes blocking: a harness waiting for its
//! next test's line waits in `read`, with no event loop between it and the grader.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use polyrun_core::grading::SessionEnd;
use tokio::io::{AsyncRead, ReadBuf};
use wasmtime_wasi::cli::{IsTerminal, StdinStream};
use wasmtime_wasi::p2::{InputStream, Pollable, StreamError};

use super::wire::{End, Failure, FromSandbox, MAX_PAYLOAD, MAX_REASON, OUTPUT_PIECE, ToSandbox};
use crate::engine::{Host, Runtime};
use crate::session::{Program, Spec, Stdin, run_session};
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

/// The grader's end of a sandbox process's stdin: frames read when they are needed.
#[derive(Clone)]
pub(crate) struct Frames(Arc<Mutex<Inbox>>);

struct Inbox {
    pipe: std::fs::File,
    /// The session's stdin handed over and not read yet.
    input: VecDeque<u8>,
    /// The session's stdin ended (or the grader is gone).
    ended: bool,
}

impl Inbox {
    /// The next frame's message; `None` when the grader closed the pipe or wrote something
    /// that is not a frame.
    fn next(&mut self) -> Option<ToSandbox> {
        let mut head = [0u8; 5];
        self.pipe.read_exact(&mut head).ok()?;
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > MAX_PAYLOAD {
            return None;
        }
        let mut payload = vec![0; len];
        self.pipe.read_exact(&mut payload).ok()?;
        ToSandbox::decode(head[0], payload).ok()
    }

    /// Up to `size` bytes of the session's stdin, waiting for the grader if none are here;
    /// `None` at its end.
    fn take(&mut self, size: usize) -> Option<Vec<u8>> {
        while self.input.is_empty() && !self.ended {
            match self.next() {
                Some(ToSandbox::Input(bytes)) => self.input.extend(bytes),
                // The end of the input, or the grader gone or confused: nothing more comes.
                _ => self.ended = true,
            }
        }
        if self.input.is_empty() {
            return None;
        }
        let n = size.min(self.input.len());
        Some(self.input.drain(..n).collect())
    }
}

impl Frames {
    fn new(pipe: std::fs::File) -> Self {
        Frames(Arc::new(Mutex::new(Inbox {
            pipe,
            input: VecDeque::new(),
            ended: true,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inbox> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next request; input left over from a session that ended is dropped.
    fn next_request(&self) -> Option<ToSandbox> {
        loop {
            match self.lock().next()? {
                ToSandbox::Input(_) | ToSandbox::InputEnd => {}
                request => return Some(request),
            }
        }
    }

    /// A new session's stdin, fed by the frames that follow its request.
    fn session_stdin(&self) -> Self {
        let mut inbox = self.lock();
        inbox.input.clear();
        inbox.ended = false;
        self.clone()
    }

    fn take(&self, size: usize) -> Option<Vec<u8>> {
        self.lock().take(size)
    }
}

impl IsTerminal for Frames {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for Frames {
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn InputStream> {
        Box::new(self.clone())
    }
}

impl InputStream for Frames {
    fn read(&mut self, size: usize) -> Result<Bytes, StreamError> {
        match self.take(size) {
            Some(bytes) => Ok(Bytes::from(bytes)),
            None => Err(StreamError::Closed),
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Frames {
    /// Always ready: a read waits for the grader itself.
    async fn ready(&mut self) {}
}

impl AsyncRead for Frames {
    fn poll_read(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if let Some(bytes) = self.take(buf.remaining()) {
            buf.put_slice(&bytes);
        }
        Poll::Ready(Ok(()))
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
    #[cfg(target_os = "linux")]
    if let Err(e) = super::seccomp::confine() {
        // The wasm sandbox still holds; the second wall is missing, and the log says so.
        eprintln!("polyrun sandbox: no system-call filter: {e}");
    }
    let frames = Frames::new(std::fs::File::from(input));
    let relay = Relay(Arc::new(Mutex::new(std::fs::File::from(output))));
    let mut host: Option<Host> = None;
    while let Some(request) = frames.next_request() {
        match request {
            ToSandbox::Setup(setup) => match Host::new(setup.runtimes_dir, setup.cache_dir, setup.cache_limit) {
                Ok(made) => host = Some(made),
                Err(e) => {
                    relay.send(&FromSandbox::Failed((&e).into()));
                }
            },
            ToSandbox::Load(language) => {
                let answer = match runtime.block_on(loaded(&host, language)) {
                    Ok(runtime) => FromSandbox::Loaded(runtime.footprint),
                    Err(failure) => FromSandbox::Failed(failure),
                };
                relay.send(&answer);
            }
            ToSandbox::Session(request, stdin) => {
                let language_runtime = match runtime.block_on(loaded(&host, request.language)) {
                    Ok(language_runtime) => language_runtime,
                    Err(failure) => {
                        relay.send(&FromSandbox::Failed(failure));
                        continue;
                    }
                };
                // Loaded, so set up.
                let Some(made) = &host else { continue };
                let (program, stdin) = match &request.whole {
                    Some(source) => (Program::Whole(source), Stdin::Bytes(stdin)),
                    None => (Program::Harness, Stdin::Grader(frames.session_stdin())),
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
                let spec = Spec {
                    program,
                    stdin,
                    memory_cap: language_runtime.footprint.saturating_add(request.memory_limit),
                    on_peak: Some(on_peak),
                };
                let output = SharedOutput::relay(relay.clone());
                let session = run_session(made, request.language, &language_runtime, spec, &output);
                let (end, stats) = runtime.block_on(session);
                relay.send(&FromSandbox::End(wire_end(end), stats.peak_memory));
            }
            ToSandbox::Input(_) | ToSandbox::InputEnd => {}
        }
    }
    ExitCode::SUCCESS
}

async fn loaded(host: &Option<Host>, language: polyrun_core::Language) -> Result<Arc<Runtime>, Failure> {
    match host {
        Some(host) => host.runtime(language).await.map_err(|e| (&e).into()),
        None => Err(Failure::Engine("the sandbox process was not set up".into())),
    }
}

/// How a session ended, for the grader. Time and output limits are the grader's to see: a
/// sandbox process never ends a session for them.
fn wire_end(end: SessionEnd) -> End {
    match end {
        SessionEnd::Exited(status) => End::Exited(status),
        SessionEnd::MemoryLimit => End::MemoryLimit,
        SessionEnd::StackOverflow => End::StackOverflow,
        SessionEnd::Crashed(reason) => End::Crashed(clip(reason)),
        other => End::Crashed(format!("the session ended as {other:?}")),
    }
}

/// `reason` cut to [`MAX_REASON`] bytes at a character boundary.
fn clip(mut reason: String) -> String {
    if reason.len() > MAX_REASON {
        let mut cut = MAX_REASON;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
        reason.push('…');
    }
    reason
}
