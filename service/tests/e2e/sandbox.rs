//! Hostile code in each language: reading the environment and host files, writing host
//! files, sockets, processes, output floods, runaway recursion, endless loops and sleeps,
//! memory exhaustion, threads, forged harness records and closed stdout. Each must be
//! contained with the right verdict or exit status, and after each the grader must still
//! run an ordinary program correctly.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use polyrun_core::report::{RunReport, RunStatus};
use polyrun_core::{GradeReport, Language, Verdict};
use tokio::task::JoinSet;

use crate::cases::report_invariants;
use crate::common::{self, Failures, clip, describe_grade, describe_run};

use Language::{Javascript, Python, Ruby};

type Check = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// Runs named checks concurrently and fails once with every failing one.
fn run_checks(what: &str, checks: Vec<(String, Check)>) {
    let total = checks.len();
    let outcomes = common::block_on(async move {
        let mut jobs = JoinSet::new();
        for (name, check) in checks {
            jobs.spawn(async move { (name, check.await) });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = jobs.join_next().await {
            outcomes.push(done.unwrap_or_else(|e| ("?".into(), Err(format!("the check panicked: {e}")))));
        }
        outcomes.sort_by(|a, b| a.0.cmp(&b.0));
        outcomes
    });
    for language in Language::ALL {
        let mine: Vec<_> = outcomes.iter().filter(|(n, _)| n.starts_with(language.id())).collect();
        let passed = mine.iter().filter(|(_, r)| r.is_ok()).count();
        eprintln!("{what}, {language}: {passed} of {} pass", mine.len());
    }
    let mut failures = Failures::default();
    for (name, outcome) in outcomes {
        if let Err(e) = outcome {
            failures.push(format!("{name}: {e}"));
        }
    }
    failures.finish(what, total);
}

fn check(
    name: impl Into<String>,
    future: impl Future<Output = Result<(), String>> + Send + 'static,
) -> (String, Check) {
    (name.into(), Box::pin(future))
}

/// Runs a hostile whole program, then checks that an ordinary one still works.
async fn hostile_run(
    language: Language,
    source: String,
    stdin: String,
    time_ms: u64,
    memory_mb: u64,
) -> Result<RunReport, String> {
    let report = common::run(language, &source, stdin.as_bytes(), time_ms, memory_mb).await?;
    common::still_works(language).await?;
    Ok(report)
}

/// Grades a hostile solution against a test-bank problem, checks the report's invariants,
/// then checks that an ordinary program still works.
async fn hostile_grade(problem: &str, language: Language, source: String) -> Result<GradeReport, String> {
    let problem = common::load_problem(problem)?;
    let report = common::grade(&problem, language, &source).await?;
    report_invariants(&report).map_err(|e| format!("{e}: {}", describe_grade(&report)))?;
    common::still_works(language).await?;
    Ok(report)
}

fn verdicts(report: &GradeReport) -> Vec<Verdict> {
    report.tests.iter().map(|t| t.verdict).collect()
}

/// The error of test `index`, as `(type, message, line)`.
fn test_error(report: &GradeReport, index: usize) -> Option<(String, String, Option<u32>)> {
    let error = report.tests.get(index)?.detail.as_ref()?.error.as_ref()?;
    Some((error.kind.clone(), error.message.clone(), error.line))
}

fn expect_verdicts(report: &GradeReport, expected: &[Verdict]) -> Result<(), String> {
    if verdicts(report) == expected {
        Ok(())
    } else {
        Err(format!("expected tests {expected:?}, got {}", describe_grade(report)))
    }
}

fn expect_run(report: &RunReport, status: RunStatus, exit_code: i32) -> Result<(), String> {
    if report.status == status && report.exit_code == exit_code {
        Ok(())
    } else {
        Err(format!(
            "expected status {status:?} and exit {exit_code}, got {}",
            describe_run(report)
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Environment.

#[test]
fn environment_is_empty() {
    let programs = [
        (
            Python,
            "import json, os\nprint(json.dumps(dict(os.environ)))\nprint(os.getenv('HOME'), os.getenv('PATH'))\n",
            "{}\nNone None\n",
        ),
        (
            Ruby,
            "require 'json'\nputs JSON.generate(ENV.to_h)\np ENV['HOME'], ENV['PATH']\n",
            "{}\nnil\nnil\n",
        ),
        (
            Javascript,
            "console.log(JSON.stringify(process.env));\nconsole.log(String(process.env.HOME), String(process.env.PATH));\n",
            "{}\nundefined undefined\n",
        ),
    ];
    let mut checks = Vec::new();
    for (language, source, expected) in programs {
        checks.push(check(format!("{language} program sees no environment"), async move {
            let report = hostile_run(language, source.into(), String::new(), 10_000, 256).await?;
            expect_run(&report, RunStatus::Ok, 0)?;
            if report.stdout == expected {
                Ok(())
            } else {
                Err(format!("stdout {:?}, expected {expected:?}", report.stdout))
            }
        }));
    }
    let solutions = [
        (
            Python,
            "import os\n\ndef echo_value(value):\n    return value + len(os.environ)\n",
        ),
        (Ruby, "def echo_value(value)\n  value + ENV.size\nend\n"),
        (
            Javascript,
            "function echoValue(value) {\n  return value + (typeof process === 'undefined' ? 0 : Object.keys(process.env).length);\n}\n",
        ),
    ];
    for (language, source) in solutions {
        checks.push(check(format!("{language} solution sees no environment"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            expect_verdicts(&report, &[Verdict::Accepted; 3])
        }));
    }
    run_checks("environment checks", checks);
}

// ---------------------------------------------------------------------------------------
// Host files.

/// Names that, listed inside the sandbox, would mean it sees the host's file system.
fn host_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "etc",
        "usr",
        "root",
        "home",
        "proc",
        "work",
        "Cargo.toml",
        "src",
        "problems",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for dir in [
        Path::new("/"),
        Path::new("/tmp"),
        &common::repo_root(),
        &std::env::current_dir().unwrap_or_default(),
    ] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // A sandbox may well have its own /dev (stdin) or /tmp.
                if !["dev", "tmp"].contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

const READ_PY: &str = r#"import os, sys
paths = [p for p in sys.stdin.read().split("\n") if p]
for p in paths:
    try:
        with open(p, "rb") as f:
            data = f.read(64)
        print("READ", p, data[:20])
    except Exception:
        print("denied", p)
for d in ["/", ".", "..", "../..", "/tmp", "/etc", "/proc", "/proc/self", os.path.dirname(paths[-1])]:
    try:
        print("LIST", d, "|", " ".join(sorted(os.listdir(d))))
    except Exception:
        print("nolist", d)
"#;

const READ_RB: &str = r#"paths = STDIN.read.split("\n").reject(&:empty?)
paths.each do |p|
  data = File.binread(p, 64)
  puts "READ #{p} #{data[0, 20].inspect}"
rescue Exception
  puts "denied #{p}"
end
["/", ".", "..", "../..", "/tmp", "/etc", "/proc", "/proc/self", File.dirname(paths[-1])].each do |d|
  puts "LIST #{d} | #{Dir.children(d).sort.join(" ")}"
rescue Exception
  puts "nolist #{d}"
end
"#;

const READ_JS: &str = r#"const fs = require("fs");
const paths = fs.readFileSync(0, "utf8").split("\n").filter((p) => p);
for (const p of paths) {
  try {
    const data = fs.readFileSync(p);
    console.log("READ", p, String(data).slice(0, 20));
  } catch (e) {
    console.log("denied", p);
  }
}
const dir = paths[paths.length - 1].split("/").slice(0, -1).join("/");
for (const d of ["/", ".", "..", "../..", "/tmp", "/etc", "/proc", "/proc/self", dir]) {
  try {
    console.log("LIST", d, "|", fs.readdirSync(d).sort().join(" "));
  } catch (e) {
    console.log("nolist", d);
  }
}
"#;

#[test]
fn host_files_cannot_be_read_or_listed() {
    let repo = common::repo_root();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let paths: Vec<String> = vec![
        "/etc/passwd".into(),
        "/etc/hostname".into(),
        "/proc/self/environ".into(),
        "/proc/self/cmdline".into(),
        "/proc/self/maps".into(),
        "../../etc/passwd".into(),
        "../../../../../../etc/passwd".into(),
        "Cargo.toml".into(),
        "../Cargo.toml".into(),
        "./src/main.rs".into(),
        repo.join("problems/two-sum/tests.json").display().to_string(),
        manifest.display().to_string(),
    ];
    for path in &paths[10..] {
        assert!(
            Path::new(path).is_file(),
            "{path} should exist on the host for this test to mean anything"
        );
    }
    let stdin = paths.join("\n") + "\n";
    let forbidden = host_names();
    let mut checks = Vec::new();
    for (language, source) in [(Python, READ_PY), (Ruby, READ_RB), (Javascript, READ_JS)] {
        let stdin = stdin.clone();
        let count = paths.len();
        let forbidden = forbidden.clone();
        checks.push(check(format!("{language} reads and lists"), async move {
            let report = hostile_run(language, source.into(), stdin, 10_000, 256).await?;
            expect_run(&report, RunStatus::Ok, 0)?;
            let mut wrong = Vec::new();
            let denied = report.stdout.lines().filter(|l| l.starts_with("denied ")).count();
            for line in report.stdout.lines() {
                if line.starts_with("READ ") {
                    wrong.push(format!("read a host file: {line:?}"));
                }
                if let Some(listing) = line.strip_prefix("LIST ") {
                    let (dir, names) = listing.split_once(" | ").unwrap_or((listing, ""));
                    let seen: Vec<&str> = names.split(' ').filter(|n| forbidden.iter().any(|f| f == n)).collect();
                    if !seen.is_empty() {
                        wrong.push(format!("listing {dir} shows host entries {seen:?}"));
                    }
                }
            }
            if denied != count {
                wrong.push(format!("{denied} of {count} reads were denied"));
            }
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(format!("{}\n    stdout: {}", wrong.join("; "), clip(&report.stdout)))
            }
        }));
    }
    run_checks("file-read checks", checks);
}

const WRITE_PY: &str = r#"import os, sys
for p in [p for p in sys.stdin.read().split("\n") if p]:
    try:
        with open(p, "w") as f:
            f.write("escaped")
        print("WROTE", p)
    except Exception:
        print("denied", p)
    try:
        os.remove(p)
        print("REMOVED", p)
    except Exception:
        print("denied", p)
"#;

const WRITE_RB: &str = r#"STDIN.read.split("\n").reject(&:empty?).each do |p|
  begin
    File.write(p, "escaped")
    puts "WROTE #{p}"
  rescue Exception
    puts "denied #{p}"
  end
  begin
    File.delete(p)
    puts "REMOVED #{p}"
  rescue Exception
    puts "denied #{p}"
  end
end
"#;

const WRITE_JS: &str = r#"const fs = require("fs");
for (const p of fs.readFileSync(0, "utf8").split("\n").filter((p) => p)) {
  try {
    fs.writeFileSync(p, "escaped");
    console.log("WROTE", p);
  } catch (e) {
    console.log("denied", p);
  }
  try {
    fs.unlinkSync(p);
    console.log("REMOVED", p);
  } catch (e) {
    console.log("denied", p);
  }
}
"#;

#[test]
fn host_files_cannot_be_written_or_removed() {
    let canary_dir = tempfile::tempdir().expect("a temporary folder");
    let cwd = std::env::current_dir().expect("a current folder");
    let mut checks = Vec::new();
    for (language, source) in [(Python, WRITE_PY), (Ruby, WRITE_RB), (Javascript, WRITE_JS)] {
        let name = common::unique_name(&format!("polyrun-escape-{language}"));
        // Files the program tries to create: none may appear on the host.
        let created: Vec<(String, PathBuf)> = vec![
            (format!("/tmp/{name}"), PathBuf::from(format!("/tmp/{name}"))),
            (name.clone(), cwd.join(&name)),
            (format!("../{name}"), cwd.join("..").join(&name)),
            (format!("/{name}"), PathBuf::from(format!("/{name}"))),
            (
                cwd.join(format!("{name}-abs")).display().to_string(),
                cwd.join(format!("{name}-abs")),
            ),
        ];
        // A file the program tries to overwrite and delete: it must stay as it is.
        let canary = canary_dir.path().join(format!("{language}-canary"));
        std::fs::write(&canary, "untouched").expect("a canary file");
        let canary_text = canary.display().to_string();
        let mut stdin: Vec<String> = created.iter().map(|(p, _)| p.clone()).collect();
        stdin.push(canary_text.clone());
        let stdin = stdin.join("\n") + "\n";
        let attempts = 2 * (created.len() + 1);
        checks.push(check(format!("{language} writes"), async move {
            let report = hostile_run(language, source.into(), stdin, 10_000, 256).await;
            let mut wrong = Vec::new();
            for (_, host) in &created {
                if host.exists() {
                    wrong.push(format!("{} was created on the host", host.display()));
                    let _ = std::fs::remove_file(host);
                }
            }
            match std::fs::read_to_string(&canary) {
                Ok(text) if text == "untouched" => {}
                Ok(text) => wrong.push(format!("{canary_text} was overwritten with {text:?}")),
                Err(e) => wrong.push(format!("{canary_text} is gone: {e}")),
            }
            let report = report?;
            expect_run(&report, RunStatus::Ok, 0)?;
            let denied = report.stdout.lines().filter(|l| l.starts_with("denied ")).count();
            if denied != attempts {
                wrong.push(format!("{denied} of {attempts} attempts were denied"));
            }
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(format!("{}\n    stdout: {}", wrong.join("; "), clip(&report.stdout)))
            }
        }));
    }
    run_checks("file-write checks", checks);
    drop(canary_dir);
}

/// Tries to change the standard library the Python 3.14 component sees at `/python` (the
/// one host folder mounted into any sandbox) and to climb out of it: reading it is all
/// that works.
const STDLIB_PY: &str = r#"import os
def attempt(what, action):
    try:
        action()
        print("DONE", what)
    except Exception as e:
        print("denied", what, type(e).__name__)
attempt("overwrite", lambda: open("/python/os.py", "w").write("hijacked"))
attempt("append", lambda: open("/python/os.py", "a").write("hijacked"))
attempt("create", lambda: open("/python/polyrun-new.py", "x").write("new"))
attempt("mkdir", lambda: os.mkdir("/python/polyrun-dir"))
attempt("remove", lambda: os.remove("/python/heapq.py"))
attempt("rename", lambda: os.rename("/python/heapq.py", "/python/heapq2.py"))
attempt("symlink", lambda: os.symlink("/etc/passwd", "/python/polyrun-link"))
attempt("chmod", lambda: os.chmod("/python/os.py", 0o777))
attempt("utime", lambda: os.utime("/python/os.py", (0, 0)))
attempt("truncate", lambda: os.truncate("/python/os.py", 0))
for path in ["/python/../etc/passwd", "/python/../../../etc/passwd", "/python/../Cargo.toml",
             "/python/../ruby+stdlib.wasm", "/python/../../Cargo.toml"]:
    attempt("read " + path, lambda: open(path, "rb").read(1))
for d in ["/python/..", "/python/../.."]:
    attempt("list " + d, lambda: print("LIST", d, os.listdir(d)))
attempt("read the library", lambda: open("/python/heapq.py").read(1))
"#;

/// Everything under `dir` with its size and modification time.
fn tree_state(dir: &Path) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>, bool)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(entry.path());
            }
            let readonly = meta.permissions().readonly();
            out.push((entry.path(), meta.len(), meta.modified().ok(), readonly));
        }
    }
    out.sort();
    out
}

