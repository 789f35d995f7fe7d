//! Data-driven cases from `tests/cases/`: whole programs run with `run_program`
//! (`run/<language>/<name>.<ext>`) and solutions graded against a problem
//! (`grade/<language>/<name>.<ext>`), each checked against its `<name>.expected.json`.
//!
//! Every case of a folder runs (concurrently) even when some fail; the test then fails once
//! with the name of each failing case and what differed. With `POLYRUN_BLESS=1` the actual
//! outcome is written into the `.expected.json` files instead (review every blessed file by
//! hand: a case must assert what *should* happen, not whatever happens).

use std::path::PathBuf;

use polyrun_core::report::{RunReport, RunStatus};
use polyrun_core::{GradeReport, Language, Verdict};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use crate::common::{self, Failures, clip, describe_grade, describe_run};

/// Time limit of a run case that names none (ms).
const DEFAULT_RUN_TIME_MS: u64 = 10_000;
/// Memory limit of a run case that names none (MiB).
const DEFAULT_RUN_MEMORY_MB: u64 = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Run,
    Grade,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Grade => "grade",
        }
    }
}

/// One case: a source file and the files beside it.
#[derive(Debug, Clone)]
struct Case {
    kind: Kind,
    language: Language,
    /// `run/python/hello`.
    name: String,
    source: PathBuf,
}

impl Case {
    fn sibling(&self, suffix: &str) -> PathBuf {
        let stem = self.source.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        self.source.with_file_name(format!("{stem}{suffix}"))
    }

    fn expected_path(&self) -> PathBuf {
        self.sibling(".expected.json")
    }
}

fn blessing() -> bool {
    std::env::var("POLYRUN_BLESS").is_ok_and(|v| v == "1")
}

/// The cases of `kind` in `language`, sorted; files that belong to no case are failures.
fn discover(kind: Kind, language: Language, failures: &mut Failures) -> Vec<Case> {
    let dir = common::cases_dir().join(kind.dir()).join(language.id());
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => {
            failures.push(format!("{}: cannot read the case folder: {e}", dir.display()));
            return Vec::new();
        }
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    let sources: Vec<&PathBuf> = files
        .iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(language.extension()))
        .collect();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let stem = [".expected.json", ".stdin"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix));
        let belongs = match stem {
            Some(stem) => sources
                .iter()
                .any(|s| s.file_stem().and_then(|s| s.to_str()) == Some(stem)),
            None => sources.contains(&file),
        };
        if !belongs {
            failures.push(format!(
                "{}: belongs to no case (a case is <name>.{} with <name>.expected.json and an optional <name>.stdin)",
                file.display(),
                language.extension()
            ));
        }
    }
    sources
        .into_iter()
        .map(|source| Case {
            kind,
            language,
            name: format!(
                "{}/{}/{}",
                kind.dir(),
                language.id(),
                source.file_stem().and_then(|s| s.to_str()).unwrap_or_default()
            ),
            source: source.clone(),
        })
        .collect()
}

