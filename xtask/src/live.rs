//! A live `polyrun serve` for the clients that test it from outside (schemathesis, the
//! Judge0 Python SDK): the release binary on a free port, the project's problems, killed
//! when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::util;

/// A `polyrun serve` for the run (killed when dropped): two sandboxes, a queue of 64, the
/// project's problems.
pub struct Server {
    child: Child,
    /// `host:port`.
    pub addr: String,
}

impl Server {
    /// Starts it and waits until it says where it listens.
    pub fn start() -> anyhow::Result<Server> {
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
