//! Limits as numbers: how long a runaway submission holds the grader, how much output a
//! session may write, and what forged harness records can (not) buy. Each check asserts
//! the time (or the bytes) it took to reach the verdict, with generous bounds, in every
//! language.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use polyrun_core::{GradeReport, Language, Verdict};
use polyrun_grader::Grader;

use crate::common::{self, describe_grade};

use Language::{Javascript, Python, Ruby};

/// `spin` in the test bank: 6 tests, 1 s each.
const TESTS: u64 = 6;
const LIMIT_MS: u64 = 1000;
/// What each test of `spin` may take beyond its limit: a session's start-up (a runaway
/// test ends its session) on a busy 2-core machine running other tests, not another
/// loading allowance (10 s) per test.
const SLACK_PER_TEST_MS: u64 = 750;

/// Grades `source` on `spin`, returning the report and the wall time it took. On a grader
/// of its own, its runtimes loaded first: the time measured is this grade's, not a wait for
/// a sandbox that the other tests of this binary hold.
fn grade_spin(language: Language, source: &str) -> (GradeReport, Duration) {
    let problem = common::load_problem("spin").expect("spin in the test bank");
    let grader = Grader::new(common::config()).expect("a grader");
    common::block_on(grader.warm_up()).expect("the runtimes load");
    let started = Instant::now();
    let report = common::block_on(grader.grade(&problem, language, source)).expect("a grade");
    (report, started.elapsed())
}

fn within(language: Language, what: &str, report: &GradeReport, took: Duration, min_ms: u64) {
    let max_ms = TESTS * (LIMIT_MS + SLACK_PER_TEST_MS);
    let ms = took.as_millis() as u64;
    eprintln!(
        "{language} {what}: verdict after {ms} ms (report time_ms {})",
        report.time_ms
    );
    assert!(
        (min_ms..=max_ms).contains(&ms),
        "{language} {what}: the verdict took {ms} ms, expected {min_ms}..={max_ms} ms: {}",
        describe_grade(report)
    );
    assert!(
        report.time_ms <= max_ms as f64,
        "{language} {what}: report time {}",
        report.time_ms
    );
}

/// A function that never returns costs each test its limit, not the loading allowance.
#[test]
fn runaway_tests_cost_their_limit() {
    let sources = [
        (Python, "def spin(n):\n    while True:\n        pass\n"),
        (Ruby, "def spin(n)\n  loop { }\nend\n"),
        (Javascript, "function spin(n) {\n  for (;;) {}\n}\n"),
    ];
    for (language, source) in sources {
        let (report, took) = grade_spin(language, source);
        assert_eq!(
            report.tests.iter().map(|t| t.verdict).collect::<Vec<_>>(),
            vec![Verdict::TimeLimitExceeded; TESTS as usize],
            "{language}: {}",
            describe_grade(&report)
        );
        within(language, "endless loop in every test", &report, took, TESTS * LIMIT_MS);
    }
}

/// Python, Ruby and JavaScript sources that, in every test, spin and write on the real
/// stdout whatever `forge(i)` makes of a growing counter (a JavaScript solution first
/// steals the harness's own writer, as it is called through `Function.prototype.call`).
fn forgers(every: u32, python: &str, ruby: &str, javascript: &str) -> [(Language, String); 3] {
    [
        (
            Python,
            format!(
                "import os\n\ndef spin(n):\n    i = 0\n    while True:\n        i += 1\n        if i % {every} == 0:\n{python}\n"
            ),
        ),
        (
            Ruby,
            format!(
                "def spin(n)\n  i = 0\n  loop do\n    i += 1\n    if i % {every} == 0\n{ruby}\n    end\n  end\nend\n"
            ),
        ),
        (
            Javascript,
            format!(
                "let real = null;\nconst call = Function.prototype.call;\nFunction.prototype.call = function (self, ...args) {{\n  if (self === globalThis.__polyrun && real === null) real = this;\n  return Reflect.apply(this, self, args);\n}};\nconst w = (s) => Reflect.apply(real, globalThis.__polyrun, [s]);\nfunction spin(n) {{\n  let i = 0;\n  for (;;) {{\n    i++;\n    if (i % {every} === 0) {{\n{javascript}\n    }}\n  }}\n}}\n"
            ),
        ),
    ]
}

