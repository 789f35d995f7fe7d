//! The one path from a request to a sandbox, shared by `POST /api/v1/grade`,
//! `POST /api/v1/run` and the Judge0 submissions: the source-size rule (413), a place among
//! the runs admitted ([`Admitted`]: 429 when none is free, never an unbounded queue), and
//! the grader calls, which only an admitted request can make.

use std::sync::Arc;

use polyrun_core::limits::SOURCE_CAP_BYTES;
use polyrun_core::report::{GradeReport, RunReport};
use polyrun_core::{Language, Problem};
use polyrun_grader::run::Output;
use polyrun_grader::{Grader, GraderError, Limits};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::error::ApiError;
use super::state::AppState;

/// What a run keeps of each of stdout and stderr.
pub const RUN_OUTPUT_CAP: usize = polyrun_core::limits::RUN_OUTPUT_CAP_BYTES;

/// The source-size rule: `field` (`source`, `source_code`) is at most 64 KiB, else 413.
pub fn source_fits(field: &str, source: &str) -> Result<(), ApiError> {
    if source.len() > SOURCE_CAP_BYTES {
        return Err(ApiError::TooLarge(format!(
            "{field} has {} bytes; at most {} KiB are accepted",
            source.len(),
            SOURCE_CAP_BYTES / 1024
        )));
    }
    Ok(())
}

/// A place among the runs being served or waiting (`--workers` + `--queue`), held until
/// dropped; the grader's own semaphore then bounds the sandboxes running at once.
pub struct Admitted {
    _permit: OwnedSemaphorePermit,
    /// For queued Judge0 work: its place among the background runs (`AppState::background`).
    _background: Option<OwnedSemaphorePermit>,
    grader: Arc<Grader>,
    running: Arc<Semaphore>,
    stopping: watch::Receiver<bool>,
}

impl Admitted {
    /// A place now, or 429.
    pub fn now(state: &AppState) -> Result<Admitted, ApiError> {
        let permit = Arc::clone(&state.admission)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy)?;
        Ok(Admitted {
            _permit: permit,
            _background: None,
            grader: Arc::clone(&state.grader),
            running: Arc::clone(&state.running),
            stopping: state.stopping.subscribe(),
        })
    }

    /// A place once one is free (a run already accepted into a bounded queue, as Judge0's
    /// queued submissions are); `None` only if the gate was closed. At most as many of
    /// these hold places as there are sandboxes, so that a backlog of them never takes the
    /// places interactive requests ([`Admitted::now`]) need.
    pub async fn wait(state: &AppState) -> Option<Admitted> {
        let background = Arc::clone(&state.background).acquire_owned().await.ok()?;
        let permit = Arc::clone(&state.admission).acquire_owned().await.ok()?;
        Some(Admitted {
            _permit: permit,
            _background: Some(background),
            grader: Arc::clone(&state.grader),
            running: Arc::clone(&state.running),
            stopping: state.stopping.subscribe(),
        })
    }

    /// A sandbox's turn, or 429 when the server stops first (a run that has its turn
    /// finishes: graceful shutdown waits for it).
    async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let mut stopping = self.stopping.clone();
        tokio::select! {
            biased;
            _ = stopping.wait_for(|stop| *stop) => Err(ApiError::ShuttingDown),
            permit = Arc::clone(&self.running).acquire_owned() => permit.map_err(|_| ApiError::ShuttingDown),
        }
    }

    /// Runs a whole program, its output kept up to [`RUN_OUTPUT_CAP`] each.
    pub async fn run_program(
        &self,
        language: Language,
        source: &str,
        stdin: Vec<u8>,
        limits: Limits,
    ) -> Result<Result<RunReport, GraderError>, ApiError> {
        let _turn = self.turn().await?;
        Ok(self
            .grader
            .run_program(language, source, stdin, limits, Output::Collect { cap: RUN_OUTPUT_CAP })
            .await)
    }

    /// [`Admitted::run_program`], once it is this run's turn and `ready` says yes (a Judge0
    /// submission's claim in the store, made when a sandbox is free, so that one waiting in
    /// a queue stays queued for any process to take); `None` when `ready` says no.
    pub async fn run_program_if(
        &self,
        language: Language,
        source: &str,
        stdin: Vec<u8>,
        limits: Limits,
        ready: impl Future<Output = bool>,
    ) -> Result<Option<Result<RunReport, GraderError>>, ApiError> {
        let _turn = self.turn().await?;
        if !ready.await {
            return Ok(None);
        }
        Ok(Some(
            self.grader
                .run_program(language, source, stdin, limits, Output::Collect { cap: RUN_OUTPUT_CAP })
                .await,
        ))
    }

    /// Grades `source` against every test of `problem`: the full report, hidden tests
    /// included (to store; redact it before it is answered).
    pub async fn full_grade(
        &self,
        problem: &Problem,
        language: Language,
        source: &str,
    ) -> Result<GradeReport, ApiError> {
        let _turn = self.turn().await?;
        self.grader
            .grade(problem, language, source)
            .await
            .map_err(|e| ApiError::Unavailable(e.to_string()))
    }
}
