//! The phase clock of a sandbox session, written once for the grader's watchdog and the
//! browser worker: loading the source gets max(limit, 10 s), then each test gets the limit
//! from the moment the host trusts the harness to be ready for it (the source loaded, the
//! test before answered: when the grader hands over the test's arguments), and the whole
//! session never outlives loading + tests × limit.
//!
//! The clock does not read time (core has no clock): the host passes "now" in milliseconds
//! of its own monotonic clock (`Instant` in the grader, `performance.now()` in the browser).

/// How long loading the source may take at the least: interpreter start-up and the user's
/// top-level code are not a test's time.
pub const LOAD_LIMIT_MS: u64 = 10_000;

/// How long a grading may take in all, however many sessions it needs: what one session
/// given every test would have (loading, then `tests` × `limit_ms`). A session ends after a
/// test it could not finish and the next one loads the source again, so without a budget a
/// submission that stops every test holds a sandbox for about `tests` × (loading + limit).
pub fn grading_budget_ms(limit_ms: u64, tests: usize) -> f64 {
    let limit = limit_ms as f64;
    limit.max(LOAD_LIMIT_MS as f64) + limit * tests as f64
}

/// The deadline of a running session: the phase in flight and the session as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseClock {
    limit_ms: f64,
    loading: bool,
    started_ms: f64,
    session_deadline_ms: f64,
}

impl PhaseClock {
    /// A harness session starting at `now_ms` that was sent `tests` tests, each with a
    /// limit of `limit_ms`: first the loading phase, then one phase per test.
    pub fn harness(limit_ms: u64, tests: usize, now_ms: f64) -> Self {
        let limit = limit_ms as f64;
        let loading = limit.max(LOAD_LIMIT_MS as f64);
        PhaseClock {
            limit_ms: limit,
            loading: true,
            started_ms: now_ms,
            session_deadline_ms: now_ms + loading + limit * tests as f64,
        }
    }

    /// A whole program starting at `now_ms`: one phase of `limit_ms`.
    pub fn whole(limit_ms: u64, now_ms: f64) -> Self {
        let limit = limit_ms as f64;
        PhaseClock {
            limit_ms: limit,
            loading: false,
            started_ms: now_ms,
            session_deadline_ms: now_ms + limit,
        }
    }

    /// The same clock, but the session ends by `deadline_ms` at the latest (the end of the
    /// grading's budget, [`grading_budget_ms`]).
    pub fn until(mut self, deadline_ms: f64) -> Self {
        self.session_deadline_ms = self.session_deadline_ms.min(deadline_ms);
        self
    }

    /// The harness made progress at `now_ms` (the source loaded, the test in flight
    /// answered): the next phase starts, with the test limit.
    pub fn progress(&mut self, now_ms: f64) {
        self.loading = false;
        self.started_ms = now_ms;
    }

    /// Whether the session is still loading the source.
    pub fn loading(&self) -> bool {
        self.loading
    }

    /// How long the phase in flight may run.
    pub fn allowed_ms(&self) -> f64 {
        if self.loading {
            self.limit_ms.max(LOAD_LIMIT_MS as f64)
        } else {
            self.limit_ms
        }
    }

    /// When the session must stop: the end of the phase in flight, or of the session.
    pub fn deadline_ms(&self) -> f64 {
        (self.started_ms + self.allowed_ms()).min(self.session_deadline_ms)
    }

    /// Whether the session has run out at `now_ms`.
    pub fn expired(&self, now_ms: f64) -> bool {
        now_ms >= self.deadline_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_gets_at_least_ten_seconds() {
        let clock = PhaseClock::harness(2000, 3, 100.0);
        assert_eq!(clock.allowed_ms(), 10_000.0);
        assert!(!clock.expired(10_099.0));
        assert!(clock.expired(10_100.0));
        let long = PhaseClock::harness(15_000, 1, 0.0);
        assert_eq!(long.allowed_ms(), 15_000.0);
    }

    #[test]
    fn progress_starts_a_phase_with_the_test_limit() {
        let mut clock = PhaseClock::harness(2000, 3, 0.0);
        clock.progress(500.0);
        assert!(!clock.loading());
        assert_eq!(clock.deadline_ms(), 2500.0);
        assert!(!clock.expired(2499.0));
        assert!(clock.expired(2500.0));
        clock.progress(2400.0);
        assert!(!clock.expired(4000.0));
    }

    #[test]
    fn the_session_never_outlives_loading_and_its_tests() {
        // 2 tests of 1 s: at most 10 s + 2 s, however often progress is claimed.
        let mut clock = PhaseClock::harness(1000, 2, 0.0);
        for now in (0..12_000).step_by(900) {
            clock.progress(now as f64);
        }
        assert_eq!(clock.deadline_ms(), 12_000.0);
        assert!(clock.expired(12_000.0));
    }

    #[test]
    fn a_grading_budget_caps_its_sessions() {
        assert_eq!(grading_budget_ms(1000, 13), 23_000.0);
        assert_eq!(grading_budget_ms(20_000, 2), 60_000.0);
        // A later session of the grading, started at 20 s, ends with the budget.
        let clock = PhaseClock::harness(1000, 5, 20_000.0).until(23_000.0);
        assert_eq!(clock.deadline_ms(), 23_000.0);
        let roomy = PhaseClock::harness(1000, 1, 0.0).until(23_000.0);
        assert_eq!(roomy.deadline_ms(), 10_000.0);
    }

    #[test]
    fn a_whole_program_has_one_phase() {
        let mut clock = PhaseClock::whole(5000, 10.0);
        assert_eq!(clock.deadline_ms(), 5010.0);
        clock.progress(4000.0);
        assert_eq!(clock.deadline_ms(), 5010.0);
    }
}
