//! `polyrun check`: every problem (or the ones named) loads and validates, and each
//! reference solution present is accepted on every test; a failing one is explained by
//! [`crate::failure`]. Reference solutions are optional: a problem with none passes on its
//! files alone, with a note saying so.

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
    /// What is wrong, if anything (an entry may span several lines).
    pub problems: Vec<String>,
    /// What the author should know that is not a failure.
    pub notes: Vec<String>,
}

impl CheckRow {
    /// Whether the problem passes.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What cannot be checked at all: the bank cannot be read, or an id names no problem.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The bank's folder cannot be listed.
    #[error("cannot read {0}: {1}")]
    Bank(String, std::io::Error),
    /// An id given is not a problem of the bank.
    #[error("no problem '{0}' in {1}")]
    Unknown(String, String),
}

/// Checks the problems `only` of `bank` (every problem when `only` is empty), in the order
/// given, each once.
pub async fn check_bank(grader: Arc<Grader>, bank: &ProblemBank, only: &[String]) -> Result<Vec<CheckRow>, CheckError> {
    let root = || bank.root().display().to_string();
    let all = bank.ids().map_err(|e| CheckError::Bank(root(), e))?;
    let ids = if only.is_empty() {
        all
    } else {
        if let Some(unknown) = only.iter().find(|id| !all.contains(id)) {
            return Err(CheckError::Unknown(unknown.clone(), root()));
        }
        let mut ids = only.to_vec();
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(id.clone()));
        ids
    };
    let mut rows = Vec::new();
    let mut jobs = JoinSet::new();
    for id in ids {
        let mut row = CheckRow {
            id: id.clone(),
            difficulty: None,
            tests: (0, 0),
            solutions: [None; 3],
            problems: Vec::new(),
            notes: Vec::new(),
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
                    row.notes
                        .push("no reference solution (solutions/ has none): files and tests checked only".into());
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
    // Each solution's failure, in language order whatever order the gradings end in.
    let mut failures: Vec<[Option<String>; 3]> = vec![Default::default(); rows.len()];
    while let Some(done) = jobs.join_next().await {
        let Ok((slot, language, report)) = done else {
            continue;
        };
        let failure = match report {
            Ok(report) => {
                rows[slot].solutions[language as usize] = Some(report.verdict);
                let explanation = crate::failure::explain(&report);
                (!explanation.is_empty()).then(|| {
                    format!(
                        "solutions/solution.{}: {}",
                        language.extension(),
                        explanation.join("\n")
                    )
                })
            }
            Err(e) => Some(format!("{language}: {e}")),
        };
        failures[slot][language as usize] = failure;
    }
    for (row, failures) in rows.iter_mut().zip(failures) {
        row.problems.extend(failures.into_iter().flatten());
    }
    Ok(rows)
}

/// The check as a table: one row per problem, then what fails and the notes under it.
pub fn render(rows: &[CheckRow]) -> String {
    let cell = |row: &CheckRow, lang: Language| match row.solutions[lang as usize] {
        Some(Verdict::Accepted) => "ok",
        Some(v) => v.id(),
        None => "-",
    };
    let headers = [
        "problem",
        "level",
        "tests",
        "hidden",
        "python",
        "ruby",
        "javascript",
        "result",
    ];
    let table: Vec<[String; 8]> = rows
        .iter()
        .map(|row| {
            [
                row.id.clone(),
                row.difficulty.clone().unwrap_or_else(|| "?".into()),
                row.tests.0.to_string(),
                row.tests.1.to_string(),
                cell(row, Language::Python).to_owned(),
                cell(row, Language::Ruby).to_owned(),
                cell(row, Language::Javascript).to_owned(),
                if row.ok() { "pass" } else { "FAIL" }.to_owned(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].len())
                .chain([headers[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (text, width))| match c {
                2 | 3 => format!("{text:>width$}"),
                7 => (*text).to_owned(),
                _ => format!("{text:<width$}"),
            })
            .collect();
        format!("{}\n", padded.join("  "))
    };
    let mut out = line(&headers);
    for (row, cells) in rows.iter().zip(&table) {
        out.push_str(&line(&cells.each_ref().map(String::as_str)));
        for problem in &row.problems {
            for text in problem.lines() {
                out.push_str(&format!("  {text}\n"));
            }
        }
        for note in &row.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
    }
    let failed = rows.iter().filter(|r| !r.ok()).count();
    let unchecked = rows
        .iter()
        .filter(|r| r.ok() && r.solutions.iter().all(Option::is_none))
        .count();
    out.push_str(&format!(
        "{} problem{}, {} passed, {} failed",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        rows.len() - failed,
        failed
    ));
    if unchecked > 0 {
        out.push_str(&format!(" ({unchecked} passed without a reference solution)"));
    }
    out.push('\n');
    out
}
