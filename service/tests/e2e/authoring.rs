//! The problem author's commands, run as real processes on temporary banks: `polyrun new`
//! scaffolds a problem that `polyrun check` passes at once and refuses what it must;
//! `polyrun check ID…` checks only those, explains a failing reference solution (test,
//! verdict, error line, expected against actual) and passes a problem without one;
//! `polyrun pack` writes a pack that `Pack::parse` accepts, with no hidden test or
//! solution in it, and refuses a broken bank.

use std::path::Path;

use polyrun_core::ProblemBank;
use polyrun_core::pack::Pack;
use serde_json::Value;

use crate::cli::{Outcome, copy_problem, polyrun, text, write};
use crate::common;

/// The table row of `id` in `polyrun check`'s output.
fn row<'a>(out: &'a Outcome, id: &str) -> &'a str {
    out.stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(id))
        .unwrap_or_else(|| panic!("no row for {id}: {}", out.describe()))
}

fn assert_contains(out: &Outcome, what: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            out.stdout.contains(needle),
            "{what}: the output does not show {needle:?}:\n{}\nstderr: {}",
            out.stdout,
            out.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------
// polyrun new

#[test]
fn new_scaffolds_a_problem_that_check_passes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bank = dir.path().join("week1");
    let out = polyrun(&["new", "--problems", text(&bank), "add-two"], b"", dir.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    for file in [
        "problem.toml",
        "statement.md",
        "tests.json",
        "solutions/solution.py",
        "solutions/solution.rb",
        "solutions/solution.js",
    ] {
        assert!(bank.join("add-two").join(file).is_file(), "{file} was not written");
    }
    let problem = ProblemBank::new(&bank).load("add-two").expect("the new problem loads");
    assert_eq!(problem.meta.title, "Add two");
    assert!(problem.tests.iter().any(|t| t.hidden), "a hidden test to show how");
    assert!(
        problem.tests.iter().filter(|t| !t.hidden).count() >= 2,
        "a few public tests"
    );

    let out = polyrun(&["check", "--problems", text(&bank), "add-two"], b"", dir.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let cells: Vec<&str> = row(&out, "add-two").split_whitespace().collect();
    assert_eq!(cells[4..], ["ok", "ok", "ok", "pass"], "{}", out.stdout);

    // Without --problems, a new problem goes to ./problems of the current folder.
    let out = polyrun(&["new", "hello"], b"", dir.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        dir.path().join("problems/hello/problem.toml").is_file(),
        "{}",
        out.describe()
    );
}

#[test]
fn new_refuses_an_invalid_id_or_an_existing_folder() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bank = dir.path().join("bank");
    for id in ["Add_Two", "../escape", "a b", "x/y", ""] {
        let out = polyrun(&["new", "--problems", text(&bank), id], b"", dir.path());
        out.usage_error(2, &["not a problem id"]);
        assert!(!bank.exists(), "{id:?}: something was written");
        assert!(!dir.path().join("escape").exists(), "{id:?}: written outside the bank");
    }
    let mine = write(&bank, "mine/statement.md", "My own statement.\n");
    let out = polyrun(&["new", "--problems", text(&bank), "mine"], b"", dir.path());
    out.usage_error(2, &["mine", "already exists"]);
    let entries: Vec<_> = std::fs::read_dir(bank.join("mine")).expect("the folder").collect();
    assert_eq!(entries.len(), 1, "files were added to an existing folder");
    assert_eq!(
        std::fs::read_to_string(mine).expect("the statement"),
        "My own statement.\n"
    );
}

// ---------------------------------------------------------------------------------------
// polyrun check ID…

/// A reference solution that fails, and what `check` must show about it.
struct Failing {
    what: &'static str,
    /// The problem (from the test bank, or written by `setup`).
    problem: &'static str,
    file: &'static str,
    source: &'static str,
    needles: &'static [&'static str],
}

