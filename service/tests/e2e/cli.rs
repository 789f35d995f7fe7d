//! The `polyrun` command line, run as a real process: `run` passes stdin and the exit
//! status on, stops at its limits with a one-line reason; `grade` prints a valid report with
//! hidden tests redacted and exits 0 or 1; bad usage and broken problems exit 2 with a clear
//! message; `check` validates a bank and names what fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{self, HANG_GUARD, clip};

/// What a `polyrun` process did.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Outcome {
    pub(crate) fn describe(&self) -> String {
        format!(
            "exit {:?}, stdout {:?}, stderr {:?}",
            self.code,
            clip(&self.stdout),
            clip(&self.stderr)
        )
    }

    /// The exit status is `code` and stderr is one line holding every one of `needles`.
    pub(crate) fn usage_error(&self, code: i32, needles: &[&str]) {
        assert_eq!(self.code, Some(code), "exit status: {}", self.describe());
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(
            lines.len(),
            1,
            "expected a one-line message on stderr: {}",
            self.describe()
        );
        for needle in needles {
            assert!(
                lines[0].contains(needle),
                "the message does not name {needle:?}: {}",
                self.describe()
            );
        }
    }
}

/// Runs `polyrun args…` in `cwd` with `stdin`; a process still running after [`HANG_GUARD`]
/// is killed and fails the test.
pub(crate) fn polyrun(args: &[&str], stdin: &[u8], cwd: &Path) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .args(args)
        .current_dir(cwd)
        .env_remove("POLYRUN_PROBLEMS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("polyrun starts");
    let mut input = child.stdin.take().expect("a stdin pipe");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = child.stdout.take().expect("a stdout pipe");
    let stderr = child.stderr.take().expect("a stderr pipe");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = read(Box::new(stdout));
    let err = read(Box::new(stderr));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("polyrun can be waited for") {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("polyrun {args:?} did not end within {} s", HANG_GUARD.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Outcome {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

pub(crate) fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("a folder");
    }
    std::fs::write(&path, contents).expect("a file");
    path
}

pub(crate) fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Copies problem `id` of `from` into the bank folder `to`.
pub(crate) fn copy_problem(from: &Path, id: &str, to: &Path) {
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("a folder");
        for entry in std::fs::read_dir(from).expect("a problem folder").flatten() {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).expect("a copy");
            }
        }
    }
    copy_dir(&from.join(id), &to.join(id));
}

// ---------------------------------------------------------------------------------------
// polyrun run

#[test]
fn run_passes_stdin_output_and_exit_status() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let programs = [
        (
            "greet.py",
            "import sys\nname = input()\nprint('hello', name)\nprint('oops', file=sys.stderr)\nsys.exit(3)\n",
        ),
        (
            "greet.rb",
            "name = gets.chomp\nputs \"hello #{name}\"\nwarn 'oops'\nexit 3\n",
        ),
        (
            "greet.js",
            "const name = readline();\nconsole.log('hello', name);\nconsole.error('oops');\nprocess.exit(3);\n",
        ),
    ];
    for (name, source) in programs {
        let file = write(dir.path(), name, source);
        let out = polyrun(&["run", text(&file)], b"Ada\n", dir.path());
        assert_eq!(out.code, Some(3), "{name}: {}", out.describe());
        assert_eq!(out.stdout, "hello Ada\n", "{name}: {}", out.describe());
        assert_eq!(out.stderr, "oops\n", "{name}: {}", out.describe());
    }
    // --lang wins over the extension.
    let file = write(dir.path(), "script.txt", "print(6 * 7)\n");
    let out = polyrun(&["run", "--lang", "python", text(&file)], b"", dir.path());
    assert_eq!((out.code, out.stdout.as_str()), (Some(0), "42\n"), "{}", out.describe());
}

