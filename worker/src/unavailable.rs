//! [`SandboxHost`] outside the browser (any target but `wasm32`): the same API, so the app
//! and the workspace build and test everywhere; loading reports an error and runs fail with
//! [`SandboxError::Unavailable`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use polyrun_core::Language;
use polyrun_core::grading::Session;
use polyrun_core::protocol::HarnessInput;

use crate::{RuntimeState, SandboxError};

/// Why nothing runs here.
const REASON: &str = "the sandbox runs only in a web browser";

struct Inner {
    states: RefCell<BTreeMap<Language, RuntimeState>>,
    on_state: Box<dyn Fn(Language, RuntimeState)>,
}

/// The app's handle on the sandbox (here: a sandbox that is never available).
#[derive(Clone)]
pub struct SandboxHost {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for SandboxHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHost").finish_non_exhaustive()
    }
}

impl SandboxHost {
    /// A host; `base` is unused outside the browser.
    pub fn new(base: &str, on_state: impl Fn(Language, RuntimeState) + 'static) -> Self {
        let _ = base;
        SandboxHost {
            inner: Rc::new(Inner {
                states: RefCell::new(BTreeMap::new()),
                on_state: Box::new(on_state),
            }),
        }
    }

    /// Nothing to prepare here.
    pub fn prepare(&self) {}

    /// Reports that the runtime cannot load here.
    pub fn load(&self, language: Language) {
        let state = RuntimeState::Error(REASON.to_owned());
        self.inner.states.borrow_mut().insert(language, state.clone());
        (self.inner.on_state)(language, state);
    }

    /// Current state.
    pub fn state(&self, language: Language) -> RuntimeState {
        self.inner.states.borrow().get(&language).cloned().unwrap_or_default()
    }

    /// Fails: nothing runs outside the browser.
    pub async fn run_harness(
        &self,
        language: Language,
        input: &HarnessInput,
        time_limit_ms: u64,
    ) -> Result<Session, SandboxError> {
        let _ = (input, time_limit_ms);
        self.load(language);
        Err(SandboxError::Unavailable(REASON.to_owned()))
    }

    /// Nothing runs here, so nothing is stopped.
    pub fn stop(&self) {}

    /// Fails: nothing runs outside the browser.
    pub async fn run_program(
        &self,
        language: Language,
        source: &str,
        stdin: &str,
        time_limit_ms: u64,
        memory_limit_mb: u64,
    ) -> Result<polyrun_core::report::RunReport, SandboxError> {
        let _ = (source, stdin, time_limit_ms, memory_limit_mb);
        self.load(language);
        Err(SandboxError::Unavailable(REASON.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_that_nothing_runs_here() {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let log = Rc::clone(&seen);
        let host = SandboxHost::new("./runtimes/", move |lang, state| log.borrow_mut().push((lang, state)));
        assert_eq!(host.state(Language::Ruby), RuntimeState::Idle);
        host.load(Language::Ruby);
        assert_eq!(host.state(Language::Ruby).data_state(), "error");
        assert_eq!(seen.borrow().len(), 1);
    }
}
