//! The Judge0 handlers: information routes, and submissions created (run at once with
//! `wait=true`, else queued in the background) and read back by token, one or a batch.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::model::{self, Judge0Language, LANGUAGES, STATUSES};
use super::render::{LanguageView, StatusView, SubmissionView};
use super::request::{self, BatchRequest, NewSubmission, SubmissionRequest};
use super::store::{Progress, Record, Ticket, outcome_json};
use super::{exec, render};
use crate::http::admission::Admitted;
use crate::http::auth::Caller;
use crate::http::body;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use polyrun_core::api::ErrorBody;
use polyrun_store::{Claim, JobState, now_ms};

type Params = Result<Query<HashMap<String, String>>, QueryRejection>;

/// One answer of `POST /submissions/batch`: its token, or why it was refused.
#[derive(Debug, utoipa::ToSchema)]
pub struct BatchItem {
    /// The token of a submission queued.
    #[schema(required = false)]
    pub token: String,
    /// Why this submission was refused.
    #[schema(required = false)]
    pub error: String,
}

/// The answer of `GET /submissions/batch`.
#[derive(Debug, utoipa::ToSchema)]
pub struct BatchView {
    /// In the order of `tokens`; null for a token not known.
    pub submissions: Vec<Option<SubmissionView>>,
}

/// `GET /about`.
#[utoipa::path(get, path = "/about", tag = "judge0",
    responses((status = 200, description = "Judge0's version and this server's", body = Object)))]
pub async fn about() -> Json<Value> {
    Json(model::about())
}

/// `GET /config_info`.
#[utoipa::path(get, path = "/config_info", tag = "judge0",
    responses((status = 200, description = "Judge0's configuration keys with this server's values", body = Object)))]
pub async fn config_info() -> Json<Value> {
    Json(model::config_info())
}

/// `GET /languages`: `[{"id", "name"}]`.
#[utoipa::path(get, path = "/languages", tag = "judge0",
    responses((status = 200, description = "The languages served", body = Vec<LanguageView>)))]
pub async fn languages() -> Json<Value> {
    Json(LANGUAGES.iter().map(Judge0Language::summary).collect())
}

/// `GET /languages/all`: the same with `is_archived` (none is).
#[utoipa::path(get, path = "/languages/all", tag = "judge0",
    responses((status = 200, description = "The languages served, with is_archived", body = Vec<Object>)))]
pub async fn all_languages() -> Json<Value> {
    Json(
        LANGUAGES
            .iter()
            .map(|l| json!({"id": l.id, "name": l.name(), "is_archived": false}))
            .collect(),
    )
}

/// `GET /languages/{id}`.
#[utoipa::path(get, path = "/languages/{id}", tag = "judge0",
    params(("id" = String, Path, description = "Judge0's language id: 63, 71 or 72")),
    responses(
        (status = 200, description = "The language, with its source file and run command", body = Object),
        (status = 404, description = "No such language", body = ErrorBody),
    ))]
pub async fn language(id: Result<Path<String>, PathRejection>) -> Result<Json<Value>, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::BadRequest(format!("the path is not valid: {e}")))?;
    id.parse()
        .ok()
        .and_then(Judge0Language::by_id)
        .map(|l| Json(l.detail()))
        .ok_or_else(|| ApiError::NotFound(format!("there is no language with id '{}'", crate::http::shown(&id))))
}

/// `GET /statuses`.
#[utoipa::path(get, path = "/statuses", tag = "judge0",
    responses((status = 200, description = "Judge0's fourteen statuses", body = Vec<StatusView>)))]
pub async fn statuses() -> Json<Value> {
    Json(STATUSES.iter().map(|s| s.to_json()).collect())
}

