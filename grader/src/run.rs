//! Running a whole program in the sandbox (`polyrun run`, `POST /api/v1/run`).

use std::time::Instant;

use polyrun_core::Language;
use polyrun_core::report::RunReport;
use polyrun_core::run::{RunEnd, collected_report};

use crate::sandbox::Spec;
use crate::session::MemoryUse;
use crate::sink::{Destination, SharedOutput};
use crate::{Grader, GraderError, Limits};

pub use polyrun_core::run::{EXIT_MEMORY_LIMIT, EXIT_TIME_LIMIT};

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
        let footprint = self.footprint(language).await?;
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
        let spec = Spec {
            whole: Some(source.to_string()),
            stdin,
            time_limit: limits.time,
            memory_limit: limits.memory_bytes,
            grading_end: None,
        };
        let (end, peak) = self.session(language, spec, &shared).await?;
        // What the limit bounds: the peak beyond the runtime's own footprint; a program
        // stopped at the limit needed more than it, which is what it reports.
        let mut memory = MemoryUse::default();
        memory.session(&end, peak);
        let memory_kb = memory.kib(footprint, limits.memory_bytes);
        let time_ms = (started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
        let end = RunEnd::of(
            language,
            end,
            limits.time.as_millis(),
            (limits.memory_bytes >> 20) as u64,
        );
        let guard = shared.lock();
        let report = match &guard.destination {
            Destination::Collect {
                stdout,
                stderr,
                dropped,
                ..
            } => Ok(collected_report(stdout, stderr, *dropped, end, time_ms)),
            Destination::Forward { dropped, .. } => {
                if *dropped > 0 {
                    eprintln!("polyrun: output truncated: {dropped} more bytes not shown");
                }
                if let Some(note) = &end.note {
                    eprintln!("polyrun: {note}");
                }
                Ok(collected_report(b"", b"", 0, RunEnd { note: None, ..end }, time_ms))
            }
            Destination::Harness(_) | Destination::Relay(_) => {
                Ok(collected_report(b"", b"", 0, RunEnd { note: None, ..end }, time_ms))
            }
        };
        report.map(|report| RunReport {
            memory_kb: Some(memory_kb),
            ..report
        })
    }
}
