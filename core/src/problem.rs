//! The problem bank: loading and validating `problem.toml`, `statement.md`, `tests.json`
//! and reference solutions, and the public view of a problem that may reach a browser.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compare::{CompareMode, DEFAULT_TOLERANCE};
use crate::language::Language;
use crate::limits::{DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_MS};

/// How hard a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Easy.
    Easy,
    /// Medium.
    Medium,
    /// Hard.
    Hard,
}

impl Difficulty {
    /// The lower-case id.
    pub fn id(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// The metadata of `problem.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemMeta {
    /// Title.
    pub title: String,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Tags.
    pub tags: Vec<String>,
    /// Entry point, snake_case.
    pub function: String,
    /// Parameter names, snake_case, in order.
    pub params: Vec<String>,
    /// Comparison mode.
    pub compare: CompareMode,
    /// Tolerance for `float`.
    pub tolerance: f64,
    /// Per-test time limit.
    pub time_limit_ms: u64,
    /// Memory the user's code may use beyond the runtime's footprint.
    pub memory_limit_mb: u64,
}

/// One test case of `tests.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestCase {
    /// Arguments, one per parameter.
    pub args: Vec<Value>,
    /// The expected return value; `None` for a learner's own test without one. A written
    /// `"expected": null` is `Some(Value::Null)` (the function returns None, nil or null),
    /// not an absent value: a browser reading a public view judges it as the grader does.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// Whether the test is hidden (never sent to a browser).
    #[serde(default)]
    pub hidden: bool,
    /// An optional name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A problem loaded from the bank, hidden tests and reference solutions included.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Folder name.
    pub id: String,
    /// Metadata.
    pub meta: ProblemMeta,
    /// The statement, CommonMark.
    pub statement: String,
    /// Every test, in file order.
    pub tests: Vec<TestCase>,
    /// Reference solutions present in `solutions/`.
    pub solutions: BTreeMap<Language, String>,
}

/// The part of a problem that may leave the grader: no hidden test, no solution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicProblem {
    /// Folder name.
    pub id: String,
    /// Metadata.
    #[serde(flatten)]
    pub meta: ProblemMeta,
    /// The statement, CommonMark.
    pub statement: String,
    /// The public tests, with their index in the full test list.
    pub tests: Vec<PublicTest>,
}

/// A public test with its index in the problem's full test list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicTest {
    /// Index in `tests.json`.
    pub index: usize,
    /// The test.
    #[serde(flatten)]
    pub test: TestCase,
}

impl PublicProblem {
    /// A problem with only these public tests (what a browser can grade against).
    pub fn to_problem(&self) -> Problem {
        Problem {
            id: self.id.clone(),
            meta: self.meta.clone(),
            statement: self.statement.clone(),
            tests: self.tests.iter().map(|t| t.test.clone()).collect(),
            solutions: BTreeMap::new(),
        }
    }
}

/// A summary line of the problem list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemSummary {
    /// Folder name.
    pub id: String,
    /// Title.
    pub title: String,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Tags.
    pub tags: Vec<String>,
}

impl Problem {
    /// The public view of this problem.
    pub fn public(&self) -> PublicProblem {
        PublicProblem {
            id: self.id.clone(),
            meta: self.meta.clone(),
            statement: self.statement.clone(),
            tests: self
                .tests
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.hidden)
                .map(|(index, test)| PublicTest {
                    index,
                    test: test.clone(),
                })
                .collect(),
        }
    }

    /// The summary line of this problem.
    pub fn summary(&self) -> ProblemSummary {
        ProblemSummary {
            id: self.id.clone(),
            title: self.meta.title.clone(),
            difficulty: self.meta.difficulty,
            tags: self.meta.tags.clone(),
        }
    }
}

/// A broken problem: which problem, which file, which key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProblemError {
    /// The problem id (folder name).
    pub problem: String,
    /// The file, relative to the problem folder.
    pub file: String,
    /// The key or path inside the file, where there is one.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ProblemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "problem '{}': {}", self.problem, self.file)?;
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Whether `id` is a valid problem id (`[a-z0-9-]+`).
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

