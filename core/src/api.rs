//! The HTTP API's wire types, shared by the server (`service/src/http/`) and the web app's
//! grader client (`frontend/src/services/grader.rs`): what a client sends to
//! `POST /api/v1/grade` and `POST /api/v1/run`, and the body of every refusal.
//!
//! With the `openapi` feature each derives `utoipa::ToSchema`, so that the server's
//! `GET /api/v1/openapi.json` is generated from these very types (the browser build
//! leaves the feature off).

use serde::{Deserialize, Serialize};

use crate::language::Language;

/// `POST /api/v1/grade`: a solution to grade against every test of a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeRequest {
    /// The problem's id (its folder name), e.g. `two-sum`.
    pub problem: String,
    /// `python`, `ruby` or `javascript` (also `py`, `python3`, `rb`, `js`, `node`).
    #[cfg_attr(feature = "openapi", schema(value_type = Language, example = "python"))]
    pub language: String,
    /// The solution's source, at most 64 KiB.
    #[cfg_attr(feature = "openapi", schema(max_length = 65536))]
    pub source: String,
}

impl GradeRequest {
    /// A request to grade `source` in `language` against `problem`.
    pub fn new(problem: impl Into<String>, language: Language, source: impl Into<String>) -> Self {
        GradeRequest {
            problem: problem.into(),
            language: language.id().to_owned(),
            source: source.into(),
        }
    }
}

/// `POST /api/v1/run`: a whole program to run once, with standard input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRequest {
    /// `python`, `ruby` or `javascript` (also `py`, `python3`, `rb`, `js`, `node`).
    #[cfg_attr(feature = "openapi", schema(value_type = Language, example = "ruby"))]
    pub language: String,
    /// The program, at most 64 KiB.
    #[cfg_attr(feature = "openapi", schema(max_length = 65536, example = "puts gets.upcase"))]
    pub source: String,
    /// Standard input (none when absent or null).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<String>,
    /// The wall-time limit in milliseconds: 1 to 15 000, 5 000 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 15000))]
    pub time_limit_ms: Option<u64>,
    /// Memory beyond the runtime's footprint, in MiB: 1 to 1024, 256 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1024))]
    pub memory_limit_mb: Option<u64>,
}

/// The body of every answer other than success: `{"error": "<what is wrong>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What is wrong, for a person to read.
    pub error: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn requests_are_the_json_the_api_documents() {
        let grade = GradeRequest::new("two-sum", Language::Javascript, "x");
        assert_eq!(
            serde_json::to_value(&grade).unwrap(),
            json!({"problem": "two-sum", "language": "javascript", "source": "x"})
        );
        let run: RunRequest = serde_json::from_value(json!({"language": "py", "source": "1", "stdin": null})).unwrap();
        assert_eq!((run.stdin, run.time_limit_ms, run.memory_limit_mb), (None, None, None));
        assert!(serde_json::from_value::<RunRequest>(json!({"language": "py"})).is_err());
        let error: ErrorBody = serde_json::from_str(r#"{"error": "no"}"#).unwrap();
        assert_eq!(error.error, "no");
    }
}
