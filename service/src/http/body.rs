//! Request bodies: declared as JSON (else 415), read up to a limit (else 413) and parsed
//! with serde into the handler's type, so that every failure is an [`ApiError`] with a
//! message (axum's own extractors answer in plain text). A request with no `Content-Type`
//! at all is read as JSON: plain socket clients and some gateways send none, and the body
//! must still parse as JSON to be accepted.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use super::clients::{ClientKey, Tally};
use super::error::ApiError;

/// The largest request body read (a source is at most 64 KiB; JSON escapes can double it).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much memory the request bodies being read at once may take in all, in KiB: each
/// reserves its declared length (1 MiB when it declares none) until it is parsed, so that
/// many connections sending large bodies slowly cannot take the server's memory (1024
/// connections × 1 MiB); past it, a request is a 429 before its body is read.
pub const BODY_BUDGET_KIB: usize = 64 * 1024;

static BODIES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(BODY_BUDGET_KIB);

/// The part of [`BODY_BUDGET_KIB`] one client may hold (`clients.rs`): a quarter, so that
/// one address sending slow bodies leaves the rest to others.
pub const CLIENT_BODY_BUDGET_KIB: usize = BODY_BUDGET_KIB / 4;

static BODIES_BY_CLIENT: std::sync::LazyLock<std::sync::Arc<Tally>> = std::sync::LazyLock::new(Default::default);

/// How long a request body may take to arrive (408 after): a client that trickles a body
/// holds a connection and up to [`MAX_BODY_BYTES`] of memory, so it gets no longer than
/// a slow link needs for a megabyte.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Whether a `Content-Type` value names JSON: `application/json` or `application/*+json`,
/// any parameters (`; charset=utf-8`) allowed, case-insensitive.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", subtype)) => subtype == "json" || (subtype.ends_with("+json") && subtype.len() > 5),
        _ => false,
    }
}

/// The body `bytes` of a request whose `Content-Type` is `content_type` (`None`: no such
/// header) as a `T`, or why not: 415 when declared as something other than JSON, 400 when
/// empty or not a valid `T`.
pub fn parse_json<T: DeserializeOwned>(content_type: Option<&str>, bytes: &[u8]) -> Result<T, ApiError> {
    check_content_type(content_type)?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("the request body is not valid: {e}")))
}

/// 415 unless `content_type` is absent or JSON.
fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    match content_type {
        Some(declared) if !is_json(declared) => {
            // What `curl -d` sends unless told otherwise.
            let hint = if declared.starts_with("application/x-www-form-urlencoded") {
                " (curl -d sends form data: add -H 'Content-Type: application/json')"
            } else {
                ""
            };
            Err(ApiError::UnsupportedMediaType(format!(
                "the request body is declared as '{}'; send JSON with 'Content-Type: application/json'{hint}",
                super::shown(declared)
            )))
        }
        _ => Ok(()),
    }
}

/// The body of `request` as a `T` ([`parse_json`]), read up to [`MAX_BODY_BYTES`] (else 413)
/// once its `Content-Type` is known to be JSON.
pub async fn json<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let (parts, body) = request.into_parts();
    let content_type = match parts.headers.get(CONTENT_TYPE) {
        None => None,
        Some(value) => Some(value.to_str().unwrap_or("(not text)")),
    };
    check_content_type(content_type)?;
    // A body declared too large is refused before a byte of it is read (and so before
    // `Expect: 100-continue` would invite the client to send it).
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let reserve = declared.map_or(MAX_BODY_BYTES, |n| n as usize).div_ceil(1024).max(1);
    // The client's share first (served on a socket with clients told apart), then the
    // server's whole budget.
    let _share = match parts.extensions.get::<ClientKey>() {
        Some(client) => Some(
            BODIES_BY_CLIENT
                .take(*client, reserve, CLIENT_BODY_BUDGET_KIB)
                .ok_or_else(|| {
                    ApiError::Crowded(format!(
                        "this address is sending too many request bodies at once ({} MiB); \
                         try again once they are sent",
                        CLIENT_BODY_BUDGET_KIB / 1024
                    ))
                })?,
        ),
        None => None,
    };
    let _reserved = BODIES
        .try_acquire_many(u32::try_from(reserve).unwrap_or(u32::MAX))
        .map_err(|_| {
            ApiError::Crowded(format!(
                "the grader is reading too many request bodies at once ({} MiB); try again shortly",
                BODY_BUDGET_KIB / 1024
            ))
        })?;
    let bytes = tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_BODY_BYTES))
        .await
        .map_err(|_| {
            ApiError::TimedOut(format!(
                "the request body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|_| too_large())?;
    parse_json(content_type, &bytes)
}

fn too_large() -> ApiError {
    ApiError::TooLarge(format!("the request body is over {} KiB", MAX_BODY_BYTES / 1024))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn json_media_types_are_told_from_others() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            " application/json ;charset=UTF-8",
            "application/vnd.api+json",
            "application/problem+json",
        ] {
            assert!(is_json(json), "{json}");
        }
        for other in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "application/+json",
            "text/json",
            "",
            "json",
        ] {
            assert!(!is_json(other), "{other}");
        }
    }

    #[test]
    fn parse_json_refuses_other_types_and_says_what_is_wrong() {
        let ok: Value = parse_json(None, b"{}").expect("no content type is read as JSON");
        assert!(ok.is_object());
        let ok: Value = parse_json(Some("application/json; charset=utf-8"), b"[1]").expect("json");
        assert!(ok.is_array());
        let refused = parse_json::<Value>(Some("text/plain"), b"{}").expect_err("text/plain");
        assert!(matches!(refused, ApiError::UnsupportedMediaType(_)), "{refused:?}");
        assert!(refused.to_string().contains("text/plain"));
        let empty = parse_json::<Value>(Some("application/json"), b"").expect_err("empty");
        assert!(empty.to_string().contains("empty"));
        let bad = parse_json::<Value>(None, b"{not json").expect_err("bad");
        assert!(matches!(bad, ApiError::BadRequest(_)));
    }
}