struct Ctx<'a> {
    problem: &'a str,
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, key: Option<String>, message: impl Into<String>) -> ProblemError {
        ProblemError {
            problem: self.problem.to_owned(),
            file: self.file.to_owned(),
            key,
            message: message.into(),
        }
    }
}

/// `problem.toml` as written, before validation: every key optional, so that a missing one
/// is reported by [`RawMeta::validate`] with its name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    title: Option<String>,
    difficulty: Option<String>,
    tags: Option<Vec<String>>,
    function: Option<String>,
    params: Option<Vec<String>>,
    compare: Option<String>,
    tolerance: Option<f64>,
    time_limit_ms: Option<i64>,
    memory_limit_mb: Option<i64>,
}

/// The keys of `problem.toml`.
const META_KEYS: [&str; 9] = [
    "title",
    "difficulty",
    "tags",
    "function",
    "params",
    "compare",
    "tolerance",
    "time_limit_ms",
    "memory_limit_mb",
];

fn meta_key(k: &str) -> Option<String> {
    Some(format!("key '{k}'"))
}

impl RawMeta {
    fn validate(self, ctx: &Ctx<'_>) -> Result<ProblemMeta, ProblemError> {
        let key = meta_key;
        let required = |k: &str, v: Option<String>| v.ok_or_else(|| ctx.err(key(k), "missing"));
        let title = required("title", self.title)?;
        if title.trim().is_empty() {
            return Err(ctx.err(key("title"), "must not be empty"));
        }
        let difficulty = match required("difficulty", self.difficulty)?.as_str() {
            "easy" => Difficulty::Easy,
            "medium" => Difficulty::Medium,
            "hard" => Difficulty::Hard,
            other => {
                return Err(ctx.err(
                    key("difficulty"),
                    format!("expected easy, medium or hard, found '{other}'"),
                ));
            }
        };
        let function = required("function", self.function)?;
        if !is_snake_case(&function) {
            return Err(ctx.err(key("function"), format!("'{function}' is not a snake_case name")));
        }
        let params = self.params.ok_or_else(|| ctx.err(key("params"), "missing"))?;
        for (i, p) in params.iter().enumerate() {
            if !is_snake_case(p) {
                return Err(ctx.err(key("params"), format!("'{p}' is not a snake_case name")));
            }
            if params[..i].contains(p) {
                return Err(ctx.err(key("params"), format!("'{p}' appears twice")));
            }
        }
        let compare = match self.compare.as_deref() {
            None | Some("exact") => CompareMode::Exact,
            Some("unordered") => CompareMode::Unordered,
            Some("float") => CompareMode::Float,
            Some(other) => {
                return Err(ctx.err(
                    key("compare"),
                    format!("expected exact, unordered or float, found '{other}'"),
                ));
            }
        };
        let tolerance = match self.tolerance {
            None => DEFAULT_TOLERANCE,
            Some(t) if t.is_finite() && t >= 0.0 => t,
            Some(t) => {
                return Err(ctx.err(key("tolerance"), format!("expected a non-negative number, found {t}")));
            }
        };
        let positive = |k: &str, v: Option<i64>, default: u64| match v {
            None => Ok(default),
            Some(n) if n > 0 => Ok(n.unsigned_abs()),
            Some(n) => Err(ctx.err(key(k), format!("must be positive, found {n}"))),
        };
        Ok(ProblemMeta {
            title,
            difficulty,
            tags: self.tags.unwrap_or_default(),
            function,
            params,
            compare,
            tolerance,
            time_limit_ms: positive("time_limit_ms", self.time_limit_ms, DEFAULT_TIME_LIMIT_MS)?,
            memory_limit_mb: positive("memory_limit_mb", self.memory_limit_mb, DEFAULT_MEMORY_LIMIT_MB)?,
        })
    }
}