/// Forged `start` records with growing indexes, each split across two writes, do not
/// restart a test's clock: every test still ends at its limit.
#[test]
fn forged_starts_do_not_hold_a_session() {
    let sources = forgers(
        20_000,
        "            os.write(1, b'\\x1e{\"event\":\"sta')\n            os.write(1, b'rt\",\"index\":%d}\\n' % (n + i // 20000))",
        "      STDOUT.syswrite(\"\\x1e{\\\"event\\\":\\\"sta\")\n      STDOUT.syswrite(\"rt\\\",\\\"index\\\":#{n + i / 20000}}\\n\")",
        "      w('\\x1e{\"event\":\"sta');\n      w('rt\",\"index\":' + (n + i / 20000) + '}\\n');",
    );
    for (language, source) in sources {
        let (report, took) = grade_spin(language, &source);
        assert_eq!(
            report.tests.iter().map(|t| t.verdict).collect::<Vec<_>>(),
            vec![Verdict::TimeLimitExceeded; TESTS as usize],
            "{language}: {}",
            describe_grade(&report)
        );
        // The forged records reached the host (and were kept as the test's output).
        let stdout = report.tests[0]
            .detail
            .as_ref()
            .map(|d| d.stdout.clone())
            .unwrap_or_default();
        assert!(
            stdout.contains("{\"event\":\"start\",\"index\":"),
            "{language}: no forged record reached the host, so this test proves nothing: {}",
            describe_grade(&report)
        );
        within(language, "forged starts", &report, took, TESTS * LIMIT_MS);
    }
}

/// A flood of 1 MiB forged records is cut at the session's output budget: each test ends
/// at once as a runtime error that says so.
#[test]
fn a_flood_of_large_records_ends_at_the_output_budget() {
    let sources = forgers(
        1,
        "            os.write(1, b'\\x1e{\"event\":\"result\",\"index\":%d,\"value\":\"' % (n - 1) + b'x' * 1048576 + b'\"}\\n')",
        "      STDOUT.syswrite(\"\\x1e{\\\"event\\\":\\\"result\\\",\\\"index\\\":#{n - 1},\\\"value\\\":\\\"\" + \"x\" * 1048576 + \"\\\"}\\n\")",
        "      w('\\x1e{\"event\":\"result\",\"index\":' + (n - 1) + ',\"value\":\"' + 'x'.repeat(1048576) + '\"}\\n');",
    );
    for (language, source) in sources {
        let (report, took) = grade_spin(language, &source);
        for test in &report.tests {
            let kind = test
                .detail
                .as_ref()
                .and_then(|d| d.error.as_ref())
                .map(|e| e.kind.as_str());
            assert!(
                test.verdict == Verdict::RuntimeError && kind == Some("OutputLimitExceeded"),
                "{language}: test {} should end at the output budget: {}",
                test.index,
                describe_grade(&report)
            );
        }
        within(language, "1 MiB record flood", &report, took, 0);
    }
}

/// The peak memory (VmHWM, KiB) of `polyrun grade --problems tests/cases/bank spin FILE`,
/// sampled while it runs.
fn grade_peak_kib(file: &std::path::Path) -> u64 {
    let bank = common::cases_dir().join("bank");
    let mut child = Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .arg("grade")
        .arg("--problems")
        .arg(&bank)
        .arg("spin")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("polyrun starts");
    let status_file = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().expect("a stdout pipe");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let mut peak = 0;
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
            peak = peak.max(kib);
        }
        assert!(started.elapsed() < common::HANG_GUARD, "polyrun grade hangs");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = reader.join().unwrap_or_default();
    assert!(out.contains("\"problem\""), "no grade report: {out}");
    peak
}

