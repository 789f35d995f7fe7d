//! The gradebook (spec: `GET /api/v1/gradebook`): for each learner and problem, the best
//! submission (accepted first, then most tests passed, then the newest), the attempts and
//! when the first accepted one came. Built from the submission summaries, so every back
//! end gives the same table. Submissions without a user (`--auth open`) are left out.

use std::collections::{BTreeMap, BTreeSet};

use polyrun_core::Verdict;
use serde::Serialize;

use crate::model::{Filter, SubmissionSummary, rfc3339};
use crate::{MAX_PAGE, Store, StoreError};

/// The table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gradebook {
    /// Every problem someone submitted to, sorted.
    pub problems: Vec<String>,
    /// One row per user, sorted by name.
    pub rows: Vec<GradebookRow>,
}

/// One learner's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradebookRow {
    /// The user.
    pub user: String,
    /// By problem id.
    pub results: BTreeMap<String, GradebookCell>,
}

/// One learner's result on one problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradebookCell {
    /// The best submission's verdict.
    pub verdict: Verdict,
    /// Its tests accepted.
    pub passed: u32,
    /// Its tests.
    pub total: u32,
    /// Every graded submission of that user for that problem.
    pub attempts: u32,
    /// When the first accepted one was graded (RFC 3339), if any.
    pub accepted_at: Option<String>,
    #[serde(skip)]
    best_key: (bool, u32, i64),
    #[serde(skip)]
    accepted_ms: Option<i64>,
}

impl Gradebook {
    /// The table of `summaries` (any order).
    pub fn build(summaries: impl IntoIterator<Item = SubmissionSummary>) -> Gradebook {
        let mut problems = BTreeSet::new();
        let mut rows: BTreeMap<String, BTreeMap<String, GradebookCell>> = BTreeMap::new();
        for s in summaries {
            let Some(user) = s.user.clone() else { continue };
            problems.insert(s.problem.clone());
            let accepted = s.verdict == Verdict::Accepted;
            let key = (accepted, s.passed, s.created_at_ms);
            let cell = rows
                .entry(user)
                .or_default()
                .entry(s.problem.clone())
                .or_insert(GradebookCell {
                    verdict: s.verdict,
                    passed: s.passed,
                    total: s.total,
                    attempts: 0,
                    accepted_at: None,
                    best_key: key,
                    accepted_ms: None,
                });
            cell.attempts += 1;
            if key > cell.best_key {
                cell.best_key = key;
                cell.verdict = s.verdict;
                cell.passed = s.passed;
                cell.total = s.total;
            }
            if accepted && cell.accepted_ms.is_none_or(|first| s.created_at_ms < first) {
                cell.accepted_ms = Some(s.created_at_ms);
                cell.accepted_at = Some(rfc3339(s.created_at_ms));
            }
        }
        Gradebook {
            problems: problems.into_iter().collect(),
            rows: rows
                .into_iter()
                .map(|(user, results)| GradebookRow { user, results })
                .collect(),
        }
    }

    /// The gradebook of everything in `store`.
    pub async fn of(store: &dyn Store) -> Result<Gradebook, StoreError> {
        let mut all = Vec::new();
        let mut filter = Filter {
            limit: MAX_PAGE,
            ..Filter::default()
        };
        loop {
            let page = store.submissions(&filter).await?;
            all.extend(page.items);
            match page.next {
                Some(next) => filter.before = Some(next),
                None => break,
            }
        }
        Ok(Gradebook::build(all))
    }

    /// CSV: a header, then one line per user and problem:
    /// `user,problem,verdict,passed,total,attempts,accepted_at`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("user,problem,verdict,passed,total,attempts,accepted_at\n");
        for row in &self.rows {
            for (problem, c) in &row.results {
                out.push_str(&format!(
                    "{},{},{},{},{},{},{}\n",
                    csv_field(&row.user),
                    csv_field(problem),
                    c.verdict.id(),
                    c.passed,
                    c.total,
                    c.attempts,
                    c.accepted_at.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }
}

/// A CSV field, quoted when it must be, and never a formula a spreadsheet would run.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(user: Option<&str>, problem: &str, verdict: Verdict, passed: u32, at: i64) -> SubmissionSummary {
        SubmissionSummary {
            id: crate::new_id(),
            user: user.map(str::to_owned),
            problem: problem.into(),
            language: "python".into(),
            verdict,
            passed,
            total: 4,
            time_ms: 1.0,
            created_at_ms: at,
        }
    }

    #[test]
    fn best_result_attempts_and_first_acceptance() {
        let book = Gradebook::build([
            s(Some("ada"), "two-sum", Verdict::WrongAnswer, 3, 1_000),
            s(Some("ada"), "two-sum", Verdict::Accepted, 4, 2_000),
            s(Some("ada"), "two-sum", Verdict::RuntimeError, 0, 3_000),
            s(Some("ada"), "two-sum", Verdict::Accepted, 4, 4_000),
            s(Some("bob"), "fizzbuzz", Verdict::WrongAnswer, 1, 1_500),
            s(Some("bob"), "fizzbuzz", Verdict::TimeLimitExceeded, 2, 1_600),
            s(None, "two-sum", Verdict::Accepted, 4, 10),
        ]);
        assert_eq!(book.problems, ["fizzbuzz", "two-sum"]);
        assert_eq!(book.rows.len(), 2, "anonymous submissions are left out");
        let ada = &book.rows[0].results["two-sum"];
        assert_eq!((ada.verdict, ada.passed, ada.attempts), (Verdict::Accepted, 4, 4));
        assert_eq!(ada.accepted_at.as_deref(), Some("1970-01-01T00:00:02.000Z"));
        let bob = &book.rows[1].results["fizzbuzz"];
        assert_eq!(
            (bob.verdict, bob.passed, bob.attempts, bob.accepted_at.clone()),
            (Verdict::TimeLimitExceeded, 2, 2, None)
        );
        let json = serde_json::to_value(&book).expect("json");
        assert_eq!(json["rows"][0]["results"]["two-sum"]["attempts"], 4);
        assert!(json["rows"][0]["results"]["two-sum"].get("best_key").is_none());
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let book = Gradebook::build([
            s(Some("=cmd|' /C calc'!A0"), "p", Verdict::Accepted, 4, 0),
            s(Some("o\"neil, j"), "p", Verdict::WrongAnswer, 1, 0),
        ]);
        let csv = book.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "user,problem,verdict,passed,total,attempts,accepted_at");
        assert_eq!(
            lines[1],
            "'=cmd|' /C calc'!A0,p,accepted,4,4,1,1970-01-01T00:00:00.000Z"
        );
        assert_eq!(lines[2], "\"o\"\"neil, j\",p,wrong_answer,1,4,1,");
    }
}
