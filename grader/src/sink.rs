//! Output streams handed to the sandbox as stdout and stderr: they never block, never grow
//! without bound, and feed either a harness session's log or a whole program's output.

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use polyrun_core::grading::SessionLog;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Where a session's output goes.
pub enum Destination {
    /// A harness: records and stray bytes go to the log; progress restarts the test clock.
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
    /// A whole program on a terminal: bytes are written through, up to a cap in all.
    Forward {
        /// Bytes still allowed.
        budget: u64,
        /// Bytes past the budget.
        dropped: u64,
    },
}

/// State shared by a session's stdout, stderr and its watchdog.
pub struct Shared {
    /// Where output goes.
    pub destination: Destination,
    /// When the current phase (loading, or the test in flight) started.
    pub phase_started: Instant,
}

/// A handle on [`Shared`].
#[derive(Clone)]
pub struct SharedOutput(Arc<Mutex<Shared>>);

impl SharedOutput {
    /// Shared state for a session starting now.
    pub fn new(destination: Destination) -> Self {
        SharedOutput(Arc::new(Mutex::new(Shared {
            destination,
            phase_started: Instant::now(),
        })))
    }

    /// Locks the state (a poisoned lock still holds usable data).
    pub fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A stream for file descriptor `fd` (1 or 2).
    pub fn stream(&self, fd: u8) -> Sink {
        Sink {
            shared: self.clone(),
            fd,
        }
    }

    fn write(&self, fd: u8, bytes: &[u8]) {
        let mut shared = self.lock();
        let shared = &mut *shared;
        match &mut shared.destination {
            Destination::Harness(log) => {
                if fd == 1 {
                    if log.stdout(bytes) {
                        shared.phase_started = Instant::now();
                    }
                } else {
                    log.stderr(bytes);
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
            Destination::Forward { budget, dropped } => {
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

/// Writes are accepted in chunks of at most this many bytes.
const PERMIT: usize = 64 * 1024;

#[wasmtime_wasi::async_trait]
impl OutputStream for Sink {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.shared.write(self.fd, &bytes);
        Ok(())
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
        self.shared.write(self.fd, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