/// The first key of a path into a file (`tags` of `tags[1]`), and whether it is a known one.
fn first_key(path: &serde_path_to_error::Path) -> Option<&str> {
    path.iter().find_map(|segment| match segment {
        serde_path_to_error::Segment::Map { key } => Some(key.as_str()),
        _ => None,
    })
}

/// Parses and validates `problem.toml`.
pub fn parse_meta(problem: &str, text: &str) -> Result<ProblemMeta, ProblemError> {
    let ctx = Ctx {
        problem,
        file: "problem.toml",
    };
    let document = toml::Deserializer::parse(text).map_err(|e| ctx.err(None, e.message().to_owned()))?;
    let raw: RawMeta = serde_path_to_error::deserialize(document).map_err(|e| {
        let key = first_key(e.path()).map(str::to_owned);
        match key {
            Some(k) if !META_KEYS.contains(&k.as_str()) => ctx.err(meta_key(&k), "unknown key"),
            key => ctx.err(key.as_deref().and_then(meta_key), e.inner().message().to_owned()),
        }
    })?;
    raw.validate(&ctx)
}

/// One test case of `tests.json` as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a test case (an object)")]
struct RawTest {
    args: Option<Vec<Value>>,
    /// `Some(Value::Null)` for `"expected": null`, `None` when absent.
    #[serde(default, deserialize_with = "present")]
    expected: Option<Value>,
    #[serde(default)]
    hidden: bool,
    name: Option<String>,
}

/// The keys of a test case.
const TEST_KEYS: [&str; 4] = ["args", "expected", "hidden", "name"];

/// A value that is there, `null` included.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl RawTest {
    fn validate(self, ctx: &Ctx<'_>, i: usize, params: &[String]) -> Result<TestCase, ProblemError> {
        let at = |k: &str| Some(format!("[{i}].{k}"));
        let args = self.args.ok_or_else(|| ctx.err(at("args"), "missing"))?;
        if args.len() != params.len() {
            return Err(ctx.err(
                at("args"),
                format!(
                    "expected {} arguments (one per parameter), found {}",
                    params.len(),
                    args.len()
                ),
            ));
        }
        let expected = self.expected.ok_or_else(|| ctx.err(at("expected"), "missing"))?;
        Ok(TestCase {
            args,
            expected: Some(expected),
            hidden: self.hidden,
            name: self.name,
        })
    }
}

/// Parses and validates `tests.json` against the problem's parameters.
/// The first integer literal of the JSON `text` that fits neither `i64` nor `u64`, if any:
/// serde_json reads one as an `f64`, so `factorial(25)` and `factorial(25) + 12345` would
/// compare equal.
fn integer_beyond_64_bits(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    in_string = false;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
        } else if b == b'-' || b.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                i += 1;
            }
            let token = &text[start..i];
            if !token.contains(['.', 'e', 'E']) && token.parse::<i64>().is_err() && token.parse::<u64>().is_err() {
                return Some(token);
            }
        } else {
            i += 1;
        }
    }
    None
}