#[test]
fn the_python_standard_library_is_mounted_read_only_and_alone() {
    let artifacts = match std::env::var_os(polyrun_runtimes::ARTIFACTS_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => common::repo_root().join("runtimes-wasm/artifacts"),
    };
    let stdlib = artifacts.join(polyrun_runtimes::PYTHON_STDLIB_DIR);
    assert!(
        stdlib.join("os.py").is_file(),
        "{} should hold the standard library",
        stdlib.display()
    );
    let before = tree_state(&stdlib);
    let checks = vec![check("python changes the standard library", async move {
        let report = hostile_run(Python, STDLIB_PY.into(), String::new(), 10_000, 256).await?;
        expect_run(&report, RunStatus::Ok, 0)?;
        // WASI has no chmod: CPython's `os.chmod` there may return without doing anything.
        // The host tree's check below is what proves that nothing changed.
        let chmod_noop = report.stdout.lines().any(|l| l == "DONE chmod");
        let done: Vec<&str> = report
            .stdout
            .lines()
            .filter(|l| (l.starts_with("DONE") || l.starts_with("LIST")) && *l != "DONE chmod")
            .collect();
        let denied = report.stdout.lines().filter(|l| l.starts_with("denied ")).count();
        let expected: &[&str] = &["DONE read the library"];
        if done != expected || denied != 18 - expected.len() - usize::from(chmod_noop) {
            return Err(format!(
                "{done:?}, {denied} of 18 denied; stdout: {}",
                clip(&report.stdout)
            ));
        }
        Ok(())
    })];
    run_checks("standard-library checks", checks);
    assert!(
        tree_state(&stdlib) == before,
        "the standard library changed on the host"
    );
}

