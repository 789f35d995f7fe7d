//! The grader's benchmarks (run by `cargo xtask bench`, which writes `docs/benchmarks.md`):
//! grade latency, CPU-bound work against the native interpreters, throughput with both
//! cores busy, and peak memory with 8 grades at once. Prints one JSON object per line.
//!
//! `cargo bench -p grader --bench grader -- [latency|cpu|throughput|rss|http] [LANG…]`
//!
//! `http` starts the real `polyrun serve` and times `POST /api/v1/grade` (two-sum, every
//! test) and Judge0's `POST /submissions?wait=true` over loopback, next to the same work
//! called in-process, so the difference is what HTTP adds.
//!
//! `process` times whole `polyrun run` (an empty program) and `polyrun grade` (the easy
//! problem) processes, as an autograder calling the command once per submission sees them
//! (`POLYRUN_BIN=PATH` times another build of `polyrun`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use polyrun_core::problem::{parse_meta, parse_tests};
use polyrun_core::{Language, Problem, Verdict};
use polyrun_grader::run::Output;
use polyrun_grader::{Grader, GraderConfig, Limits};
use serde_json::json;

const META: &str = r#"
title = "Sum of a list"
difficulty = "easy"
function = "sum_list"
params = ["nums"]
"#;

fn easy_problem() -> Problem {
    let tests: Vec<serde_json::Value> = (0..10)
        .map(|i| {
            let nums: Vec<i64> = (0..(i * 10)).collect();
            json!({"args": [nums], "expected": nums.iter().sum::<i64>(), "hidden": i >= 3})
        })
        .collect();
    let params = vec!["nums".to_owned()];
    Problem {
        id: "sum-list".into(),
        meta: parse_meta("sum-list", META).expect("bench meta"),
        statement: String::new(),
        tests: parse_tests("sum-list", &serde_json::to_string(&tests).unwrap_or_default(), &params)
            .expect("bench tests"),
        solutions: Default::default(),
    }
}

fn solution(language: Language) -> &'static str {
    match language {
        Language::Python => "def sum_list(nums):\n    return sum(nums)\n",
        Language::Ruby => "def sum_list(nums)\n  nums.sum\nend\n",
        Language::Javascript => "function sumList(nums) {\n  return nums.reduce((a, b) => a + b, 0);\n}\n",
    }
}

/// The CPU-bound program: recursion, sorting 10^5 integers, string building; prints the
/// milliseconds its work took (measured inside, so start-up is not counted).
pub fn cpu_program(language: Language) -> &'static str {
    match language {
        Language::Python => include_str!("cpu/cpu.py"),
        Language::Ruby => include_str!("cpu/cpu.rb"),
        Language::Javascript => include_str!("cpu/cpu.js"),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn latency(grader: &Grader, language: Language) {
    let problem = easy_problem();
    let source = solution(language);
    for _ in 0..3 {
        let report = grader.grade(&problem, language, source).await.expect("grade");
        assert_eq!(report.verdict, Verdict::Accepted, "{report:?}");
    }
    let mut samples = Vec::new();
    for _ in 0..40 {
        let started = Instant::now();
        let report = grader.grade(&problem, language, source).await.expect("grade");
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.verdict, Verdict::Accepted);
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({"bench": "latency", "language": language.id(), "runs": samples.len(),
               "p50_ms": percentile(&samples, 0.5), "p95_ms": percentile(&samples, 0.95)})
    );
}

async fn startup(grader: &Grader, language: Language) {
    let mut samples = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let report = grader
            .run_program(
                language,
                "",
                Vec::new(),
                Limits::new(10_000, 64),
                Output::Collect { cap: 1 << 16 },
            )
            .await
            .expect("run");
        assert_eq!(report.exit_code, 0, "{report:?}");
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({"bench": "startup", "language": language.id(), "p50_ms": percentile(&samples, 0.5),
               "footprint_mib": grader.footprint(language).await.unwrap_or(0) as f64 / 1048576.0})
    );
}

