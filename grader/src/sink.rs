//! Output streams handed to the sandbox as stdout and stderr: they never block, never grow
//! without bound, and feed either a harness session's log or a whole program's output.

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use polyrun_core::clock::PhaseClock;
use polyrun_core::grading::{LogEvent, SessionLog};
use tokio::io::AsyncWrite;
use tokio::sync::Notify;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Where a session's output goes.
pub enum Destination {
    /// A harness: records and stray bytes go to the log; progress starts the clock's next
    /// phase; a write past the session's output budget stops the session.
    Harness(SessionLog),
    /// A whole program: bytes are collected up to a cap (the rest is counted).
    Collect {
        /// Stdout kept.
        stdout: Vec<u8>,
        /// Stderr kept.
        stderr: Vec<u8>,
        /// Bytes past the cap.
        dropped: u64,
        /// The cap, per stream.
        cap: usize,
    },
    /// A whole program on a terminal: bytes are written through, up to a cap per stream.
    Forward {
        /// Bytes still allowed on stdout and on stderr.
        left: [u64; 2],
        /// Bytes past the budget.
        dropped: u64,
    },
}

/// State shared by a session's stdout, stderr and its watchdog.
pub struct Shared {
    /// Where output goes.
    pub destination: Destination,
    /// The session's deadlines (core's phase clock, in milliseconds since `epoch`).
    clock: PhaseClock,
    /// When the session started.
    epoch: Instant,
    /// The session wrote past its output budget.
    pub over_budget: bool,
}

/// A handle on [`Shared`], and the watchdog's wake-up call.
#[derive(Clone)]
pub struct SharedOutput(Arc<(Mutex<Shared>, Notify)>);

/// What the watchdog is to do now.
pub enum Watch {
    /// Wait until this instant, or until woken.
    Until(Instant),
    /// The session ran past its deadline.
    TimeUp,
    /// The session wrote past its output budget.
    OverBudget,
}

impl SharedOutput {
    /// Shared state for a session; its clock starts with [`SharedOutput::start_clock`].
    pub fn new(destination: Destination) -> Self {
        let shared = Shared {
            destination,
            clock: PhaseClock::whole(0, 0.0),
            epoch: Instant::now(),
            over_budget: false,
        };
        SharedOutput(Arc::new((Mutex::new(shared), Notify::new())))
    }

    /// Locks the state (a poisoned lock still holds usable data).
    pub fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the session's clock now: a harness's phases (loading, then each test it was
    /// sent), or one phase for a whole program.
    /// `end`: when the grading the session belongs to must be over.
    pub fn start_clock(&self, limit: Duration, end: Option<Instant>) {
        let mut shared = self.lock();
        let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        let now = Instant::now();
        let clock = match &shared.destination {
            Destination::Harness(log) => PhaseClock::harness(limit_ms, log.tests(), 0.0),
            _ => PhaseClock::whole(limit_ms, 0.0),
        };
        shared.clock = match end {
            Some(end) => clock.until(end.saturating_duration_since(now).as_secs_f64() * 1000.0),
            None => clock,
        };
        shared.epoch = now;
    }

    /// What the watchdog is to do.
    pub fn watch(&self) -> Watch {
        let shared = self.lock();
        if shared.over_budget {
            return Watch::OverBudget;
        }
        let deadline = shared.clock.deadline_ms();
        let elapsed = shared.epoch.elapsed().as_secs_f64() * 1000.0;
        if elapsed >= deadline {
            return Watch::TimeUp;
        }
        Watch::Until(shared.epoch + Duration::from_secs_f64(deadline.max(0.0) / 1000.0))
    }

    /// Resolves when a write changed the deadlines (progress, or the budget spent).
    pub async fn changed(&self) {
        self.0.1.notified().await;
    }

    /// A stream for file descriptor `fd` (1 or 2).
    pub fn stream(&self, fd: u8) -> Sink {
        Sink {
            shared: self.clone(),
            fd,
        }
    }

    /// Takes a write; false once the session is over its output budget (the write then
    /// traps, so that the session stops at once).
    fn write(&self, fd: u8, bytes: &[u8]) -> bool {
        let mut shared = self.lock();
        let shared = &mut *shared;
        match &mut shared.destination {
            Destination::Harness(log) => {
                let event = if fd == 1 { log.stdout(bytes) } else { log.stderr(bytes) };
                match event {
                    LogEvent::Nothing => {}
                    LogEvent::Progress => {
                        let now = shared.epoch.elapsed().as_secs_f64() * 1000.0;
                        shared.clock.progress(now);
                        self.0.1.notify_one();
                    }
                    LogEvent::OverBudget => {
                        shared.over_budget = true;
                        self.0.1.notify_one();
                        return false;
                    }
                }
            }
            Destination::Collect {
                stdout,
                stderr,
                dropped,
                cap,
            } => {
                let buf = if fd == 1 { stdout } else { stderr };
                let take = cap.saturating_sub(buf.len()).min(bytes.len());
                buf.extend_from_slice(&bytes[..take]);
                *dropped += (bytes.len() - take) as u64;
            }
            Destination::Forward { left, dropped } => {
                let budget = &mut left[usize::from(fd != 1)];
                let take = (*budget).min(bytes.len() as u64) as usize;
                *budget -= take as u64;
                *dropped += (bytes.len() - take) as u64;
                // The host's own stdout failing (a closed pipe) must not stop the sandbox.
                let _ = if fd == 1 {
                    std::io::stdout().lock().write_all(&bytes[..take])
                } else {
                    std::io::stderr().lock().write_all(&bytes[..take])
                };
            }
        }
        true
    }
}

/// One of a session's output streams.
#[derive(Clone)]
pub struct Sink {
    shared: SharedOutput,
    fd: u8,
}

impl IsTerminal for Sink {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for Sink {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// How much one write may hand over (more than the session's whole output budget, which
/// `write` enforces). A smaller permit splits a large write: CPython for WASI 0.2 loses the
/// rest of a write its libc could only pass on in part.
const PERMIT: usize = 16 << 20;

#[wasmtime_wasi::async_trait]
impl OutputStream for Sink {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        if self.shared.write(self.fd, &bytes) {
            Ok(())
        } else {
            Err(StreamError::trap("the session wrote past its output budget"))
        }
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Sink {
    async fn ready(&mut self) {}
}

impl AsyncWrite for Sink {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        if self.shared.write(self.fd, buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(std::io::Error::other("the session wrote past its output budget")))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
