//! `cargo xtask`: set-up, test and benchmark automation for polyrun.
//!
//! - `cargo xtask setup`: toolchain targets, system packages, pinned runtimes (checked by
//!   SHA-256), the QuickJS engine and the `polyrun` binary. Idempotent and cached.
//! - `cargo xtask test`: set-up, then format, lints, every test, `polyrun check` and
//!   schemathesis and the official Judge0 Python SDK against a live `polyrun serve` (the
//!   OpenAPI contract, the Judge0 subset), cfn-lint of the deployment template.
//! - `cargo xtask bench`: set-up, then the benchmarks of `docs/benchmarks.md`.
//! - `cargo xtask load`: a held load and SIGTERM under load on `polyrun serve` (wrk and
//!   the xtask's own client); writes the "Load" section of `docs/benchmarks.md`.
//! - `cargo xtask run`: set-up, the site build, then the web app and the grader's HTTP API on
//!   http://127.0.0.1:8080 (`polyrun serve`).
//! - `cargo xtask fuzz [--seconds N] [--smoke] [TARGET…]`: the cargo-fuzz targets of `fuzz/`
//!   (docs/fuzzing.md).
//! - `cargo xtask package [--check]`: the AWS Lambda zip (`target/lambda/polyrun.zip`): a
//!   static musl `polyrun` as `bootstrap`, the runtime modules and the problem bank.
//! - `cargo xtask cfn-lint`: cfn-lint (pinned) on `deploy/template.yaml`, and its
//!   environment variables against the code (part of `cargo xtask test`).
//! - `cargo xtask polyrun ARGS…`: set-up, then `polyrun ARGS…`.
//! - `cargo xtask site-problems DIR`: the public problem JSON the web app serves.
//! - `cargo xtask python-component`: only the Python 3.14 component and its standard
//!   library (part of `setup`).

mod bench;
mod deploy;
mod fuzz;
mod judge0_sdk;
mod live;
mod load;
mod python_component;
mod schemathesis;
mod setup;
mod site;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup(),
        Some("test") => test(),
        Some("schemathesis") => setup::setup().and_then(|()| schemathesis::run()),
        Some("judge0-sdk") => setup::setup().and_then(|()| judge0_sdk::run()),
        Some("bench") => setup::setup().and_then(|()| bench::bench(&args[1..])),
        Some("load") => load::load(&args[1..]),
        Some("polyrun") => setup::setup().and_then(|()| polyrun(&args[1..])),
        Some("run") => serve_app(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("package") => deploy::package(&args[1..]),
        Some("cfn-lint") => deploy::lint(),
        Some("python-component") => python_component::python_component(),
        Some("site-problems") => {
            // As a Trunk hook, with no argument: into the staging folder of the build.
            let out = args.get(1).map(std::path::PathBuf::from).or_else(|| {
                std::env::var_os("TRUNK_STAGING_DIR").map(|d| std::path::PathBuf::from(d).join("problems"))
            });
            match out {
                Some(out) => site::write_public_problems(&util::root().join("problems"), &out),
                None => Err(anyhow::anyhow!("usage: cargo xtask site-problems OUT_DIR")),
            }
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | test | schemathesis | judge0-sdk | bench | load | fuzz | run | package [--check] | cfn-lint | polyrun ARGS… | site-problems DIR | python-component>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn test() -> anyhow::Result<()> {
    setup::setup()?;
    let root = util::root();
    util::step("cargo fmt --check");
    util::run(util::cargo().args(["fmt", "--all", "--check"]).current_dir(&root))?;
    deploy::lint()?;
    util::step("cargo clippy (host)");
    util::run(
        util::cargo()
            .args([
                "clippy",
                "--release",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )?;
    util::step("cargo clippy (wasm32-wasip1: the QuickJS engine)");
    util::run(
        setup::js_engine_env(util::cargo().args([
            "clippy",
            "--release",
            "-p",
            "runtimes-wasm",
            "--target",
            "wasm32-wasip1",
            "--",
            "-D",
            "warnings",
        ]))
        .current_dir(&root),
    )?;
    util::step("cargo test");
    util::run(
        util::cargo()
            .args(["test", "--release", "--workspace"])
            .current_dir(&root),
    )?;
    util::step("polyrun check");
    util::run(
        std::process::Command::new(util::polyrun_bin())
            .arg("check")
            .current_dir(&root),
    )?;
    schemathesis::run()?;
    judge0_sdk::run()?;

    util::step("cargo clippy (wasm32-unknown-unknown: the web app and its sandbox)");
    util::run(
        util::cargo()
            .args([
                "clippy",
                "--release",
                "-p",
                "frontend",
                "-p",
                "worker",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )?;
    setup::apt(&["chromium", "chromium-driver"], "/usr/bin/chromium")?;
    build_site()?;
    util::step("browser tests (headless Chromium)");
    util::run(
        std::process::Command::new("node")
            .args(["--test", "--test-concurrency=1", "tests/browser/"])
            .env("POLYRUN_BIN", util::polyrun_bin())
            .current_dir(&root),
    )?;
    Ok(())
}

/// `trunk build --release`: the complete static site in `dist/`.
pub fn build_site() -> anyhow::Result<()> {
    util::step("trunk build --release");
    util::run(
        std::process::Command::new(util::cargo_bin("trunk"))
            .args(["build", "--release"])
            .current_dir(util::root()),
    )
}

/// Sets up, builds the site and serves it with the grader (`polyrun serve`: the app and
/// the HTTP API) on 127.0.0.1:8080; further arguments go to `polyrun serve`.
fn serve_app(args: &[String]) -> anyhow::Result<()> {
    setup::setup()?;
    build_site()?;
    let site = util::root().join("dist");
    let status = std::process::Command::new(util::polyrun_bin())
        .args(["serve", "--addr", "127.0.0.1:8080", "--site"])
        .arg(&site)
        .args(args)
        .current_dir(util::root())
        .status()?;
    std::process::exit(status.code().unwrap_or(1));
}

fn polyrun(args: &[String]) -> anyhow::Result<()> {
    let status = std::process::Command::new(util::polyrun_bin()).args(args).status()?;
    std::process::exit(status.code().unwrap_or(1));
}
