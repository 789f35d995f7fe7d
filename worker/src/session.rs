//! How the sandbox worker's end message becomes a [`SessionEnd`] (the part of a session
//! that needs no browser; the phase clock is core's, shared with the grader).

use polyrun_core::grading::SessionEnd;

/// How a sandbox worker said its session ended.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEnd {
    /// The program exited with this status.
    Exit(i32),
    /// The engine's stack overflowed (a `RangeError` escaped the runtime).
    Stack,
    /// The runtime ran out of memory.
    Memory,
    /// The runtime failed otherwise.
    Crash(String),
}

impl From<WorkerEnd> for SessionEnd {
    fn from(end: WorkerEnd) -> Self {
        match end {
            WorkerEnd::Exit(code) => SessionEnd::Exited(code),
            WorkerEnd::Stack => SessionEnd::StackOverflow,
            WorkerEnd::Memory => SessionEnd::MemoryLimit,
            WorkerEnd::Crash(what) => SessionEnd::Crashed(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_ends_map_to_session_ends() {
        assert_eq!(SessionEnd::from(WorkerEnd::Exit(3)), SessionEnd::Exited(3));
        assert_eq!(SessionEnd::from(WorkerEnd::Stack), SessionEnd::StackOverflow);
        assert_eq!(SessionEnd::from(WorkerEnd::Memory), SessionEnd::MemoryLimit);
        assert_eq!(
            SessionEnd::from(WorkerEnd::Crash("x".into())),
            SessionEnd::Crashed("x".into())
        );
    }
}