/// Wall time of whole `polyrun` processes: `run` of an empty program and `grade` of the easy
/// problem's solution (20 runs after 2 warm-ups, p50).
fn process(language: Language) {
    let bank = tempfile::tempdir().expect("temp bank");
    let problem = easy_problem();
    let folder = bank.path().join(&problem.id);
    std::fs::create_dir_all(&folder).expect("problem folder");
    std::fs::write(folder.join("problem.toml"), META).expect("problem.toml");
    std::fs::write(folder.join("statement.md"), "Sum a list.\n").expect("statement.md");
    std::fs::write(
        folder.join("tests.json"),
        serde_json::to_string(&problem.tests).unwrap_or_default(),
    )
    .expect("tests.json");
    let extension = language.extension();
    let empty = bank.path().join(format!("empty.{extension}"));
    std::fs::write(&empty, "").expect("empty program");
    let source = bank.path().join(format!("solution.{extension}"));
    std::fs::write(&source, solution(language)).expect("solution");
    // POLYRUN_BIN times another build (an older one, for a before/after in one run).
    let binary = std::env::var_os("POLYRUN_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_polyrun").into());
    let time = |args: &[&std::ffi::OsStr], expect: i32| {
        let mut samples = Vec::new();
        for i in 0..22 {
            let started = Instant::now();
            let out = std::process::Command::new(&binary)
                .args(args)
                .stdin(std::process::Stdio::null())
                .output()
                .expect("polyrun runs");
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(
                out.status.code(),
                Some(expect),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            if i >= 2 {
                samples.push(elapsed);
            }
        }
        samples.sort_by(f64::total_cmp);
        percentile(&samples, 0.5)
    };
    let run = time(&["run".as_ref(), empty.as_os_str()], 0);
    let grade = time(
        &[
            "grade".as_ref(),
            "--problems".as_ref(),
            bank.path().as_os_str(),
            problem.id.as_ref(),
            source.as_os_str(),
        ],
        0,
    );
    println!(
        "{}",
        json!({"bench": "process", "language": language.id(), "run_p50_ms": run, "grade_p50_ms": grade})
    );
}

async fn cpu(grader: &Grader, language: Language) {
    let mut best = f64::INFINITY;
    let mut wall = f64::INFINITY;
    for _ in 0..3 {
        let started = Instant::now();
        let report = grader
            .run_program(
                language,
                cpu_program(language),
                Vec::new(),
                Limits::new(60_000, 512),
                Output::Collect { cap: 1 << 16 },
            )
            .await
            .expect("run");
        wall = wall.min(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(report.exit_code, 0, "{report:?}");
        let work: f64 = report.stdout.trim().parse().expect("the program prints its time");
        best = best.min(work);
    }
    println!(
        "{}",
        json!({"bench": "cpu", "language": language.id(), "work_ms": best, "wall_ms": wall})
    );
}

async fn throughput(grader: Arc<Grader>, language: Language, workers: usize) {
    let problem = Arc::new(easy_problem());
    grader
        .grade(&problem, language, solution(language))
        .await
        .expect("warm");
    let window = Duration::from_secs(5);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let grader = grader.clone();
        let problem = problem.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0u32;
            while started.elapsed() < window {
                let report = grader
                    .grade(&problem, language, solution(language))
                    .await
                    .expect("grade");
                assert_eq!(report.verdict, Verdict::Accepted);
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("worker");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"bench": "throughput", "language": language.id(), "workers": workers,
               "grades": total, "per_second": f64::from(total) / secs})
    );
}

async fn rss(grader: Arc<Grader>, languages: &[Language]) {
    let problem = Arc::new(easy_problem());
    let mut tasks = Vec::new();
    for i in 0..8 {
        let language = languages[i % languages.len()];
        let grader = grader.clone();
        let problem = problem.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..3 {
                let report = grader
                    .grade(&problem, language, solution(language))
                    .await
                    .expect("grade");
                assert_eq!(report.verdict, Verdict::Accepted);
            }
        }));
    }
    for task in tasks {
        task.await.expect("grade task");
    }
    // Sessions run in sandbox processes: the grader's own figure and theirs. Peaks are
    // per process (their sum bounds the peak of the whole); PSS counts the compiled code
    // and the snapshots the processes map from the same files once.
    let me = std::process::id();
    let children: Vec<u32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| proc_field(*pid, "status", "PPid:") == Some(u64::from(me)))
        .collect();
    let kib = |pid: u32, file: &str, name: &str| proc_field(pid, file, name).unwrap_or(0);
    let peak: u64 = kib(me, "status", "VmHWM:") + children.iter().map(|c| kib(*c, "status", "VmHWM:")).sum::<u64>();
    let pss: u64 =
        kib(me, "smaps_rollup", "Pss:") + children.iter().map(|c| kib(*c, "smaps_rollup", "Pss:")).sum::<u64>();
    println!(
        "{}",
        json!({"bench": "rss", "concurrent": 8, "sandbox_processes": children.len(),
               "grader_peak_rss_mib": kib(me, "status", "VmHWM:") as f64 / 1024.0,
               "peak_rss_mib": peak as f64 / 1024.0,
               "final_pss_mib": pss as f64 / 1024.0})
    );
}

