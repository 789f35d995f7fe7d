//! How `polyrun check` explains a reference solution that is not accepted: the first
//! failing test (index, name, verdict), the error with its line, and expected against
//! actual, side by side when short, else as a line diff of their pretty JSON.

use polyrun_core::report::{ErrorInfo, TestReport};
use polyrun_core::{GradeReport, Verdict};
use serde_json::Value;

/// Values whose compact JSON fits in this many characters are shown on one line each.
const SHORT: usize = 60;
/// The most lines of a diff shown; the rest is counted.
const MAX_DIFF_LINES: usize = 40;
/// Unchanged lines kept around each change.
const CONTEXT: usize = 2;
/// Above this many line pairs, no LCS: every expected line is `-`, every actual one `+`.
const MAX_LCS_CELLS: usize = 1_000_000;

/// The lines explaining why `report` is not accepted (empty when it is).
pub fn explain(report: &GradeReport) -> Vec<String> {
    if report.verdict == Verdict::Accepted {
        return Vec::new();
    }
    let mut lines = Vec::new();
    if let Some(error) = &report.error {
        lines.push(format!("{}: {}", report.verdict, error_text(error)));
        return lines;
    }
    let Some(test) = report.tests.iter().find(|t| t.verdict != Verdict::Accepted) else {
        lines.push(report.verdict.to_string());
        return lines;
    };
    lines.push(heading(test));
    let Some(detail) = &test.detail else {
        return lines;
    };
    lines.push(format!(
        "  args: {}",
        clip(&compact(&Value::Array(detail.args.clone())))
    ));
    if let Some(error) = &detail.error {
        lines.push(format!("  error: {}", error_text(error)));
    }
    if let (Some(expected), Some(actual)) = (&detail.expected, &detail.actual) {
        lines.extend(compare(expected, actual).into_iter().map(|l| format!("  {l}")));
    }
    lines
}

/// `wrong_answer on test 2 "negative numbers" (hidden)`.
fn heading(test: &TestReport) -> String {
    let name = test
        .detail
        .as_ref()
        .and_then(|d| d.name.as_deref())
        .map(|n| format!(" {n:?}"))
        .unwrap_or_default();
    let hidden = if test.hidden { " (hidden)" } else { "" };
    format!("{} on test {}{name}{hidden}", test.verdict, test.index)
}

/// `ZeroDivisionError: division by zero (line 3)`.
fn error_text(error: &ErrorInfo) -> String {
    let line = error.line.map(|l| format!(" (line {l})")).unwrap_or_default();
    format!("{}: {}{line}", error.kind, error.message.trim_end())
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn clip(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
        None => text.to_owned(),
    }
}

/// Expected against actual: two lines when both are short, else a line diff.
fn compare(expected: &Value, actual: &Value) -> Vec<String> {
    let (e, a) = (compact(expected), compact(actual));
    if e.chars().count() <= SHORT && a.chars().count() <= SHORT {
        return vec![format!("expected: {e}"), format!("actual:   {a}")];
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut lines = vec!["--- expected".to_owned(), "+++ actual".to_owned()];
    lines.extend(line_diff(&pretty(expected), &pretty(actual)));
    lines
}

/// A line diff of `old` and `new`: ` ` kept, `-` only in old, `+` only in new; unchanged
/// runs far from a change are folded to `…`, and at most [`MAX_DIFF_LINES`] are shown.
pub fn line_diff(old: &str, new: &str) -> Vec<String> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let ops = diff_ops(&old, &new);
    let near_change = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT + 1).min(ops.len());
        ops[lo..hi].iter().any(|(mark, _)| *mark != ' ')
    };
    let mut lines = Vec::new();
    let mut folded = false;
    for (i, (mark, line)) in ops.iter().enumerate() {
        if *mark == ' ' && !near_change(i) {
            if !folded {
                lines.push("  …".to_owned());
                folded = true;
            }
            continue;
        }
        folded = false;
        lines.push(format!("{mark} {line}"));
    }
    if lines.len() > MAX_DIFF_LINES {
        let more = lines.len() - MAX_DIFF_LINES;
        lines.truncate(MAX_DIFF_LINES);
        lines.push(format!("  … ({more} more lines)"));
    }
    lines
}

/// The edit script of a longest common subsequence of lines.
fn diff_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(char, &'a str)> {
    if old.len().saturating_mul(new.len()) > MAX_LCS_CELLS {
        let removed = old.iter().map(|l| ('-', *l));
        return removed.chain(new.iter().map(|l| ('+', *l))).collect();
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            ops.push((' ', old[i]));
            (i, j) = (i + 1, j + 1);
        } else if j == new.len() || (i < old.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', old[i]));
            i += 1;
        } else {
            ops.push(('+', new[j]));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_values_side_by_side() {
        assert_eq!(
            compare(&json!([1, 3]), &json!([3, 1])),
            ["expected: [1,3]", "actual:   [3,1]"]
        );
    }

    #[test]
    fn long_values_as_a_folded_line_diff() {
        let expected: Vec<u32> = (0..30).collect();
        let mut actual = expected.clone();
        actual[15] = 99;
        let lines = compare(&json!(expected), &json!(actual));
        assert_eq!(&lines[..2], ["--- expected", "+++ actual"]);
        assert!(lines.contains(&"-   15,".to_owned()), "{lines:#?}");
        assert!(lines.contains(&"+   99,".to_owned()), "{lines:#?}");
        assert!(lines.contains(&"    14,".to_owned()), "context kept: {lines:#?}");
        assert!(!lines.contains(&"    5,".to_owned()), "far lines folded: {lines:#?}");
        assert_eq!(lines.iter().filter(|l| l.trim() == "…").count(), 2, "{lines:#?}");
    }

    #[test]
    fn a_huge_diff_is_cut() {
        let old: String = (0..100).map(|i| format!("{i}\n")).collect();
        let lines = line_diff(&old, "");
        assert_eq!(lines.len(), MAX_DIFF_LINES + 1);
        assert_eq!(lines[MAX_DIFF_LINES], "  … (60 more lines)");
    }
}