/// A problem whose answer is long (forty numbers), so that a wrong one shows as a diff.
fn write_count_up(bank: &Path) {
    write(
        bank,
        "count-up/problem.toml",
        "title = \"Count up\"\ndifficulty = \"easy\"\nfunction = \"count_up\"\nparams = [\"n\"]\n",
    );
    write(bank, "count-up/statement.md", "Return `[0, 1, …, n - 1]`.\n");
    let expected: Vec<u32> = (0..40).collect();
    let tests = serde_json::json!([{"args": [40], "expected": expected, "name": "forty"}]);
    write(bank, "count-up/tests.json", tests.to_string());
}

const FAILING: [Failing; 4] = [
    Failing {
        what: "a short wrong answer",
        problem: "min-max",
        file: "solution.rb",
        source: "def min_max(nums)\n  [nums.max, nums.min]\nend\n",
        needles: &[
            "solutions/solution.rb: wrong_answer on test 0",
            "args: [[3,1,2]]",
            "expected: [1,3]",
            "actual:   [3,1]",
        ],
    },
    Failing {
        what: "a wrong answer on a hidden test",
        problem: "min-max",
        file: "solution.py",
        source: "def min_max(nums):\n    if nums[0] < 0:\n        return [0, 0]\n    return [min(nums), max(nums)]\n",
        needles: &[
            "solutions/solution.py: wrong_answer on test 2 (hidden)",
            "expected: [-1,4]",
            "actual:   [0,0]",
        ],
    },
    Failing {
        what: "a runtime error, with its line",
        problem: "echo-value",
        file: "solution.py",
        source: "def echo_value(value):\n    return value / 0\n",
        needles: &[
            "solutions/solution.py: runtime_error on test 0 \"one\"",
            "error: ZeroDivisionError",
            "(line 2)",
        ],
    },
    Failing {
        what: "a long wrong answer, as a diff",
        problem: "count-up",
        file: "solution.js",
        source: "function countUp(n) {\n  return Array.from({ length: n }, (_, i) => (i === 20 ? 99 : i));\n}\n",
        needles: &[
            "solutions/solution.js: wrong_answer on test 0 \"forty\"",
            "--- expected",
            "+++ actual",
            "-   20,",
            "+   99,",
            "    19,",
        ],
    },
];

#[test]
fn check_id_explains_a_failing_reference_solution() {
    let test_bank = common::cases_dir().join("bank");
    for case in FAILING {
        let bank = tempfile::tempdir().expect("a temporary folder");
        if case.problem == "count-up" {
            write_count_up(bank.path());
        } else {
            copy_problem(&test_bank, case.problem, bank.path());
        }
        write(
            bank.path(),
            &format!("{}/solutions/{}", case.problem, case.file),
            case.source,
        );
        // A broken sibling, which `check ID` must leave alone.
        write(bank.path(), "broken/tests.json", "not json");
        let out = polyrun(
            &["check", "--problems", text(bank.path()), case.problem],
            b"",
            bank.path(),
        );
        assert_eq!(out.code, Some(1), "{}: {}", case.what, out.describe());
        assert!(
            row(&out, case.problem).ends_with("FAIL"),
            "{}: {}",
            case.what,
            out.stdout
        );
        assert!(
            !out.stdout.contains("broken"),
            "{}: checked more than asked:\n{}",
            case.what,
            out.stdout
        );
        assert_contains(&out, case.what, case.needles);
    }
}

