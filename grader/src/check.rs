//! `polyrun check`: every problem loads and validates, and each reference solution is
//! accepted on every test.

use std::sync::Arc;

use polyrun_core::{Language, ProblemBank, Verdict};
use tokio::task::JoinSet;

use crate::Grader;

/// One problem's line in the check.
#[derive(Debug, Clone)]
pub struct CheckRow {
    /// Problem id.
    pub id: String,
    /// Difficulty, when the problem loaded.
    pub difficulty: Option<String>,
    /// Number of tests and of hidden tests.
    pub tests: (usize, usize),
    /// Verdict of each reference solution, in language order (`None` when absent).
    pub solutions: [Option<Verdict>; 3],
    /// What is wrong, if anything.
    pub problems: Vec<String>,
}

impl CheckRow {
    /// Whether the problem passes.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks every problem of `bank`.
pub async fn check_bank(grader: Arc<Grader>, bank: &ProblemBank) -> std::io::Result<Vec<CheckRow>> {
    let mut rows = Vec::new();
    let mut jobs = JoinSet::new();
    for id in bank.ids()? {
        let mut row = CheckRow {
            id: id.clone(),
            difficulty: None,
            tests: (0, 0),
            solutions: [None; 3],
            problems: Vec::new(),
        };
        match bank.load(&id) {
            Err(e) => row.problems.push(e.to_string()),
            Ok(problem) => {
                row.difficulty = Some(problem.meta.difficulty.id().to_owned());
                row.tests = (problem.tests.len(), problem.tests.iter().filter(|t| t.hidden).count());
                if problem.statement.trim().is_empty() {
                    row.problems.push("statement.md is empty".into());
                }
                if problem.solutions.is_empty() {
                    row.problems.push("no reference solution in solutions/".into());
                }
                let problem = Arc::new(problem);
                for (language, source) in problem.solutions.clone() {
                    let grader = grader.clone();
                    let problem = problem.clone();
                    let slot = rows.len();
                    jobs.spawn(async move {
                        let report = grader.grade(&problem, language, &source).await;
                        (slot, language, report)
                    });
                }
            }
        }
        rows.push(row);
    }
    while let Some(done) = jobs.join_next().await {
        let Ok((slot, language, report)) = done else {
            continue;
        };
        let row = &mut rows[slot];
        match report {
            Ok(report) => {
                row.solutions[language as usize] = Some(report.verdict);
                if report.verdict != Verdict::Accepted {
                    let first = report.tests.iter().find(|t| t.verdict != Verdict::Accepted);
                    let detail = match (first, &report.error) {
                        (_, Some(e)) => format!(": {}: {}", e.kind, e.message),
                        (Some(t), None) => {
                            let error = t.detail.as_ref().and_then(|d| d.error.as_ref());
                            match error {
                                Some(e) => format!(" on test {}: {}: {}", t.index, e.kind, e.message),
                                None => format!(" on test {}", t.index),
                            }
                        }
                        (None, None) => String::new(),
                    };
                    row.problems.push(format!(
                        "solutions/solution.{}: {}{detail}",
                        language.extension(),
                        report.verdict
                    ));
                }
            }
            Err(e) => row.problems.push(format!("{language}: {e}")),
        }
    }
    Ok(rows)
}

/// The check as a table.
pub fn render(rows: &[CheckRow]) -> String {
    let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(7);
    let mut out = format!(
        "{:<width$}  {:<6}  {:>5}  {:>6}  {:<9}  {:<9}  {:<10}  result\n",
        "problem", "level", "tests", "hidden", "python", "ruby", "javascript"
    );
    for row in rows {
        let cell = |lang: Language| match row.solutions[lang as usize] {
            Some(Verdict::Accepted) => "ok".to_owned(),
            Some(v) => v.id().to_owned(),
            None => "-".to_owned(),
        };
        out.push_str(&format!(
            "{:<width$}  {:<6}  {:>5}  {:>6}  {:<9}  {:<9}  {:<10}  {}\n",
            row.id,
            row.difficulty.as_deref().unwrap_or("?"),
            row.tests.0,
            row.tests.1,
            cell(Language::Python),
            cell(Language::Ruby),
            cell(Language::Javascript),
            if row.ok() { "pass" } else { "FAIL" },
        ));
        for problem in &row.problems {
            out.push_str(&format!("  {problem}\n"));
        }
    }
    let failed = rows.iter().filter(|r| !r.ok()).count();
    out.push_str(&format!(
        "{} problems, {} passed, {} failed\n",
        rows.len(),
        rows.len() - failed,
        failed
    ));
    out
}