// ---------------------------------------------------------------------------------------
// Network.

const SOCKET_PY: &str = r#"import sys
port = int(sys.stdin.read())
def connect():
    import socket
    socket.create_connection(("127.0.0.1", port), timeout=2)
def raw():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("127.0.0.1", port))
def http():
    import urllib.request
    urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2)
for name, attempt in [("create_connection", connect), ("socket.connect", raw), ("urlopen", http)]:
    try:
        attempt()
        print("CONNECTED", name)
    except BaseException:
        print("blocked", name)
"#;

const SOCKET_RB: &str = r#"port = STDIN.read.to_i
attempts = {
  "TCPSocket" => -> { require "socket"; TCPSocket.new("127.0.0.1", port) },
  "Socket.tcp" => -> { require "socket"; Socket.tcp("127.0.0.1", port, connect_timeout: 2) },
  "Net::HTTP" => -> { require "net/http"; Net::HTTP.get(URI("http://127.0.0.1:#{port}/")) },
}
attempts.each do |name, attempt|
  attempt.call
  puts "CONNECTED #{name}"
rescue Exception
  puts "blocked #{name}"
end
"#;

const SOCKET_JS: &str = r#"const port = Number(readline());
const url = `http://127.0.0.1:${port}/`;
const attempts = {
  "require net": () => require("net").connect(port, "127.0.0.1"),
  "require http": () => require("http").get(url),
  XMLHttpRequest: () => {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", url, false);
    xhr.send();
  },
  WebSocket: () => new WebSocket(`ws://127.0.0.1:${port}/`),
};
for (const [name, attempt] of Object.entries(attempts)) {
  try {
    attempt();
    console.log("CONNECTED", name);
  } catch (e) {
    console.log("blocked", name);
  }
}
let fetched;
try {
  fetched = fetch(url).then(() => "CONNECTED fetch", () => "blocked fetch");
} catch (e) {
  fetched = Promise.resolve("blocked fetch");
}
fetched.then((line) => console.log(line));
"#;

#[test]
fn sockets_cannot_be_opened() {
    let mut checks = Vec::new();
    for (language, source, attempts) in [(Python, SOCKET_PY, 3), (Ruby, SOCKET_RB, 3), (Javascript, SOCKET_JS, 5)] {
        checks.push(check(format!("{language} connects"), async move {
            let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen: {e}"))?;
            listener.set_nonblocking(true).map_err(|e| e.to_string())?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            let report = hostile_run(language, source.into(), format!("{port}\n"), 10_000, 256).await?;
            let mut wrong = Vec::new();
            if let Ok((_, peer)) = listener.accept() {
                wrong.push(format!("the host's listener accepted a connection from {peer}"));
            }
            expect_run(&report, RunStatus::Ok, 0)?;
            let blocked = report.stdout.lines().filter(|l| l.starts_with("blocked ")).count();
            if report.stdout.contains("CONNECTED") || blocked != attempts {
                wrong.push(format!("{blocked} of {attempts} attempts were blocked"));
            }
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(format!("{}\n    stdout: {}", wrong.join("; "), clip(&report.stdout)))
            }
        }));
    }
    run_checks("socket checks", checks);
}

