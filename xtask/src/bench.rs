//! `cargo xtask bench`: runs the grader's benchmarks (`service/benches/grader.rs`) and the
//! same CPU-bound programs under the native interpreters, then writes
//! `docs/benchmarks.md` with the command, the machine and the figures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::setup::apt;
use crate::util::{self, cargo, step};

const LANGUAGES: [&str; 3] = ["python", "ruby", "javascript"];

/// Runs every benchmark and rewrites `docs/benchmarks.md`.
pub fn bench(args: &[String]) -> anyhow::Result<()> {
    let write = !args.iter().any(|a| a == "--no-write");
    apt(&["ruby", "nodejs"], "/usr/bin/ruby")?;
    let mut results: Vec<Value> = Vec::new();
    for what in [
        "startup",
        "latency",
        "process",
        "cpu",
        "throughput",
        "rss",
        "http",
        "store",
    ] {
        step(&format!("bench {what}"));
        results.extend(grader_bench(what)?);
    }
    step("bench cpu (native interpreters)");
    let native = native_cpu()?;
    step("bench the web app (headless Chromium)");
    crate::setup::apt(&["chromium", "chromium-driver"], "/usr/bin/chromium")?;
    crate::build_site()?;
    let browser = browser_bench()?;
    let mut report = render(&results, &native);
    report.push_str(&render_browser(&browser, &native));
    print!("{report}");
    if write {
        let path = util::root().join("docs").join("benchmarks.md");
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        // `cargo xtask load` writes the "Load" section: keep it.
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(load) = crate::load::load_section(&old) {
            report = crate::load::with_load_section(&report, load);
        }
        std::fs::write(&path, report).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn browser_bench() -> anyhow::Result<Vec<Value>> {
    let out = util::output(
        Command::new("node")
            .arg("tests/browser/bench.mjs")
            .env("POLYRUN_BIN", util::polyrun_bin())
            .current_dir(util::root()),
    )?;
    Ok(out
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn render_browser(rows: &[Value], native: &BTreeMap<&'static str, (String, f64)>) -> String {
    let mut md = String::new();
    let env = find(rows, "browser_env", "");
    let _ = writeln!(
        md,
        "\n## The web app in headless Chromium\n\n`tests/browser/bench.mjs` against `dist/` served on \
         127.0.0.1 (Chromium {}, no `Cache-Control`, so a second visit revalidates). Targets from the \
         web-app issue: warm run ≤ 5 ms, ready from cache ≤ 2 s Python, ≤ 1 s Ruby, ≤ 100 ms \
         JavaScript, ready again after a killed loop ≤ 100 ms.\n",
        env.and_then(|e| e["chromium"].as_str()).unwrap_or("?")
    );
    let _ = writeln!(
        md,
        "| language | runtime bytes | ready, first visit: from request (from navigation) | ready, from cache: from request (from navigation) | warm run: request → result | warm run: real click → result in the page | next run after a killed loop (click → result) | CPU program | vs native |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
    for language in LANGUAGES {
        let ready = find(rows, "browser_ready", language);
        let run = find(rows, "browser_run", language);
        let kill = find(rows, "browser_after_kill", language);
        let cpu = find(rows, "browser_cpu", language);
        let bytes = num(find(rows, "browser_runtime_files", language), "bytes");
        let theirs = native.get(language).map_or(f64::NAN, |n| n.1);
        let _ = writeln!(
            md,
            "| {language} | {:.1} MB | {:.0} ms ({:.0} ms) | {:.0} ms ({:.0} ms) | {:.1} ms (max {:.1}; after a real click {:.0}) | {:.0} ms | {:.0} ms | {:.0} ms | {:.1}× |",
            bytes / 1e6,
            num(ready, "first_visit_from_request_ms"),
            num(ready, "first_visit_ms"),
            num(ready, "cached_from_request_ms"),
            num(ready, "cached_ms"),
            num(run, "p50_request_to_result_ms"),
            num(run, "max_request_to_result_ms"),
            num(run, "p50_request_to_result_after_real_click_ms"),
            num(run, "p50_click_to_result_ms"),
            num(kill, "next_run_click_to_result_ms"),
            num(cpu, "work_ms"),
            num(cpu, "work_ms") / theirs,
        );
    }
    md.push_str(include_str!("bench_browser_notes.md"));
    md
}

fn grader_bench(what: &str) -> anyhow::Result<Vec<Value>> {
    let out = util::output(
        cargo()
            .args(["bench", "--quiet", "-p", "service", "--bench", "grader", "--", what])
            .current_dir(util::root()),
    )?;
    let rows: Vec<Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if rows.is_empty() {
        bail!("benchmark {what} printed no result");
    }
    Ok(rows)
}

/// Best of three in-program times (ms) of the CPU-bound program per native interpreter.
fn native_cpu() -> anyhow::Result<BTreeMap<&'static str, (String, f64)>> {
    let dir = util::root().join("service").join("benches").join("cpu");
    let mut out = BTreeMap::new();
    for (language, program, file, version_arg) in [
        ("python", "python3", "cpu.py", "--version"),
        ("ruby", "ruby", "cpu.rb", "--version"),
        ("javascript", "node", "cpu.js", "--version"),
    ] {
        let version = util::output(Command::new(program).arg(version_arg))
            .map(|v| v.lines().next().unwrap_or("").trim().to_owned())
            .unwrap_or_else(|_| "?".into());
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let text = util::output(Command::new(program).arg(dir.join(file)))?;
            let ms: f64 = text
                .trim()
                .parse()
                .with_context(|| format!("{program} printed {text:?}"))?;
            best = best.min(ms);
        }
        out.insert(language, (format!("{program} ({version})"), best));
    }
    Ok(out)
}

fn find<'a>(results: &'a [Value], bench: &str, language: &str) -> Option<&'a Value> {
    results
        .iter()
        .find(|r| r["bench"] == bench && (language.is_empty() || r["language"] == language))
}

fn num(v: Option<&Value>, key: &str) -> f64 {
    v.and_then(|v| v[key].as_f64()).unwrap_or(f64::NAN)
}

/// The machine, for the benchmarks' headings: CPU model, cores, memory.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown CPU")
        .trim()
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{model}, {cores} cores, {mem_gib:.0} GiB")
}

