//! The `/api/v1` handlers: the problem list, a problem's public view, grading against every
//! test (hidden ones redacted in the answer) and running a whole program. Each carries its
//! `#[utoipa::path]`, from which `GET /api/v1/openapi.json` is generated (`openapi.rs`).

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::{Extension, Json};
use polyrun_core::Language;
use polyrun_core::api::{ErrorBody, GradeRequest, RunRequest};
use polyrun_core::limits::DEFAULT_MEMORY_LIMIT_MB;
use polyrun_core::problem::{ProblemSummary, PublicProblem};
use polyrun_core::report::{GradeReport, RunReport};
use polyrun_grader::Limits;
use polyrun_store::{Submission, SubmissionSummary};
use serde::Serialize;

use super::admission::{Admitted, source_fits};
use super::auth::Caller;
use super::body;
use super::error::ApiError;
use super::state::AppState;

/// A run's time limit when the request names none, and the most it may ask for.
const RUN_TIME_MS: (u64, u64) = (5_000, 15_000);
/// The most memory a run may ask for (MiB).
const RUN_MEMORY_MAX_MB: u64 = 1024;

/// `GET /api/v1/problems`.
#[utoipa::path(get, path = "/api/v1/problems", tag = "api/v1",
    responses((status = 200, description = "Every problem of the bank", body = Vec<ProblemSummary>)))]
pub async fn problems(State(state): State<Arc<AppState>>) -> Json<Vec<ProblemSummary>> {
    Json(state.bank.values().map(|p| p.summary()).collect())
}

/// `GET /api/v1/problems/{id}`.
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "api/v1",
    params(("id" = String, Path, description = "The problem's id, e.g. two-sum")),
    responses(
        (status = 200, description = "The public view: metadata, statement, public tests", body = PublicProblem),
        (status = 400, description = "A path that does not decode", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
    ))]
pub async fn problem(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<PublicProblem>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::BadRequest(format!("the path is not valid: {e}")))?;
    Ok(Json(state.problem(&id)?.public()))
}

/// The answer of `POST /api/v1/grade`: the report and the stored submission's id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GradeAnswer {
    /// The grade report, hidden tests redacted.
    #[serde(flatten)]
    pub report: GradeReport,
    /// The stored submission (`GET /api/v1/submissions/{id}`).
    pub submission_id: String,
}

/// `POST /api/v1/grade`: `{"problem", "language", "source"}` → the grade report, once the
/// submission is stored.
#[utoipa::path(post, path = "/api/v1/grade", tag = "api/v1",
    request_body(content = GradeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The grade report, hidden tests redacted, and the stored submission's id", body = GradeAnswer),
        (status = 400, description = "Malformed JSON, a missing field, an unknown language", body = ErrorBody),
        (status = 404, description = "No such problem", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB or the source over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is declared as something other than JSON", body = ErrorBody),
        (status = 429, description = "Every sandbox is busy and the queue is full", body = ErrorBody),
        (status = 401, description = "No token under --auth tokens, or an unknown one", body = ErrorBody),
        (status = 503, description = "The store cannot be reached: nothing was kept", body = ErrorBody),
    ))]
pub async fn grade(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Result<Json<GradeAnswer>, ApiError> {
    let request: GradeRequest = body::json(request).await?;
    let language = language(&request.language)?;
    source_fits("the source", &request.source)?;
    let problem = state.problem(&request.problem)?.clone();
    let admitted = Admitted::now(&state)?;
    let mut report = admitted.full_grade(&problem, language, &request.source).await?;
    drop(admitted);
    let submission = Submission {
        summary: SubmissionSummary {
            id: polyrun_store::new_id(),
            user: caller.name(),
            problem: problem.id.clone(),
            language: language.id().to_owned(),
            verdict: report.verdict,
            passed: u32::try_from(report.passed).unwrap_or(u32::MAX),
            total: u32::try_from(report.total).unwrap_or(u32::MAX),
            time_ms: report.time_ms,
            created_at_ms: polyrun_store::now_ms(),
        },
        source: request.source,
        report: serde_json::to_value(&report).unwrap_or(serde_json::Value::Null),
    };
    // Stored before it is answered: a 503 here acknowledges nothing.
    state.store.put_submission(&submission).await?;
    report.redact_hidden();
    Ok(Json(GradeAnswer {
        report,
        submission_id: submission.summary.id,
    }))
}

/// `POST /api/v1/run`: `{"language", "source", "stdin"?, "time_limit_ms"?,
/// "memory_limit_mb"?}` → stdout, stderr, exit code, time and status.
#[utoipa::path(post, path = "/api/v1/run", tag = "api/v1",
    request_body(content = RunRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "How the program ran", body = RunReport),
        (status = 400, description = "Malformed JSON, a missing field, an unknown language, a limit out of range", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB or the source over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is declared as something other than JSON", body = ErrorBody),
        (status = 429, description = "Every sandbox is busy and the queue is full", body = ErrorBody),
    ))]
pub async fn run(State(state): State<Arc<AppState>>, request: Request) -> Result<Json<RunReport>, ApiError> {
    let request: RunRequest = body::json(request).await?;
    let language = language(&request.language)?;
    source_fits("the source", &request.source)?;
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
    let admitted = Admitted::now(&state)?;
    let report = admitted
        .run_program(
            language,
            &request.source,
            request.stdin.unwrap_or_default().into_bytes(),
            Limits::new(time_ms, memory_mb),
        )
        .await?
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(Json(report))
}

fn language(id: &str) -> Result<Language, ApiError> {
    Language::from_str(id).map_err(|e| ApiError::BadRequest(e.to_string()))
}
