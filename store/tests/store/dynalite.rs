//! A dynalite (an in-memory DynamoDB API, the npm package in `web/`) on a free loopback
//! port for one test, stopped when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running dynalite.
pub struct Dynalite {
    child: Child,
    port: u16,
}

impl Dynalite {
    /// Starts one and waits until it takes connections.
    pub fn start() -> Dynalite {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let cli = root.join("web/node_modules/dynalite/cli.js");
        assert!(
            cli.is_file(),
            "dynalite is not installed ({} is missing): run `cargo xtask setup`",
            cli.display()
        );
        let port = free_port();
        let child = Command::new("node")
            .arg(&cli)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node {}: {e} (run `cargo xtask setup`)", cli.display()));
        let mut dynalite = Dynalite { child, port };
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = dynalite.child.try_wait() {
                panic!("dynalite stopped at start ({status})");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "dynalite did not listen on port {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        dynalite
    }

    /// Its endpoint, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Options for a store on it: its endpoint, a region, dummy credentials.
    pub fn options(&self) -> polyrun_store::DynamoOptions {
        local_options(self.endpoint())
    }
}

impl Drop for Dynalite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Options for a store at `endpoint` with a region and dummy credentials.
pub fn local_options(endpoint: String) -> polyrun_store::DynamoOptions {
    polyrun_store::DynamoOptions {
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        credentials: Some(("polyrun-test".into(), "polyrun-test".into())),
    }
}

/// A loopback port nothing listens on (just now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}