// ---------------------------------------------------------------------------------------
// Processes.

const SPAWN_PY: &str = r#"import os, sys
marker = sys.stdin.readline().strip()
cmd = "touch " + marker
attempts = {
    "os.system": lambda: os.system(cmd),
    "subprocess.run": lambda: __import__("subprocess").run(["touch", marker]),
    "subprocess.Popen shell": lambda: __import__("subprocess").Popen(cmd, shell=True).wait(),
    "os.popen": lambda: os.popen(cmd).read(),
    "os.fork": lambda: os.fork(),
    "os.execv": lambda: os.execv("/usr/bin/touch", ["touch", marker]),
    "os.posix_spawn": lambda: os.posix_spawn("/usr/bin/touch", ["touch", marker], {}),
    "multiprocessing": lambda: __import__("multiprocessing").Process(target=print).start(),
    "ctypes": lambda: __import__("ctypes").CDLL(None).system(cmd.encode()),
}
for name, attempt in attempts.items():
    try:
        attempt()
        print("RAN", name)
    except BaseException:
        print("blocked", name)
print("end")
"#;

const SPAWN_RB: &str = r#"marker = STDIN.gets.strip
cmd = "touch #{marker}"
attempts = {
  "system" => -> { system(cmd) },
  "backticks" => -> { `#{cmd}` },
  "spawn" => -> { Process.wait(spawn(cmd)) },
  "fork" => -> { fork { system(cmd) } },
  "IO.popen" => -> { IO.popen(cmd).read },
  "Open3" => -> { require "open3"; Open3.capture2(cmd) },
  "exec" => -> { exec(cmd) },
}
attempts.each do |name, attempt|
  result = attempt.call
  puts "RAN #{name} #{result.inspect}"
rescue Exception
  puts "blocked #{name}"
end
puts "end"
"#;

const SPAWN_JS: &str = r#"const marker = readline();
const attempts = {
  execSync: () => require("child_process").execSync("touch " + marker),
  spawnSync: () => require("child_process").spawnSync("touch", [marker]),
  exec: () => require("child_process").exec("touch " + marker),
  Worker: () => new Worker("data:text/javascript,1"),
};
for (const [name, attempt] of Object.entries(attempts)) {
  try {
    attempt();
    console.log("RAN", name);
  } catch (e) {
    console.log("blocked", name);
  }
}
// QuickJS's own modules, if the engine left them reachable.
const tries = [
  () => import("os").then((os) => os.exec(["touch", marker])),
  () => import("std").then((std) => std.popen("touch " + marker, "r")),
];
Promise.allSettled(tries.map((t) => { try { return t(); } catch (e) { return Promise.reject(e); } })).then((results) => {
  results.forEach((r, i) => console.log(r.status === "fulfilled" ? "RAN" : "blocked", "module " + i));
  console.log("end");
});
"#;

#[test]
fn processes_cannot_be_spawned() {
    let mut checks = Vec::new();
    for (language, source) in [(Python, SPAWN_PY), (Ruby, SPAWN_RB), (Javascript, SPAWN_JS)] {
        let marker = PathBuf::from("/tmp").join(common::unique_name(&format!("polyrun-escape-spawn-{language}")));
        checks.push(check(format!("{language} spawns"), async move {
            let report = hostile_run(language, source.into(), format!("{}\n", marker.display()), 10_000, 256).await;
            if marker.exists() {
                let _ = std::fs::remove_file(&marker);
                return Err(format!("a process ran on the host: {} was created", marker.display()));
            }
            let report = report?;
            expect_run(&report, RunStatus::Ok, 0)?;
            if !report.stdout.ends_with("end\n") {
                return Err(format!("the program did not reach its end: {}", describe_run(&report)));
            }
            // ruby.wasm's `system` is a stub that returns true without running anything (no
            // harm done, as the marker shows, but it reports a success); every other attempt,
            // in every language, must raise.
            let ran: Vec<&str> = report
                .stdout
                .lines()
                .filter(|l| l.starts_with("RAN"))
                .filter(|l| !(language == Ruby && l.starts_with("RAN system")))
                .collect();
            if ran.is_empty() {
                Ok(())
            } else {
                Err(format!("attempts that did not fail: {ran:?}"))
            }
        }));
    }
    run_checks("process checks", checks);
}

// ---------------------------------------------------------------------------------------
// Output floods.