/// A field of `/proc/PID/FILE` in KiB (or a plain number, as `PPid:`).
fn proc_field(pid: u32, file: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// A `polyrun serve` on a free port, killed when dropped.
struct Server(std::process::Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve() -> Server {
    serve_with(&["--store", "memory"])
}

/// `polyrun serve` with more arguments.
fn serve_with(args: &[&str]) -> Server {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_polyrun"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("polyrun serve starts");
    let stdout = child.stdout.take().expect("its stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("its first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an address")
        .to_owned();
    Server(child, addr)
}

/// One `POST path` with a JSON body over a fresh connection; the status line's code.
fn post(addr: &str, path: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    String::from_utf8_lossy(&answer)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// Grades per second over HTTP with each store: 4 clients grading two-sum's reference
/// solution on `--workers 2`, 15 s for each of `--store memory` (nothing kept) and a fresh
/// SQLite file (each grade written before it is answered), in turns; a lone client's p50.
async fn store(language: Language) {
    let bank = polyrun_core::ProblemBank::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../problems"));
    let file = match language {
        Language::Python => "solution.py",
        Language::Ruby => "solution.rb",
        Language::Javascript => "solution.js",
    };
    let source = std::fs::read_to_string(bank.root().join("two-sum/solutions").join(file)).expect("a solution");
    let body = json!({"problem": "two-sum", "language": language.id(), "source": source}).to_string();
    let dir = std::env::temp_dir().join(format!("polyrun-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = format!("sqlite:{}", dir.join("bench.db").display());
    let mut row = json!({"bench": "store", "language": language.id(), "clients": 4, "seconds": 15});
    // Both servers up at once, loaded in turn (3 rounds of 5 s each), so that neither gains
    // from going second or from a quieter moment of the machine.
    let servers = [
        ("memory", serve_with(&["--store", "memory", "--workers", "2"])),
        ("sqlite", serve_with(&["--store", sqlite.as_str(), "--workers", "2"])),
    ];
    let mut graded = [0u32; 2];
    let mut busy = [Duration::ZERO; 2];
    for (n, (name, server)) in servers.iter().enumerate() {
        let addr = server.1.clone();
        let (lone, _) = timed(|| {
            let (addr, body) = (addr.clone(), body.clone());
            async move {
                let code = tokio::task::spawn_blocking(move || post(&addr, "/api/v1/grade", &body))
                    .await
                    .expect("a request");
                assert_eq!(code, 200);
            }
        })
        .await;
        row[format!("{name}_lone_p50_ms")] = json!(lone);
        let _ = n;
    }
    for _round in 0..3 {
        for (n, (_, server)) in servers.iter().enumerate() {
            let deadline = Instant::now() + Duration::from_secs(5);
            let started = Instant::now();
            let clients: Vec<_> = (0..4)
                .map(|_| {
                    let (addr, body) = (server.1.clone(), body.clone());
                    std::thread::spawn(move || {
                        let mut done = 0u32;
                        while Instant::now() < deadline {
                            assert_eq!(post(&addr, "/api/v1/grade", &body), 200);
                            done += 1;
                        }
                        done
                    })
                })
                .collect();
            graded[n] += clients.into_iter().map(|c| c.join().expect("a client")).sum::<u32>();
            busy[n] += started.elapsed();
        }
    }
    for (n, (name, _)) in servers.iter().enumerate() {
        row[format!("{name}_per_second")] = json!(f64::from(graded[n]) / busy[n].as_secs_f64());
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{row}");
}

/// Milliseconds of `f`, 40 times after 3 warm-ups: (p50, p95).
async fn timed<F, Fut>(mut f: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..3 {
        f().await;
    }
    let mut samples = Vec::new();
    for _ in 0..40 {
        let started = Instant::now();
        f().await;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), percentile(&samples, 0.95))
}

async fn http(grader: &Grader, language: Language) {
    let server = serve();
    let addr = server.1.clone();
    let bank = polyrun_core::ProblemBank::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../problems"));
    let problem = bank.load("two-sum").expect("two-sum");
    let file = match language {
        Language::Python => "solution.py",
        Language::Ruby => "solution.rb",
        Language::Javascript => "solution.js",
    };
    let source = std::fs::read_to_string(bank.root().join("two-sum/solutions").join(file)).expect("a solution");
    let grade_body = json!({"problem": "two-sum", "language": language.id(), "source": source}).to_string();
    let (in_process, _) = timed(|| async {
        let report = grader.grade(&problem, language, &source).await.expect("grade");
        assert_eq!(report.verdict, Verdict::Accepted);
    })
    .await;
    let (over_http, over_http_p95) = timed(|| {
        let (addr, body) = (addr.clone(), grade_body.clone());
        async move {
            let code = tokio::task::spawn_blocking(move || post(&addr, "/api/v1/grade", &body))
                .await
                .expect("a request");
            assert_eq!(code, 200);
        }
    })
    .await;
    let judge0_id = match language {
        Language::Python => 71,
        Language::Ruby => 72,
        Language::Javascript => 63,
    };
    let program = match language {
        Language::Python => "print(input())",
        Language::Ruby => "puts gets",
        Language::Javascript => "console.log(readline())",
    };
    let submission = json!({"language_id": judge0_id, "source_code": program, "stdin": "hi"}).to_string();
    let (judge0, _) = timed(|| {
        let (addr, body) = (addr.clone(), submission.clone());
        async move {
            let code = tokio::task::spawn_blocking(move || post(&addr, "/submissions?wait=true", &body))
                .await
                .expect("a request");
            assert_eq!(code, 201);
        }
    })
    .await;
    let (run_in_process, _) = timed(|| async {
        let limits = Limits::new(5000, 128);
        let report = grader
            .run_program(
                language,
                program,
                b"hi\n".to_vec(),
                limits,
                Output::Collect { cap: 1 << 20 },
            )
            .await
            .expect("run");
        assert_eq!(report.exit_code, 0);
    })
    .await;
    println!(
        "{}",
        json!({"bench": "http", "language": language.id(), "runs": 40,
               "grade_in_process_p50_ms": in_process, "grade_http_p50_ms": over_http,
               "grade_http_p95_ms": over_http_p95, "run_in_process_p50_ms": run_in_process,
               "judge0_wait_p50_ms": judge0})
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let what = args.first().cloned().unwrap_or_else(|| "latency".into());
    let languages: Vec<Language> = if args.len() > 1 {
        args[1..].iter().filter_map(|l| l.parse().ok()).collect()
    } else {
        Language::ALL.to_vec()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let mut config = GraderConfig {
            sandbox_program: env!("CARGO_BIN_EXE_polyrun").into(),
            ..GraderConfig::default()
        };
        if what == "rss" {
            config.max_concurrent = 8;
        }
        let grader = Arc::new(Grader::new(config).expect("grader"));
        for language in &languages {
            grader.footprint(*language).await.expect("runtime");
        }
        match what.as_str() {
            "latency" => {
                for language in languages {
                    latency(&grader, language).await;
                }
            }
            "startup" => {
                for language in languages {
                    startup(&grader, language).await;
                }
            }
            "cpu" => {
                for language in languages {
                    cpu(&grader, language).await;
                }
            }
            "throughput" => {
                for language in languages {
                    throughput(grader.clone(), language, 2).await;
                }
            }
            "rss" => rss(grader, &languages).await,
            "process" => {
                for language in languages {
                    process(language);
                }
            }
            "http" => {
                for language in languages {
                    http(&grader, language).await;
                }
            }
            "store" => {
                for language in languages {
                    store(language).await;
                }
            }
            other => eprintln!("unknown benchmark {other}"),
        }
    });
}
