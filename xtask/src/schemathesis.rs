//! schemathesis (PyPI, pinned) against a live `polyrun serve`: every operation of
//! `GET /api/v1/openapi.json` gets generated requests, valid and not; the checks are that
//! no answer is a 5xx and every answer matches its documented status and schema. It is
//! installed once into a venv under polyrun's cache folder (a second call reuses it).

use std::path::PathBuf;
use std::process::Command;

use crate::live::Server;
use crate::{setup, util};

/// The schemathesis release used.
pub const VERSION: &str = "4.32.5";

/// Test cases per operation and phase: enough to find what is wrong, few enough that the
/// run (real interpreters behind `/api/v1/run` and the Judge0 submissions) takes ~2 min.
const MAX_EXAMPLES: &str = "60";

/// Sets up schemathesis, starts `polyrun serve` on a free port and runs schemathesis
/// against it; fails when schemathesis finds anything.
pub fn run() -> anyhow::Result<()> {
    let st = install()?;
    util::step(&format!("schemathesis {VERSION} against polyrun serve"));
    let server = Server::start()?;
    let schema = format!("http://{}/api/v1/openapi.json", server.addr);
    let report = util::target_dir().join("schemathesis");
    util::run(
        Command::new(&st)
            .args(["run", &schema])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "20261203",
                "--workers",
                "2",
                "--request-timeout",
                "60",
                "--generation-database",
                "none",
                "--suppress-health-check",
                "too_slow,filter_too_much",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
            ])
            .arg(&report)
            // Its working files (`.schemathesis/`) go beside the report, not into the tree.
            .current_dir(util::target_dir())
            // Its own telemetry off; nothing but the server is reached.
            .env("SCHEMATHESIS_TELEMETRY", "false"),
    )
}

/// The `st` command of a venv with schemathesis `VERSION`, made on first use.
fn install() -> anyhow::Result<PathBuf> {
    setup::pip_tool("schemathesis", VERSION, "st")
}
