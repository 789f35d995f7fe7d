//! polyrun's grader: runs the WASI builds of CPython, CRuby and QuickJS inside wasmtime,
//! one fresh sandbox per session in a sandbox process of its own, and grades submissions
//! with the shared core. No HTTP here: the command line, the local server and AWS Lambda
//! are front ends on this library. A program using it must start with
//! `if args[1] == SANDBOX_ARG { return sandbox_main() }`.

mod cache;
pub mod check;
mod component;
mod engine;
mod failure;
pub mod grade;
mod host;
mod ruby;
pub mod run;
mod sandbox;
mod session;
mod sink;
mod snapshot;

use std::path::PathBuf;
use std::time::Duration;

pub use engine::GraderConfig;
pub use sandbox::{Grader, SANDBOX_ARG, sandbox_main};
pub use session::SessionStats;

/// What can go wrong in the grader itself (never because of what a program does).
#[derive(Debug, thiserror::Error)]
pub enum GraderError {
    /// A runtime module is missing or unreadable.
    #[error("runtime module {path} is missing ({reason}); run `cargo xtask setup`")]
    MissingRuntime {
        /// The expected path.
        path: PathBuf,
        /// Why it could not be read.
        reason: String,
    },
    /// A runtime module did not compile or link.
    #[error("runtime module {path} cannot be loaded: {reason}")]
    Compile {
        /// The module.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The wasmtime engine could not be set up.
    #[error("cannot set up the wasmtime engine: {0}")]
    Engine(String),
    /// A sandbox process could not be started or stopped answering.
    #[error("sandbox process: {0}")]
    Sandbox(String),
}

/// Limits of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall time per test (or for a whole program).
    pub time: Duration,
    /// Memory beyond the runtime's own footprint, in bytes.
    pub memory_bytes: usize,
}

impl Limits {
    /// Limits from milliseconds and mebibytes.
    pub fn new(time_ms: u64, memory_mb: u64) -> Self {
        Limits {
            time: Duration::from_millis(time_ms),
            memory_bytes: (memory_mb as usize).saturating_mul(1024 * 1024),
        }
    }
}