/// The grader's memory stays bounded under a flood of records: a flooding submission
/// (1 MiB records of 2^19 numbers, the costliest JSON to hold parsed) peaks within 128 MiB
/// of an ordinary one, however long it floods (measured: ~85 MiB above).
#[test]
fn record_floods_do_not_grow_the_graders_memory() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let normal = dir.path().join("normal.py");
    std::fs::write(&normal, "def spin(n):\n    return n\n").expect("write");
    let flood = dir.path().join("flood.py");
    std::fs::write(
        &flood,
        "import os\n\nline = b'\\x1e{\"event\":\"result\",\"index\":0,\"value\":[' + b'0,' * 524288 + b'0]}\\n'\n\ndef spin(n):\n    while True:\n        os.write(1, line)\n",
    )
    .expect("write");
    // Records that do not parse, as bare lines and as results cut short: each is one line
    // of output or one unreadable result in place of the last (measured before: 624 MiB
    // for the bare lines, when each was kept as an item of its own).
    let bare = dir.path().join("bare.py");
    std::fs::write(
        &bare,
        "import os\n\ndef spin(n):\n    chunk = b'\\x1e\\n' * 65536\n    while True:\n        os.write(1, chunk)\n",
    )
    .expect("write");
    let cut = dir.path().join("cut.py");
    std::fs::write(
        &cut,
        "import os\n\ndef spin(n):\n    chunk = b'\\x1e{\"event\":\"result\"\\n' * 8192\n    while True:\n        os.write(1, chunk)\n",
    )
    .expect("write");
    let base = grade_peak_kib(&normal);
    for (what, file) in [
        ("record flood", &flood),
        ("bare record starts", &bare),
        ("cut results", &cut),
    ] {
        peak_within(base, file, what, 128);
    }
}

/// Asserts that grading `file` peaks within `extra_mib` of an ordinary grade's `base` KiB.
fn peak_within(base: u64, file: &std::path::Path, what: &str, extra_mib: u64) {
    let peak = grade_peak_kib(file);
    eprintln!("peak RSS: ordinary grade {} MiB, {what} {} MiB", base >> 10, peak >> 10);
    assert!(
        peak <= base + extra_mib * 1024,
        "{what} took the grader from {base} KiB to {peak} KiB"
    );
}

/// `polyrun run` keeps the output limit of `/api/v1/run` and Judge0 (1 MiB per stream by
/// default), and `--output-limit-kb` raises it.
#[test]
fn polyrun_run_has_the_apis_output_limit() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let program = dir.path().join("flood.py");
    std::fs::write(
        &program,
        "import sys\nfor _ in range(48):\n    sys.stdout.write('x' * 65536)\n",
    )
    .expect("write");
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_polyrun"))
            .arg("run")
            .args(extra)
            .arg(&program)
            .stdin(Stdio::null())
            .output()
            .expect("polyrun runs");
        (
            out.stdout.len(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code(),
        )
    };
    let (bytes, stderr, code) = run(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(bytes, 1 << 20, "the default limit is 1 MiB of stdout");
    assert!(stderr.contains("output truncated: 2097152 more bytes"), "{stderr}");
    let (bytes, stderr, code) = run(&["--output-limit-kb", "4096"]);
    assert_eq!((bytes, code), (3 << 20, Some(0)), "{stderr}");
    assert!(!stderr.contains("truncated"), "{stderr}");
}

/// A submission whose every session loads slowly and then stops its test holds the grader
/// for the grading's budget (loading 10 s + 6 tests × 1 s on `spin`), not for a new
/// loading allowance per test (6 × (4 s + 1 s) here): the tests left are `skipped`.
#[test]
fn a_grading_that_restarts_slow_sessions_ends_with_its_budget() {
    let sources = [
        (
            Python,
            "import time\ntime.sleep(4)\n\ndef spin(n):\n    while True:\n        pass\n",
        ),
        (Ruby, "sleep 4\n\ndef spin(n)\n  loop { }\nend\n"),
    ];
    let graded: Vec<_> = sources
        .map(|(language, source)| (language, std::thread::spawn(move || grade_spin(language, source))))
        .into_iter()
        .map(|(language, handle)| (language, handle.join().expect("a grade")))
        .collect();
    for (language, (report, took)) in graded {
        let ms = took.as_millis() as u64;
        eprintln!("{language} slow loading, endless tests: verdict after {ms} ms");
        let verdicts: Vec<_> = report.tests.iter().map(|t| t.verdict).collect();
        assert_eq!(
            verdicts[..3],
            [Verdict::TimeLimitExceeded; 3],
            "{language}: {}",
            describe_grade(&report)
        );
        assert_eq!(
            verdicts[3..],
            [Verdict::Skipped; 3],
            "{language}: {}",
            describe_grade(&report)
        );
        let why = report.tests[5].detail.as_ref().and_then(|d| d.error.as_ref());
        assert!(
            why.is_some_and(|e| e.message.contains("time budget (16.0 s")),
            "{language}: {why:?}"
        );
        // The budget is 16 s; without it the grading took 30 s.
        assert!(
            (15_500..=21_000).contains(&ms),
            "{language}: the verdict took {ms} ms, expected about 16 s"
        );
    }
}

