//! Access to the app's one `SandboxHost` and to the runtimes' states, both provided by the
//! app's root as contexts.

use polyrun_core::Language;
use yew::prelude::*;

use crate::sandbox::{RuntimeView, Runtimes, Sandbox};

/// The app's sandbox host.
#[hook]
pub fn use_sandbox() -> Sandbox {
    use_context::<Sandbox>().expect("the app provides the sandbox")
}

/// The state of `language`'s runtime, re-rendering the caller when it changes.
#[hook]
pub fn use_runtime(language: Language) -> RuntimeView {
    use_context::<UseReducerHandle<Runtimes>>()
        .map(|runtimes| runtimes.get(language))
        .unwrap_or(RuntimeView::Idle)
}
