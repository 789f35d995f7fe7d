//! Problem packs: the public part of a bank as one JSON file (`polyrun pack`), and the full
//! validation a browser runs before it trusts a pack written by a stranger.
//!
//! A pack is data from anyone with a static host. [`Pack::parse`] caps its size, checks
//! its format tag, its title, its grader URL, and every problem as strictly as the bank
//! loader checks `problem.toml` and `tests.json` (ids, snake_case names, arguments per
//! parameter, limits in range), and refuses hidden tests: a pack that fails any check is
//! refused whole, with one message saying where.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::compare::CompareMode;
use crate::problem::{Problem, PublicProblem, is_valid_id};

/// The `format` tag of a pack file.
pub const PACK_FORMAT: &str = "polyrun-pack/1";
/// The largest pack file accepted, in bytes.
pub const MAX_PACK_BYTES: usize = 4 * 1024 * 1024;
/// The most problems one pack may hold.
pub const MAX_PACK_PROBLEMS: usize = 500;
/// The longest title (of the pack or of a problem), in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest statement, in bytes.
pub const MAX_STATEMENT_BYTES: usize = 256 * 1024;
/// The most public tests one problem of a pack may carry.
pub const MAX_PUBLIC_TESTS: usize = 200;
/// The largest per-test time limit a pack may ask for.
pub const MAX_TIME_LIMIT_MS: u64 = 60_000;
/// The largest memory limit a pack may ask for.
pub const MAX_MEMORY_LIMIT_MB: u64 = 2048;

/// A problem pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// Always [`PACK_FORMAT`].
    pub format: String,
    /// The pack's title.
    pub title: String,
    /// The grader that grades Submit on this pack's problems (serving the same bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grader: Option<String>,
    /// The public view of each problem.
    pub problems: Vec<PublicProblem>,
}

/// Why a pack was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PackError {
    /// Where in the pack (`problems[2].tests[0].args`), when it is one place.
    pub at: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

fn err(at: impl Into<Option<String>>, message: impl Into<String>) -> PackError {
    PackError {
        at: at.into(),
        message: message.into(),
    }
}

impl Pack {
    /// The pack of these problems: their public views, no hidden test, no solution.
    pub fn of(title: &str, grader: Option<&str>, problems: &[Problem]) -> Pack {
        Pack {
            format: PACK_FORMAT.to_owned(),
            title: title.to_owned(),
            grader: grader.map(str::to_owned),
            problems: problems.iter().map(Problem::public).collect(),
        }
    }

    /// Parses and validates a pack file.
    pub fn parse(bytes: &[u8]) -> Result<Pack, PackError> {
        if bytes.len() > MAX_PACK_BYTES {
            return Err(err(
                None,
                format!(
                    "the pack is {} bytes; the largest accepted is {} MiB",
                    bytes.len(),
                    MAX_PACK_BYTES >> 20
                ),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| err(None, "the pack is not UTF-8 text"))?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| err(None, format!("the pack is not JSON: {e}")))?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(PACK_FORMAT) {
            return Err(err(
                Some("format".to_owned()),
                format!("expected \"{PACK_FORMAT}\"; this is not a polyrun pack (or a newer format)"),
            ));
        }
        let pack: Pack = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            err((path != ".").then_some(path), e.inner().to_string())
        })?;
        pack.validate()?;
        Ok(pack)
    }

    /// Checks everything [`Pack::parse`] checks after the JSON shape.
    pub fn validate(&self) -> Result<(), PackError> {
        if self.format != PACK_FORMAT {
            return Err(err(Some("format".to_owned()), format!("expected \"{PACK_FORMAT}\"")));
        }
        check_title("title".to_owned(), &self.title)?;
        if let Some(grader) = &self.grader {
            check_grader(grader)?;
        }
        if self.problems.is_empty() {
            return Err(err(Some("problems".to_owned()), "the pack has no problems"));
        }
        if self.problems.len() > MAX_PACK_PROBLEMS {
            return Err(err(
                Some("problems".to_owned()),
                format!("{} problems; at most {MAX_PACK_PROBLEMS}", self.problems.len()),
            ));
        }
        let mut ids = BTreeSet::new();
        for (i, problem) in self.problems.iter().enumerate() {
            let at = |key: &str| Some(format!("problems[{i}].{key}"));
            if !is_valid_id(&problem.id) || problem.id.len() > 100 {
                return Err(err(
                    at("id"),
                    format!("'{}' is not a problem id ([a-z0-9-]+)", problem.id),
                ));
            }
            if !ids.insert(problem.id.as_str()) {
                return Err(err(at("id"), format!("'{}' appears twice", problem.id)));
            }
            check_problem(i, problem)?;
        }
        Ok(())
    }
}