fn render(results: &[Value], native: &BTreeMap<&'static str, (String, f64)>) -> String {
    let mut md = String::new();
    let date = util::output(Command::new("date").args(["-u", "+%Y-%m-%d"])).unwrap_or_default();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Measured by `cargo xtask bench` on {} ({} UTC). The grader's side is \
         `service/benches/grader.rs` (release build, in-process, runtimes already compiled \
         and cached); targets are from the engine issue.\n",
        machine(),
        date.trim()
    );
    let _ = writeln!(
        md,
        "## Grade latency (10-test easy problem, 40 runs after 3 warm-ups)\n"
    );
    let _ = writeln!(
        md,
        "| language | p50 | p95 | target p50 | start-up of an empty program | runtime footprint |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for (language, target) in LANGUAGES.iter().zip(["≤ 10 ms", "≤ 15 ms", "≤ 3 ms"]) {
        let lat = find(results, "latency", language);
        let start = find(results, "startup", language);
        let _ = writeln!(
            md,
            "| {language} | {:.1} ms | {:.1} ms | {target} | {:.1} ms | {:.1} MiB |",
            num(lat, "p50_ms"),
            num(lat, "p95_ms"),
            num(start, "p50_ms"),
            num(start, "footprint_mib"),
        );
    }
    md.push_str(&render_process(results));
    let _ = writeln!(
        md,
        "\n## CPU-bound program against the native interpreter\n\n\
         `service/benches/cpu/cpu.*`: fib(24) by recursion, sorting 10^5 integers, joining \
         10^5 strings; each program times its own work (best of 3), so start-up is not counted.\n"
    );
    let _ = writeln!(md, "| language | polyrun | native | native interpreter | ratio |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for language in LANGUAGES {
        let ours = num(find(results, "cpu", language), "work_ms");
        let (name, theirs) = native.get(language).cloned().unwrap_or(("?".into(), f64::NAN));
        let _ = writeln!(
            md,
            "| {language} | {ours:.0} ms | {theirs:.0} ms | {name} | {:.1}× |",
            ours / theirs
        );
    }
    let _ = writeln!(md, "\n## Throughput with both cores busy (2 concurrent graders, 5 s)\n");
    let _ = writeln!(md, "| language | grades per second |");
    let _ = writeln!(md, "|---|---|");
    for language in LANGUAGES {
        let _ = writeln!(
            md,
            "| {language} | {:.1} |",
            num(find(results, "throughput", language), "per_second")
        );
    }
    let rss = find(results, "rss", "");
    let _ = writeln!(
        md,
        "\n## Memory\n\nPeak RSS of the grader running 8 grades at once (languages mixed, 3 \
         grades each), the sum of its own and each of its {:.0} sandbox processes' peaks: \
         **{:.0} MiB** (target ≤ 1 GiB); the grader alone {:.0} MiB; PSS of them all at the \
         end (shared compiled code counted once) {:.0} MiB.\n",
        num(rss, "sandbox_processes"),
        num(rss, "peak_rss_mib"),
        num(rss, "grader_peak_rss_mib"),
        num(rss, "final_pss_mib")
    );
    let _ = writeln!(
        md,
        "## The HTTP API (`polyrun serve` on 127.0.0.1, one connection per request)\n\n\
         `POST /api/v1/grade` of two-sum's reference solution (every test, hidden ones \
         included) and Judge0's `POST /submissions?wait=true` of a program echoing its stdin, \
         next to the same work called in-process (40 runs after 3 warm-ups).\n\n\
         | language | grade in-process p50 | grade over HTTP p50 (p95) | run in-process p50 | Judge0 submission, wait=true, p50 |\n|---|---|---|---|---|"
    );
    for language in LANGUAGES {
        let row = find(results, "http", language);
        let _ = writeln!(
            md,
            "| {language} | {:.1} ms | {:.1} ms ({:.1}) | {:.1} ms | {:.1} ms |",
            num(row, "grade_in_process_p50_ms"),
            num(row, "grade_http_p50_ms"),
            num(row, "grade_http_p95_ms"),
            num(row, "run_in_process_p50_ms"),
            num(row, "judge0_wait_p50_ms"),
        );
    }
    md.push('\n');
    md.push_str(&render_store(results));
    md.push_str(NOTES);
    md
}

