//! Fuzz target `http_body`: the HTTP API's body reader, through its sync half
//! (`polyrun_service::http::body::parse_json`), on any bytes, into the shapes the routes
//! read (`/api/v1/grade`, `/api/v1/run`, a Judge0 submission or batch as a JSON value).
//!
//! Invariants: no panic; a refusal is a 4xx with a message; a body that parses as a JSON
//! value is exactly what `serde_json` reads from those bytes (the reader adds nothing).

#![no_main]

use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use polyrun_service::http::ApiError;
use polyrun_service::http::body::parse_json;
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/grade`'s body.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct GradeRequest {
    problem: String,
    language: String,
    source: String,
}

/// `POST /api/v1/run`'s body.
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
struct RunRequest {
    language: String,
    source: String,
    #[serde(default)]
    stdin: String,
    time_limit_ms: Option<u64>,
    memory_limit_mb: Option<u64>,
}

fuzz_target!(|data: &[u8]| {
    match parse_json::<Value>(Some("application/json"), data) {
        Ok(value) => assert_eq!(Some(&value), serde_json::from_slice::<Value>(data).ok().as_ref()),
        Err(e) => {
            assert!(serde_json::from_slice::<Value>(data).is_err() || data.is_empty());
            refusal(e);
        }
    }
    if let Err(e) = parse_json::<GradeRequest>(Some("application/json"), data) {
        refusal(e);
    }
    if let Err(e) = parse_json::<RunRequest>(Some("application/json"), data) {
        refusal(e);
    }
});

fn refusal(e: ApiError) {
    let message = e.to_string();
    assert!(!message.trim().is_empty(), "{e:?}");
    let response = e.into_response();
    assert!(response.status().is_client_error(), "{}: {message}", response.status());
}
