//! Sandbox processes as the operating system sees them: `polyrun serve` runs sessions in
//! children started with an empty environment (the server's credentials never reach the
//! process that runs wasm) under a system-call filter, a session past its limit leaves no child running, and children
//! do not outlive a grader killed with SIGKILL, even one busy in an endless loop.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::http::Server;

/// A process's state letter (`R` running, `S` sleeping, `Z` zombie), its parent, and
/// whether it is a sandbox process.
struct Proc {
    pid: u32,
    state: char,
    sandbox: bool,
}

fn children_of(parent: u32) -> Vec<Proc> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("")
                .to_string()
        };
        if field("PPid:") != parent.to_string() {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        found.push(Proc {
            pid,
            state: field("State:").chars().next().unwrap_or('?'),
            sandbox: cmdline
                .split(|b| *b == 0)
                .any(|arg| arg == polyrun_grader::SANDBOX_ARG.as_bytes()),
        });
    }
    found
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .is_ok_and(|s| !s.lines().any(|l| l.starts_with("State:") && l.contains('Z')))
}

#[test]
fn sandbox_processes_are_filtered_get_no_environment_and_stop_at_the_limit() {
    let server = Server::start_env(&["--workers", "2"], &[("AWS_SECRET_ACCESS_KEY", "hunter2")]);
    let (status, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "python", "source": "print(1)"}),
    );
    assert_eq!((status, report["stdout"].as_str()), (200, Some("1\n")), "{report}");
    let sandboxes: Vec<Proc> = children_of(server.pid()).into_iter().filter(|p| p.sandbox).collect();
    assert!(
        !sandboxes.is_empty() && sandboxes.len() <= 3,
        "{} sandbox processes for 2 workers",
        sandboxes.len()
    );
    for sandbox in &sandboxes {
        // The system-call filter (grader/src/sandbox/seccomp.rs) is on, with no new privileges.
        let status = std::fs::read_to_string(format!("/proc/{}/status", sandbox.pid)).expect("status");
        for (field, value) in [("Seccomp:", "2"), ("NoNewPrivs:", "1")] {
            let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_default();
            assert_eq!(
                line.split_whitespace().nth(1),
                Some(value),
                "sandbox process {}: {line:?}",
                sandbox.pid
            );
        }
        let environ = std::fs::read(format!("/proc/{}/environ", sandbox.pid)).expect("environ");
        assert!(
            environ.is_empty(),
            "sandbox process {} has an environment: {}",
            sandbox.pid,
            String::from_utf8_lossy(&environ)
        );
    }

    // A loop past its limit: the verdict comes at the limit, and no child is left running.
    let started = Instant::now();
    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "javascript", "source": "for (;;) {}", "time_limit_ms": 400}),
    );
    let took = started.elapsed();
    assert_eq!(report["status"], "time_limit_exceeded", "{report}");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(5),
        "the verdict took {took:?}"
    );
    eprintln!("a 400 ms limit: the verdict in {took:?}");
    std::thread::sleep(Duration::from_millis(300));
    // Neither running nor a zombie: the killed process was reaped.
    let left: Vec<(u32, char)> = children_of(server.pid())
        .into_iter()
        .filter(|p| p.sandbox && matches!(p.state, 'R' | 'Z'))
        .map(|p| (p.pid, p.state))
        .collect();
    assert!(left.is_empty(), "sandbox processes left after the verdict: {left:?}");
    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "javascript", "source": "console.log(2)"}),
    );
    assert_eq!(report["stdout"], "2\n", "the next run after a kill: {report}");
}

#[test]
fn sandbox_processes_do_not_outlive_a_killed_grader() {
    let server = Server::start(&["--workers", "1"]);
    let client = (*server).clone();
    // A program that never ends on its own, with the longest limit the API allows.
    let spinning = std::thread::spawn(move || {
        client.json(
            "POST",
            "/api/v1/run",
            &json!({"language": "python", "source": "while True:\n    pass\n", "time_limit_ms": 10000}),
        )
    });
    let pid = server.pid();
    let deadline = Instant::now() + Duration::from_secs(60);
    let busy = loop {
        let busy: Vec<u32> = children_of(pid)
            .into_iter()
            .filter(|p| p.sandbox && p.state == 'R')
            .map(|p| p.pid)
            .collect();
        if !busy.is_empty() {
            break busy;
        }
        assert!(Instant::now() < deadline, "no sandbox process ever ran the loop");
        std::thread::sleep(Duration::from_millis(20));
    };
    let everyone: Vec<u32> = children_of(pid)
        .into_iter()
        .filter(|p| p.sandbox)
        .map(|p| p.pid)
        .collect();
    let killed = Instant::now();
    server.kill9();
    let _ = spinning.join();
    while everyone.iter().any(|p| alive(*p)) {
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "sandbox processes {everyone:?} (busy: {busy:?}) outlived their grader by 5 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    eprintln!(
        "{} sandbox processes ({} busy) gone {:?} after the grader was killed",
        everyone.len(),
        busy.len(),
        killed.elapsed()
    );
}

/// Sandbox processes are started from the very executable the grader runs, not from the
/// path it was started by: a server whose `polyrun` file was removed (an upgrade in
/// place) still replaces a killed sandbox process, and does not run another version.
#[test]
fn a_server_whose_executable_was_removed_still_starts_sandbox_processes() {
    let folder = tempfile::tempdir().expect("a folder");
    let program = folder.path().join("polyrun");
    std::fs::copy(env!("CARGO_BIN_EXE_polyrun"), &program).expect("a copy of polyrun");
    let server = Server::start_program(&program, &["--workers", "1"], None, &[]);
    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "javascript", "source": "console.log(1)"}),
    );
    assert_eq!(report["stdout"], "1\n", "{report}");
    std::fs::remove_file(&program).expect("the executable removed");
    // A kill at the limit, then runs that need the replacement.
    let (_, report) = server.json(
        "POST",
        "/api/v1/run",
        &json!({"language": "javascript", "source": "for (;;) {}", "time_limit_ms": 200}),
    );
    assert_eq!(report["status"], "time_limit_exceeded", "{report}");
    for language in ["javascript", "python", "ruby"] {
        let source = if language == "ruby" { "puts 2" } else { "print(2)" };
        let source = if language == "javascript" {
            "console.log(2)"
        } else {
            source
        };
        let (status, report) = server.json("POST", "/api/v1/run", &json!({"language": language, "source": source}));
        assert_eq!(
            (status, report["stdout"].as_str()),
            (200, Some("2\n")),
            "{language}: {report}"
        );
    }
}
