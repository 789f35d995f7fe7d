//! schemathesis (PyPI, pinned) against a live `polyrun serve`: every operation of
//! `GET /api/v1/openapi.json` gets generated requests, valid and not; the checks are that
//! no answer is a 5xx and every answer matches its documented status and schema. It is
//! installed once into a venv under polyrun's cache folder (a second call reuses it).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

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

/// A `polyrun serve` for the run (killed when dropped): two sandboxes, a queue of 64, the
/// project's problems.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> anyhow::Result<Server> {
        let mut child = Command::new(util::polyrun_bin())
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--queue",
                "64",
                "--problems",
            ])
            .arg(util::root().join("problems"))
            .current_dir(util::root())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", util::polyrun_bin().display()))?;
        let stdout = child.stdout.take().context("polyrun serve's stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let mut server = Server {
            child,
            addr: String::new(),
        };
        // "listening on http://ADDR/"
        let line = rx
            .recv_timeout(Duration::from_secs(120))
            .context("polyrun serve did not say where it listens")?;
        match line.split("http://").nth(1).and_then(|rest| rest.split('/').next()) {
            Some(addr) if !addr.is_empty() => server.addr = addr.to_owned(),
            _ => bail!("no address in polyrun serve's first line {line:?}"),
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