#[test]
fn output_floods_are_capped() {
    let mut checks = Vec::new();
    let floods = [
        (
            Python,
            "import sys, time\nend = time.time() + 1\nwhile time.time() < end:\n    print('y' * 1000)\n    sys.stderr.write('z' * 1000)\n",
        ),
        (
            Ruby,
            "finish = Time.now + 1\nwhile Time.now < finish\n  puts 'y' * 1000\n  $stderr.write('z' * 1000)\nend\n",
        ),
        (
            Javascript,
            "const end = Date.now() + 1000;\nwhile (Date.now() < end) {\n  console.log('y'.repeat(1000));\n  console.error('z'.repeat(1000));\n}\n",
        ),
    ];
    for (language, source) in floods {
        checks.push(check(format!("{language} floods for 1 s"), async move {
            let report = hostile_run(language, source.into(), String::new(), 20_000, 256).await?;
            expect_run(&report, RunStatus::Ok, 0)?;
            let cap = common::RUN_OUTPUT_CAP;
            if report.stdout.len() > cap + 200 || !report.stdout.contains("more bytes not shown]") {
                return Err(format!(
                    "stdout not capped at {cap} bytes with a marker: {} bytes",
                    report.stdout.len()
                ));
            }
            if report.stderr.len() > cap + 200 {
                return Err(format!("stderr not capped: {} bytes", report.stderr.len()));
            }
            Ok(())
        }));
    }
    let endless = [
        (Python, "while True:\n    print('y' * 1000)\n"),
        (Ruby, "loop { puts 'y' * 1000 }\n"),
        (Javascript, "for (;;) console.log('y'.repeat(1000));\n"),
    ];
    for (language, source) in endless {
        checks.push(check(format!("{language} floods forever"), async move {
            let report = hostile_run(language, source.into(), String::new(), 1000, 256).await?;
            expect_run(&report, RunStatus::TimeLimitExceeded, 124)?;
            if report.stdout.len() > common::RUN_OUTPUT_CAP + 200 {
                return Err(format!("stdout not capped: {} bytes", report.stdout.len()));
            }
            Ok(())
        }));
    }
    // Raw writes on the real stdout and stderr during a test, around the harness's capture.
    let raw = [
        (
            Python,
            "import os\n\ndef echo_value(value):\n    if value == 1:\n        for _ in range(3000):\n            os.write(1, b'y' * 1000)\n            os.write(2, b'z' * 1000)\n    return value\n",
        ),
        (
            Ruby,
            "def echo_value(value)\n  if value == 1\n    3000.times do\n      STDOUT.syswrite('y' * 1000)\n      STDERR.syswrite('z' * 1000)\n    end\n  end\n  value\nend\n",
        ),
        (
            Javascript,
            "function echoValue(value) {\n  if (value === 1) {\n    for (let i = 0; i < 3000; i++) {\n      __polyrun.writeStdout('y'.repeat(1000));\n      __polyrun.writeStderr('z'.repeat(1000));\n    }\n  }\n  return value;\n}\n",
        ),
    ];
    for (language, source) in raw {
        checks.push(check(format!("{language} writes 3 MB raw during a test"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            expect_verdicts(&report, &[Verdict::Accepted; 3])?;
            let detail = report.tests[0].detail.as_ref().ok_or("test 0 has no detail")?;
            for (stream, text) in [("stdout", &detail.stdout), ("stderr", &detail.stderr)] {
                if text.len() > 64 * 1024 + 200 || !text.contains("more bytes not shown]") {
                    return Err(format!(
                        "test 0 {stream} not capped at 64 KiB with a marker: {} bytes ending {:?}",
                        text.len(),
                        text.chars().rev().take(60).collect::<String>()
                    ));
                }
            }
            Ok(())
        }));
    }
    let endless_in_test = [
        (
            Python,
            "def echo_value(value):\n    while value == 2:\n        print('y' * 1000)\n    return value\n",
        ),
        (
            Ruby,
            "def echo_value(value)\n  loop { puts 'y' * 1000 } if value == 2\n  value\nend\n",
        ),
        (
            Javascript,
            "function echoValue(value) {\n  while (value === 2) console.log('y'.repeat(1000));\n  return value;\n}\n",
        ),
    ];
    for (language, source) in endless_in_test {
        checks.push(check(format!("{language} prints forever in test 2"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            expect_verdicts(
                &report,
                &[Verdict::Accepted, Verdict::TimeLimitExceeded, Verdict::Accepted],
            )?;
            let detail = report.tests[1].detail.as_ref().ok_or("test 1 has no detail")?;
            if detail.stdout.len() > 64 * 1024 + 200 {
                return Err(format!("test 1 stdout not capped: {} bytes", detail.stdout.len()));
            }
            Ok(())
        }));
    }
    run_checks("output flood checks", checks);
}

// ---------------------------------------------------------------------------------------
// Recursion.

#[test]
fn runaway_recursion_is_the_languages_own_error() {
    let mut checks = Vec::new();
    let endless = [
        (
            Python,
            "def down(n):\n    return down(n + 1) + 1\n\n\ndef echo_value(value):\n    return down(0)\n",
            "RecursionError",
            "maximum recursion depth exceeded",
        ),
        (
            Ruby,
            "def down(n)\n  down(n + 1) + 1\nend\n\ndef echo_value(value)\n  down(0)\nend\n",
            "SystemStackError",
            "stack level too deep",
        ),
        (
            Javascript,
            "function down(n) {\n  return down(n + 1) + 1;\n}\n\nfunction echoValue(value) {\n  return down(0);\n}\n",
            "RangeError",
            "Maximum call stack size exceeded",
        ),
    ];
    for (language, source, kind, message) in endless {
        checks.push(check(format!("{language} recurses without end"), async move {
            let report = hostile_grade("echo-roomy", language, source.into()).await?;
            expect_verdicts(&report, &[Verdict::RuntimeError; 3])?;
            match test_error(&report, 0) {
                Some((k, m, _)) if k == kind && m.contains(message) => Ok(()),
                other => Err(format!("expected {kind}: {message}, got {other:?}")),
            }
        }));
    }
    // With the interpreter's own guard lifted, the sandbox's stack or memory limit stops it.
    let unguarded = [
        (
            Python,
            "import sys\nsys.setrecursionlimit(10**8)\n\ndef down(n):\n    return down(n + 1) + 1\n\n\ndef echo_value(value):\n    return down(0)\n",
            "RecursionError",
        ),
        (
            Javascript,
            "function down(n) {\n  return [down(n + 1)];\n}\n\nfunction echoValue(value) {\n  try {\n    return down(0);\n  } catch (e) {\n    return down(0);\n  }\n}\n",
            "RangeError",
        ),
    ];
    for (language, source, kind) in unguarded {
        checks.push(check(format!("{language} recurses past its guard"), async move {
            let report = hostile_grade("echo-roomy", language, source.into()).await?;
            // The stack (`MAX_WASM_STACK`) or memory limit ends each call, not the 5 s time
            // limit: well within a second, bounded at 2.5 s for a loaded machine.
            if let Some(slow) = report.tests.iter().find(|t| t.time_ms > 2500.0) {
                return Err(format!(
                    "test {} took {} ms to stop (more than 2.5 s)",
                    slow.index, slow.time_ms
                ));
            }
            let ok = verdicts(&report)
                .iter()
                .all(|v| matches!(v, Verdict::MemoryLimitExceeded | Verdict::RuntimeError));
            let first = test_error(&report, 0);
            let kind_ok = report.tests[0].verdict == Verdict::MemoryLimitExceeded
                || first.as_ref().is_some_and(|(k, _, _)| k == kind);
            if ok && kind_ok {
                Ok(())
            } else {
                Err(format!(
                    "expected {kind} or memory_limit_exceeded, got {}",
                    describe_grade(&report)
                ))
            }
        }));
    }
    let deep = [
        (
            Python,
            "def down(n):\n    return 0 if n == 0 else down(n - 1) + 1\n\n\ndef echo_value(value):\n    return down(900) - 900 + value\n",
        ),
        (
            Ruby,
            "def down(n)\n  n.zero? ? 0 : down(n - 1) + 1\nend\n\ndef echo_value(value)\n  down(10_000) - 10_000 + value\nend\n",
        ),
        (
            Javascript,
            "function down(n) {\n  return n === 0 ? 0 : down(n - 1) + 1;\n}\n\nfunction echoValue(value) {\n  return down(10000) - 10000 + value;\n}\n",
        ),
    ];
    for (language, source) in deep {
        checks.push(check(format!("{language} recurses deep but finitely"), async move {
            let report = hostile_grade("echo-roomy", language, source.into()).await?;
            expect_verdicts(&report, &[Verdict::Accepted; 3])
        }));
    }
    let programs = [
        (
            Python,
            "def down(n):\n    return down(n + 1)\n\ndown(0)\n",
            "RecursionError",
        ),
        (Ruby, "def down(n) = down(n + 1)\ndown(0)\n", "SystemStackError"),
        (
            Javascript,
            "function down(n) {\n  return down(n + 1);\n}\ndown(0);\n",
            "RangeError",
        ),
    ];
    for (language, source, kind) in programs {
        checks.push(check(format!("{language} program recurses without end"), async move {
            let report = hostile_run(language, source.into(), String::new(), 10_000, 256).await?;
            expect_run(&report, RunStatus::Ok, 1)?;
            if report.stderr.contains(kind) {
                Ok(())
            } else {
                Err(format!("stderr does not name {kind}: {}", describe_run(&report)))
            }
        }));
    }
    run_checks("recursion checks", checks);
}