#[test]
fn run_stops_at_the_time_limit_with_status_124() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, source) in [
        ("spin.py", "print('spinning', flush=True)\nwhile True:\n    pass\n"),
        ("spin.rb", "puts 'spinning'\n$stdout.flush\nloop { }\n"),
        ("spin.js", "console.log('spinning');\nfor (;;) {}\n"),
    ] {
        let file = write(dir.path(), name, source);
        let out = polyrun(&["run", "--time-limit-ms", "300", text(&file)], b"", dir.path());
        out.usage_error(124, &["time limit"]);
        // Under a heavy load the interpreter may not even have started within 300 ms.
        assert!(
            out.stdout == "spinning\n" || out.stdout.is_empty(),
            "{name}: {}",
            out.describe()
        );
    }
}

#[test]
fn run_stops_at_the_memory_limit_with_status_137() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, source) in [
        ("hog.py", "chunks = [b'x' * 2**20 for _ in range(2048)]\n"),
        ("hog.rb", "chunks = Array.new(2048) { 'x' * 2**20 }\n"),
        (
            "hog.js",
            "const chunks = [];\nfor (let i = 0; i < 2048; i++) chunks.push(new Uint8Array(1 << 20).fill(1));\n",
        ),
    ] {
        let file = write(dir.path(), name, source);
        let out = polyrun(&["run", "--memory-limit-mb", "64", text(&file)], b"", dir.path());
        out.usage_error(137, &["memory limit"]);
    }
}

// ---------------------------------------------------------------------------------------
// polyrun grade

/// The keys a hidden test's entry may carry, and no more.
const HIDDEN_KEYS: [&str; 4] = ["hidden", "index", "time_ms", "verdict"];

/// Checks the shape of a printed grade report; returns it.
fn check_report(out: &str, verdict: &str) -> Value {
    let report: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("not a JSON report ({e}): {}", clip(out)));
    let mut keys: Vec<&str> = report
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "error",
            "language",
            "memory_kb",
            "passed",
            "problem",
            "tests",
            "time_ms",
            "total",
            "verdict"
        ],
        "top-level keys"
    );
    assert_eq!(report["verdict"], verdict, "{}", clip(out));
    assert!(
        report["memory_kb"].is_u64(),
        "the memory the grading used: {}",
        clip(out)
    );
    let tests = report["tests"].as_array().expect("tests");
    assert_eq!(report["total"].as_u64(), Some(tests.len() as u64));
    let mut hidden = 0;
    for (i, test) in tests.iter().enumerate() {
        assert_eq!(test["index"].as_u64(), Some(i as u64));
        let mut keys: Vec<&str> = test
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        if test["hidden"] == true {
            hidden += 1;
            assert_eq!(
                keys, HIDDEN_KEYS,
                "hidden test {i} carries more than its verdict: {test}"
            );
        } else {
            for key in ["args", "expected", "actual", "stdout", "stderr", "error", "name"] {
                assert!(keys.contains(&key), "public test {i} lacks {key}: {test}");
            }
        }
    }
    assert!(hidden > 0, "two-sum has hidden tests");
    report
}

