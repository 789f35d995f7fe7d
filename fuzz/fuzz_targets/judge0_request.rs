//! Fuzz target `judge0_request`: the Judge0 submission parser
//! (`polyrun_service::http::judge0::request::parse`) on any JSON a client could send, with
//! text fields plain and base64 (seeds: the Judge0 requests of the e2e tests).
//!
//! Invariants: no panic; a submission that parses has a known language, a non-empty source
//! within the cap, limits the grader can use (a time limit of at least 1 ms, memory of at
//! least 1 MiB); a refusal is a 4xx with `{"error": "<something>"}`.

#![no_main]

use axum::response::IntoResponse;
use libfuzzer_sys::fuzz_target;
use polyrun_core::limits::SOURCE_CAP_BYTES;
use polyrun_service::http::ApiError;
use polyrun_service::http::judge0::request::parse;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for base64 in [false, true] {
        match parse(&value, base64) {
            Ok(submission) => {
                assert!(
                    [71, 72, 63].contains(&submission.language.id),
                    "{:?}",
                    submission.language.id
                );
                assert!(!submission.source.is_empty());
                assert!(submission.source.len() <= SOURCE_CAP_BYTES);
                let limits = submission.limits;
                assert!(limits.time_limit_ms() >= 1);
                assert!(limits.time_limit_ms() <= 3_600_000, "{limits:?}");
                assert!(limits.memory_limit_mb() >= 1);
                assert!(limits.cpu_time_limit.is_finite() && limits.wall_time_limit.is_finite());
            }
            Err(e) => refusal(e),
        }
    }
});

fn refusal(e: ApiError) {
    let message = e.to_string();
    assert!(!message.trim().is_empty(), "{e:?}");
    let response = e.into_response();
    assert!(response.status().is_client_error(), "{}: {message}", response.status());
}
