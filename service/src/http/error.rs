//! The API's errors: a status and `{"error": "<what is wrong>"}`. Everything a client can
//! cause is a 4xx; a 5xx would mean the grader itself is broken.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use polyrun_core::api::ErrorBody;

/// `text` from the client as an error message shows it: at most 100 characters, then `…`
/// (an id or a path may be a megabyte long).
pub fn shown(text: &str) -> String {
    let mut clipped: String = text.chars().take(100).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
}

/// An answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed JSON, a missing or mistyped field, an unknown language (400).
    #[error("{0}")]
    BadRequest(String),
    /// No token, or one that is unknown or revoked (401).
    #[error("{0}")]
    Unauthorized(String),
    /// A token whose role may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such problem, or no such route (404).
    #[error("{0}")]
    NotFound(String),
    /// The route exists, the method does not (405).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Well-formed, but not a request that can be run: an unknown language id, a missing
    /// source, a limit out of range, bad base64 (422, as Judge0 answers).
    #[error("{0}")]
    Unprocessable(String),
    /// The body is declared as something other than JSON (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body or the source is too large (413).
    #[error("{0}")]
    TooLarge(String),
    /// The body did not arrive in time (408).
    #[error("{0}")]
    TimedOut(String),
    /// Too many request bodies are being read at once (429): their memory is bounded.
    #[error("{0}")]
    Crowded(String),
    /// Every grading slot and every place in the queue is taken (429).
    #[error("the grader is busy: too many runs at once; try again shortly")]
    Busy,
    /// The server is stopping: a run that had not started is not started (429, so that a
    /// client or a load balancer retries it elsewhere or later).
    #[error("the grader is shutting down: this run was not started; try again shortly")]
    ShuttingDown,
    /// The grader cannot run anything (a runtime is missing): not the client's doing (503).
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Busy | ApiError::ShuttingDown | ApiError::Crowded(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            error: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if matches!(self, ApiError::Busy | ApiError::ShuttingDown) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

impl From<polyrun_store::StoreError> for ApiError {
    fn from(e: polyrun_store::StoreError) -> ApiError {
        match e {
            polyrun_store::StoreError::Invalid(m) => ApiError::BadRequest(m),
            polyrun_store::StoreError::Conflict(m) => ApiError::Unprocessable(m),
            // The store is down: nothing was acknowledged; the client may retry (503).
            polyrun_store::StoreError::Unavailable(m) => {
                ApiError::Unavailable(format!("the store is unavailable, nothing was kept: {m}"))
            }
        }
    }
}