/// What the grader keeps of returned values does not grow with the number of tests: six
/// tests that each return 1.2 MB of JSON (600,000 numbers, about 86 MiB once parsed) peak
/// within 192 MiB of an ordinary grade (measured: 77 MiB against 34 MiB; before the bound
/// each parsed value was kept until the report: 521 MiB).
#[test]
fn large_returned_values_do_not_grow_the_graders_memory() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let normal = dir.path().join("normal.py");
    std::fs::write(&normal, "def spin(n):\n    return n\n").expect("write");
    let large = dir.path().join("large.py");
    std::fs::write(&large, "def spin(n):\n    return [0] * 600000\n").expect("write");
    peak_within(grade_peak_kib(&normal), &large, "six large values", 192);
}

/// A test's arguments reach the sandbox only when its clock starts: the source loads
/// without them, and the next test's line is handed over once the test in flight answered.
/// Before, the whole input was on stdin from the start: top-level code that did every
/// test's work (1.5 s each, the limit is 1 s) while "loading" (10 s allowed) was accepted.
#[test]
fn a_tests_arguments_arrive_only_when_its_clock_starts() {
    let python_busy = "import json, sys, time\n\ndef busy(seconds):\n    end = time.monotonic() + seconds\n    while time.monotonic() < end:\n        pass\n\n";
    let ruby_busy = "def busy(seconds)\n  t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds\n  nil while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t\nend\n\n";
    let preload = [
        (
            Python,
            format!(
                "{python_busy}answers = {{}}\ntry:  # the harness's input, as the audit found it while the source loads\n    for t in sys._getframe(1).f_locals['data']['tests']:\n        n = json.loads(t['args'])[0]\n        busy(1.5)\n        answers[n] = n\nexcept Exception:\n    pass\n\ndef spin(n):\n    if n not in answers:\n        busy(1.5)\n    return n\n"
            ),
        ),
        (
            Ruby,
            format!(
                "require 'json'\n{ruby_busy}ANSWERS = {{}}\nbegin\n  tests = nil\n  ObjectSpace.each_object(Hash) {{ |h| tests = h['tests'] if h.key?('tests') && h.key?('source') }}\n  tests.each do |t|\n    n = JSON.parse(t['args'])[0]\n    busy(1.5)\n    ANSWERS[n] = n\n  end\nrescue StandardError\nend\n\ndef spin(n)\n  busy(1.5) unless ANSWERS.key?(n)\n  n\nend\n"
            ),
        ),
    ];
    // Inside a call, the real stdin holds nothing yet: a read waits, and the test ends at
    // its limit (before, the harness had read everything and the read returned at once).
    // In the last test every line is out, and the read finds the end of the input.
    let peek = [
        (
            Python,
            "import sys\n\ndef spin(n):\n    sys.__stdin__.readline()\n    return n\n".to_owned(),
        ),
        (Ruby, "def spin(n)\n  STDIN.gets\n  n\nend\n".to_owned()),
    ];
    let graded: Vec<_> = preload
        .into_iter()
        .map(|(language, source)| ("work done while loading", language, source))
        .chain(
            peek.into_iter()
                .map(|(language, source)| ("reading the real stdin", language, source)),
        )
        .map(|(what, language, source)| {
            (
                what,
                language,
                std::thread::spawn(move || grade_spin(language, &source)),
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(what, language, handle)| (what, language, handle.join().expect("a grade")))
        .collect();
    for (what, language, (report, took)) in graded {
        let mut expected = vec![Verdict::TimeLimitExceeded; TESTS as usize];
        let mut timed_out = TESTS;
        if what == "reading the real stdin" {
            expected[TESTS as usize - 1] = Verdict::Accepted;
            timed_out -= 1;
        }
        assert_eq!(
            report.tests.iter().map(|t| t.verdict).collect::<Vec<_>>(),
            expected,
            "{language} {what}: {}",
            describe_grade(&report)
        );
        within(language, what, &report, took, timed_out * LIMIT_MS);
    }

    // The user's own stdin is empty while the source loads and in every call.
    let empty = [
        (
            Python,
            "import sys\nAT_LOAD = sys.stdin.read()\n\ndef spin(n):\n    return n if AT_LOAD == '' and sys.stdin.read() == '' else -1\n",
        ),
        (
            Ruby,
            "AT_LOAD = gets\n\ndef spin(n)\n  AT_LOAD.nil? && $stdin.read == '' ? n : -1\nend\n",
        ),
        (
            Javascript,
            "const atLoad = readline();\nfunction spin(n) {\n  return atLoad === null && readline() === null && require('fs').readFileSync(0, 'utf8') === '' ? n : -1;\n}\n",
        ),
    ];
    for (language, source) in empty {
        let (report, _) = grade_spin(language, source);
        assert_eq!(
            report.verdict,
            Verdict::Accepted,
            "{language}: {}",
            describe_grade(&report)
        );
    }
}

/// A grade reports the memory its sessions used beyond the runtime's own (what the limit
/// bounds), in every language: about 0 for a function that allocates nothing, the 30 MiB a
/// solution holds, and at least the limit (64 MiB on `echo-value`) when a test hit it.
#[test]
fn a_grade_reports_the_memory_it_used() {
    let problem = common::load_problem("echo-value").expect("echo-value in the test bank");
    let grader = common::grader();
    let held = 30 * 1024;
    for (language, plain, holding, bomb) in [
        (
            Python,
            "def echo_value(value):\n    return value\n",
            "HELD = bytearray(30 * 1024 * 1024)\ndef echo_value(value):\n    return value\n",
            "def echo_value(value):\n    return len([bytearray(2**20) for _ in range(100)]) if value == 2 else value\n",
        ),
        (
            Ruby,
            "def echo_value(value) = value\n",
            "HELD = 'x' * (30 * 1024 * 1024)\ndef echo_value(value) = value\n",
            "def echo_value(value)\n  value == 2 ? Array.new(100) { 'x' * 2**20 }.size : value\nend\n",
        ),
        (
            Javascript,
            "function echoValue(value) { return value; }\n",
            "const HELD = new Uint8Array(30 * 1024 * 1024).fill(1);\nfunction echoValue(value) { return value; }\n",
            "function echoValue(value) {\n  if (value !== 2) return value;\n  const a = [];\n  for (let i = 0; i < 100; i++) a.push(new Uint8Array(2 ** 20).fill(1));\n  return a.length;\n}\n",
        ),
    ] {
        let grade = |source: &str| common::block_on(grader.grade(&problem, language, source)).expect("a grade");
        let (plain, holding, bomb) = (grade(plain), grade(holding), grade(bomb));
        eprintln!(
            "{language}: {:?} KiB plain, {:?} KiB holding 30 MiB, {:?} KiB over the limit",
            plain.memory_kb, holding.memory_kb, bomb.memory_kb
        );
        assert_eq!(plain.verdict, Verdict::Accepted, "{}", describe_grade(&plain));
        assert!(
            plain.memory_kb.is_some_and(|kb| kb < 4 * 1024),
            "{}",
            describe_grade(&plain)
        );
        assert_eq!(holding.verdict, Verdict::Accepted, "{}", describe_grade(&holding));
        assert!(
            holding
                .memory_kb
                .is_some_and(|kb| (held..held + 8 * 1024).contains(&kb)),
            "{language}: {:?}",
            holding.memory_kb
        );
        assert_eq!(bomb.verdict, Verdict::MemoryLimitExceeded, "{}", describe_grade(&bomb));
        assert!(bomb.memory_kb.is_some_and(|kb| kb >= 64 * 1024), "{:?}", bomb.memory_kb);
    }
}
