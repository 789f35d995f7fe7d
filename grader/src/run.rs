//! Running a whole program in the sandbox (`polyrun run`, `POST /api/v1/run`).

use std::time::Instant;

use polyrun_core::Language;
use polyrun_core::grading::SessionEnd;
use polyrun_core::report::{RunReport, RunStatus};

use crate::session::{Program, Spec, run_session};
use crate::sink::{Destination, SharedOutput};
use crate::{Grader, GraderError, Limits};

/// Exit status of a program stopped at the time limit (as `timeout(1)`).
pub const EXIT_TIME_LIMIT: i32 = 124;
/// Exit status of a program stopped at the memory limit (as a SIGKILL).
pub const EXIT_MEMORY_LIMIT: i32 = 137;

/// Where a program's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Kept (up to `cap` bytes per stream) and returned in the report.
    Collect {
        /// Bytes kept per stream.
        cap: usize,
    },
    /// Written through to this process's stdout and stderr as it comes (up to `cap` bytes
    /// per stream; the rest is counted and reported as cut).
    Forward {
        /// Bytes written per stream.
        cap: usize,
    },
}

impl Grader {
    /// Runs `source` as a whole program with `stdin`.
    pub async fn run_program(
        &self,
        language: Language,
        source: &str,
        stdin: Vec<u8>,
        limits: Limits,
        output: Output,
    ) -> Result<RunReport, GraderError> {
        let runtime = self.runtime(language).await?;
        let _permit = self.permits.acquire().await.ok();
        let started = Instant::now();
        let shared = SharedOutput::new(match output {
            Output::Collect { cap } => Destination::Collect {
                stdout: Vec::new(),
                stderr: Vec::new(),
                dropped: 0,
                cap,
            },
            Output::Forward { cap } => Destination::Forward {
                left: [cap as u64; 2],
                dropped: 0,
            },
        });
        let memory_cap = runtime.footprint.saturating_add(limits.memory_bytes);
        let spec = Spec {
            program: Program::Whole(source),
            stdin,
            time_limit: limits.time,
            memory_cap,
        };
        let (end, _) = run_session(self, language, &runtime, spec, &shared).await;
        let time_ms = (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
        let (exit_code, status, note) = match end {
            SessionEnd::Exited(code) => (code, RunStatus::Ok, None),
            SessionEnd::TimeLimit => (
                EXIT_TIME_LIMIT,
                RunStatus::TimeLimitExceeded,
                Some(format!("time limit exceeded ({} ms)", limits.time.as_millis())),
            ),
            SessionEnd::MemoryLimit => (
                EXIT_MEMORY_LIMIT,
                RunStatus::MemoryLimitExceeded,
                Some(format!("memory limit exceeded ({} MB)", limits.memory_bytes >> 20)),
            ),
            SessionEnd::StackOverflow => {
                let (kind, message) = language.stack_overflow_error();
                (1, RunStatus::Ok, Some(format!("{kind}: {message}")))
            }
            SessionEnd::Crashed(what) => (1, RunStatus::Ok, Some(what)),
            // Whole programs' output is capped per stream, never stopped: not reached.
            SessionEnd::OutputLimit => (1, RunStatus::Ok, Some("output limit exceeded".to_owned())),
        };
        let mut guard = shared.lock();
        let (stdout, mut stderr) = match &mut guard.destination {
            Destination::Collect {
                stdout,
                stderr,
                dropped,
                ..
            } => {
                let mut out = String::from_utf8_lossy(stdout).into_owned();
                if *dropped > 0 {
                    out.push_str(&format!("\n[output truncated: {dropped} more bytes not shown]\n"));
                }
                (out, String::from_utf8_lossy(stderr).into_owned())
            }
            Destination::Forward { dropped, .. } => {
                if *dropped > 0 {
                    eprintln!("polyrun: output truncated: {dropped} more bytes not shown");
                }
                (String::new(), String::new())
            }
            Destination::Harness(_) => (String::new(), String::new()),
        };
        if let Some(note) = note {
            match output {
                Output::Collect { .. } => {
                    if !stderr.is_empty() && !stderr.ends_with('\n') {
                        stderr.push('\n');
                    }
                    stderr.push_str(&format!("polyrun: {note}\n"));
                }
                Output::Forward { .. } => eprintln!("polyrun: {note}"),
            }
        }
        Ok(RunReport {
            stdout,
            stderr,
            exit_code,
            time_ms,
            status,
        })
    }
}