// ---------------------------------------------------------------------------------------
// Endless loops and sleeps.

#[test]
fn loops_and_sleeps_end_at_the_time_limit() {
    let mut checks = Vec::new();
    let in_test = [
        (
            Python,
            "busy",
            "def echo_value(value):\n    while value == 2:\n        pass\n    return value\n",
        ),
        (
            Python,
            "sleep",
            "import time\n\ndef echo_value(value):\n    if value == 2:\n        time.sleep(1000)\n    return value\n",
        ),
        (
            Ruby,
            "busy",
            "def echo_value(value)\n  loop { } if value == 2\n  value\nend\n",
        ),
        (
            Ruby,
            "sleep",
            "def echo_value(value)\n  sleep 1000 if value == 2\n  value\nend\n",
        ),
        (
            Javascript,
            "busy",
            "function echoValue(value) {\n  while (value === 2) {}\n  return value;\n}\n",
        ),
        (
            Javascript,
            "sleep",
            "function echoValue(value) {\n  const end = Date.now() + 1e6;\n  while (value === 2 && Date.now() < end) {}\n  return value;\n}\n",
        ),
    ];
    for (language, how, source) in in_test {
        checks.push(check(format!("{language} {how} in test 2"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            expect_verdicts(
                &report,
                &[Verdict::Accepted, Verdict::TimeLimitExceeded, Verdict::Accepted],
            )
        }));
    }
    // JavaScript timers run in virtual time (prelude.js, the same in the browser): a long
    // timer fires at once instead of holding the sandbox until its limit.
    checks.push(check("javascript long timer in test 2", async move {
        let source = "async function echoValue(value) {\n  if (value === 2) await new Promise((resolve) => setTimeout(resolve, 1e6));\n  return value;\n}\n";
        let report = hostile_grade("echo-value", Javascript, source.into()).await?;
        expect_verdicts(&report, &[Verdict::Accepted; 3])
    }));
    // A promise that never settles: the test must fail with a clear reason (the browser
    // waits for its time limit), not pass and not read as an exit of the program.
    checks.push(check("javascript promise that never settles in test 2", async move {
        let source =
            "async function echoValue(value) {\n  if (value === 2) await new Promise(() => {});\n  return value;\n}\n";
        let report = hostile_grade("echo-value", Javascript, source.into()).await?;
        let v = verdicts(&report);
        let clear = test_error(&report, 1).is_some_and(|(kind, _, _)| kind != "SystemExit");
        if v[0] == Verdict::Accepted && v[2] == Verdict::Accepted && v[1] != Verdict::Accepted && clear {
            Ok(())
        } else {
            Err(format!(
                "expected test 2 to fail with a reason about its promise, got {}",
                describe_grade(&report)
            ))
        }
    }));
    let at_load = [
        (
            Python,
            "while True:\n    pass\n\ndef echo_value(value):\n    return value\n",
        ),
        (Ruby, "loop { }\n\ndef echo_value(value)\n  value\nend\n"),
        (
            Javascript,
            "for (;;) {}\n\nfunction echoValue(value) {\n  return value;\n}\n",
        ),
    ];
    for (language, source) in at_load {
        checks.push(check(format!("{language} loops while loading"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            let error = report.error.as_ref().map(|e| e.kind.as_str());
            if report.verdict == Verdict::TimeLimitExceeded && error == Some("TimeLimitExceeded") {
                Ok(())
            } else {
                Err(format!(
                    "expected a time limit while loading, got {}",
                    describe_grade(&report)
                ))
            }
        }));
    }
    let programs = [
        (Python, "import time\nprint('sleeping', flush=True)\ntime.sleep(1000)\n"),
        (Ruby, "puts 'sleeping'\n$stdout.flush\nsleep 1000\n"),
        (
            Javascript,
            "console.log('sleeping');\nconst end = Date.now() + 1e6;\nwhile (Date.now() < end) {}\n",
        ),
    ];
    for (language, source) in programs {
        checks.push(check(format!("{language} program sleeps"), async move {
            let report = hostile_run(language, source.into(), String::new(), 1000, 256).await?;
            expect_run(&report, RunStatus::TimeLimitExceeded, 124)?;
            if report.stdout == "sleeping\n" && report.stderr.contains("polyrun: time limit exceeded") {
                Ok(())
            } else {
                Err(format!("unexpected output: {}", describe_run(&report)))
            }
        }));
    }
    checks.push(check("javascript program with a long timer", async move {
        let source = "console.log('sleeping');\nsetTimeout(() => console.log('woke'), 1e6);\n";
        let report = hostile_run(Javascript, source.into(), String::new(), 5000, 256).await?;
        expect_run(&report, RunStatus::Ok, 0)?;
        if report.stdout == "sleeping\nwoke\n" {
            Ok(())
        } else {
            Err(format!("unexpected output: {}", describe_run(&report)))
        }
    }));
    run_checks("time limit checks", checks);
}

// ---------------------------------------------------------------------------------------
// Memory.