/// `POST /submissions`: with `wait=true`, runs it and answers the submission (201, its
/// `fields`); else queues it and answers `{"token"}` (201).
#[utoipa::path(post, path = "/submissions", tag = "judge0",
    params(
        ("wait" = Option<bool>, Query, description = "Run it now and answer the finished submission"),
        ("base64_encoded" = Option<bool>, Query, description = "Text fields in base64"),
        ("fields" = Option<String>, Query, description = "Comma-separated attributes to show, or *"),
    ),
    request_body(content = SubmissionRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "{\"token\"}, or with wait=true the finished submission's fields", body = SubmissionView),
        (status = 400, description = "A query string that does not parse, or an unknown name in fields", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB or source_code over 64 KiB", body = ErrorBody),
        (status = 415, description = "The body is declared as something other than JSON", body = ErrorBody),
        (status = 422, description = "An unknown language_id, a missing source, a limit out of range, bad base64", body = ErrorBody),
        (status = 429, description = "Every sandbox is busy and the queue is full", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    query: Params,
    request: Request,
) -> Result<Response, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let base64 = is_true(&query, "base64_encoded");
    let submission = request::parse(&body::json::<Value>(request).await?, base64)?;
    if is_true(&query, "wait") {
        let admitted = Admitted::now(&state)?;
        let record = Record::new(submission, Progress::Processing);
        // Stored (held by this process under a lease) before it runs and is answered.
        let now = now_ms();
        let state_now = JobState::Processing {
            owner: state.owner.clone(),
            lease_until_ms: now + lease_ms(&record),
        };
        state.store.put_job(&record.to_job(caller.name(), state_now)).await?;
        let record = start(state, record, Some(admitted), None, true)
            .await
            .map_err(|_| ApiError::Unavailable("the grader failed on this request".into()))?;
        Ok((StatusCode::CREATED, Json(render::render(&record, &fields, base64))).into_response())
    } else {
        let ticket = queue_place(&state, 1)?.pop();
        let (token, run) = enqueue(&state, submission, caller.name(), ticket).await?;
        if state.runs_finish_in_request {
            let _ = run.await;
        }
        Ok((StatusCode::CREATED, Json(json!({ "token": token }))).into_response())
    }
}

/// `GET /submissions/{token}`.
#[utoipa::path(get, path = "/submissions/{token}", tag = "judge0",
    params(
        ("token" = String, Path, description = "The token POST /submissions answered"),
        ("base64_encoded" = Option<bool>, Query, description = "Text fields in base64"),
        ("fields" = Option<String>, Query, description = "Comma-separated attributes to show, or *"),
    ),
    responses(
        (status = 200, description = "The submission's fields", body = SubmissionView),
        (status = 400, description = "A query string that does not parse, or an unknown name in fields", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    token: Result<Path<String>, PathRejection>,
    query: Params,
) -> Result<Json<Value>, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let token = token.map(|Path(t)| t).unwrap_or_default();
    let record = lookup(&state, &caller, &token).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "there is no submission with token '{}'",
            token.chars().take(80).collect::<String>()
        ))
    })?;
    Ok(Json(render::render(
        &record,
        &fields,
        is_true(&query, "base64_encoded"),
    )))
}

/// `POST /submissions/batch`: `{"submissions": [...]}` → 201 `[{"token"} or {"error"}, ...]`,
/// each queued (Judge0 has no `wait` for batches).
#[utoipa::path(post, path = "/submissions/batch", tag = "judge0",
    params(("base64_encoded" = Option<bool>, Query, description = "Text fields in base64")),
    request_body(content = BatchRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "A {\"token\"} or an {\"error\"} per submission, in order", body = Vec<BatchItem>),
        (status = 400, description = "Not {\"submissions\": [...]}, or 0 or over 20 of them", body = ErrorBody),
        (status = 413, description = "The body is over 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is declared as something other than JSON", body = ErrorBody),
        (status = 422, description = "No submission in the batch is valid", body = ErrorBody),
        (status = 429, description = "The queue is full", body = ErrorBody),
    ))]
pub async fn batch_create(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    query: Params,
    request: Request,
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
    let mut answers = Vec::new();
    for item in parsed {
        answers.push(match item {
            Ok(submission) => {
                let (token, run) = enqueue(&state, submission, caller.name(), tickets.pop()).await?;
                runs.push(run);
                json!({ "token": token })
            }
            Err(e) => json!({ "error": e.to_string() }),
        });
    }
    if state.runs_finish_in_request {
        for run in runs {
            let _ = run.await;
        }
    }
    Ok((StatusCode::CREATED, Json(Value::Array(answers))).into_response())
}

