//! Verdicts of a test and of a whole submission.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The outcome of one test, or of a whole submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The returned value matched.
    Accepted,
    /// The function returned, with another value.
    WrongAnswer,
    /// The function raised, or returned a value with no JSON form.
    RuntimeError,
    /// The test ran past its time limit.
    TimeLimitExceeded,
    /// The test used more memory than the limit allows.
    MemoryLimitExceeded,
    /// The source does not parse or does not define the entry point (submissions only).
    CompileError,
    /// The test was not run.
    Skipped,
}

impl Verdict {
    /// The snake_case id used in JSON and in `data-verdict`.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::WrongAnswer => "wrong_answer",
            Verdict::RuntimeError => "runtime_error",
            Verdict::TimeLimitExceeded => "time_limit_exceeded",
            Verdict::MemoryLimitExceeded => "memory_limit_exceeded",
            Verdict::CompileError => "compile_error",
            Verdict::Skipped => "skipped",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Accepted => "Accepted",
            Verdict::WrongAnswer => "Wrong Answer",
            Verdict::RuntimeError => "Runtime Error",
            Verdict::TimeLimitExceeded => "Time Limit Exceeded",
            Verdict::MemoryLimitExceeded => "Memory Limit Exceeded",
            Verdict::CompileError => "Compile Error",
            Verdict::Skipped => "Skipped",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}