pub fn parse_tests(problem: &str, text: &str, params: &[String]) -> Result<Vec<TestCase>, ProblemError> {
    let ctx = Ctx {
        problem,
        file: "tests.json",
    };
    let mut document = serde_json::Deserializer::from_str(text);
    let raw: Vec<RawTest> = serde_path_to_error::deserialize(&mut document).map_err(|e| {
        let inner = e.inner();
        if !inner.is_data() {
            return ctx.err(None, format!("invalid JSON: {inner}"));
        }
        let mut segments = e.path().iter();
        match (segments.next(), segments.next()) {
            (Some(serde_path_to_error::Segment::Seq { index }), Some(serde_path_to_error::Segment::Map { key })) => {
                let message = if TEST_KEYS.contains(&key.as_str()) {
                    inner.to_string()
                } else {
                    "unknown key".to_owned()
                };
                ctx.err(Some(format!("[{index}].{key}")), message)
            }
            (Some(serde_path_to_error::Segment::Seq { index }), _) => {
                ctx.err(Some(format!("[{index}]")), format!("expected an object: {inner}"))
            }
            _ => ctx.err(None, format!("expected an array of test cases: {inner}")),
        }
    })?;
    document
        .end()
        .map_err(|e| ctx.err(None, format!("invalid JSON: {e}")))?;
    if let Some(literal) = integer_beyond_64_bits(text) {
        let shown: String = literal.chars().take(40).collect();
        return Err(ctx.err(
            None,
            format!(
                "the integer {shown} is beyond 64 bits: it would be read as a rounded float, so a wrong answer \
                 could compare equal to it; write it as a string"
            ),
        ));
    }
    if raw.is_empty() {
        return Err(ctx.err(None, "there are no test cases"));
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, test)| test.validate(&ctx, i, params))
        .collect()
}

/// A folder of problems.
#[derive(Debug, Clone)]
pub struct ProblemBank {
    root: PathBuf,
}

impl ProblemBank {
    /// A bank rooted at `root` (nothing is read yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ProblemBank { root: root.into() }
    }

    /// The bank's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The ids of the problem folders, sorted.
    pub fn ids(&self) -> std::io::Result<Vec<String>> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_type()?.is_dir()
                && let Some(name) = entry.file_name().to_str()
                && !name.starts_with('.')
            {
                ids.push(name.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Loads and validates one problem.
    pub fn load(&self, id: &str) -> Result<Problem, ProblemError> {
        let fail = |file: &str, message: String| ProblemError {
            problem: id.to_owned(),
            file: file.to_owned(),
            key: None,
            message,
        };
        if !is_valid_id(id) {
            return Err(fail(".", "a problem id is made of a-z, 0-9 and '-'".into()));
        }
        let dir = self.root.join(id);
        if !dir.is_dir() {
            return Err(fail(".", format!("no such problem in {}", self.root.display())));
        }
        let read = |file: &str| -> Result<String, ProblemError> {
            std::fs::read(dir.join(file))
                .map_err(|e| fail(file, format!("cannot read: {}", lower_io(&e))))
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| fail(file, "not valid UTF-8".into())))
        };
        let meta = parse_meta(id, &read("problem.toml")?)?;
        let statement = read("statement.md")?;
        let tests = parse_tests(id, &read("tests.json")?, &meta.params)?;
        let mut solutions = BTreeMap::new();
        for lang in Language::ALL {
            let file = format!("solutions/solution.{}", lang.extension());
            if dir.join(&file).exists() {
                solutions.insert(lang, read(&file)?);
            }
        }
        Ok(Problem {
            id: id.to_owned(),
            meta,
            statement,
            tests,
            solutions,
        })
    }
}