/// `GET /submissions/batch?tokens=a,b,c` → `{"submissions": [...]}`, `null` for a token
/// not known (as Judge0 answers).
#[utoipa::path(get, path = "/submissions/batch", tag = "judge0",
    params(
        ("tokens" = String, Query, description = "Comma-separated tokens, 1 to 20"),
        ("base64_encoded" = Option<bool>, Query, description = "Text fields in base64"),
        ("fields" = Option<String>, Query, description = "Comma-separated attributes to show, or *"),
    ),
    responses(
        (status = 200, description = "The submissions, null for a token not known", body = BatchView),
        (status = 400, description = "A query string that does not parse, or an unknown name in fields", body = ErrorBody),
    ))]
pub async fn batch_show(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    query: Params,
) -> Result<Json<Value>, ApiError> {
    let query = params(query)?;
    let fields = render::fields(query.get("fields").map(String::as_str))?;
    let base64 = is_true(&query, "base64_encoded");
    let tokens: Vec<&str> = match query.get("tokens").map(|t| t.trim()) {
        Some(tokens) if !tokens.is_empty() => tokens.split(',').map(str::trim).collect(),
        _ => Vec::new(),
    };
    batch_size(tokens.len())?;
    let mut submissions = Vec::new();
    for token in tokens {
        let record = lookup(&state, &caller, token).await?;
        submissions.push(record.map_or(Value::Null, |record| render::render(&record, &fields, base64)));
    }
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

/// `n` places in the background queue, or 429.
fn queue_place(state: &AppState, n: usize) -> Result<Vec<Ticket>, ApiError> {
    state.judge0.reserve(n, model::MAX_QUEUE_SIZE).ok_or(ApiError::Busy)
}

/// How long a process holds a Judge0 submission it runs: its time limit and 20 s (so that
/// one left by a process that died is taken over within a minute: limits are at most 20 s).
fn lease_ms(record: &Record) -> i64 {
    i64::try_from(record.submission.limits.time_limit_ms()).unwrap_or(i64::MAX / 4) + 20_000
}

/// A queued Judge0 submission is taken over by another process after this long.
pub const ORPHAN_AFTER_MS: i64 = 30_000;

/// Stores `submission` as queued (before its token is answered) and starts it in the
/// background; its token, and the run.
async fn enqueue(
    state: &Arc<AppState>,
    submission: NewSubmission,
    user: Option<String>,
    ticket: Option<Ticket>,
) -> Result<(String, JoinHandle<Record>), ApiError> {
    let record = Record::new(submission, Progress::Queued);
    let token = record.token.clone();
    state.store.put_job(&record.to_job(user, JobState::Queued)).await?;
    let run = start(Arc::clone(state), record, None, ticket, false);
    Ok((token, run))
}

/// The Judge0 submission `token` from the store, if `caller` may read it (a learner only
/// their own, as on `/api/v1`: another learner's is unknown); one left by a process that
/// died (queued for over [`ORPHAN_AFTER_MS`], or held under a lease that ended) is taken
/// over here.
async fn lookup(state: &Arc<AppState>, caller: &Caller, token: &str) -> Result<Option<Record>, ApiError> {
    // Tokens are v4 UUIDs: anything else is not one (and never reaches the store).
    if uuid::Uuid::parse_str(token).is_err() || token.len() != 36 {
        return Ok(None);
    }
    let Some(job) = state
        .store
        .job(token)
        .await?
        .filter(|job| caller.may_read(job.user.as_deref()))
    else {
        return Ok(None);
    };
    let Some(record) = Record::from_job(&job) else {
        eprintln!("polyrun: a stored Judge0 submission cannot be read by this version; answered as unknown");
        return Ok(None);
    };
    let now = now_ms();
    let orphaned = match &job.state {
        JobState::Queued => job.created_at_ms < now - ORPHAN_AFTER_MS,
        JobState::Processing { lease_until_ms, .. } => *lease_until_ms < now,
        JobState::Finished { .. } => false,
    };
    if orphaned && take(state, token) {
        let run = start(Arc::clone(state), record.clone(), None, None, false);
        if state.runs_finish_in_request {
            return Ok(run.await.ok());
        }
    }
    Ok(Some(record))
}

/// Marks `token` as in this process's hands; false when it already was.
fn take(state: &AppState, token: &str) -> bool {
    state
        .in_hand
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(token.to_owned())
}

/// Starts the unfinished Judge0 submissions of the store that nobody runs: queued before
/// `queued_before_ms`, or held under a lease that ended. Each is claimed before it runs, so
/// of several processes sweeping one store only one runs it. How many were started.
pub async fn sweep(state: &Arc<AppState>, queued_before_ms: i64) -> Result<usize, polyrun_store::StoreError> {
    let limit = state.grader.config().max_concurrent.max(1) * 4;
    let tokens = state.store.orphaned_jobs(queued_before_ms, now_ms(), limit).await?;
    let mut started = 0;
    for token in tokens {
        let Some(job) = state.store.job(&token).await? else {
            continue;
        };
        let Some(record) = Record::from_job(&job) else { continue };
        if take(state, &token) {
            drop(start(Arc::clone(state), record, None, None, false));
            started += 1;
        }
    }
    Ok(started)
}

/// Runs `record` in a task of its own (so that it finishes even when the client goes
/// away), once it has a place (`admitted`, or one awaited among the runs admitted) and,
/// unless `claimed`, once this process won the store's claim on it; stores how it went.
/// The task answers the record as it last knew it.
fn start(
    state: Arc<AppState>,
    mut record: Record,
    admitted: Option<Admitted>,
    ticket: Option<Ticket>,
    claimed: bool,
) -> JoinHandle<Record> {
    take(&state, &record.token);
    tokio::spawn(async move {
        let _ticket = ticket;
        let token = record.token.clone();
        let _in_hand = InHand(Arc::clone(&state), token.clone());
        let admitted = match admitted {
            Some(admitted) => Some(admitted),
            None => Admitted::wait(&state).await,
        };
        let submission = Arc::clone(&record.submission);
        let lease = lease_ms(&record);
        let claimer = Arc::clone(&state);
        let claim_token = token.clone();
        // Claimed when a sandbox is free, not before: one waiting here stays queued in the
        // store, for any process to take.
        let ready = async move {
            if claimed {
                return true;
            }
            let now = now_ms();
            let claim = Claim {
                owner: claimer.owner.clone(),
                now_ms: now,
                lease_until_ms: now + lease,
            };
            match claimer.store.claim_job(&claim_token, &claim).await {
                Ok(won) => won,
                // Left queued: a later sweep (here or elsewhere) runs it.
                Err(e) => {
                    eprintln!("polyrun: cannot claim a Judge0 submission: {e}");
                    false
                }
            }
        };
        // A panic in the run is status 13 (Internal Error), not a submission stuck at 2.
        let outcome = match admitted {
            Some(admitted) => tokio::spawn(async move { exec::execute(&admitted, &submission, ready).await })
                .await
                .unwrap_or_else(|_| Some(exec::internal_error("the grader failed on this submission".into()))),
            None => Some(exec::internal_error("the grader is shutting down".into())),
        };
        let Some(outcome) = outcome else {
            // Another process has it (or it is done): answer what the store says.
            return match state.store.job(&token).await {
                Ok(Some(job)) => Record::from_job(&job).unwrap_or(record),
                _ => record,
            };
        };
        let stored = outcome_json(&outcome);
        record.progress = Progress::Finished(Arc::new(outcome));
        // A store that fails now leaves the submission processing until its lease ends;
        // then another sweep runs it again.
        for attempt in 0..3 {
            match state.store.finish_job(&token, &state.owner, &stored).await {
                Ok(_) => break,
                Err(e) if attempt == 2 => eprintln!("polyrun: cannot store a Judge0 result: {e}"),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await,
            }
        }
        record
    })
}

/// Takes a token out of this process's hands when its task ends, however it ends.
struct InHand(Arc<AppState>, String);

impl Drop for InHand {
    fn drop(&mut self) {
        self.0.in_hand.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.1);
    }
}
