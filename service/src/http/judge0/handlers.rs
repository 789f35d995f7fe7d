//! The Judge0 handlers: information routes, and submissions created (run at once with
//! `wait=true`, else queued in the background) and read back by token, one or a batch.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinHandle;

use super::model::{self, Judge0Language, LANGUAGES, STATUSES};
use super::request::{self, NewSubmission};
use super::store::{Progress, Record, Ticket};
use super::{exec, render};
use crate::http::body;
use crate::http::error::ApiError;
use crate::http::state::AppState;

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// `GET /about`.
pub async fn about() -> Json<Value> {
    Json(model::about())
}

/// `GET /config_info`.
pub async fn config_info() -> Json<Value> {
    Json(model::config_info())
}

/// `GET /languages`: `[{"id", "name"}]`.
pub async fn languages() -> Json<Value> {
    Json(LANGUAGES.iter().map(Judge0Language::summary).collect())
}

/// `GET /languages/all`: the same with `is_archived` (none is).
pub async fn all_languages() -> Json<Value> {
    Json(
        LANGUAGES
            .iter()
            .map(|l| json!({"id": l.id, "name": l.name(), "is_archived": false}))
            .collect(),
    )
}

/// `GET /languages/{id}`.
pub async fn language(id: Result<Path<String>, PathRejection>) -> Result<Json<Value>, ApiError> {
    let id = id.map(|Path(id)| id).unwrap_or_default();
    id.parse()
        .ok()
        .and_then(Judge0Language::by_id)
        .map(|l| Json(l.detail()))
        .ok_or_else(|| ApiError::NotFound(format!("there is no language with id '{id}'")))
}

/// `GET /statuses`.
pub async fn statuses() -> Json<Value> {
    Json(STATUSES.iter().map(|s| s.to_json()).collect())
}

/// `POST /submissions`: with `wait=true`, runs it and answers the submission (201, its
/// `fields`); else queues it and answers `{"token"}` (201).
pub async fn create(State(state): State<Arc<AppState>>, query: Params, request: Body) -> Result<Response, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let base64 = is_true(&query, "base64_encoded");
    let submission = request::parse(&body::json::<Value>(request).await?, base64)?;
    if is_true(&query, "wait") {
        let permit = admit(&state)?;
        let record = Record::new(submission, Progress::Processing);
        state.judge0.insert(record.clone());
        let record = start(state, record, Some(permit), None)
            .await
            .map_err(|_| ApiError::Unavailable("the grader failed on this request".into()))?;
        Ok((StatusCode::CREATED, Json(render::render(&record, &fields, base64))).into_response())
    } else {
        let ticket = queue_place(&state, 1)?.pop();
        let (token, run) = enqueue(&state, submission, ticket);
        if state.runs_finish_in_request {
            let _ = run.await;
        }
        Ok((StatusCode::CREATED, Json(json!({ "token": token }))).into_response())
    }
}

/// `GET /submissions/{token}`.
pub async fn show(
    State(state): State<Arc<AppState>>,
    token: Result<Path<String>, PathRejection>,
    query: Params,
) -> Result<Json<Value>, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let token = token.map(|Path(t)| t).unwrap_or_default();
    let record = state
        .judge0
        .get(&token)
        .ok_or_else(|| ApiError::NotFound(format!("there is no submission with token '{token}'")))?;
    Ok(Json(render::render(
        &record,
        &fields,
        is_true(&query, "base64_encoded"),
    )))
}

/// `POST /submissions/batch`: `{"submissions": [...]}` → 201 `[{"token"} or {"error"}, ...]`,
/// each queued (Judge0 has no `wait` for batches).
pub async fn batch_create(
    State(state): State<Arc<AppState>>,
    query: Params,
    request: Body,
) -> Result<Response, ApiError> {
    let query = params(query)?;
    let base64 = is_true(&query, "base64_encoded");
    let request: Value = body::json(request).await?;
    let items = match request.get("submissions") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::BadRequest("submissions must be a list".into())),
        None => return Err(ApiError::BadRequest("the body must be {\"submissions\": [...]}".into())),
    };
    batch_size(items.len())?;
    let parsed: Vec<Result<NewSubmission, ApiError>> = items.iter().map(|item| request::parse(item, base64)).collect();
    let valid = parsed.iter().filter(|p| p.is_ok()).count();
    if valid == 0 {
        let first = parsed.into_iter().find_map(Result::err).map(|e| e.to_string());
        return Err(ApiError::Unprocessable(format!(
            "no submission in the batch is valid; the first: {}",
            first.unwrap_or_default()
        )));
    }
    let mut tickets = queue_place(&state, valid)?;
    let mut runs = Vec::new();
    let answers: Vec<Value> = parsed
        .into_iter()
        .map(|item| match item {
            Ok(submission) => {
                let (token, run) = enqueue(&state, submission, tickets.pop());
                runs.push(run);
                json!({ "token": token })
            }
            Err(e) => json!({ "error": e.to_string() }),
        })
        .collect();
    if state.runs_finish_in_request {
        for run in runs {
            let _ = run.await;
        }
    }
    Ok((StatusCode::CREATED, Json(Value::Array(answers))).into_response())
}

