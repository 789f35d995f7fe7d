//! The app's side of the browser sandbox: one `SandboxHost` for the whole app, the runtime
//! states it reports (as a Yew context), and grading a submission in the browser exactly as
//! the grader does (`Grading::next_input` → `run_harness` → `absorb`, then `report`).

use std::collections::BTreeMap;
use std::rc::Rc;

use polyrun_core::Language;
use polyrun_core::grading::Grading;
use polyrun_core::problem::{Problem, TestCase};
use polyrun_core::report::GradeReport;
use yew::Reducible;

pub use polyrun_worker::{RuntimeState, SandboxError, SandboxHost};

/// Where the runtimes' files are served, relative to the page.
pub const RUNTIMES_BASE: &str = "./runtimes/";

/// One runtime's state as the app shows it: the sandbox's own [`RuntimeState`].
pub type RuntimeView = RuntimeState;

/// Every runtime's state, kept up to date by the host's `on_state` callback.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Runtimes(BTreeMap<Language, RuntimeView>);

impl Runtimes {
    /// The states as they are now.
    pub fn from_states(states: impl IntoIterator<Item = (Language, RuntimeView)>) -> Self {
        Runtimes(states.into_iter().collect())
    }

    /// The state of `language`'s runtime.
    pub fn get(&self, language: Language) -> RuntimeView {
        self.0.get(&language).cloned().unwrap_or(RuntimeView::Idle)
    }
}

impl Reducible for Runtimes {
    type Action = (Language, RuntimeView);

    fn reduce(self: Rc<Self>, (language, view): Self::Action) -> Rc<Self> {
        if self.0.get(&language) == Some(&view) {
            return self;
        }
        let mut next = (*self).clone();
        next.0.insert(language, view);
        Rc::new(next)
    }
}

/// The app's sandbox host, shared through a context.
#[derive(Clone)]
pub struct Sandbox(pub Rc<SandboxHost>);

impl PartialEq for Sandbox {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Milliseconds since the page loaded.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Grades `source` against `tests` under `problem`'s entry point, comparison and limits,
/// in the browser sandbox: the same loop, the same verdicts as the grader. `stopped` is
/// asked before each session: once it says so (the Stop button, which also ends the
/// session in flight with [`SandboxHost::stop`]), grading ends with
/// [`SandboxError::Stopped`].
pub async fn grade_in_browser(
    host: &SandboxHost,
    problem: &Problem,
    language: Language,
    source: &str,
    tests: Vec<TestCase>,
    stopped: impl Fn() -> bool,
) -> Result<GradeReport, SandboxError> {
    let started = now_ms();
    let mut grading = Grading::with_tests(problem, language, source, tests);
    while let Some(input) = grading.next_input() {
        if stopped() {
            return Err(SandboxError::Stopped);
        }
        let session = host.run_harness(language, &input, grading.time_limit_ms()).await?;
        grading.absorb(session);
    }
    Ok(grading.report(now_ms() - started))
}
