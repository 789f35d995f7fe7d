//! `cargo xtask fuzz [--seconds N] [--smoke] [TARGET…]`: the cargo-fuzz targets of `fuzz/`
//! (libFuzzer, on nightly), each for N seconds (default 600), one after the other.
//!
//! cargo-fuzz is installed pinned (`cargo install cargo-fuzz --version … --locked`, once);
//! nightly too when it is missing (`--profile minimal`). Each target keeps its corpus in
//! `~/.cache/polyrun/fuzz-corpus/<target>` (it grows from run to run) and starts from the
//! checked-in seeds of `fuzz/seeds/<target>/`. A target that finds something stops the run
//! with the path of the input that fails (`fuzz/artifacts/<target>/crash-…`), which
//! `cargo +nightly fuzz run --sanitizer none --features service <target> <path>` replays.
//!
//! The targets build without a sanitizer (`--sanitizer none`): polyrun denies `unsafe`, so
//! AddressSanitizer finds nothing there, and it doubles the time a run costs; libFuzzer's
//! coverage, debug assertions and overflow checks stay. Their build has its own target
//! folder (other flags than the workspace's): `fuzz/target`, or `fuzz-target` beside
//! `$CARGO_TARGET_DIR` when that is set (CI keeps it).
//!
//! `--smoke`: the core-only targets (`records`, `problem`, `compare`; no wasmtime in their
//! build) for 20 s each.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, bail};

use crate::setup::cargo_install;
use crate::util::{self, run, step};

/// cargo-fuzz, pinned.
const CARGO_FUZZ_VERSION: &str = "0.13.1";

/// Every target, and whether it needs the `service` crate (and so wasmtime) to build.
pub const TARGETS: [(&str, bool); 5] = [
    ("records", false),
    ("problem", false),
    ("compare", false),
    ("judge0_request", true),
    ("http_body", true),
];

/// How long each target runs by default.
const DEFAULT_SECONDS: u64 = 600;
/// How long each target runs in `--smoke`.
const SMOKE_SECONDS: u64 = 20;

/// `cargo xtask fuzz ARGS…`.
pub fn fuzz(args: &[String]) -> anyhow::Result<()> {
    let mut seconds = DEFAULT_SECONDS;
    let mut smoke_only = false;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => smoke_only = true,
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .context("--seconds takes a positive number of seconds")?;
            }
            name if TARGETS.iter().any(|(t, _)| *t == name) => targets.push(name.to_owned()),
            other => bail!(
                "unknown fuzz target or option '{other}'; targets: {}",
                TARGETS.map(|(t, _)| t).join(", ")
            ),
        }
    }
    if smoke_only {
        return smoke();
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|(t, _)| (*t).to_owned()).collect();
    }
    run_targets(&targets, seconds)
}

/// Every core-only target for [`SMOKE_SECONDS`] each.
pub fn smoke() -> anyhow::Result<()> {
    let core: Vec<String> = TARGETS
        .iter()
        .filter(|(_, service)| !service)
        .map(|(t, _)| (*t).to_owned())
        .collect();
    run_targets(&core, SMOKE_SECONDS)
}

fn run_targets(targets: &[String], seconds: u64) -> anyhow::Result<()> {
    nightly()?;
    cargo_install("cargo-fuzz", CARGO_FUZZ_VERSION, &["--locked"])?;
    let fuzz_dir = util::root().join("fuzz");
    // One feature set for the whole run, so that no target is rebuilt between two others.
    let service = targets.iter().any(|name| TARGETS.iter().any(|(t, s)| t == name && *s));
    for target in targets {
        let corpus = util::cache_dir().join("fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).with_context(|| format!("cannot create {}", corpus.display()))?;
        let seeds = fuzz_dir.join("seeds").join(target);
        let artifacts = fuzz_dir.join("artifacts").join(target);
        std::fs::create_dir_all(&artifacts).with_context(|| format!("cannot create {}", artifacts.display()))?;
        let started = SystemTime::now();
        step(&format!("fuzz {target} for {seconds} s (corpus {})", corpus.display()));
        let mut cmd = fuzz_command(&fuzz_dir, service);
        cmd.arg(target).arg(&corpus);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1"]);
        if let Err(e) = run(&mut cmd) {
            return Err(match newest_since(&artifacts, started) {
                Some(input) => anyhow::anyhow!(
                    "fuzz target {target} found a failing input: {}\n  replay: cd fuzz && cargo +nightly fuzz run --sanitizer none{} {target} {}",
                    input.display(),
                    if service { " --features service" } else { "" },
                    input.display()
                ),
                None => e.context(format!("fuzz target {target} failed")),
            });
        }
    }
    Ok(())
}

/// `cargo +nightly fuzz run` in `fuzz/`, with its own target folder.
fn fuzz_command(fuzz_dir: &Path, service: bool) -> Command {
    let mut cmd = Command::new("cargo");
    // The outer cargo's toolchain and target folder are not this build's.
    for var in ["RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTDOC", "CARGO_TARGET_DIR"] {
        cmd.env_remove(var);
    }
    // Nor is the package `cargo run` set up for xtask (cargo-fuzz would look for its
    // project from `CARGO_MANIFEST_DIR`).
    for (var, _) in std::env::vars_os() {
        let name = var.to_string_lossy();
        if name.starts_with("CARGO_MANIFEST_") || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_BIN_") {
            cmd.env_remove(&var);
        }
    }
    cmd.env_remove("CARGO_CRATE_NAME").env_remove("CARGO_PRIMARY_PACKAGE");
    cmd.args(["+nightly", "fuzz", "run", "--sanitizer", "none", "--target-dir"])
        .arg(fuzz_target_dir(fuzz_dir))
        .current_dir(fuzz_dir);
    if service {
        cmd.args(["--features", "service"]);
    }
    cmd
}

/// `fuzz-target` beside `$CARGO_TARGET_DIR` when that is set, else `fuzz/target`.
fn fuzz_target_dir(fuzz_dir: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(_) => util::target_dir()
            .parent()
            .map_or_else(|| fuzz_dir.join("target"), |p| p.join("fuzz-target")),
        None => fuzz_dir.join("target"),
    }
}

/// The newest file in `dir` written after `since` (what libFuzzer saved when it failed).
fn newest_since(dir: &Path, since: SystemTime) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .filter(|(modified, _)| *modified >= since)
        .max()
        .map(|(_, path)| path)
}

/// The nightly toolchain cargo-fuzz needs, installed when missing.
fn nightly() -> anyhow::Result<()> {
    let list = util::output(Command::new("rustup").args(["toolchain", "list"]))?;
    if list.lines().any(|l| l.starts_with("nightly")) {
        return Ok(());
    }
    step("rustup toolchain install nightly --profile minimal");
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
}
