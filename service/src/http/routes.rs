//! The `/api/v1` handlers: the problem list, a problem's public view, grading against every
//! test (hidden ones redacted in the answer) and running a whole program.

use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use polyrun_core::Language;
use polyrun_core::limits::{DEFAULT_MEMORY_LIMIT_MB, SOURCE_CAP_BYTES};
use polyrun_core::problem::{ProblemSummary, PublicProblem};
use polyrun_core::report::{GradeReport, RunReport};
use polyrun_grader::Limits;
use polyrun_grader::run::Output;
use serde::Deserialize;
use tokio::sync::OwnedSemaphorePermit;

use super::body;
use super::error::ApiError;
use super::state::AppState;

/// What a run keeps of each of stdout and stderr.
pub const RUN_OUTPUT_CAP: usize = 1 << 20;
/// A run's time limit when the request names none, and the most it may ask for.
const RUN_TIME_MS: (u64, u64) = (5_000, 15_000);
/// The most memory a run may ask for (MiB).
const RUN_MEMORY_MAX_MB: u64 = 1024;

/// `GET /api/v1/problems`.
pub async fn problems(State(state): State<Arc<AppState>>) -> Json<Vec<ProblemSummary>> {
    Json(state.bank.values().map(|p| p.summary()).collect())
}

/// `GET /api/v1/problems/{id}`.
pub async fn problem(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<PublicProblem>, ApiError> {
    Ok(Json(state.problem(&id)?.public()))
}

#[derive(Deserialize)]
struct GradeRequest {
    problem: String,
    language: String,
    source: String,
}

/// `POST /api/v1/grade`: `{"problem", "language", "source"}` → the grade report.
pub async fn grade(State(state): State<Arc<AppState>>, request: Body) -> Result<Json<GradeReport>, ApiError> {
    let request: GradeRequest = body::json(request).await?;
    let language = language(&request.language)?;
    source_fits(&request.source)?;
    let problem = state.problem(&request.problem)?.clone();
    let _admitted = admit(&state)?;
    let mut report = state
        .grader
        .grade(&problem, language, &request.source)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    report.redact_hidden();
    Ok(Json(report))
}

#[derive(Deserialize)]
struct RunRequest {
    language: String,
    source: String,
    #[serde(default)]
    stdin: String,
    /// Extension: the wall-time limit (default 5 s, at most 15 s).
    time_limit_ms: Option<u64>,
    /// Extension: memory beyond the runtime's footprint (default 256 MiB, at most 1 GiB).
    memory_limit_mb: Option<u64>,
}

/// `POST /api/v1/run`: `{"language", "source", "stdin"?}` → stdout, stderr, exit code,
/// time and status.
pub async fn run(State(state): State<Arc<AppState>>, request: Body) -> Result<Json<RunReport>, ApiError> {
    let request: RunRequest = body::json(request).await?;
    let language = language(&request.language)?;
    source_fits(&request.source)?;
    let time_ms = request.time_limit_ms.unwrap_or(RUN_TIME_MS.0);
    if time_ms == 0 || time_ms > RUN_TIME_MS.1 {
        return Err(ApiError::BadRequest(format!(
            "time_limit_ms must be between 1 and {}",
            RUN_TIME_MS.1
        )));
    }
    let memory_mb = request.memory_limit_mb.unwrap_or(DEFAULT_MEMORY_LIMIT_MB);
    if memory_mb == 0 || memory_mb > RUN_MEMORY_MAX_MB {
        return Err(ApiError::BadRequest(format!(
            "memory_limit_mb must be between 1 and {RUN_MEMORY_MAX_MB}"
        )));
    }
    let _admitted = admit(&state)?;
    let report = state
        .grader
        .run_program(
            language,
            &request.source,
            request.stdin.into_bytes(),
            Limits::new(time_ms, memory_mb),
            Output::Collect { cap: RUN_OUTPUT_CAP },
        )
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(Json(report))
}

fn language(id: &str) -> Result<Language, ApiError> {
    Language::from_str(id).map_err(|e| ApiError::BadRequest(e.to_string()))
}

fn source_fits(source: &str) -> Result<(), ApiError> {
    if source.len() > SOURCE_CAP_BYTES {
        return Err(ApiError::TooLarge(format!(
            "the source has {} bytes; at most {} KiB are accepted",
            source.len(),
            SOURCE_CAP_BYTES / 1024
        )));
    }
    Ok(())
}

/// A place among the runs being served or waiting, or 429.
fn admit(state: &AppState) -> Result<OwnedSemaphorePermit, ApiError> {
    Arc::clone(&state.admission)
        .try_acquire_owned()
        .map_err(|_| ApiError::Busy)
}