#[test]
fn check_passes_a_problem_without_reference_solutions_and_says_so() {
    let bank = tempfile::tempdir().expect("a temporary folder");
    let test_bank = common::cases_dir().join("bank");
    for id in ["echo-value", "min-max"] {
        copy_problem(&test_bank, id, bank.path());
    }
    std::fs::remove_dir_all(bank.path().join("echo-value/solutions")).expect("no solutions");
    let out = polyrun(&["check", "--problems", text(bank.path())], b"", bank.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let cells: Vec<&str> = row(&out, "echo-value").split_whitespace().collect();
    assert_eq!(cells[4..], ["-", "-", "-", "pass"], "{}", out.stdout);
    assert!(row(&out, "min-max").ends_with("pass"), "{}", out.stdout);
    assert_contains(
        &out,
        "no solutions",
        &["no reference solution", "1 passed without a reference solution"],
    );

    // Its files are still checked.
    write(
        bank.path(),
        "echo-value/tests.json",
        "[{\"args\": [], \"expected\": 1}]",
    );
    let out = polyrun(
        &["check", "--problems", text(bank.path()), "echo-value"],
        b"",
        bank.path(),
    );
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert_contains(&out, "broken tests", &["problem 'echo-value': tests.json: [0].args"]);
}

#[test]
fn check_of_an_unknown_id_is_a_usage_error() {
    let bank = tempfile::tempdir().expect("a temporary folder");
    copy_problem(&common::cases_dir().join("bank"), "echo-value", bank.path());
    for id in ["no-such-problem", "Echo-Value", "../bank"] {
        let out = polyrun(
            &["check", "--problems", text(bank.path()), "echo-value", id],
            b"",
            bank.path(),
        );
        out.usage_error(2, &[id]);
        assert!(out.stdout.is_empty(), "{}", out.describe());
    }
}

// ---------------------------------------------------------------------------------------
// polyrun pack

/// Every hidden test's arguments and expected value and every reference solution of
/// `bank` that shows in `pack_text` and not in the bank's public part (values shorter than
/// [`NEEDLE_MIN`] are left to the exact comparison of tests: `0` is everywhere).
const NEEDLE_MIN: usize = 6;

fn leaks(bank: &ProblemBank, pack_text: &str) -> Vec<String> {
    let compact = |v: &Value| serde_json::to_string(v).expect("JSON");
    let pack: Value = serde_json::from_str(pack_text).expect("a JSON pack");
    let haystack = compact(&pack);
    // What the bank may show: its statements and public tests, read from its files.
    let mut public = String::new();
    let mut needles = Vec::new();
    for id in bank.ids().expect("the bank") {
        let problem = bank.load(&id).expect("the problem");
        public.push_str(&compact(&Value::String(problem.statement.clone())));
        public.push_str(&compact(&serde_json::to_value(&problem.meta).expect("JSON")));
        for test in &problem.tests {
            let values = [
                Value::Array(test.args.clone()),
                test.expected.clone().unwrap_or_default(),
            ];
            for value in values {
                if test.hidden {
                    needles.push((format!("{id}: a hidden test's value"), compact(&value)));
                } else {
                    public.push_str(&compact(&value));
                }
            }
        }
        for (language, source) in &problem.solutions {
            let name = format!("{id}: the {language} solution");
            needles.push((name.clone(), source.clone()));
            needles.push((name, compact(&Value::String(source.clone()))));
        }
    }
    needles
        .into_iter()
        .filter(|(_, needle)| needle.len() >= NEEDLE_MIN)
        .filter(|(_, needle)| {
            (haystack.contains(needle.as_str()) || pack_text.contains(needle.as_str()))
                && !public.contains(needle.as_str())
        })
        .map(|(what, needle)| format!("{what}: {needle}"))
        .collect()
}

#[test]
fn pack_writes_the_public_part_that_a_browser_accepts() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bank_dir = dir.path().join("week1");
    let project = common::repo_root().join("problems");
    let bank = ProblemBank::new(&project);
    for id in bank.ids().expect("the project's bank") {
        copy_problem(&project, &id, &bank_dir);
    }
    // A planted problem whose hidden data and solution are unmistakable.
    write(
        &bank_dir,
        "planted/problem.toml",
        "title = \"Planted\"\ndifficulty = \"easy\"\nfunction = \"echo\"\nparams = [\"s\"]\n",
    );
    write(&bank_dir, "planted/statement.md", "Return `s`.\n");
    write(
        &bank_dir,
        "planted/tests.json",
        r#"[{"args": ["public-arg"], "expected": "public-arg"},
            {"args": ["HIDDEN-ARG-7f3a"], "expected": "HIDDEN-ARG-7f3a", "hidden": true},
            {"args": ["x"], "expected": "HIDDEN-EXPECTED-7f3a", "hidden": true}]"#,
    );
    write(
        &bank_dir,
        "planted/solutions/solution.py",
        "# SOLUTION-MARKER-7f3a\ndef echo(s):\n    return s\n",
    );
    let bank = ProblemBank::new(&bank_dir);
    let out_file = dir.path().join("week1.json");
    let out = polyrun(
        &[
            "pack",
            "--problems",
            text(&bank_dir),
            "--grader",
            "https://grader.example/",
            "--out",
            text(&out_file),
        ],
        b"",
        dir.path(),
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let bytes = std::fs::read(&out_file).expect("the pack was written");
    let pack = Pack::parse(&bytes).unwrap_or_else(|e| panic!("the written pack is refused: {e}"));
    assert_eq!(pack.title, "week1", "the default title is the bank folder's name");
    assert_eq!(pack.grader.as_deref(), Some("https://grader.example/"));
    let ids: Vec<&str> = pack.problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, bank.ids().expect("the bank"), "every problem, in order");
    for problem in &pack.problems {
        let full = bank.load(&problem.id).expect("the problem");
        assert_eq!(problem.meta, full.meta, "{}", problem.id);
        assert_eq!(problem.statement, full.statement, "{}", problem.id);
        let public: Vec<_> = full.tests.iter().filter(|t| !t.hidden).cloned().collect();
        let packed: Vec<_> = problem.tests.iter().map(|t| t.test.clone()).collect();
        assert_eq!(packed, public, "{}: the public tests, in order", problem.id);
    }
    let text_of_pack = String::from_utf8(bytes).expect("UTF-8");
    for marker in ["HIDDEN-ARG-7f3a", "HIDDEN-EXPECTED-7f3a", "SOLUTION-MARKER-7f3a"] {
        assert!(!text_of_pack.contains(marker), "{marker} is in the pack");
    }
    let leaked = leaks(&bank, &text_of_pack);
    assert!(leaked.is_empty(), "the pack holds hidden data:\n{}", leaked.join("\n"));

    // --title wins; the pack without --grader has none.
    let out = polyrun(
        &[
            "pack",
            "--problems",
            text(&bank_dir),
            "--title",
            "Week 1: warm-up",
            "--out",
            text(&out_file),
        ],
        b"",
        dir.path(),
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let pack = Pack::parse(&std::fs::read(&out_file).expect("the pack")).expect("a valid pack");
    assert_eq!((pack.title.as_str(), pack.grader), ("Week 1: warm-up", None));
}

