//! The problem author's commands: `polyrun new ID` scaffolds a problem that `polyrun check`
//! passes at once, and `polyrun pack` writes a bank's public part as one problem pack
//! (`polyrun-pack/1`), refusing a broken bank or a pack a browser would refuse.

use std::path::Path;

use polyrun_core::pack::{Pack, PackError};
use polyrun_core::problem::is_valid_id;
use polyrun_core::{Problem, ProblemBank};

/// Why an authoring command did nothing: a message for the author (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(String);

/// The files of a new problem, with `{{id}}` and `{{title}}` to fill in.
const TEMPLATE: [(&str, &str); 6] = [
    ("problem.toml", include_str!("../templates/new/problem.toml")),
    ("statement.md", include_str!("../templates/new/statement.md")),
    ("tests.json", include_str!("../templates/new/tests.json")),
    (
        "solutions/solution.py",
        include_str!("../templates/new/solutions/solution.py"),
    ),
    (
        "solutions/solution.rb",
        include_str!("../templates/new/solutions/solution.rb"),
    ),
    (
        "solutions/solution.js",
        include_str!("../templates/new/solutions/solution.js"),
    ),
];

/// `polyrun new`: writes `<bank>/<id>/` from the template (the bank's folder is made when
/// missing). Refuses an invalid id or an existing folder before writing anything; returns
/// what to tell the author.
pub fn new_problem(bank: &Path, id: &str) -> Result<String, Refused> {
    if !is_valid_id(id) || id.len() > 100 {
        return Err(Refused(format!(
            "'{id}' is not a problem id: use a-z, 0-9 and '-' (e.g. add-two-numbers)"
        )));
    }
    let dir = bank.join(id);
    if dir.exists() {
        return Err(Refused(format!("{} already exists; nothing written", dir.display())));
    }
    let io = |what: &str, e: std::io::Error| Refused(format!("cannot create {what}: {e}"));
    std::fs::create_dir_all(bank).map_err(|e| io(&bank.display().to_string(), e))?;
    // `create_dir` (not `_all`) fails if another process made the folder meanwhile.
    std::fs::create_dir(&dir).map_err(|e| io(&dir.display().to_string(), e))?;
    let title = title_of(id);
    let written = TEMPLATE.iter().try_for_each(|(file, text)| {
        let path = dir.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text.replace("{{id}}", id).replace("{{title}}", &title))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(io(&dir.display().to_string(), e));
    }
    let bank_arg = bank.display();
    Ok(format!(
        "created {}: problem.toml, statement.md, tests.json, solutions/solution.py|.rb|.js\n\
         next: edit them (a small working problem to start from), then\n  \
         polyrun check --problems {bank_arg} {id}\n",
        dir.display()
    ))
}

/// `two-sum` → `Two sum`.
fn title_of(id: &str) -> String {
    let words = id.split('-').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => id.to_owned(),
    }
}

/// `polyrun pack`: loads every problem of `bank`, builds the pack of their public parts,
/// checks it as a browser will ([`Pack::parse`]) and writes it to `out`. The title
/// defaults to the bank folder's name. Returns a summary line.
pub fn write_pack(
    bank: &ProblemBank,
    title: Option<&str>,
    grader: Option<&str>,
    out: &Path,
) -> Result<String, Refused> {
    let root = bank.root();
    let ids = bank
        .ids()
        .map_err(|e| Refused(format!("cannot read the problem bank {}: {e}", root.display())))?;
    if ids.is_empty() {
        return Err(Refused(format!("no problems in {}", root.display())));
    }
    let problems = ids
        .iter()
        .map(|id| bank.load(id))
        .collect::<Result<Vec<Problem>, _>>()
        .map_err(|e| Refused(format!("{e} (run `polyrun check` to see every problem)")))?;
    let title = match title {
        Some(title) => title.to_owned(),
        None => folder_name(root),
    };
    let pack = Pack::of(&title, grader, &problems);
    let bytes = serde_json::to_vec_pretty(&pack).map_err(|e| Refused(format!("cannot write the pack: {e}")))?;
    Pack::parse(&bytes).map_err(|e| Refused(format!("the pack would be refused: {}", locate(&e, &problems))))?;
    std::fs::write(out, &bytes).map_err(|e| Refused(format!("cannot write {}: {e}", out.display())))?;
    let public: usize = pack.problems.iter().map(|p| p.tests.len()).sum();
    let all: usize = problems.iter().map(|p| p.tests.len()).sum();
    Ok(format!(
        "wrote {}: \"{title}\", {}, {} ({} and every reference solution left out), {} KiB\n",
        out.display(),
        count(problems.len(), "problem"),
        count(public, "public test"),
        count(all - public, "hidden test"),
        bytes.len().div_ceil(1024),
    ))
}

/// `1 problem`, `2 problems`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The folder's own name (of its absolute path, so that `.` works), else `Problems`.
fn folder_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Problems".to_owned())
}

/// A pack error with the problem's id next to its index (`problems[2]` → problem 'x').
fn locate(error: &PackError, problems: &[Problem]) -> String {
    let index = error
        .at
        .as_deref()
        .and_then(|at| at.strip_prefix("problems["))
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse::<usize>().ok());
    match index.and_then(|i| problems.get(i)) {
        Some(problem) => format!("problem '{}': {error}", problem.id),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_ids() {
        assert_eq!(title_of("two-sum"), "Two sum");
        assert_eq!(title_of("a"), "A");
        assert_eq!(title_of("3-sum--closest"), "3 sum closest");
    }
}