#[test]
fn memory_exhaustion_is_memory_limit_exceeded() {
    let mut checks = Vec::new();
    let solutions = [
        (
            Python,
            "1 GiB list",
            "def echo_value(value):\n    if value == 2:\n        return len([0] * 2**28)\n    return value\n",
        ),
        (
            Python,
            "2 GiB list",
            "def echo_value(value):\n    if value == 2:\n        return len([0] * 2**29)\n    return value\n",
        ),
        (
            Python,
            "2 GiB string",
            "def echo_value(value):\n    if value == 2:\n        return len('x' * (2**31 - 1))\n    return value\n",
        ),
        (
            Ruby,
            "1 GiB array",
            "def echo_value(value)\n  return Array.new(2**28, 0).size if value == 2\n  value\nend\n",
        ),
        (
            Ruby,
            "2 GiB string",
            "def echo_value(value)\n  return ('x' * (2**31 - 1)).size if value == 2\n  value\nend\n",
        ),
        (
            Javascript,
            "1 GiB array",
            "function echoValue(value) {\n  if (value === 2) return new Array(2 ** 27).fill(0).length;\n  return value;\n}\n",
        ),
        (
            Javascript,
            "2 GiB buffer",
            "function echoValue(value) {\n  if (value === 2) return new Uint8Array(2 ** 31 - 1).length;\n  return value;\n}\n",
        ),
        (
            Javascript,
            "growing list of arrays",
            "function echoValue(value) {\n  const keep = [];\n  while (value === 2) keep.push(new Array(1e6).fill(value));\n  return value;\n}\n",
        ),
    ];
    for (language, what, source) in solutions {
        checks.push(check(format!("{language} allocates a {what} in test 2"), async move {
            let report = hostile_grade("echo-roomy", language, source.into()).await?;
            expect_verdicts(
                &report,
                &[Verdict::Accepted, Verdict::MemoryLimitExceeded, Verdict::Accepted],
            )
        }));
    }
    // A program that keeps allocating is stopped by the sandbox's limit (137). One that
    // asks for more than a 32-bit address space at once gets the language's own error,
    // which it may catch, as on a native interpreter.
    let programs = [
        (Python, "a = []\nwhile True:\n    a.append(bytearray(10**6))\n"),
        (Ruby, "a = []\nloop { a << ('x' * 1_000_000) }\n"),
        (
            Javascript,
            "const a = [];\nfor (;;) a.push(new Uint8Array(1e6).fill(1));\n",
        ),
    ];
    for (language, source) in programs {
        checks.push(check(format!("{language} program keeps allocating"), async move {
            let report = hostile_run(language, source.into(), String::new(), 10_000, 64).await?;
            expect_run(&report, RunStatus::MemoryLimitExceeded, 137)
        }));
    }
    let programs = [
        (Python, "x = [0] * 2**29\nprint(len(x))\n", "MemoryError"),
        (Ruby, "x = 'x' * (2**31 - 1)\nputs x.size\n", "NoMemoryError"),
    ];
    for (language, source, error) in programs {
        checks.push(check(
            format!("{language} program asks for 2 GiB at once"),
            async move {
                let report = hostile_run(language, source.into(), String::new(), 10_000, 64).await?;
                expect_run(&report, RunStatus::Ok, 1)?;
                if report.stderr.contains(error) {
                    Ok(())
                } else {
                    Err(format!("expected {error} on stderr, got {:?}", report.stderr))
                }
            },
        ));
    }
    run_checks("memory checks", checks);
}

// ---------------------------------------------------------------------------------------
// Threads.

#[test]
fn threads_neither_hang_nor_crash() {
    let mut checks = Vec::new();
    let solutions = [
        (
            Python,
            "import threading\n\ndef echo_value(value):\n    out = []\n    t = threading.Thread(target=lambda: out.append(value))\n    t.start()\n    t.join()\n    return out[0]\n",
        ),
        (
            Python,
            "import threading, time\n\ndef echo_value(value):\n    for _ in range(10000):\n        threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()\n    return value\n",
        ),
        (Ruby, "def echo_value(value)\n  Thread.new { value }.value\nend\n"),
        (
            Ruby,
            "def echo_value(value)\n  10_000.times { Thread.new { sleep 1000 } }\n  value\nend\n",
        ),
        (
            Javascript,
            "function echoValue(value) {\n  const w = new Worker('data:text/javascript,postMessage(1)');\n  return value;\n}\n",
        ),
    ];
    for (i, (language, source)) in solutions.into_iter().enumerate() {
        checks.push(check(format!("{language} threads #{i}"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            // Threads may work or fail with an error; they must not hang or crash anything.
            if verdicts(&report)
                .iter()
                .all(|v| matches!(v, Verdict::Accepted | Verdict::RuntimeError))
            {
                Ok(())
            } else {
                Err(format!(
                    "expected accepted or runtime_error, got {}",
                    describe_grade(&report)
                ))
            }
        }));
    }
    run_checks("thread checks", checks);
}

// ---------------------------------------------------------------------------------------
// Forged harness records.

/// A record claiming that test `index` returned `value`.
fn forged_result(index: usize, value: i64) -> String {
    format!(
        "\\x1e{{\"event\":\"result\",\"index\":{index},\"value\":{value},\"stdout\":\"\",\"stderr\":\"\",\"stdout_dropped\":0,\"stderr_dropped\":0,\"time_ms\":0.1}}\\n"
    )
}

