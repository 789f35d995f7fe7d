//! The grade report of a submission and the result of a whole-program run, as JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::language::Language;
use crate::verdict::Verdict;

/// An error raised by the user's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorInfo {
    /// The exception's class or name, e.g. `ZeroDivisionError`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The message.
    pub message: String,
    /// The line in the user's own source, where known.
    #[serde(default)]
    pub line: Option<u32>,
}

/// The longest error type a report keeps, in characters (the user's code names it).
pub const ERROR_TYPE_CHARS: usize = 200;

impl ErrorInfo {
    /// The error with its type and message cut to what a report keeps: the type to
    /// [`ERROR_TYPE_CHARS`], the message to the output cap with a visible marker, as a
    /// test's stdout (the user's code writes both, and reports are stored).
    pub fn bounded(mut self) -> Self {
        if self.kind.chars().count() > ERROR_TYPE_CHARS {
            self.kind = self.kind.chars().take(ERROR_TYPE_CHARS).chain(['…']).collect();
        }
        if self.message.len() > crate::limits::OUTPUT_CAP_BYTES {
            self.message = crate::limits::cap_output(std::mem::take(&mut self.message), 0);
        }
        self
    }

    /// An error with no line.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorInfo {
            kind: kind.into(),
            message: message.into(),
            line: None,
        }
    }
}

/// What a public test shows beyond its verdict; absent for a hidden test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestDetail {
    /// The test's name, if it has one.
    pub name: Option<String>,
    /// The arguments.
    // Not required in the OpenAPI schema: a hidden test's line (flattened into
    // `TestReport`) has none of these fields.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub args: Vec<Value>,
    /// The expected value (`null` when a learner's own test names none).
    pub expected: Option<Value>,
    /// The returned value, when the function returned.
    pub actual: Option<Value>,
    /// When the returned value is too large to keep for the report (over 64 KiB of JSON,
    /// or past the grade's 1 MiB of kept values), its size in bytes of JSON; `actual` is
    /// then `null`. It was judged all the same. (An extension of the spec's report.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub actual_omitted_bytes: Option<u64>,
    /// What the test printed on stdout (capped, with a visible marker).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub stdout: String,
    /// What the test printed on stderr (capped, with a visible marker).
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub stderr: String,
    /// The error, when the test raised or was stopped.
    pub error: Option<ErrorInfo>,
}

/// One test's line in a grade report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestReport {
    /// Index in the problem's test list.
    pub index: usize,
    /// Whether the test is hidden.
    pub hidden: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Time the call took, in milliseconds.
    pub time_ms: f64,
    /// Everything else; only for tests that are not hidden (or reports not redacted).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<TestDetail>,
}

/// The grade report of a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GradeReport {
    /// Problem id.
    pub problem: String,
    /// Language.
    pub language: Language,
    /// The submission's verdict.
    pub verdict: Verdict,
    /// Number of accepted tests.
    pub passed: usize,
    /// Number of tests.
    pub total: usize,
    /// Wall time of the whole grading, in milliseconds.
    pub time_ms: f64,
    /// The submission-level error (compile error, or a failure while loading the source).
    pub error: Option<ErrorInfo>,
    /// One line per test, in file order.
    pub tests: Vec<TestReport>,
    /// The most memory a session of the grading used beyond the runtime's own start-up
    /// footprint, in KiB: what the problem's memory limit bounds (at least the limit when a
    /// test hit it). Measured by the grader; absent where nothing measures it (the browser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_kb: Option<u64>,
}

impl GradeReport {
    /// Drops everything but index, hidden, verdict and time from hidden tests.
    pub fn redact_hidden(&mut self) {
        for test in &mut self.tests {
            if test.hidden {
                test.detail = None;
            }
        }
    }
}

/// How a whole-program run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The program exited by itself (with any status).
    Ok,
    /// It ran past the time limit.
    TimeLimitExceeded,
    /// It used more memory than allowed.
    MemoryLimitExceeded,
}

/// The result of a whole-program run (`polyrun run`, `POST /api/v1/run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunReport {
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// Its exit status (124 on the time limit, 137 on the memory limit).
    pub exit_code: i32,
    /// Wall time, in milliseconds.
    pub time_ms: f64,
    /// How it ended.
    pub status: RunStatus,
    /// The most memory the program used beyond its runtime's own start-up footprint, in
    /// KiB: what a memory limit bounds (the peak size of its linear memory, less the
    /// footprint). Measured by the grader; absent where nothing measures it (the browser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_kb: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_are_bounded_like_output() {
        let error = ErrorInfo::new("Q".repeat(1 << 20), "m".repeat(1 << 20)).bounded();
        assert_eq!(error.kind.chars().count(), ERROR_TYPE_CHARS + 1);
        assert!(error.message.len() < crate::limits::OUTPUT_CAP_BYTES + 100);
        assert!(
            error.message.ends_with("more bytes not shown]\n"),
            "{}",
            &error.message[error.message.len() - 60..]
        );
        let short = ErrorInfo::new("ValueError", "bad");
        assert_eq!(short.clone().bounded(), short);
    }

    #[test]
    fn hidden_tests_carry_only_four_fields() {
        let mut report = GradeReport {
            problem: "p".into(),
            language: Language::Python,
            verdict: Verdict::WrongAnswer,
            passed: 0,
            total: 1,
            time_ms: 1.0,
            error: None,
            memory_kb: Some(12),
            tests: vec![TestReport {
                index: 0,
                hidden: true,
                verdict: Verdict::WrongAnswer,
                time_ms: 0.5,
                detail: Some(TestDetail {
                    name: Some("secret name".into()),
                    args: vec![json!(41)],
                    actual_omitted_bytes: None,
                    expected: Some(json!(42)),
                    actual: Some(json!(43)),
                    stdout: "leak".into(),
                    stderr: String::new(),
                    error: None,
                }),
            }],
        };
        report.redact_hidden();
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            value["tests"][0],
            json!({"index": 0, "hidden": true, "verdict": "wrong_answer", "time_ms": 0.5})
        );
        let back: GradeReport = serde_json::from_value(value).unwrap();
        assert_eq!(back, report);
    }
}
