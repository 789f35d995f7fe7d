//! Fixtures shared by every end-to-end test: one tokio runtime and one [`Grader`] per test
//! binary (so each runtime is linked and measured once), the paths of the case folders and
//! problem banks, and guarded calls that turn a hang into a failure instead of a stuck run.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use polyrun_core::report::{RunReport, RunStatus};
use polyrun_core::{GradeReport, Language, Problem, ProblemBank};
use polyrun_grader::run::Output;
use polyrun_grader::{Grader, GraderConfig, Limits};

/// How long any single grading or run may take before the test calls it a hang. Far above
/// any limit a case sets: this is a guard against a stuck grader, not a timing assertion.
pub const HANG_GUARD: Duration = Duration::from_secs(180);

/// What a whole-program run collects per stream (as the HTTP API does).
pub const RUN_OUTPUT_CAP: usize = 1 << 20;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the end-to-end tests")
});

static GRADER: LazyLock<Arc<Grader>> =
    LazyLock::new(|| Arc::new(Grader::new(config()).expect("a grader with the default config")));

/// The default configuration, its sandbox processes run by the `polyrun` binary under test
/// (this test binary is not one).
pub fn config() -> GraderConfig {
    GraderConfig {
        sandbox_program: env!("CARGO_BIN_EXE_polyrun").into(),
        ..GraderConfig::default()
    }
}

/// Runs `future` to completion on the shared runtime (callable from many test threads).
pub fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

/// The grader shared by every test of this binary.
pub fn grader() -> Arc<Grader> {
    GRADER.clone()
}

/// The workspace root (the checkout).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the grader crate lives in the workspace")
        .to_path_buf()
}

/// `tests/cases/` of the checkout.
pub fn cases_dir() -> PathBuf {
    repo_root().join("tests").join("cases")
}

/// The test-only problem bank, `tests/cases/bank/`.
pub fn test_bank() -> ProblemBank {
    ProblemBank::new(cases_dir().join("bank"))
}

/// The project's own problem bank, `problems/`.
pub fn project_bank() -> ProblemBank {
    ProblemBank::new(repo_root().join("problems"))
}

/// A problem from the test-only bank, else from the project's bank.
pub fn load_problem(id: &str) -> Result<Problem, String> {
    let test_bank = test_bank();
    if test_bank.root().join(id).is_dir() {
        return test_bank.load(id).map_err(|e| e.to_string());
    }
    project_bank().load(id).map_err(|e| e.to_string())
}

/// Awaits `future`, or fails with `what` when it has not finished within [`HANG_GUARD`].
pub async fn guarded<F: Future>(what: &str, future: F) -> Result<F::Output, String> {
    tokio::time::timeout(HANG_GUARD, future)
        .await
        .map_err(|_| format!("{what}: no answer within {} s (the grader hangs)", HANG_GUARD.as_secs()))
}

/// Runs a whole program with collected output.
pub async fn run(
    language: Language,
    source: &str,
    stdin: &[u8],
    time_ms: u64,
    memory_mb: u64,
) -> Result<RunReport, String> {
    let grader = grader();
    let run = grader.run_program(
        language,
        source,
        stdin.to_vec(),
        Limits::new(time_ms, memory_mb),
        Output::Collect { cap: RUN_OUTPUT_CAP },
    );
    guarded(&format!("{language} run"), run)
        .await?
        .map_err(|e| format!("{language} run: grader error: {e}"))
}

/// Grades `source` against every test of `problem` (hidden details kept).
pub async fn grade(problem: &Problem, language: Language, source: &str) -> Result<GradeReport, String> {
    let grader = grader();
    guarded(
        &format!("grading {language} on {}", problem.id),
        grader.grade(problem, language, source),
    )
    .await?
    .map_err(|e| format!("grading {language} on {}: grader error: {e}", problem.id))
}

/// Checks that the grader still runs an ordinary program in `language` correctly (after a
/// hostile one): prints, reads stdin, exits 0.
pub async fn still_works(language: Language) -> Result<(), String> {
    let source = match language {
        Language::Python => "print('still ' + input())\n",
        Language::Ruby => "puts 'still ' + gets\n",
        Language::Javascript => "console.log('still ' + readline());\n",
    };
    let report = run(language, source, b"working\n", 10_000, 256).await?;
    if report.status == RunStatus::Ok && report.exit_code == 0 && report.stdout == "still working\n" {
        Ok(())
    } else {
        Err(format!(
            "{language}: an ordinary program no longer works afterwards: {}",
            describe_run(&report)
        ))
    }
}

/// A run report in one line, for failure messages.
pub fn describe_run(report: &RunReport) -> String {
    format!(
        "status {:?}, exit {}, stdout {:?}, stderr {:?}",
        report.status,
        report.exit_code,
        clip(&report.stdout),
        clip(&report.stderr)
    )
}

/// A grade report in one line, for failure messages.
pub fn describe_grade(report: &GradeReport) -> String {
    let tests: Vec<String> = report
        .tests
        .iter()
        .map(|t| {
            let error = t
                .detail
                .as_ref()
                .and_then(|d| d.error.as_ref())
                .map(|e| format!(" ({}: {} @ {:?})", e.kind, clip(&e.message), e.line))
                .unwrap_or_default();
            format!("{}{error}", t.verdict)
        })
        .collect();
    let error = report
        .error
        .as_ref()
        .map(|e| format!("{}: {} @ {:?}", e.kind, clip(&e.message), e.line))
        .unwrap_or_else(|| "none".into());
    format!(
        "verdict {}, passed {}/{}, error {error}, tests [{}]",
        report.verdict,
        report.passed,
        report.total,
        tests.join(", ")
    )
}

/// At most 300 characters of `text`, marked when cut.
pub fn clip(text: &str) -> String {
    if text.chars().count() <= 300 {
        text.to_owned()
    } else {
        let head: String = text.chars().take(300).collect();
        format!("{head}… ({} bytes in all)", text.len())
    }
}

/// A name no other run of these tests uses, for files that must not appear on the host.
pub fn unique_name(prefix: &str) -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let random = RandomState::new().hash_one(nanos);
    format!("{prefix}-{}-{random:016x}", std::process::id())
}

/// Collects the failures of many checks, then fails once with all of them.
#[derive(Debug, Default)]
pub struct Failures(Vec<String>);

impl Failures {
    /// Records a failure.
    pub fn push(&mut self, failure: impl Into<String>) {
        self.0.push(failure.into());
    }

    /// Panics with every failure, when there is one; `total` is how many checks ran.
    pub fn finish(self, what: &str, total: usize) {
        if !self.0.is_empty() {
            let mut message = format!("{} of {total} {what} failed:\n", self.0.len());
            for failure in &self.0 {
                message.push_str(&format!("- {failure}\n"));
            }
            panic!("{message}");
        }
    }
}