/// A bank that `pack` must refuse: how to break a copy of two good problems, the extra
/// arguments, and what the message names.
type Refusal = (
    &'static str,
    fn(&Path),
    &'static [&'static str],
    &'static [&'static str],
);

const REFUSALS: [Refusal; 5] = [
    (
        "a broken tests.json",
        |bank| {
            write(bank, "min-max/tests.json", "[{\"args\": [[1]]}]");
        },
        &[],
        &["min-max", "tests.json", "[0].expected"],
    ),
    (
        "a problem with no public test",
        |bank| {
            write(
                bank,
                "min-max/tests.json",
                "[{\"args\": [[1]], \"expected\": [1, 1], \"hidden\": true}]",
            );
        },
        &[],
        &["refused", "min-max", "no public tests"],
    ),
    (
        "a grader that is not an http(s) URL",
        |_| {},
        &["--grader", "ftp://grader.example"],
        &["grader", "ftp://grader.example"],
    ),
    (
        "an empty bank",
        |bank| {
            for id in ["echo-value", "min-max"] {
                std::fs::remove_dir_all(bank.join(id)).expect("removed");
            }
        },
        &[],
        &["no problems"],
    ),
    (
        "no bank at all",
        |bank| std::fs::remove_dir_all(bank).expect("removed"),
        &[],
        &["no problem bank"],
    ),
];

#[test]
fn pack_refuses_a_broken_bank_and_writes_nothing() {
    let test_bank = common::cases_dir().join("bank");
    for (what, breakage, extra, needles) in REFUSALS {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let bank = dir.path().join("bank");
        for id in ["echo-value", "min-max"] {
            copy_problem(&test_bank, id, &bank);
        }
        breakage(&bank);
        let out_file = dir.path().join("pack.json");
        let mut args = vec!["pack", "--problems", text(&bank), "--out", text(&out_file)];
        args.extend(extra);
        let out = polyrun(&args, b"", dir.path());
        assert!(out.stdout.is_empty(), "{what}: {}", out.describe());
        out.usage_error(2, needles);
        assert!(!out_file.exists(), "{what}: a pack was written");
    }
}
