//! Grading a submission: harness sessions in fresh sandboxes until every test is judged.

use std::time::{Duration, Instant};

use polyrun_core::clock::grading_budget_ms;
use polyrun_core::grading::{Grading, SessionEnd, SessionLog};
use polyrun_core::protocol::{Item, Record};
use polyrun_core::{GradeReport, Language, Problem, TestCase};

use crate::sandbox::Spec;
use crate::session::MemoryUse;
use crate::sink::{Destination, SharedOutput};
use crate::{Grader, GraderError, Limits};

impl Grader {
    /// Grades `source` against every test of `problem`, hidden ones included. The report
    /// keeps hidden tests' details: redact it before it leaves the grader.
    pub async fn grade(&self, problem: &Problem, language: Language, source: &str) -> Result<GradeReport, GraderError> {
        self.grade_tests(problem, language, source, problem.tests.clone()).await
    }

    /// Grades `source` against `tests` under `problem`'s entry point, comparison and limits.
    pub async fn grade_tests(
        &self,
        problem: &Problem,
        language: Language,
        source: &str,
        tests: Vec<TestCase>,
    ) -> Result<GradeReport, GraderError> {
        let footprint = self.footprint(language).await?;
        let _permit = self.permits.acquire().await.ok();
        let started = Instant::now();
        let limits = Limits::new(problem.meta.time_limit_ms, problem.meta.memory_limit_mb);
        let budget = grading_budget_ms(problem.meta.time_limit_ms, tests.len());
        let deadline = started + Duration::from_secs_f64(budget / 1000.0);
        let mut grading = Grading::with_tests(problem, language, source, tests);
        let mut memory = MemoryUse::default();
        while let Some(input) = grading.next_input() {
            if Instant::now() >= deadline {
                // Each session after a test that could not finish loads the source again;
                // together they get what one session for every test would have had.
                grading.skip_rest(&out_of_budget(budget));
                break;
            }
            let output = SharedOutput::harness(&input);
            let spec = Spec {
                whole: None,
                stdin: Vec::new(),
                time_limit: limits.time,
                memory_limit: limits.memory_bytes,
                grading_end: Some(deadline),
            };
            let (end, peak) = self.session(language, spec, &output).await?;
            memory.session(&end, peak);
            let log = match std::mem::replace(
                &mut output.lock().destination,
                Destination::Harness(SessionLog::default()),
            ) {
                Destination::Harness(log) => log,
                _ => SessionLog::default(),
            };
            let session = log.finish(end);
            let loaded = session.items.iter().any(|i| matches!(i, Item::Record(Record::Loaded)));
            if session.end == SessionEnd::TimeLimit && !loaded && Instant::now() >= deadline {
                // Stopped by the budget while loading the source again: not the source's fault.
                grading.skip_rest(&out_of_budget(budget));
                break;
            }
            grading.absorb(session);
        }
        let mut report = grading.report(started.elapsed().as_secs_f64() * 1000.0);
        report.memory_kb = Some(memory.kib(footprint, limits.memory_bytes));
        Ok(report)
    }
}

/// Why the tests left were not run.
fn out_of_budget(budget_ms: f64) -> String {
    format!(
        "not run: the grading used its time budget ({:.1} s, loading and every test's limit)",
        budget_ms / 1000.0
    )
}