/// The "Whole processes" section: `polyrun run` and `polyrun grade` as one process each.
pub fn render_process(results: &[Value]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "\n## Whole `polyrun` processes (20 runs after 2 warm-ups, p50)\n\n\
         What an autograder calling the command once per submission sees: `polyrun run` of an \
         empty program and `polyrun grade` of the easy problem above, process start to exit \
         (compiled runtimes cached, as after the first call).\n\n\
         | language | `polyrun run` (empty) | `polyrun grade` | target (grade) |\n|---|---|---|---|"
    );
    for (language, target) in LANGUAGES.iter().zip(["≤ 40 ms", "≤ 40 ms", "≤ 20 ms"]) {
        let row = find(results, "process", language);
        let _ = writeln!(
            md,
            "| {language} | {:.1} ms | {:.1} ms | {target} |",
            num(row, "run_p50_ms"),
            num(row, "grade_p50_ms"),
        );
    }
    md
}

/// The "Stores" section: grades per second over HTTP with nothing kept and with SQLite.
pub fn render_store(results: &[Value]) -> String {
    let mut md = String::from(
        "## Grading with a store (`polyrun serve --workers 2`, 4 clients, 3 turns of 5 s each)\n\n\
         `POST /api/v1/grade` of two-sum's reference solution with `--store memory` (nothing \
         kept) and with a fresh SQLite file (every grade written, WAL, before it is \
         answered); a lone client's p50 beside.\n\n\
         | language | memory: grades/s | SQLite: grades/s | SQLite / memory | lone p50, memory | lone p50, SQLite |\n\
         |---|---|---|---|---|---|\n",
    );
    for language in LANGUAGES {
        let row = find(results, "store", language);
        let (memory, sqlite) = (num(row, "memory_per_second"), num(row, "sqlite_per_second"));
        let _ = writeln!(
            md,
            "| {language} | {memory:.1} | {sqlite:.1} | {:.0} % | {:.1} ms | {:.1} ms |",
            sqlite / memory * 100.0,
            num(row, "memory_lone_p50_ms"),
            num(row, "sqlite_lone_p50_ms"),
        );
    }
    md.push('\n');
    md
}

const NOTES: &str = include_str!("bench_notes.md");