/// `GET /submissions/batch?tokens=a,b,c` → `{"submissions": [...]}`, `null` for a token
/// not known (as Judge0 answers).
pub async fn batch_show(State(state): State<Arc<AppState>>, query: Params) -> Result<Json<Value>, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let base64 = is_true(&query, "base64_encoded");
    let tokens: Vec<&str> = match query.get("tokens").map(|t| t.trim()) {
        Some(tokens) if !tokens.is_empty() => tokens.split(',').map(str::trim).collect(),
        _ => Vec::new(),
    };
    batch_size(tokens.len())?;
    let submissions: Vec<Value> = tokens
        .iter()
        .map(|token| {
            state
                .judge0
                .get(token)
                .map_or(Value::Null, |record| render::render(&record, &fields, base64))
        })
        .collect();
    Ok(Json(json!({ "submissions": submissions })))
}

fn params(query: Params) -> Result<HashMap<String, String>, ApiError> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::BadRequest(format!("the query string is not valid: {e}")))
}

/// Judge0 reads a flag as set only when it is exactly `true`.
fn is_true(query: &HashMap<String, String>, name: &str) -> bool {
    query.get(name).is_some_and(|v| v == "true")
}

fn batch_size(n: usize) -> Result<(), ApiError> {
    if n == 0 {
        return Err(ApiError::BadRequest(
            "there should be at least one submission in a batch".into(),
        ));
    }
    if n > model::MAX_BATCH_SIZE {
        return Err(ApiError::BadRequest(format!(
            "number of submissions in a batch should be less than or equal to {}",
            model::MAX_BATCH_SIZE
        )));
    }
    Ok(())
}

/// A place among the runs being served or waiting, or 429 (as `/api/v1/run`).
fn admit(state: &AppState) -> Result<OwnedSemaphorePermit, ApiError> {
    Arc::clone(&state.admission)
        .try_acquire_owned()
        .map_err(|_| ApiError::Busy)
}

/// `n` places in the background queue, or 429.
fn queue_place(state: &AppState, n: usize) -> Result<Vec<Ticket>, ApiError> {
    state.judge0.reserve(n, model::MAX_QUEUE_SIZE).ok_or(ApiError::Busy)
}

/// Stores `submission` as queued and starts it in the background; its token, and the run.
fn enqueue(state: &Arc<AppState>, submission: NewSubmission, ticket: Option<Ticket>) -> (String, JoinHandle<Record>) {
    let record = Record::new(submission, Progress::Queued);
    let token = record.token.clone();
    state.judge0.insert(record.clone());
    let run = start(Arc::clone(state), record, None, ticket);
    (token, run)
}

/// Runs `record` in a task of its own (so that it finishes even when the client goes
/// away), once it has a place (`permit`, or one awaited among the runs admitted), and
/// stores how it went; the task answers the finished record.
fn start(
    state: Arc<AppState>,
    mut record: Record,
    permit: Option<OwnedSemaphorePermit>,
    ticket: Option<Ticket>,
) -> JoinHandle<Record> {
    tokio::spawn(async move {
        let _ticket = ticket;
        let _permit = match permit {
            Some(permit) => Some(permit),
            None => Arc::clone(&state.admission).acquire_owned().await.ok(),
        };
        state.judge0.advance(&record.token, Progress::Processing);
        let grader = Arc::clone(&state.grader);
        let submission = Arc::clone(&record.submission);
        // A panic in the run is status 13 (Internal Error), not a submission stuck at 2.
        let outcome = tokio::spawn(async move { exec::execute(&grader, &submission).await })
            .await
            .unwrap_or_else(|_| exec::internal_error("the grader failed on this submission".into()));
        record.progress = Progress::Finished(Arc::new(outcome));
        state.judge0.advance(&record.token, record.progress.clone());
        record
    })
}
