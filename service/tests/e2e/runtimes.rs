//! Each runtime as the grader runs it (moved here from the grader's unit tests when
//! sessions moved into sandbox processes, which only the `polyrun` binary can start): the
//! Python 3.14 component and the Ruby and JavaScript snapshots, through `run_program`.

use std::time::Instant;

use polyrun_core::Language;
use polyrun_core::report::{RunReport, RunStatus};

use crate::common;

fn run(language: Language, source: &str, stdin: &str, time_ms: u64, memory_mb: u64) -> RunReport {
    common::block_on(common::run(language, source, stdin.as_bytes(), time_ms, memory_mb)).expect("a run")
}

fn python(source: &str, stdin: &str) -> RunReport {
    run(Language::Python, source, stdin, 10_000, 64)
}

#[test]
fn a_python_program_runs_with_its_stdin_and_its_exit_status() {
    let source = "import sys\nname = input()\nprint('hello', name, sys.version_info[:2])\nsys.exit(3)\n";
    let report = python(source, "polyrun\n");
    assert_eq!(report.stdout, "hello polyrun (3, 14)\n", "{report:?}");
    assert_eq!((report.status, report.exit_code), (RunStatus::Ok, 3), "{report:?}");
    let report = python("raise SystemExit('bye')\n", "");
    assert_eq!((report.exit_code, report.stderr.as_str()), (1, "bye\n"), "{report:?}");
    let report = python("print('fine')\n", "");
    assert_eq!((report.exit_code, report.stdout.as_str()), (0, "fine\n"), "{report:?}");
}

#[test]
fn an_uncaught_python_exception_is_a_traceback_and_status_1() {
    let report = python("print('a')\n{}['missing']\n", "");
    assert_eq!(report.exit_code, 1, "{report:?}");
    assert_eq!(report.stdout, "a\n");
    assert!(report.stderr.contains("File \"main.py\", line 2"), "{}", report.stderr);
    assert!(report.stderr.ends_with("KeyError: 'missing'\n"), "{}", report.stderr);
    assert!(!report.stderr.contains("polyrun_app"), "{}", report.stderr);
}

#[test]
fn each_python_session_is_fresh_and_seeded_anew() {
    let source = "import random, os, sys\nx = globals().get('leftover')\nprint(x, random.random(), os.urandom(8).hex())\nimport builtins\nbuiltins.leftover = 1\n";
    let first = python(source, "");
    let second = python(source, "");
    assert!(first.stdout.starts_with("None "), "{first:?}");
    assert!(second.stdout.starts_with("None "), "{second:?}");
    assert_ne!(
        first.stdout, second.stdout,
        "random draws the same numbers in two sessions"
    );
}

#[test]
fn python_sees_no_environment_and_only_the_standard_library_read_only() {
    let source = r#"
import os, sys
print(dict(os.environ), all(p.startswith('/python') for p in sys.path))
for d in ['/', '.', '..', '/python/..']:
    try:
        print('LIST', d, sorted(os.listdir(d)))
    except OSError as e:
        print('nolist', d)
for path in ['/python/polyrun.txt', '/python/os.py', '/etc/passwd', '/python/../../etc/passwd', '/tmp/x']:
    for mode in ['r', 'a', 'w']:
        try:
            open(path, mode).close()
            print('opened', path, mode)
        except OSError as e:
            print('no', path, mode, type(e).__name__)
try:
    os.mkdir('/python/new')
    print('made a folder')
except OSError as e:
    print('no mkdir', type(e).__name__)
"#;
    let report = python(source, "");
    assert_eq!(report.exit_code, 0, "{report:?}");
    let lines: Vec<&str> = report.stdout.lines().collect();
    assert_eq!(lines[0], "{} True", "{}", report.stdout);
    for line in lines.iter().filter(|l| l.starts_with("LIST")) {
        assert!(line.ends_with("['python']"), "sees more than the library: {line}");
    }
    let opened: Vec<&&str> = lines.iter().filter(|l| l.starts_with("opened")).collect();
    assert_eq!(opened, [&"opened /python/os.py r"], "{}", report.stdout);
    assert!(report.stdout.contains("no mkdir"), "{}", report.stdout);
}

