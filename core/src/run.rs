//! How a whole program's run ends and what is kept of its output, written once for the
//! grader (`polyrun run`, `POST /api/v1/run`) and the browser's playground: exit status
//! (the program's own, 124 on the time limit, 137 on the memory limit, 1 for a crash), the
//! one-line reason, and each stream kept up to a cap with a visible marker.

use crate::grading::SessionEnd;
use crate::language::Language;
use crate::report::{RunReport, RunStatus};

/// Exit status of a program stopped at the time limit (as `timeout(1)`).
pub const EXIT_TIME_LIMIT: i32 = 124;
/// Exit status of a program stopped at the memory limit (as a SIGKILL).
pub const EXIT_MEMORY_LIMIT: i32 = 137;

/// How a run ended, as `polyrun run` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// The exit status.
    pub exit_code: i32,
    /// How it ended.
    pub status: RunStatus,
    /// The host's one-line reason (shown as `polyrun: <note>` on stderr), if any.
    pub note: Option<String>,
}

impl RunEnd {
    /// The end of a `language` program's session under these limits.
    pub fn of(language: Language, end: SessionEnd, time_limit_ms: u128, memory_limit_mb: u64) -> Self {
        let (exit_code, status, note) = match end {
            SessionEnd::Exited(code) => (code, RunStatus::Ok, None),
            SessionEnd::TimeLimit => (
                EXIT_TIME_LIMIT,
                RunStatus::TimeLimitExceeded,
                Some(format!("time limit exceeded ({time_limit_ms} ms)")),
            ),
            SessionEnd::MemoryLimit => (
                EXIT_MEMORY_LIMIT,
                RunStatus::MemoryLimitExceeded,
                Some(format!("memory limit exceeded ({memory_limit_mb} MB)")),
            ),
            SessionEnd::StackOverflow => {
                let (kind, message) = language.stack_overflow_error();
                (1, RunStatus::Ok, Some(format!("{kind}: {message}")))
            }
            SessionEnd::Crashed(what) => (1, RunStatus::Ok, Some(what)),
            // Whole programs' output is capped per stream, never stopped.
            SessionEnd::OutputLimit => (1, RunStatus::Ok, Some("output limit exceeded".to_owned())),
        };
        RunEnd {
            exit_code,
            status,
            note,
        }
    }
}

/// The report of a run whose output was collected: `dropped` bytes past the cap are told
/// by a marker at the end of stdout, the end's note closes stderr.
pub fn collected_report(stdout: &[u8], stderr: &[u8], dropped: u64, end: RunEnd, time_ms: f64) -> RunReport {
    let mut out = String::from_utf8_lossy(stdout).into_owned();
    if dropped > 0 {
        out.push_str(&format!("\n[output truncated: {dropped} more bytes not shown]\n"));
    }
    let mut err = String::from_utf8_lossy(stderr).into_owned();
    if let Some(note) = end.note {
        if !err.is_empty() && !err.ends_with('\n') {
            err.push('\n');
        }
        err.push_str(&format!("polyrun: {note}\n"));
    }
    RunReport {
        stdout: out,
        stderr: err,
        exit_code: end.exit_code,
        time_ms,
        status: end.status,
        memory_kb: None,
    }
}

/// A program's stdout and stderr as they come, each kept up to a cap (the rest counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOutput {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    dropped: u64,
    cap: usize,
}

impl RunOutput {
    /// Keeps up to `cap` bytes of each stream.
    pub fn new(cap: usize) -> Self {
        RunOutput {
            cap,
            ..RunOutput::default()
        }
    }

    /// `bytes` written on `fd` (1 stdout, anything else stderr).
    pub fn push(&mut self, fd: u8, bytes: &[u8]) {
        let buf = if fd == 1 { &mut self.stdout } else { &mut self.stderr };
        let take = self.cap.saturating_sub(buf.len()).min(bytes.len());
        buf.extend_from_slice(&bytes[..take]);
        self.dropped += (bytes.len() - take) as u64;
    }

    /// The report of the run.
    pub fn report(&self, end: RunEnd, time_ms: f64) -> RunReport {
        collected_report(&self.stdout, &self.stderr, self.dropped, end, time_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_exit_as_timeout_and_sigkill_do() {
        let time = RunEnd::of(Language::Python, SessionEnd::TimeLimit, 1000, 256);
        assert_eq!((time.exit_code, time.status), (124, RunStatus::TimeLimitExceeded));
        assert_eq!(time.note.as_deref(), Some("time limit exceeded (1000 ms)"));
        let memory = RunEnd::of(Language::Ruby, SessionEnd::MemoryLimit, 1000, 256);
        assert_eq!((memory.exit_code, memory.status), (137, RunStatus::MemoryLimitExceeded));
        let own = RunEnd::of(Language::Javascript, SessionEnd::Exited(3), 1000, 256);
        assert_eq!((own.exit_code, own.status, own.note), (3, RunStatus::Ok, None));
        let stack = RunEnd::of(Language::Ruby, SessionEnd::StackOverflow, 1000, 256);
        assert_eq!(stack.exit_code, 1);
        assert_eq!(stack.note.as_deref(), Some("SystemStackError: stack level too deep"));
    }

    #[test]
    fn output_is_capped_per_stream_with_a_marker_and_the_note_on_stderr() {
        let mut output = RunOutput::new(4);
        output.push(1, b"abc");
        output.push(1, b"def");
        output.push(2, b"oops");
        output.push(2, b"!");
        let end = RunEnd::of(Language::Python, SessionEnd::TimeLimit, 5000, 256);
        let report = output.report(end, 12.5);
        assert_eq!(report.stdout, "abcd\n[output truncated: 3 more bytes not shown]\n");
        assert_eq!(report.stderr, "oops\npolyrun: time limit exceeded (5000 ms)\n");
        assert_eq!((report.exit_code, report.time_ms), (124, 12.5));
    }
}
