//! The streams handed to the sandbox: stdout and stderr never block, never grow without
//! bound, and feed either a harness session's log or a whole program's output; a harness's
//! stdin hands over its header at once and each test's line only when the log releases it
//! (the source loaded, the test before answered), so that no code sees a test's arguments
//! before that test's clock starts.

use std::collections::VecDeque;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use polyrun_core::clock::PhaseClock;
use polyrun_core::grading::{LogEvent, SessionLog};
use polyrun_core::protocol::HarnessInput;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use wasmtime_wasi::cli::{IsTerminal, StdinStream, StdoutStream};
use wasmtime_wasi::p2::{InputStream, OutputStream, Pollable, StreamError};

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
    /// Inside a sandbox process: every byte goes to the grader, which judges it.
    Relay(crate::sandbox::Relay),
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
    /// A harness's stdin.
    feed: Feed,
}

/// A harness's stdin: bytes handed over and not read yet, the test lines still withheld,
/// and the readers waiting for more. Empty and with nothing withheld, it reads as the end.
#[derive(Default)]
struct Feed {
    ready: VecDeque<u8>,
    withheld: VecDeque<String>,
    released: usize,
    waiting: Vec<Waker>,
}

impl Feed {
    /// Hands over test lines until `due` of them are out.
    fn release(&mut self, due: usize) {
        while self.released < due {
            let Some(line) = self.withheld.pop_front() else {
                break;
            };
            self.ready.extend(line.as_bytes());
            self.released += 1;
        }
        for waker in self.waiting.drain(..) {
            waker.wake();
        }
    }
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
        Self::with_feed(destination, Feed::default())
    }

    /// Shared state for a harness session given `input`: its log, and a stdin that holds the
    /// header and releases each test's line when the log says it is due.
    pub fn harness(input: &HarnessInput) -> Self {
        let feed = Feed {
            ready: input.header_line().into_bytes().into(),
            withheld: input.test_lines().into(),
            ..Feed::default()
        };
        Self::with_feed(Destination::Harness(SessionLog::new(input)), feed)
    }

    /// Shared state inside a sandbox process: output relayed to the grader.
    pub fn relay(relay: crate::sandbox::Relay) -> Self {
        Self::new(Destination::Relay(relay))
    }

    /// The next bytes of stdin due to the reader (`Ready(None)`: the end), as
    /// [`Source`] reads them; `Pending` registers `cx`'s waker.
    pub fn poll_input(&self, cx: &mut Context<'_>, size: usize) -> Poll<Option<Vec<u8>>> {
        self.stdin().poll_take(size, Some(cx.waker()))
    }

    fn with_feed(destination: Destination, feed: Feed) -> Self {
        let shared = Shared {
            destination,
            clock: PhaseClock::whole(0, 0.0),
            epoch: Instant::now(),
            over_budget: false,
            feed,
        };
        SharedOutput(Arc::new((Mutex::new(shared), Notify::new())))
    }

    /// The harness's stdin ([`SharedOutput::harness`]).
    pub fn stdin(&self) -> Source {
        Source(self.clone())
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
    pub(crate) fn write(&self, fd: u8, bytes: &[u8]) -> bool {
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
                        shared.feed.release(log.released());
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
            Destination::Relay(relay) => return relay.output(fd, bytes),
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

/// A harness session's stdin ([`SharedOutput::stdin`]): a read waits until a line is
/// released, and reads the end once every line is out and read. A WASI stream of its own
/// (not an `AsyncRead` behind wasmtime's adapter task): the harness's read right after its
/// result record finds the line that record released, without a trip through the executor.
#[derive(Clone)]
pub struct Source(SharedOutput);

impl Source {
    /// Up to `size` bytes, as soon as some are ready: `Ready(Some(bytes))`, or `Ready(None)`
    /// at the end of the input. While lines are withheld and none is out, `waker` (if any)
    /// is registered and the answer is `Pending`.
    fn poll_take(&self, size: usize, waker: Option<&Waker>) -> Poll<Option<Vec<u8>>> {
        let mut shared = self.0.lock();
        let feed = &mut shared.feed;
        if feed.ready.is_empty() {
            if feed.withheld.is_empty() {
                return Poll::Ready(None);
            }
            if let Some(waker) = waker
                && !feed.waiting.iter().any(|w| w.will_wake(waker))
            {
                feed.waiting.push(waker.clone());
            }
            return Poll::Pending;
        }
        let n = size.min(feed.ready.len());
        Poll::Ready(Some(feed.ready.drain(..n).collect()))
    }
}

impl IsTerminal for Source {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for Source {
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        Box::new(self.clone())
    }

    fn p2_stream(&self) -> Box<dyn InputStream> {
        Box::new(self.clone())
    }
}

impl InputStream for Source {
    fn read(&mut self, size: usize) -> Result<Bytes, StreamError> {
        match self.poll_take(size, None) {
            Poll::Ready(Some(bytes)) => Ok(Bytes::from(bytes)),
            Poll::Ready(None) => Err(StreamError::Closed),
            Poll::Pending => Ok(Bytes::new()),
        }
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Source {
    async fn ready(&mut self) {
        std::future::poll_fn(|cx| self.poll_take(0, Some(cx.waker())).map(|_| ())).await;
    }
}

impl AsyncRead for Source {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        self.poll_take(buf.remaining(), Some(cx.waker())).map(|bytes| {
            if let Some(bytes) = bytes {
                buf.put_slice(&bytes);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use polyrun_core::protocol::{HarnessTest, Record, encode};
    use tokio::io::AsyncReadExt;

    use super::*;

    fn input() -> HarnessInput {
        HarnessInput {
            function: "f".into(),
            source: "src".into(),
            tests: (0..2)
                .map(|index| HarnessTest {
                    index,
                    args: format!("[{index}]"),
                })
                .collect(),
            output_cap: 100,
            memory_limit_mb: None,
        }
    }

    /// Reads what is ready, or `None` if a read would wait.
    fn try_read(source: &mut Source) -> Option<String> {
        match source.poll_take(1 << 20, None) {
            Poll::Ready(bytes) => Some(String::from_utf8(bytes.unwrap_or_default()).unwrap()),
            Poll::Pending => None,
        }
    }

    #[tokio::test]
    async fn each_tests_line_is_released_when_the_test_before_answers() {
        let input = input();
        let lines = input.test_lines();
        let output = SharedOutput::harness(&input);
        let mut source = output.stdin();
        assert_eq!(try_read(&mut source), Some(input.header_line()));
        assert_eq!(try_read(&mut source), None, "no test before the source loaded");
        assert!(InputStream::read(&mut source, 10).unwrap().is_empty());

        // A reader waiting for the next line is woken by the record that releases it.
        let mut waiting = source.clone();
        let reader = tokio::spawn(async move {
            let mut buf = vec![0; lines[0].len()];
            waiting.read_exact(&mut buf).await.map(|_| buf)
        });
        tokio::task::yield_now().await;
        assert!(!reader.is_finished());
        assert!(output.write(1, &encode(&Record::Loaded)));
        let got = reader.await.unwrap().unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), input.test_lines()[0]);

        // A forged start releases nothing; the first result does; a second one nothing more.
        assert!(output.write(1, &encode(&Record::Start { index: 0 })));
        assert!(output.write(1, &encode(&Record::Start { index: 1 })));
        assert_eq!(try_read(&mut source), None);
        let result = Record::returned(0, &serde_json::json!(0), 1.0);
        assert!(output.write(1, &encode(&result)));
        assert_eq!(try_read(&mut source), Some(input.test_lines()[1].clone()));
        assert!(output.write(1, &encode(&result)));
        // Every line is out and read: the end of the input.
        assert_eq!(try_read(&mut source), Some(String::new()));
        assert!(matches!(InputStream::read(&mut source, 10), Err(StreamError::Closed)));
    }
}
