//! `cargo xtask`: set-up, test and benchmark automation for polyrun.
//!
//! - `cargo xtask setup`: toolchain targets, system packages, pinned runtimes (checked by
//!   SHA-256), the QuickJS engine and the `polyrun` binary. Idempotent and cached.
//! - `cargo xtask test`: set-up, then format, lints, every test and `polyrun check`.
//! - `cargo xtask bench`: set-up, then the benchmarks of `docs/benchmarks.md`.
//! - `cargo xtask polyrun ARGS…`: set-up, then `polyrun ARGS…`.
//! - `cargo xtask site-problems DIR`: the public problem JSON the web app serves.

mod bench;
mod setup;
mod site;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup(),
        Some("test") => test(),
        Some("bench") => setup::setup().and_then(|()| bench::bench(&args[1..])),
        Some("polyrun") => setup::setup().and_then(|()| polyrun(&args[1..])),
        Some("site-problems") => match args.get(1) {
            Some(out) => site::write_public_problems(&util::root().join("problems"), std::path::Path::new(out)),
            None => Err(anyhow::anyhow!("usage: cargo xtask site-problems OUT_DIR")),
        },
        _ => {
            eprintln!("usage: cargo xtask <setup | test | bench | polyrun ARGS…>");
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
    Ok(())
}

fn polyrun(args: &[String]) -> anyhow::Result<()> {
    let status = std::process::Command::new(util::polyrun_bin()).args(args).status()?;
    std::process::exit(status.code().unwrap_or(1));
}