#[test]
fn grade_prints_a_redacted_report_and_exits_0_or_1() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let good = write(
        dir.path(),
        "good.py",
        "def two_sum(nums, target):\n    seen = {}\n    for i, n in enumerate(nums):\n        if target - n in seen:\n            return [seen[target - n], i]\n        seen[n] = i\n",
    );
    // From a folder without `problems/`, the checkout's bank is the default.
    let out = polyrun(&["grade", "two-sum", text(&good)], b"", dir.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let report = check_report(&out.stdout, "accepted");
    assert_eq!(report["passed"], report["total"]);
    assert_eq!(report["language"], "python");
    assert_eq!(report["problem"], "two-sum");

    let bank = common::repo_root().join("problems");
    let wrong = write(
        dir.path(),
        "wrong.rb",
        "def two_sum(nums, target)\n  print 'secret-looking output'\n  [0, nums.size - 1]\nend\n",
    );
    let out = polyrun(
        &["grade", "--problems", text(&bank), "two-sum", text(&wrong)],
        b"",
        dir.path(),
    );
    assert_eq!(out.code, Some(1), "{}", out.describe());
    let report = check_report(&out.stdout, "wrong_answer");
    let hidden: Vec<&Value> = report["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["hidden"] == true)
        .collect();
    assert!(
        !serde_json::to_string(&hidden).unwrap_or_default().contains("secret"),
        "a hidden test leaks output"
    );

    let js = write(
        dir.path(),
        "good.js",
        "const twoSum = (nums, target) => {\n  const seen = new Map();\n  for (let i = 0; i < nums.length; i++) {\n    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n    seen.set(nums[i], i);\n  }\n};\n",
    );
    let out = polyrun(
        &["grade", "--problems", text(&bank), "two-sum", text(&js)],
        b"",
        dir.path(),
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    check_report(&out.stdout, "accepted");
}

#[test]
fn grade_rejects_bad_usage_with_status_2() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bank = common::repo_root().join("problems");
    let bank = text(&bank);
    let good = write(dir.path(), "good.py", "def two_sum(nums, target):\n    return [0, 1]\n");

    let out = polyrun(
        &["grade", "--problems", bank, "no-such-problem", text(&good)],
        b"",
        dir.path(),
    );
    out.usage_error(2, &["no-such-problem"]);
    assert!(out.stdout.is_empty(), "{}", out.describe());

    let out = polyrun(
        &["grade", "--problems", bank, "--lang", "cobol", "two-sum", text(&good)],
        b"",
        dir.path(),
    );
    out.usage_error(2, &["cobol"]);

    let missing = dir.path().join("missing.py");
    let out = polyrun(
        &["grade", "--problems", bank, "two-sum", text(&missing)],
        b"",
        dir.path(),
    );
    out.usage_error(2, &["missing.py"]);

    let latin1 = write(
        dir.path(),
        "latin1.py",
        b"# caf\xe9\ndef two_sum(nums, target):\n    return [0, 1]\n",
    );
    let out = polyrun(
        &["grade", "--problems", bank, "two-sum", text(&latin1)],
        b"",
        dir.path(),
    );
    out.usage_error(2, &["latin1.py", "UTF-8"]);

    let unknown = write(
        dir.path(),
        "solution.txt",
        "def two_sum(nums, target):\n    return [0, 1]\n",
    );
    let out = polyrun(
        &["grade", "--problems", bank, "two-sum", text(&unknown)],
        b"",
        dir.path(),
    );
    out.usage_error(2, &["solution.txt", "--lang"]);

    // The same for `run`.
    let out = polyrun(&["run", "--lang", "cobol", text(&good)], b"", dir.path());
    out.usage_error(2, &["cobol"]);
    let out = polyrun(&["run", text(&missing)], b"", dir.path());
    out.usage_error(2, &["missing.py"]);
    let out = polyrun(&["run", text(&latin1)], b"", dir.path());
    out.usage_error(2, &["latin1.py", "UTF-8"]);
    let out = polyrun(&["run", text(&unknown)], b"", dir.path());
    out.usage_error(2, &["solution.txt", "--lang"]);
}

/// A file of a problem, what is wrong with it, how to break it, and what the message names.
type Breakage = (
    &'static str,
    &'static str,
    Box<dyn Fn(&str) -> String>,
    &'static [&'static str],
);

