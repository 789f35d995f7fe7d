//! The official Judge0 Python SDK (PyPI `judge0`, pinned) against a live `polyrun serve`:
//! `tests/judge0-sdk/check.py` does what a Judge0 client does (runs in each language with
//! stdin, a batch, every verdict, limits, memory, a queued submission polled to its end)
//! and fails on the first answer the SDK reads differently from Judge0's.

use std::process::Command;

use crate::live::Server;
use crate::{setup, util};

/// The SDK release used.
pub const VERSION: &str = "0.0.8";

/// Sets up the SDK, starts `polyrun serve` and runs the check script against it.
pub fn run() -> anyhow::Result<()> {
    // The venv's `python`, with the SDK installed.
    let python = setup::pip_tool("judge0", VERSION, "python")?;
    util::step(&format!("the Judge0 Python SDK {VERSION} against polyrun serve"));
    let server = Server::start()?;
    util::run(
        Command::new(python)
            .arg(util::root().join("tests").join("judge0-sdk").join("check.py"))
            .arg(format!("http://{}", server.addr))
            .current_dir(util::root()),
    )
}
