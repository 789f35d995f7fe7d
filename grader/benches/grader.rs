//! The grader's benchmarks (run by `cargo xtask bench`, which writes `docs/benchmarks.md`):
//! grade latency, CPU-bound work against the native interpreters, throughput with both
//! cores busy, and peak memory with 8 grades at once. Prints one JSON object per line.
//!
//! `cargo bench -p grader --bench grader -- [latency|cpu|throughput|rss] [LANG…]`

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
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
    };
    println!(
        "{}",
        json!({"bench": "rss", "concurrent": 8, "peak_rss_mib": field("VmHWM:") as f64 / 1024.0,
               "final_rss_mib": field("VmRSS:") as f64 / 1024.0})
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
        let mut config = GraderConfig::default();
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
            other => eprintln!("unknown benchmark {other}"),
        }
    });
}