#[test]
fn forged_records_do_not_change_verdicts() {
    let mut checks = Vec::new();

    // 1. A test's first answer is final: a result written during the call, claiming a
    //    wrong value, is the call's answer, and the right value it then returns comes too
    //    late (the host moved on with the first: the next test's clock had started). So a
    //    claim is only ever a value the code computed within the test's limit. (JavaScript
    //    steals the harness's own writer, as `Function.prototype.call` is how it is called.)
    let wrong_claim = [
        (
            Python,
            format!(
                "import os\n\ndef echo_value(value):\n    os.write(1, ('{}' % (value - 1, value + 100)).encode())\n    return value\n",
                forged_result(0, 0).replace("\"index\":0", "\"index\":%d").replace("\"value\":0", "\"value\":%d")
            ),
        ),
        (
            Ruby,
            format!(
                "def echo_value(value)\n  STDOUT.syswrite(format(\"{}\", value - 1, value + 100))\n  value\nend\n",
                forged_result(0, 0)
                    .replace('"', "\\\"")
                    .replace("\\\"index\\\":0", "\\\"index\\\":%d")
                    .replace("\\\"value\\\":0", "\\\"value\\\":%d")
            ),
        ),
        (
            Javascript,
            "let real = null;\nconst call = Function.prototype.call;\nFunction.prototype.call = function (self, ...args) {\n  if (self === globalThis.__polyrun && real === null) real = this;\n  return Reflect.apply(this, self, args);\n};\nfunction echoValue(value) {\n  const line = '\\x1e' + JSON.stringify({ event: 'result', index: value - 1, value: value + 100 }) + '\\n';\n  Reflect.apply(real, globalThis.__polyrun, [line]);\n  return value;\n}\n".to_owned(),
        ),
    ];
    for (language, source) in wrong_claim {
        checks.push(check(
            format!("{language} claims a wrong value, returns the right one"),
            async move {
                let report = hostile_grade("echo-value", language, source).await?;
                expect_verdicts(&report, &[Verdict::WrongAnswer; 3])
            },
        ));
    }

    // 2. Records for tests not yet run, fields the protocol does not have, and a forged
    //    `done`, written during the first test; every answer is wrong.
    let junk = format!(
        "{}{}{}{}{}",
        "\\x1e{\"event\":\"start\",\"index\":1}\\n",
        forged_result(1, 2),
        "\\x1e{\"event\":\"result\",\"index\":2,\"value\":3,\"verdict\":\"accepted\",\"expected\":3}\\n",
        "\\x1e{\"event\":\"done\",\"verdict\":\"accepted\",\"passed\":3}\\n",
        "\\x1e{\"verdict\":\"accepted\",\"passed\":3,\"total\":3}\\n",
    );
    let future_claims = [
        (
            Python,
            format!(
                "import os\n\ndef echo_value(value):\n    if value == 1:\n        os.write(1, b'{}')\n    return value + 100\n",
                junk.replace('\'', "\\'")
            ),
        ),
        (
            Ruby,
            format!(
                "def echo_value(value)\n  STDOUT.syswrite(\"{}\") if value == 1\n  value + 100\nend\n",
                junk.replace('"', "\\\"")
            ),
        ),
        (
            Javascript,
            format!(
                "function echoValue(value) {{\n  if (value === 1) {{\n    try {{ __polyrun.writeStdout('{}'); }} catch (e) {{}}\n  }}\n  return value + 100;\n}}\n",
                junk.replace('\'', "\\'")
            ),
        ),
    ];
    for (language, source) in future_claims {
        checks.push(check(format!("{language} forges later tests and done"), async move {
            let report = hostile_grade("echo-value", language, source).await?;
            expect_verdicts(&report, &[Verdict::WrongAnswer; 3])
        }));
    }

    // 3. A forged result and `done` for the first test, then the process exits: the tests
    //    after it must still be run (and are wrong), never skipped.
    let forged_exit = format!("{}{}", forged_result(0, 1), "\\x1e{\"event\":\"done\"}\\n");
    let exits = [
        (
            Python,
            format!(
                "import os\n\ndef echo_value(value):\n    if value == 1:\n        os.write(1, b'{forged_exit}')\n        os._exit(0)\n    return value + 100\n"
            ),
        ),
        (
            Ruby,
            format!(
                "def echo_value(value)\n  if value == 1\n    STDOUT.syswrite(\"{}\")\n    exit!(0)\n  end\n  value + 100\nend\n",
                forged_exit.replace('"', "\\\"")
            ),
        ),
        (
            Javascript,
            format!(
                "function echoValue(value) {{\n  if (value === 1) {{\n    try {{ __polyrun.writeStdout('{forged_exit}'); }} catch (e) {{}}\n    process.exit(0);\n  }}\n  return value + 100;\n}}\n"
            ),
        ),
    ];
    for (language, source) in exits {
        checks.push(check(format!("{language} forges done and exits"), async move {
            let report = hostile_grade("echo-value", language, source).await?;
            let v = verdicts(&report);
            if v[1..] == [Verdict::WrongAnswer, Verdict::WrongAnswer] && report.verdict != Verdict::Accepted {
                Ok(())
            } else {
                Err(format!(
                    "tests after a forged `done` must still run (and be wrong): {}",
                    describe_grade(&report)
                ))
            }
        }));
    }
    run_checks("forged record checks", checks);
}

// ---------------------------------------------------------------------------------------
// Closed or redirected stdout.

#[test]
fn closing_stdout_does_not_break_the_grader() {
    let mut checks = Vec::new();
    // Closing the real stdout in the first test: that test fails, the others still run.
    let in_test = [
        (
            Python,
            "import os\n\ndef echo_value(value):\n    if value == 1:\n        os.close(1)\n    return value\n",
        ),
        (
            Python,
            "import sys\n\ndef echo_value(value):\n    if value == 1:\n        sys.__stdout__.close()\n    return value\n",
        ),
        (
            Ruby,
            "def echo_value(value)\n  STDOUT.close if value == 1\n  value\nend\n",
        ),
        (
            Ruby,
            "def echo_value(value)\n  $stdout = nil if value == 1\n  value\nend\n",
        ),
        (
            Javascript,
            "function echoValue(value) {\n  if (value === 1) {\n    __polyrun.writeStdout = null;\n    process.stdout.write = null;\n    console.log = null;\n  }\n  return value;\n}\n",
        ),
    ];
    for (i, (language, source)) in in_test.into_iter().enumerate() {
        checks.push(check(
            format!("{language} closes stdout in test 1 (#{i})"),
            async move {
                let report = hostile_grade("echo-value", language, source.into()).await?;
                let v = verdicts(&report);
                if v[1..] == [Verdict::Accepted, Verdict::Accepted]
                    && matches!(v[0], Verdict::Accepted | Verdict::RuntimeError)
                {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the later tests accepted, got {}",
                        describe_grade(&report)
                    ))
                }
            },
        ));
    }
    // The harness's own stream closed while loading: a runtime error, not a crash.
    let at_load = [
        (
            Python,
            "import sys\nsys.stdout.close()\nsys.__stdout__.close()\n\ndef echo_value(value):\n    return value\n",
        ),
        (
            Ruby,
            "$stdout.close\nSTDOUT.close\n\ndef echo_value(value)\n  value\nend\n",
        ),
        (
            Javascript,
            "__polyrun.writeStdout = () => { throw new Error('closed'); };\nconsole.log = null;\n\nfunction echoValue(value) {\n  return value;\n}\n",
        ),
    ];
    for (language, source) in at_load {
        checks.push(check(format!("{language} closes stdout while loading"), async move {
            let report = hostile_grade("echo-value", language, source.into()).await?;
            let accepted = report.verdict == Verdict::Accepted && report.passed == 3;
            if accepted || report.verdict == Verdict::RuntimeError {
                Ok(())
            } else {
                Err(format!("unexpected: {}", describe_grade(&report)))
            }
        }));
    }
    let programs = [
        (
            Python,
            "import sys\nprint('before')\nsys.stdout.close()\nprint('after')\n",
        ),
        (
            Python,
            "import os\nprint('before', flush=True)\nos.close(1)\nos.close(2)\nprint('after')\n",
        ),
        (Ruby, "puts 'before'\n$stdout = nil\nputs 'after'\n"),
        (Ruby, "puts 'before'\n$stdout.flush\nSTDOUT.close\nputs 'after'\n"),
        (
            Javascript,
            "console.log('before');\nprocess.stdout.write = null;\nconsole.log = null;\nconsole.log('after');\n",
        ),
    ];
    for (i, (language, source)) in programs.into_iter().enumerate() {
        checks.push(check(format!("{language} program closes stdout (#{i})"), async move {
            let report = hostile_run(language, source.into(), String::new(), 10_000, 256).await?;
            if report.status == RunStatus::Ok
                && report.stdout.starts_with("before\n")
                && !report.stdout.contains("after")
            {
                Ok(())
            } else {
                Err(format!("unexpected: {}", describe_run(&report)))
            }
        }));
    }
    run_checks("closed stdout checks", checks);
}