fn lower_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const META: &str = r#"
title = "Two Sum"
difficulty = "easy"
tags = ["array"]
function = "two_sum"
params = ["nums", "target"]
"#;

    #[test]
    fn meta_defaults_apply() {
        let meta = parse_meta("two-sum", META).unwrap();
        assert_eq!(meta.compare, CompareMode::Exact);
        assert_eq!(meta.time_limit_ms, 2000);
        assert_eq!(meta.memory_limit_mb, 256);
        assert_eq!(meta.tolerance, 1e-6);
    }

    #[test]
    fn meta_errors_name_the_key() {
        let bad = META.replace("\"easy\"", "\"eazy\"");
        let err = parse_meta("two-sum", &bad).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("key 'difficulty'"));
        assert_eq!(
            err.to_string(),
            "problem 'two-sum': problem.toml: key 'difficulty': expected easy, medium or hard, found 'eazy'"
        );
        let err = parse_meta("x", &format!("{META}\ncolour = 1")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("key 'colour'"));
        let err = parse_meta("x", &META.replace("two_sum", "twoSum")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("key 'function'"));
        let err = parse_meta("x", "title = ").unwrap_err();
        assert_eq!(err.file, "problem.toml");
        let err = parse_meta("x", &format!("{META}\ntime_limit_ms = -5")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("key 'time_limit_ms'"));
    }

    #[test]
    fn tests_errors_name_the_case_and_key() {
        let params = vec!["nums".to_owned(), "target".to_owned()];
        let ok = r#"[{"args": [[1,2], 3], "expected": [0,1]}, {"args": [[1], 1], "expected": null, "hidden": true}]"#;
        let tests = parse_tests("p", ok, &params).unwrap();
        assert_eq!(tests.len(), 2);
        assert!(tests[1].hidden);
        assert_eq!(tests[1].expected, Some(Value::Null));

        let err = parse_tests("p", r#"[{"args": [1], "expected": 1}]"#, &params).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("[0].args"));
        let err = parse_tests("p", r#"[{"args": [1, 2]}]"#, &params).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("[0].expected"));
        let err = parse_tests("p", r#"{"args": []}"#, &params).unwrap_err();
        assert!(err.message.contains("array"));
        let err = parse_tests("p", "[", &params).unwrap_err();
        assert!(err.message.starts_with("invalid JSON"));
        let err = parse_tests("p", r#"[{"args": [1, 2], "expected": 1, "hiden": true}]"#, &params).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("[0].hiden"));
    }

    #[test]
    fn integers_beyond_64_bits_are_refused_with_the_reason() {
        let params = ["n".to_owned()];
        let big = r#"[{"args": [25], "expected": 15511210043330985984000000}]"#;
        let e = parse_tests("f", big, &params).unwrap_err().to_string();
        assert!(e.contains("15511210043330985984000000 is beyond 64 bits"), "{e}");
        for fine in [
            r#"[{"args": [-9223372036854775808], "expected": 18446744073709551615}]"#,
            r#"[{"args": [1.5e300], "expected": "15511210043330985984000000"}]"#,
            r#"[{"args": ["a \" 99999999999999999999999"], "expected": -0.5}]"#,
        ] {
            assert!(parse_tests("f", fine, &params).is_ok(), "{fine}");
        }
        assert!(parse_tests("f", r#"[{"args": [-99999999999999999999], "expected": 1}]"#, &params).is_err());
    }

    #[test]
    fn public_view_has_no_hidden_tests() {
        let problem = Problem {
            id: "p".into(),
            meta: parse_meta("p", META).unwrap(),
            statement: "s".into(),
            tests: parse_tests(
                "p",
                r#"[{"args": [[1], 1], "expected": 0}, {"args": [[2], 2], "expected": 9, "hidden": true}]"#,
                &["nums".into(), "target".into()],
            )
            .unwrap(),
            solutions: BTreeMap::from([(Language::Python, "secret".into())]),
        };
        let public = serde_json::to_string(&problem.public()).unwrap();
        assert!(!public.contains('9'));
        assert!(!public.contains("secret"));
        assert!(public.contains("\"function\":\"two_sum\""));
    }
}

#[cfg(test)]
mod public_view_tests {
    use super::*;

    /// `"expected": null` in a public view is the value null, as in `tests.json`; an absent
    /// `expected` stays absent (a learner's own test).
    #[test]
    fn an_expected_null_survives_the_public_view() {
        let tests = parse_tests("p", r#"[{"args": [1], "expected": null}]"#, &["x".to_owned()]).unwrap();
        let json = serde_json::to_string(&tests[0]).unwrap();
        assert!(json.contains(r#""expected":null"#), "{json}");
        let back: TestCase = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expected, Some(Value::Null));
        let public: PublicTest = serde_json::from_str(r#"{"index": 0, "args": [1], "expected": null}"#).unwrap();
        assert_eq!(public.test.expected, Some(Value::Null));
        let own: TestCase = serde_json::from_str(r#"{"args": [1]}"#).unwrap();
        assert_eq!(own.expected, None);
    }
}
