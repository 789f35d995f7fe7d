//! The parts of a harness session that do not need a browser: the phase clock (the
//! grader's watchdog, in milliseconds of `performance.now()`) and how the sandbox worker's
//! end message becomes a [`SessionEnd`].

use polyrun_core::grading::SessionEnd;

/// How long loading the source may take at the least, as in the grader: interpreter
/// start-up and the user's top-level code are not a test's time.
pub const LOAD_LIMIT_MS: f64 = 10_000.0;

/// The time limit of the phase in flight: loading the source (max(limit, 10 s)), then each
/// test (the limit, from its `start` record). Progress reported by
/// [`polyrun_core::grading::SessionLog::stdout`] starts the next phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseClock {
    limit_ms: f64,
    loading: bool,
    started_ms: f64,
}

impl PhaseClock {
    /// A clock for a session starting at `now_ms` with a per-test limit of `limit_ms`.
    pub fn start(limit_ms: u64, now_ms: f64) -> Self {
        PhaseClock {
            limit_ms: limit_ms as f64,
            loading: true,
            started_ms: now_ms,
        }
    }

    /// The harness made progress (the source loaded, a new test started) at `now_ms`.
    pub fn progress(&mut self, now_ms: f64) {
        self.loading = false;
        self.started_ms = now_ms;
    }

    /// How long the phase in flight may run.
    pub fn allowed_ms(&self) -> f64 {
        if self.loading {
            self.limit_ms.max(LOAD_LIMIT_MS)
        } else {
            self.limit_ms
        }
    }

    /// When the phase in flight runs out.
    pub fn deadline_ms(&self) -> f64 {
        self.started_ms + self.allowed_ms()
    }

    /// Whether the phase in flight has run out at `now_ms`.
    pub fn expired(&self, now_ms: f64) -> bool {
        now_ms >= self.deadline_ms()
    }
}

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
    fn loading_gets_at_least_ten_seconds() {
        let clock = PhaseClock::start(2000, 100.0);
        assert_eq!(clock.allowed_ms(), 10_000.0);
        assert!(!clock.expired(10_099.0));
        assert!(clock.expired(10_100.0));
        let long = PhaseClock::start(15_000, 0.0);
        assert_eq!(long.allowed_ms(), 15_000.0);
    }

    #[test]
    fn progress_restarts_the_clock_with_the_test_limit() {
        let mut clock = PhaseClock::start(2000, 0.0);
        clock.progress(500.0);
        assert_eq!(clock.deadline_ms(), 2500.0);
        assert!(!clock.expired(2499.0));
        assert!(clock.expired(2500.0));
        clock.progress(2400.0);
        assert!(!clock.expired(4000.0));
    }

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