/// The sandbox process is killed at the limit: the verdict comes about 0.5 s after the
/// start, however the program spends its time.
#[test]
fn python_loops_and_sleeps_stop_at_the_time_limit() {
    for source in ["while True:\n    pass\n", "import time\ntime.sleep(100)\n"] {
        let started = Instant::now();
        let report = run(Language::Python, source, "", 500, 64);
        let took = started.elapsed();
        assert_eq!(report.status, RunStatus::TimeLimitExceeded, "{source}: {report:?}");
        assert!(took.as_millis() >= 500 && took.as_secs() < 10, "{source} took {took:?}");
    }
}

#[test]
fn python_memory_beyond_the_limit_is_refused() {
    let footprint = common::block_on(common::grader().footprint(Language::Python)).expect("a footprint");
    assert!(footprint > 1 << 20 && footprint < 256 << 20, "footprint {footprint}");
    let hog = "a = []\nwhile True:\n    a.append(bytearray(10**6))\n";
    let report = run(Language::Python, hog, "", 20_000, 32);
    assert_eq!(report.status, RunStatus::MemoryLimitExceeded, "{report:?}");
    let fits = "a = bytearray(16 * 2**20)\nprint(len(a))\n";
    let report = run(Language::Python, fits, "", 20_000, 32);
    assert_eq!(
        (report.status, report.stdout.as_str()),
        (RunStatus::Ok, "16777216\n"),
        "{report:?}"
    );
}

/// Two sessions of the same snapshot draw different random numbers, and a session's clock
/// starts with the session, not with the snapshot's set-up.
#[test]
fn sessions_of_a_snapshot_draw_their_own_random_numbers_and_time() {
    let cases = [
        (
            Language::Ruby,
            "puts [rand, Random.rand(1 << 60), [1, 2, 3, 4, 5, 6].shuffle].inspect\n",
        ),
        (
            Language::Javascript,
            "const t = performance.now();\n\
             console.log(Math.random(), Math.random(), t >= 0 && t < 2000, \
             Math.abs(performance.timeOrigin + t - Date.now()) < 2000);\n",
        ),
    ];
    for (language, source) in cases {
        let first = run(language, source, "", 10_000, 64);
        let second = run(language, source, "", 10_000, 64);
        assert_eq!((first.status, first.exit_code), (RunStatus::Ok, 0), "{first:?}");
        assert_eq!((second.status, second.exit_code), (RunStatus::Ok, 0), "{second:?}");
        assert_ne!(first.stdout, second.stdout, "{language:?} repeats its random numbers");
        if language == Language::Javascript {
            assert!(first.stdout.trim_end().ends_with("true true"), "{}", first.stdout);
        }
    }
}

/// A whole program gets its source and its stdin, whatever bytes the source holds.
#[test]
fn a_ruby_program_from_the_snapshot_gets_its_source_and_stdin() {
    let source = "name = gets.chomp\nputs \"]\\\"#{name} é\"\nexit 3\n";
    let report = run(Language::Ruby, source, "polyrun\n", 10_000, 64);
    assert_eq!(report.stdout, "]\"polyrun é\n", "{report:?}");
    assert_eq!(report.exit_code, 3, "{report:?}");
}

/// A grader whose sandbox program is not one (a program that exits, or one that echoes its
/// input) says so at once, naming the program and what it must do, rather than hanging.
#[test]
fn a_sandbox_program_that_is_not_one_is_a_clear_error() {
    for program in ["/bin/true", "/bin/cat"] {
        let grader = polyrun_grader::Grader::new(polyrun_grader::GraderConfig {
            sandbox_program: program.into(),
            ..common::config()
        })
        .expect("a grader");
        let started = Instant::now();
        let answer = common::block_on(common::guarded(program, grader.footprint(Language::Javascript)));
        let error = match answer {
            Ok(Err(e)) => e.to_string(),
            other => panic!("{program}: {other:?}"),
        };
        assert!(
            error.contains(program) && error.contains("sandbox_main"),
            "{program}: {error}"
        );
        assert!(
            started.elapsed().as_secs() < 10,
            "{program}: took {:?}",
            started.elapsed()
        );
    }
}
