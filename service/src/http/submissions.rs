//! The routes over the store: `GET /api/v1/me`, `GET /api/v1/submissions` (newest first,
//! a page at a time), `GET /api/v1/submissions/{id}` (source and report, hidden tests
//! redacted) and `GET /api/v1/gradebook` (JSON or CSV, teachers only).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use polyrun_core::Verdict;
use polyrun_core::api::ErrorBody;
use polyrun_core::report::GradeReport;
use polyrun_store::model::rfc3339;
use polyrun_store::{Cursor, Filter, Gradebook, MAX_PAGE, Submission, SubmissionSummary};
use serde::Serialize;

use super::auth::Caller;
use super::error::ApiError;
use super::state::AppState;

/// `GET /api/v1/me`'s answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The token's name.
    pub name: String,
    /// `learner` or `teacher`.
    pub role: String,
}

/// A stored submission as lists show it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    /// Its id (unguessable).
    pub id: String,
    /// Who submitted it, or null under `--auth open`.
    pub user: Option<String>,
    /// The problem's id.
    pub problem: String,
    /// `python`, `ruby` or `javascript`.
    pub language: String,
    /// The submission's verdict.
    pub verdict: Verdict,
    /// Tests accepted.
    pub passed: u32,
    /// Tests.
    pub total: u32,
    /// Wall time of the grading (ms).
    pub time_ms: f64,
    /// When it was graded (RFC 3339, UTC).
    pub created_at: String,
}

impl From<&SubmissionSummary> for SubmissionView {
    fn from(s: &SubmissionSummary) -> Self {
        SubmissionView {
            id: s.id.clone(),
            user: s.user.clone(),
            problem: s.problem.clone(),
            language: s.language.clone(),
            verdict: s.verdict,
            passed: s.passed,
            total: s.total,
            time_ms: s.time_ms,
            created_at: rfc3339(s.created_at_ms),
        }
    }
}

/// A page of submissions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionPage {
    /// Newest first.
    pub submissions: Vec<SubmissionView>,
    /// The `before` of the next page, or null when this is the last.
    pub next: Option<String>,
}

/// One stored submission, whole.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionDetail {
    /// The fields lists show.
    #[serde(flatten)]
    pub summary: SubmissionView,
    /// The source as submitted.
    pub source: String,
    /// Its grade report, hidden tests redacted.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// `GET /api/v1/me`.
#[utoipa::path(get, path = "/api/v1/me", tag = "api/v1",
    responses(
        (status = 200, description = "Who holds the token sent", body = Me),
        (status = 401, description = "No token, or an unknown or revoked one", body = ErrorBody),
    ))]
pub async fn me(Extension(caller): Extension<Caller>) -> Result<Json<Me>, ApiError> {
    let who = caller.required()?;
    Ok(Json(Me {
        name: who.name.clone(),
        role: who.role.id().to_owned(),
    }))
}

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// `GET /api/v1/submissions?problem=&user=&limit=&before=`.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "api/v1",
    params(
        ("problem" = Option<String>, Query, description = "Only this problem's"),
        ("user" = Option<String>, Query, description = "Only this user's (a learner: only their own)"),
        ("limit" = Option<u32>, Query, description = "1 to 200, default 50", minimum = 1, maximum = 200),
        ("before" = Option<String>, Query, description = "The `next` of the previous page"),
    ),
    responses(
        (status = 200, description = "Submissions, newest first", body = SubmissionPage),
        (status = 400, description = "A limit out of range, a cursor not handed out here", body = ErrorBody),
        (status = 401, description = "No token (listing needs one), or an unknown one", body = ErrorBody),
        (status = 403, description = "A learner asking for another user's", body = ErrorBody),
        (status = 503, description = "The store cannot be reached", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    query: Params,
) -> Result<Json<SubmissionPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(format!("the query string is not valid: {e}")))?;
    if let Some(unknown) = query
        .keys()
        .find(|k| !["problem", "user", "limit", "before"].contains(&k.as_str()))
    {
        return Err(ApiError::BadRequest(format!(
            "unknown parameter '{unknown}': problem, user, limit, before"
        )));
    }
    let who = caller.required()?;
    let nonempty = |k: &str| query.get(k).filter(|v| !v.is_empty()).cloned();
    let mut user = nonempty("user");
    if who.role == polyrun_store::Role::Learner {
        match &user {
            Some(other) if *other != who.name => {
                return Err(ApiError::Forbidden(format!(
                    "{} is a learner: only their own submissions",
                    who.name
                )));
            }
            _ => user = Some(who.name.clone()),
        }
    }
    let limit = match query.get("limit") {
        None => 50,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::BadRequest(format!("limit must be a whole number from 1 to {MAX_PAGE}")))?,
    };
    let before = nonempty("before").map(|c| Cursor::parse(&c)).transpose()?;
    let page = state
        .store
        .submissions(&Filter {
            problem: nonempty("problem"),
            user,
            limit,
            before,
        })
        .await?;
    Ok(Json(SubmissionPage {
        submissions: page.items.iter().map(SubmissionView::from).collect(),
        next: page.next.map(|c| c.encode()),
    }))
}

/// `GET /api/v1/submissions/{id}`.
#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "api/v1",
    params(("id" = String, Path, description = "The submission_id a grade answered")),
    responses(
        (status = 200, description = "The submission: source and report, hidden tests redacted", body = SubmissionDetail),
        (status = 401, description = "No token under --auth tokens, or an unknown one", body = ErrorBody),
        (status = 404, description = "No such submission (or another learner's)", body = ErrorBody),
        (status = 503, description = "The store cannot be reached", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<SubmissionDetail>, ApiError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let not_found = || {
        ApiError::NotFound(format!(
            "there is no submission '{}'",
            id.chars().take(80).collect::<String>()
        ))
    };
    // Ids are 32 hex digits: anything else is not one (and never reaches the store).
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let submission = state.store.submission(&id).await?.ok_or_else(not_found)?;
    if !caller.may_read(submission.summary.user.as_deref()) {
        return Err(not_found());
    }
    Ok(Json(detail(submission)))
}

fn detail(s: Submission) -> SubmissionDetail {
    let report = match serde_json::from_value::<GradeReport>(s.report.clone()) {
        Ok(mut report) => {
            report.redact_hidden();
            serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
        }
        // A report this version cannot read is not shown (it may hold hidden tests).
        Err(_) => serde_json::Value::Null,
    };
    SubmissionDetail {
        summary: SubmissionView::from(&s.summary),
        source: s.source,
        report,
    }
}

/// `GET /api/v1/gradebook` (`?format=csv`).
#[utoipa::path(get, path = "/api/v1/gradebook", tag = "api/v1",
    params(("format" = Option<String>, Query, description = "json (default) or csv")),
    responses(
        (status = 200, description = "Each user's best result per problem, attempts, first acceptance", body = Object),
        (status = 400, description = "A format other than json or csv", body = ErrorBody),
        (status = 401, description = "No token, or an unknown one", body = ErrorBody),
        (status = 403, description = "A learner's token", body = ErrorBody),
        (status = 503, description = "The store cannot be reached", body = ErrorBody),
    ))]
pub async fn gradebook(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    query: Params,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(format!("the query string is not valid: {e}")))?;
    caller.teacher()?;
    let csv = match query.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(ApiError::BadRequest(format!("format '{other}' is not json or csv"))),
    };
    let book = Gradebook::of(state.store.as_ref()).await?;
    Ok(if csv {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"gradebook.csv\""),
            ],
            book.to_csv(),
        )
            .into_response()
    } else {
        Json(book).into_response()
    })
}
