//! The grader's sandbox processes: started from the grader's own executable with an empty
//! environment, kept warm between sessions, killed at a session's deadline (and replaced).

use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;

use polyrun_core::Language;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};

use super::child::SANDBOX_ARG;
use super::wire::{FromSandbox, Setup, ToSandbox, frame_at};
use crate::GraderError;

/// One sandbox process and its two pipes, read and written by the task using it (no task
/// in between: a test's result and the next test's line each cross one pipe, not a channel
/// and a pipe). Both halves never wait to write: what a full pipe cannot take yet waits
/// in `Outbound`, so a process blocked on its output can always be read.
pub(crate) struct Sandbox {
    process: Child,
    /// Frames to the process.
    pub(crate) outbound: Outbound,
    /// Frames from the process.
    pub(crate) inbound: Inbound,
    /// Runtimes it was asked to load and has not answered for yet.
    loading: usize,
}

/// The writing half of a [`Sandbox`].
pub(crate) struct Outbound {
    pipe: pipe::Sender,
    unsent: Vec<u8>,
    broken: bool,
}

/// The reading half of a [`Sandbox`].
pub(crate) struct Inbound {
    pipe: pipe::Receiver,
    received: Vec<u8>,
}

impl Outbound {
    /// Queues `message` and writes what the pipe takes now; false if the process is gone.
    pub(crate) fn send(&mut self, message: &ToSandbox) -> bool {
        self.unsent.extend_from_slice(&message.encode());
        self.write_some()
    }

    fn write_some(&mut self) -> bool {
        while !self.unsent.is_empty() && !self.broken {
            match self.pipe.try_write(&self.unsent) {
                Ok(n) => {
                    self.unsent.drain(..n);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(_) => self.broken = true,
            }
        }
        !self.broken
    }

    /// Resolves when more of what waits could be written (never, when nothing waits).
    pub(crate) async fn flush(&mut self) {
        if self.unsent.is_empty() || self.broken {
            return std::future::pending().await;
        }
        match self.pipe.writable().await {
            Ok(()) => {
                self.write_some();
            }
            Err(_) => self.broken = true,
        }
    }
}

impl Inbound {
    /// The next message; `None` once the process is gone (or wrote something that is not
    /// a frame). Cancel-safe: bytes read stay in the buffer.
    pub(crate) async fn recv(&mut self) -> Option<FromSandbox> {
        loop {
            if let Some(message) = self.take() {
                return message;
            }
            if self.pipe.readable().await.is_err() {
                return None;
            }
            self.received.reserve(64 << 10);
            match self.pipe.try_read_buf(&mut self.received) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return None,
            }
        }
    }

    /// A whole frame from the buffer: `Some(None)` if it is not a frame.
    fn take(&mut self) -> Option<Option<FromSandbox>> {
        let (tag, payload) = match frame_at(&self.received) {
            Ok(found) => found?,
            Err(_) => return Some(None),
        };
        let end = payload.end;
        let message = FromSandbox::decode(tag, self.received[payload].to_vec()).ok();
        self.received.drain(..end);
        Some(message)
    }
}

impl Sandbox {
    /// Sends `message`; false if the process is gone.
    pub(crate) fn send(&mut self, message: &ToSandbox) -> bool {
        self.outbound.send(message)
    }

    /// The next message, writing what waits meanwhile; `None` once the process is gone.
    pub(crate) async fn recv(&mut self) -> Option<FromSandbox> {
        let Sandbox { outbound, inbound, .. } = self;
        loop {
            tokio::select! {
                message = inbound.recv() => return message,
                () = outbound.flush() => {}
            }
        }
    }

    /// Waits until the runtimes it was asked to load are loaded (a failure to load is the
    /// session's to report: the process answers it again), so that no session's clock
    /// starts while its process is still loading. False if the process is gone.
    pub(crate) async fn ready(&mut self) -> bool {
        while self.loading > 0 {
            match self.recv().await {
                Some(FromSandbox::Loaded(_) | FromSandbox::Failed(_)) => self.loading -= 1,
                Some(_) => {}
                None => return false,
            }
        }
        true
    }

    /// Kills the process now (it is reaped in the background).
    pub(crate) fn kill(mut self) {
        let _ = self.process.start_kill();
    }

    fn alive(&mut self) -> bool {
        matches!(self.process.try_wait(), Ok(None)) && !self.outbound.broken
    }
}

/// Sandbox processes ready for work.
pub(crate) struct Pool {
    program: PathBuf,
    setup: Setup,
    idle: Mutex<Vec<Sandbox>>,
}

impl Pool {
    pub(crate) fn new(program: PathBuf, setup: Setup) -> Self {
        Pool {
            program,
            setup,
            idle: Mutex::default(),
        }
    }

    /// A ready process: an idle one, or a new one.
    pub(crate) fn take(&self) -> Result<Sandbox, GraderError> {
        loop {
            let next = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match next {
                Some(mut sandbox) => {
                    if sandbox.alive() {
                        return Ok(sandbox);
                    }
                }
                None => return self.spawn(),
            }
        }
    }

    /// Puts a process whose session ended by itself back.
    pub(crate) fn give_back(&self, sandbox: Sandbox) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(sandbox);
    }

    /// Starts a process that loads `languages` before anything else, and keeps it idle.
    pub(crate) fn add(&self, languages: &[Language]) -> Result<(), GraderError> {
        let mut sandbox = self.spawn()?;
        for language in languages {
            sandbox.send(&ToSandbox::Load(*language));
        }
        sandbox.loading = languages.len();
        self.give_back(sandbox);
        Ok(())
    }

    /// How many processes are idle.
    pub(crate) fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn spawn(&self) -> Result<Sandbox, GraderError> {
        let mut command = Command::new(&self.program);
        command
            .arg(SANDBOX_ARG)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut process = command
            .spawn()
            .map_err(|e| GraderError::Sandbox(format!("cannot start {} {SANDBOX_ARG}: {e}", self.program.display())))?;
        let (Some(stdin), Some(stdout)) = (process.stdin.take(), process.stdout.take()) else {
            return Err(GraderError::Sandbox("a sandbox process without its pipes".into()));
        };
        let pipes = stdin
            .into_owned_fd()
            .and_then(pipe::Sender::from_owned_fd)
            .and_then(|input| Ok((input, stdout.into_owned_fd().and_then(pipe::Receiver::from_owned_fd)?)));
        let (input, output) = pipes.map_err(|e| GraderError::Sandbox(format!("the sandbox process's pipes: {e}")))?;
        let mut sandbox = Sandbox {
            process,
            outbound: Outbound {
                pipe: input,
                unsent: Vec::new(),
                broken: false,
            },
            inbound: Inbound {
                pipe: output,
                received: Vec::new(),
            },
            loading: 0,
        };
        sandbox.send(&ToSandbox::Setup(self.setup.clone()));
        Ok(sandbox)
    }
}