fn check_title(at: String, title: &str) -> Result<(), PackError> {
    if title.trim().is_empty() {
        return Err(err(Some(at), "must not be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(err(Some(at), format!("longer than {MAX_TITLE_CHARS} characters")));
    }
    if title.chars().any(char::is_control) {
        return Err(err(Some(at), "holds control characters"));
    }
    Ok(())
}

fn check_grader(grader: &str) -> Result<(), PackError> {
    let at = Some("grader".to_owned());
    let rest = grader
        .strip_prefix("https://")
        .or_else(|| grader.strip_prefix("http://"))
        .ok_or_else(|| err(at.clone(), format!("'{grader}' is not an http(s) URL")))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || grader.len() > 2048
        || grader.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        || host.contains('@')
    {
        return Err(err(at, format!("'{grader}' is not a usable grader URL")));
    }
    Ok(())
}

fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_problem(i: usize, problem: &PublicProblem) -> Result<(), PackError> {
    let at = |key: &str| Some(format!("problems[{i}].{key}"));
    let meta = &problem.meta;
    check_title(format!("problems[{i}].title"), &meta.title)?;
    if meta.tags.len() > 20 || meta.tags.iter().any(|t| t.is_empty() || t.chars().count() > 40) {
        return Err(err(at("tags"), "at most 20 tags of 1 to 40 characters"));
    }
    if !is_snake_case(&meta.function) || meta.function.len() > 100 {
        return Err(err(
            at("function"),
            format!("'{}' is not a snake_case name", meta.function),
        ));
    }
    if meta.params.len() > 20 {
        return Err(err(at("params"), "at most 20 parameters"));
    }
    for (k, p) in meta.params.iter().enumerate() {
        if !is_snake_case(p) || p.len() > 100 {
            return Err(err(at("params"), format!("'{p}' is not a snake_case name")));
        }
        if meta.params[..k].contains(p) {
            return Err(err(at("params"), format!("'{p}' appears twice")));
        }
    }
    if meta.compare == CompareMode::Float && !(meta.tolerance.is_finite() && meta.tolerance >= 0.0) {
        return Err(err(at("tolerance"), "must be a non-negative number"));
    }
    if !(1..=MAX_TIME_LIMIT_MS).contains(&meta.time_limit_ms) {
        return Err(err(at("time_limit_ms"), format!("must be 1 to {MAX_TIME_LIMIT_MS}")));
    }
    if !(1..=MAX_MEMORY_LIMIT_MB).contains(&meta.memory_limit_mb) {
        return Err(err(
            at("memory_limit_mb"),
            format!("must be 1 to {MAX_MEMORY_LIMIT_MB}"),
        ));
    }
    if problem.statement.len() > MAX_STATEMENT_BYTES {
        return Err(err(
            at("statement"),
            format!("longer than {} KiB", MAX_STATEMENT_BYTES >> 10),
        ));
    }
    if problem.tests.is_empty() {
        return Err(err(at("tests"), "there are no public tests"));
    }
    if problem.tests.len() > MAX_PUBLIC_TESTS {
        return Err(err(at("tests"), format!("at most {MAX_PUBLIC_TESTS} public tests")));
    }
    for (t, test) in problem.tests.iter().enumerate() {
        let at = |key: &str| Some(format!("problems[{i}].tests[{t}].{key}"));
        if test.test.hidden {
            return Err(err(at("hidden"), "a pack never holds a hidden test"));
        }
        if test.test.args.len() != meta.params.len() {
            return Err(err(
                at("args"),
                format!(
                    "expected {} arguments (one per parameter), found {}",
                    meta.params.len(),
                    test.test.args.len()
                ),
            ));
        }
        if test.test.expected.is_none() {
            return Err(err(at("expected"), "missing"));
        }
        if test
            .test
            .name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_TITLE_CHARS)
        {
            return Err(err(at("name"), format!("longer than {MAX_TITLE_CHARS} characters")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem() -> serde_json::Value {
        json!({
            "id": "add", "title": "Add", "difficulty": "easy", "tags": ["math"],
            "function": "add", "params": ["a", "b"], "compare": "exact", "tolerance": 1e-6,
            "time_limit_ms": 2000, "memory_limit_mb": 256,
            "statement": "Add <script>alert(1)</script> two numbers.",
            "tests": [{"index": 0, "args": [1, 2], "expected": 3, "hidden": false}]
        })
    }

    fn pack(problems: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"format": PACK_FORMAT, "title": "Week 1", "problems": problems})).unwrap()
    }

    fn refused(bytes: &[u8]) -> String {
        Pack::parse(bytes).expect_err("must be refused").to_string()
    }

    #[test]
    fn a_valid_pack_round_trips() {
        let parsed = Pack::parse(&pack(json!([problem()]))).unwrap();
        assert_eq!(parsed.title, "Week 1");
        assert_eq!(parsed.problems[0].meta.params, ["a", "b"]);
        let again = Pack::parse(&serde_json::to_vec(&parsed).unwrap()).unwrap();
        assert_eq!(again, parsed);
    }

    #[test]
    fn an_expected_null_is_a_value() {
        let mut p = problem();
        p["tests"][0]["expected"] = json!(null);
        let parsed = Pack::parse(&pack(json!([p]))).unwrap();
        assert_eq!(parsed.problems[0].tests[0].test.expected, Some(serde_json::Value::Null));
        let again = Pack::parse(&serde_json::to_vec(&parsed).unwrap()).unwrap();
        assert_eq!(again, parsed);
    }

    #[test]
    fn damaged_packs_say_where() {
        assert!(refused(b"<html>404</html>").contains("not JSON"));
        assert!(refused(b"{\"format\": \"other\"}").contains("not a polyrun pack"));
        assert!(refused(&vec![b' '; MAX_PACK_BYTES + 1]).contains("largest accepted"));
        assert!(refused(&pack(json!([]))).contains("no problems"));
        let mut p = problem();
        p["tests"][0]["hidden"] = json!(true);
        assert_eq!(
            refused(&pack(json!([p]))),
            "problems[0].tests[0].hidden: a pack never holds a hidden test"
        );
        let mut p = problem();
        p["tests"][0].as_object_mut().unwrap().remove("expected");
        assert_eq!(refused(&pack(json!([p]))), "problems[0].tests[0].expected: missing");
        let mut p = problem();
        p["tests"][0]["args"] = json!([1]);
        assert!(refused(&pack(json!([p]))).starts_with("problems[0].tests[0].args: expected 2 arguments"));
        let mut p = problem();
        p["id"] = json!("../etc");
        assert!(refused(&pack(json!([p]))).contains("not a problem id"));
        assert!(refused(&pack(json!([problem(), problem()]))).contains("appears twice"));
        let mut p = problem();
        p["function"] = json!("alert(1)");
        assert!(refused(&pack(json!([p]))).contains("snake_case"));
        let mut p = problem();
        p["time_limit_ms"] = json!(0);
        assert!(refused(&pack(json!([p]))).contains("time_limit_ms"));
        let mut p = problem();
        p["tests"] = json!("none");
        assert!(refused(&pack(json!([p]))).starts_with("problems[0].tests"));
    }

    #[test]
    fn grader_urls_are_http_and_plain() {
        let with = |grader: &str| {
            serde_json::to_vec(&json!({"format": PACK_FORMAT, "title": "T", "grader": grader, "problems": [problem()]}))
                .unwrap()
        };
        assert!(Pack::parse(&with("https://grader.example/")).is_ok());
        assert!(Pack::parse(&with("http://127.0.0.1:8080")).is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "https://user@host/",
            "ftp://x",
        ] {
            assert!(refused(&with(bad)).starts_with("grader:"), "{bad}");
        }
    }
}
