//! Request bodies: read up to a limit and parsed as JSON by hand, so that every failure is
//! an [`ApiError`] with a message (axum's own extractors answer in plain text).

use axum::body::{Body, to_bytes};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The largest request body read (a source is at most 64 KiB; JSON escapes can double it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body of a request as a `T`, or why not.
pub async fn json<T: DeserializeOwned>(body: Body) -> Result<T, ApiError> {
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge(format!("the request body is over {} KiB", MAX_BODY_BYTES / 1024)))?;
    parse_json(&bytes)
}

/// A body already read, as a `T`, or why not (the sync half of [`json`]).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("the request body is not valid: {e}")))
}