#[test]
fn grade_names_what_is_broken_in_a_problem() {
    let solution_dir = tempfile::tempdir().expect("a temporary folder");
    let solution = write(
        solution_dir.path(),
        "solution.py",
        "def two_sum(nums, target):\n    return [0, 1]\n",
    );
    let project = common::repo_root().join("problems");
    let breakages: [Breakage; 5] = [
        (
            "problem.toml",
            "wrong difficulty",
            Box::new(|t| t.replace("difficulty = \"easy\"", "difficulty = \"trivial\"")),
            &["two-sum", "problem.toml", "difficulty"],
        ),
        (
            "problem.toml",
            "missing function",
            Box::new(|t| {
                t.lines()
                    .filter(|l| !l.starts_with("function"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            &["two-sum", "problem.toml", "function"],
        ),
        (
            "tests.json",
            "malformed JSON",
            Box::new(|t| t.replacen('[', "[{", 1)),
            &["two-sum", "tests.json", "JSON"],
        ),
        (
            "tests.json",
            "wrong argument count",
            Box::new(|t| t.replacen("\"args\": [[2, 7, 11, 15], 9]", "\"args\": [[2, 7, 11, 15]]", 1)),
            &["two-sum", "tests.json", "[0].args"],
        ),
        (
            "tests.json",
            "missing expected value",
            Box::new(|t| t.replacen("\"expected\": [0, 1], ", "", 1)),
            &["two-sum", "tests.json", "[0].expected"],
        ),
    ];
    for (file, what, breakage, needles) in breakages {
        let bank = tempfile::tempdir().expect("a temporary folder");
        copy_problem(&project, "two-sum", bank.path());
        let path = bank.path().join("two-sum").join(file);
        let original = std::fs::read_to_string(&path).expect("the file");
        let broken = breakage(&original);
        assert_ne!(broken, original, "{what}: the breakage changed nothing");
        std::fs::write(&path, broken).expect("the broken file");
        let out = polyrun(
            &["grade", "--problems", text(bank.path()), "two-sum", text(&solution)],
            b"",
            solution_dir.path(),
        );
        assert!(out.stdout.is_empty(), "{what}: {}", out.describe());
        out.usage_error(2, needles);
    }
}

// ---------------------------------------------------------------------------------------
// polyrun check

#[test]
fn check_passes_a_good_bank_and_names_a_wrong_solution() {
    let test_bank = common::cases_dir().join("bank");
    let good = tempfile::tempdir().expect("a temporary folder");
    for id in ["echo-value", "min-max"] {
        copy_problem(&test_bank, id, good.path());
    }
    let out = polyrun(&["check", "--problems", text(good.path())], b"", good.path());
    assert_eq!(out.code, Some(0), "{}", out.describe());
    for id in ["echo-value", "min-max"] {
        let row = out.stdout.lines().find(|l| l.starts_with(id)).unwrap_or_default();
        assert!(row.ends_with("pass"), "{id}'s row: {row:?}\n{}", out.stdout);
    }

    let bad = tempfile::tempdir().expect("a temporary folder");
    for id in ["echo-value", "min-max"] {
        copy_problem(&test_bank, id, bad.path());
    }
    write(
        bad.path(),
        "min-max/solutions/solution.rb",
        "def min_max(nums)\n  [nums.max, nums.min]\nend\n",
    );
    let out = polyrun(&["check", "--problems", text(bad.path())], b"", bad.path());
    assert_eq!(out.code, Some(1), "{}", out.describe());
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("min-max"))
        .unwrap_or_default();
    assert!(row.ends_with("FAIL"), "min-max's row: {row:?}\n{}", out.stdout);
    assert!(
        out.stdout.contains("solutions/solution.rb"),
        "the table does not name the wrong solution:\n{}",
        out.stdout
    );
    let row = out
        .stdout
        .lines()
        .find(|l| l.starts_with("echo-value"))
        .unwrap_or_default();
    assert!(row.ends_with("pass"), "echo-value's row: {row:?}\n{}", out.stdout);

    // A broken problem fails the check and is named.
    write(bad.path(), "echo-value/tests.json", "[{\"args\": [], \"expected\": 1}]");
    let out = polyrun(&["check", "--problems", text(bad.path())], b"", bad.path());
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stdout.contains("problem 'echo-value': tests.json: [0].args"),
        "the table does not say what is broken:\n{}",
        out.stdout
    );

    let missing = bad.path().join("no-bank-here");
    let out = polyrun(&["check", "--problems", text(&missing)], b"", bad.path());
    out.usage_error(2, &["no-bank-here"]);
}
