//! polyrun's shared core: problems, values, comparison, verdicts, reports and the language
//! harnesses, used unchanged by the browser worker and the wasmtime grader.
//!
//! Nothing in this crate runs code or reads a clock: it describes what to run
//! ([`protocol::HarnessInput`]), reads what the harness said ([`protocol::StreamParser`],
//! [`grading::SessionLog`]), says when a session must stop given the time a host reads
//! ([`clock::PhaseClock`]) and turns it all into a verdict ([`grading::Grading`]).

pub mod api;
pub mod clock;
pub mod compare;
pub mod grading;
pub mod harness;
pub mod language;
pub mod limits;
pub mod pack;
pub mod problem;
pub mod protocol;
pub mod report;
pub mod run;
pub mod verdict;

pub use compare::{CompareMode, values_match};
pub use language::Language;
pub use problem::{Problem, ProblemBank, ProblemError, ProblemMeta, TestCase};
pub use report::{ErrorInfo, GradeReport, TestReport};
pub use verdict::Verdict;