/// Runs every case of `kind` in `language` and fails with the list of failing ones.
fn run_folder(kind: Kind, language: Language) {
    let mut failures = Failures::default();
    let cases = discover(kind, language, &mut failures);
    if cases.is_empty() {
        failures.push(format!("no {} case for {language}", kind.dir()));
    }
    let total = cases.len();
    let outcomes = common::block_on(async move {
        let mut jobs = JoinSet::new();
        for case in cases {
            jobs.spawn(async move {
                let name = case.name.clone();
                (name, run_case(&case).await)
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = jobs.join_next().await {
            outcomes.push(done.unwrap_or_else(|e| ("?".into(), Err(format!("the case's task panicked: {e}")))));
        }
        outcomes.sort_by(|a, b| a.0.cmp(&b.0));
        outcomes
    });
    let passed = outcomes.iter().filter(|(_, r)| r.is_ok()).count();
    eprintln!("{} {language}: {passed} of {total} cases pass", kind.dir());
    for (name, outcome) in outcomes {
        if let Err(e) = outcome {
            failures.push(format!("{name}: {e}"));
        }
    }
    failures.finish(&format!("{} cases in {language}", kind.dir()), total);
}

async fn run_case(case: &Case) -> Result<(), String> {
    let source = std::fs::read_to_string(&case.source).map_err(|e| format!("cannot read the source: {e}"))?;
    let expected_path = case.expected_path();
    let expected_text = match std::fs::read_to_string(&expected_path) {
        Ok(text) => Some(text),
        Err(_) if blessing() => None,
        Err(e) => return Err(format!("cannot read {}: {e}", expected_path.display())),
    };
    let old: Value = match &expected_text {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| format!("{}: invalid JSON: {e}", expected_path.display()))?
        }
        None => Value::Object(Map::new()),
    };
    let fresh = match case.kind {
        Kind::Run => run_program_case(case, &source, &old).await?,
        Kind::Grade => grade_case(case, &source, &old).await?,
    };
    if let Some(blessed) = fresh {
        let text = serde_json::to_string_pretty(&blessed).unwrap_or_default() + "\n";
        std::fs::write(&expected_path, text).map_err(|e| format!("cannot bless {}: {e}", expected_path.display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Whole programs.

/// `<name>.expected.json` of a run case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunExpectation {
    /// Time limit the program runs under (default 10 s).
    #[serde(default)]
    time_limit_ms: Option<u64>,
    /// Memory limit the program runs under (default 256 MiB).
    #[serde(default)]
    memory_limit_mb: Option<u64>,
    exit_code: i32,
    status: RunStatus,
    /// Compared exactly.
    stdout: String,
    /// Each must occur in stderr.
    #[serde(default)]
    stderr_contains: Vec<String>,
}

/// Runs a run case; returns the blessed expectation when blessing.
async fn run_program_case(case: &Case, source: &str, old: &Value) -> Result<Option<Value>, String> {
    let expected = if blessing() {
        None
    } else {
        Some(
            serde_json::from_value::<RunExpectation>(old.clone())
                .map_err(|e| format!("malformed .expected.json: {e}"))?,
        )
    };
    let limit = |key: &str| old.get(key).and_then(Value::as_u64);
    let time_ms = expected
        .as_ref()
        .map_or(limit("time_limit_ms"), |e| e.time_limit_ms)
        .unwrap_or(DEFAULT_RUN_TIME_MS);
    let memory_mb = expected
        .as_ref()
        .map_or(limit("memory_limit_mb"), |e| e.memory_limit_mb)
        .unwrap_or(DEFAULT_RUN_MEMORY_MB);
    let stdin = std::fs::read(case.sibling(".stdin")).unwrap_or_default();
    let report = common::run(case.language, source, &stdin, time_ms, memory_mb).await?;
    let Some(expected) = expected else {
        return Ok(Some(bless_run(old, &report)));
    };
    let mut diffs = Vec::new();
    if report.exit_code != expected.exit_code {
        diffs.push(format!(
            "exit code {} (expected {})",
            report.exit_code, expected.exit_code
        ));
    }
    if report.status != expected.status {
        diffs.push(format!("status {:?} (expected {:?})", report.status, expected.status));
    }
    if report.stdout != expected.stdout {
        diffs.push(format!(
            "stdout {:?} (expected {:?})",
            clip(&report.stdout),
            clip(&expected.stdout)
        ));
    }
    for needle in &expected.stderr_contains {
        if !report.stderr.contains(needle.as_str()) {
            diffs.push(format!("stderr does not contain {needle:?}"));
        }
    }
    if diffs.is_empty() {
        Ok(None)
    } else {
        Err(format!("{}\n    got: {}", diffs.join("; "), describe_run(&report)))
    }
}

fn bless_run(old: &Value, report: &RunReport) -> Value {
    let mut out = Map::new();
    for key in ["time_limit_ms", "memory_limit_mb"] {
        if let Some(v) = old.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("exit_code".into(), json!(report.exit_code));
    out.insert("status".into(), json!(report.status));
    out.insert("stdout".into(), json!(report.stdout));
    let kept: Vec<Value> = old
        .get("stderr_contains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.as_str().is_some_and(|s| report.stderr.contains(s)))
        .cloned()
        .collect();
    let stderr_contains = if kept.is_empty() {
        report
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| vec![json!(l.trim())])
            .unwrap_or_default()
    } else {
        kept
    };
    out.insert("stderr_contains".into(), Value::Array(stderr_contains));
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------
// Graded solutions.

/// `<name>.expected.json` of a grade case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeExpectation {
    verdict: Verdict,
    passed: usize,
    /// The verdict of each test, in file order.
    tests: Vec<Verdict>,
    /// The submission-level error (compile error, error while loading), or null.
    error: Option<ErrorExpectation>,
    /// The error of the first test that is not accepted: absent = not checked, null = none.
    #[serde(default, deserialize_with = "present")]
    first_error: Option<Option<FirstErrorExpectation>>,
    /// Per test: null (not checked), a string (exact) or a shape.
    #[serde(default)]
    stdout: Option<Vec<Option<OutputCheck>>>,
    /// Per test, as `stdout`.
    #[serde(default)]
    stderr: Option<Vec<Option<OutputCheck>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorExpectation {
    #[serde(rename = "type")]
    kind: String,
    line: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FirstErrorExpectation {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message_contains: Option<String>,
    line: Option<u32>,
}

/// What a test's captured output must look like.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OutputCheck {
    Exact(String),
    Shape(OutputShape),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutputShape {
    #[serde(default)]
    starts_with: Option<String>,
    #[serde(default)]
    ends_with: Option<String>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    min_bytes: Option<usize>,
    #[serde(default)]
    max_bytes: Option<usize>,
}

fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl OutputCheck {
    fn check(&self, actual: &str) -> Result<(), String> {
        match self {
            OutputCheck::Exact(text) if text == actual => Ok(()),
            OutputCheck::Exact(text) => Err(format!("{:?} (expected {:?})", clip(actual), clip(text))),
            OutputCheck::Shape(shape) => {
                let mut wrong = Vec::new();
                if let Some(prefix) = &shape.starts_with
                    && !actual.starts_with(prefix.as_str())
                {
                    wrong.push(format!("does not start with {:?}", clip(prefix)));
                }
                if let Some(suffix) = &shape.ends_with
                    && !actual.ends_with(suffix.as_str())
                {
                    wrong.push(format!("does not end with {:?}", clip(suffix)));
                }
                for needle in &shape.contains {
                    if !actual.contains(needle.as_str()) {
                        wrong.push(format!("does not contain {:?}", clip(needle)));
                    }
                }
                if shape.min_bytes.is_some_and(|min| actual.len() < min) {
                    wrong.push(format!("is shorter than {} bytes", shape.min_bytes.unwrap_or_default()));
                }
                if shape.max_bytes.is_some_and(|max| actual.len() > max) {
                    wrong.push(format!("is longer than {} bytes", shape.max_bytes.unwrap_or_default()));
                }
                if wrong.is_empty() {
                    Ok(())
                } else {
                    let tail: String = actual
                        .chars()
                        .rev()
                        .take(80)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    Err(format!(
                        "{} ({} bytes, ending {tail:?})",
                        wrong.join(", "),
                        actual.len()
                    ))
                }
            }
        }
    }
}

/// The problem a solution names on its first line: `# problem: id` or `// problem: id`.
fn problem_id(source: &str) -> Result<String, String> {
    let first = source.lines().next().unwrap_or_default().trim();
    let comment = first
        .strip_prefix("//")
        .or_else(|| first.strip_prefix('#'))
        .map(str::trim)
        .and_then(|rest| rest.strip_prefix("problem:"))
        .map(str::trim)
        .filter(|id| !id.is_empty());
    comment.map(str::to_owned).ok_or_else(|| {
        format!("the first line must name the problem (`# problem: id` or `// problem: id`), found {first:?}")
    })
}

/// Invariants every grade report keeps, whatever the solution.
pub fn report_invariants(report: &GradeReport) -> Result<(), String> {
    let accepted = report.tests.iter().filter(|t| t.verdict == Verdict::Accepted).count();
    let mut wrong = Vec::new();
    if report.passed != accepted {
        wrong.push(format!("passed {} but {accepted} tests accepted", report.passed));
    }
    if report.total != report.tests.len() {
        wrong.push(format!("total {} but {} test lines", report.total, report.tests.len()));
    }
    for (i, test) in report.tests.iter().enumerate() {
        if test.index != i {
            wrong.push(format!("test line {i} has index {}", test.index));
        }
    }
    if report.verdict == Verdict::Skipped {
        wrong.push("the submission's verdict is skipped (a per-test verdict only)".into());
    }
    if report.error.is_none() {
        let first = report
            .tests
            .iter()
            .map(|t| t.verdict)
            .find(|v| *v != Verdict::Accepted)
            .unwrap_or(Verdict::Accepted);
        if report.verdict != first {
            wrong.push(format!(
                "verdict {} is not that of the first test not accepted ({first})",
                report.verdict
            ));
        }
    } else if report.verdict == Verdict::Accepted {
        wrong.push("accepted with a submission error".into());
    }
    if report.verdict == Verdict::CompileError && report.tests.iter().any(|t| t.verdict != Verdict::Skipped) {
        wrong.push("a compile error, yet some test ran".into());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("inconsistent report: {}", wrong.join("; ")))
    }
}

/// Grades a grade case; returns the blessed expectation when blessing.
async fn grade_case(case: &Case, source: &str, old: &Value) -> Result<Option<Value>, String> {
    let id = problem_id(source)?;
    let problem = common::load_problem(&id)?;
    let report = common::grade(&problem, case.language, source).await?;
    report_invariants(&report).map_err(|e| format!("{e}\n    got: {}", describe_grade(&report)))?;
    if blessing() {
        return Ok(Some(bless_grade(old, &report)));
    }
    let expected: GradeExpectation =
        serde_json::from_value(old.clone()).map_err(|e| format!("malformed .expected.json: {e}"))?;
    let mut diffs = Vec::new();
    if report.verdict != expected.verdict {
        diffs.push(format!("verdict {} (expected {})", report.verdict, expected.verdict));
    }
    if report.passed != expected.passed {
        diffs.push(format!("passed {} (expected {})", report.passed, expected.passed));
    }
    let verdicts: Vec<Verdict> = report.tests.iter().map(|t| t.verdict).collect();
    if verdicts != expected.tests {
        diffs.push(format!("tests {} (expected {})", ids(&verdicts), ids(&expected.tests)));
    }
    match (&report.error, &expected.error) {
        (None, None) => {}
        (Some(actual), Some(want)) if actual.kind == want.kind && actual.line == want.line => {}
        (actual, want) => diffs.push(format!(
            "error {} (expected {})",
            actual.as_ref().map_or("null".into(), |e| format!(
                "{} at line {:?}: {}",
                e.kind,
                e.line,
                clip(&e.message)
            )),
            want.as_ref()
                .map_or("null".into(), |e| format!("{} at line {:?}", e.kind, e.line)),
        )),
    }
    if let Some(want) = &expected.first_error {
        let first = report.tests.iter().find(|t| t.verdict != Verdict::Accepted);
        let actual = first.and_then(|t| t.detail.as_ref()).and_then(|d| d.error.as_ref());
        match (actual, want) {
            (None, None) => {}
            (Some(actual), Some(want))
                if actual.kind == want.kind
                    && actual.line == want.line
                    && want
                        .message_contains
                        .as_ref()
                        .is_none_or(|m| actual.message.contains(m.as_str())) => {}
            (actual, want) => diffs.push(format!(
                "first failing test's error {} (expected {})",
                actual.map_or("null".into(), |e| format!(
                    "{} at line {:?}: {:?}",
                    e.kind,
                    e.line,
                    clip(&e.message)
                )),
                want.as_ref().map_or("null".into(), |e| format!(
                    "{} at line {:?} with a message containing {:?}",
                    e.kind, e.line, e.message_contains
                )),
            )),
        }
    }
    for (stream, checks) in [("stdout", &expected.stdout), ("stderr", &expected.stderr)] {
        let Some(checks) = checks else { continue };
        if checks.len() != report.tests.len() {
            diffs.push(format!(
                "{stream}: {} checks for {} tests",
                checks.len(),
                report.tests.len()
            ));
            continue;
        }
        for (test, check) in report.tests.iter().zip(checks) {
            let Some(check) = check else { continue };
            let detail = test.detail.as_ref();
            let actual = detail.map_or("", |d| if stream == "stdout" { &d.stdout } else { &d.stderr });
            if let Err(e) = check.check(actual) {
                diffs.push(format!("test {} {stream}: {e}", test.index));
            }
        }
    }
    if diffs.is_empty() {
        Ok(None)
    } else {
        Err(format!("{}\n    got: {}", diffs.join("; "), describe_grade(&report)))
    }
}

fn ids(verdicts: &[Verdict]) -> String {
    let ids: Vec<&str> = verdicts.iter().map(|v| v.id()).collect();
    format!("[{}]", ids.join(", "))
}

fn bless_grade(old: &Value, report: &GradeReport) -> Value {
    let mut out = Map::new();
    out.insert("verdict".into(), json!(report.verdict));
    out.insert("passed".into(), json!(report.passed));
    out.insert(
        "tests".into(),
        Value::Array(report.tests.iter().map(|t| json!(t.verdict)).collect()),
    );
    out.insert(
        "error".into(),
        report
            .error
            .as_ref()
            .map_or(Value::Null, |e| json!({"type": e.kind, "line": e.line})),
    );
    let first = report.tests.iter().find(|t| t.verdict != Verdict::Accepted);
    if let Some(first) = first {
        let error = first.detail.as_ref().and_then(|d| d.error.as_ref());
        let value = match error {
            None => Value::Null,
            Some(e) => {
                let kept = old
                    .get("first_error")
                    .and_then(|f| f.get("message_contains"))
                    .and_then(Value::as_str)
                    .filter(|m| e.message.contains(m));
                json!({
                    "type": e.kind,
                    "message_contains": kept.unwrap_or(&e.message),
                    "line": e.line,
                })
            }
        };
        out.insert("first_error".into(), value);
    }
    for stream in ["stdout", "stderr"] {
        let Some(checks) = old.get(stream).and_then(Value::as_array) else {
            continue;
        };
        let blessed: Vec<Value> = report
            .tests
            .iter()
            .enumerate()
            .map(|(i, test)| {
                let detail = test.detail.as_ref();
                let actual = detail.map_or("", |d| if stream == "stdout" { &d.stdout } else { &d.stderr });
                let old_check = checks.get(i).cloned().unwrap_or(Value::Null);
                let still_holds = serde_json::from_value::<Option<OutputCheck>>(old_check.clone())
                    .ok()
                    .flatten()
                    .is_some_and(|c| c.check(actual).is_ok());
                if still_holds || (old_check.is_null() && i < checks.len()) {
                    old_check
                } else if actual.len() <= 1000 {
                    json!(actual)
                } else {
                    let head: String = actual.chars().take(100).collect();
                    let tail: String = actual.chars().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect();
                    json!({"starts_with": head, "ends_with": tail, "min_bytes": actual.len(), "max_bytes": actual.len()})
                }
            })
            .collect();
        out.insert(stream.into(), Value::Array(blessed));
    }
    Value::Object(out)
}

#[test]
fn run_cases_python() {
    run_folder(Kind::Run, Language::Python);
}

#[test]
fn run_cases_ruby() {
    run_folder(Kind::Run, Language::Ruby);
}

#[test]
fn run_cases_javascript() {
    run_folder(Kind::Run, Language::Javascript);
}

#[test]
fn grade_cases_python() {
    run_folder(Kind::Grade, Language::Python);
}

#[test]
fn grade_cases_ruby() {
    run_folder(Kind::Grade, Language::Ruby);
}

#[test]
fn grade_cases_javascript() {
    run_folder(Kind::Grade, Language::Javascript);
}

/// The format itself: a case's first line names its problem, and a malformed expectation
/// is an error rather than a silent pass.
#[test]
fn case_format_is_strict() {
    assert_eq!(problem_id("# problem: two-sum\n").as_deref(), Ok("two-sum"));
    assert_eq!(problem_id("// problem:echo-value\n").as_deref(), Ok("echo-value"));
    assert!(problem_id("def f(): pass\n").is_err());
    assert!(problem_id("# problem:\n").is_err());
    let unknown_key = json!({"verdict": "accepted", "passed": 1, "tests": ["accepted"], "error": null, "verdit": 1});
    assert!(serde_json::from_value::<GradeExpectation>(unknown_key).is_err());
    let absent: GradeExpectation =
        serde_json::from_value(json!({"verdict": "accepted", "passed": 0, "tests": [], "error": null})).unwrap();
    assert!(absent.first_error.is_none());
    let null: GradeExpectation = serde_json::from_value(
        json!({"verdict": "accepted", "passed": 0, "tests": [], "error": null, "first_error": null}),
    )
    .unwrap();
    assert!(matches!(null.first_error, Some(None)));
    let shape: OutputCheck = serde_json::from_value(json!({"starts_with": "ab", "max_bytes": 3})).unwrap();
    assert!(shape.check("abc").is_ok());
    assert!(shape.check("abcd").is_err());
    assert!(shape.check("xbc").is_err());
    assert!(OutputCheck::Exact("a".into()).check("b").is_err());
}

/// `grade_tests`: a learner's own tests, under the problem's entry point and comparison; a
/// test without an expected value is accepted with whatever the function returned.
#[test]
fn grade_tests_runs_a_learners_own_cases() {
    use polyrun_core::TestCase;
    let problem = common::load_problem("divisors").expect("the divisors test problem");
    let tests = vec![
        TestCase {
            args: vec![json!(6)],
            expected: None,
            hidden: false,
            name: Some("no expected value".into()),
        },
        TestCase {
            args: vec![json!(6)],
            expected: Some(json!([6, 3, 2, 1])),
            hidden: false,
            name: None,
        },
        TestCase {
            args: vec![json!(4)],
            expected: Some(json!([1, 2])),
            hidden: false,
            name: None,
        },
    ];
    let sources = [
        (
            Language::Python,
            "def divisors(n):\n    return [d for d in range(1, n + 1) if n % d == 0]\n",
        ),
        (
            Language::Ruby,
            "def divisors(n)\n  (1..n).select { |d| (n % d).zero? }\nend\n",
        ),
        (
            Language::Javascript,
            "const divisors = (n) => [...Array(n).keys()].map((i) => i + 1).filter((d) => n % d === 0);\n",
        ),
    ];
    let mut failures = Failures::default();
    for (language, source) in sources {
        let report = common::block_on(common::guarded(
            "grade_tests",
            common::grader().grade_tests(&problem, language, source, tests.clone()),
        ));
        let report = match report {
            Ok(Ok(report)) => report,
            Ok(Err(e)) => {
                failures.push(format!("{language}: grader error: {e}"));
                continue;
            }
            Err(e) => {
                failures.push(format!("{language}: {e}"));
                continue;
            }
        };
        let verdicts: Vec<Verdict> = report.tests.iter().map(|t| t.verdict).collect();
        let actual = report.tests[0].detail.as_ref().and_then(|d| d.actual.clone());
        if verdicts != [Verdict::Accepted, Verdict::Accepted, Verdict::WrongAnswer]
            || actual != Some(json!([1, 2, 3, 6]))
            || report.total != 3
        {
            failures.push(format!(
                "{language}: expected [accepted, accepted, wrong_answer] and [1, 2, 3, 6] returned, got {} (actual {actual:?})",
                describe_grade(&report)
            ));
        }
    }
    failures.finish("grade_tests checks", 3);
}
