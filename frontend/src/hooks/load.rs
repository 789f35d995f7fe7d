//! Loading the static problem files, with a retry.

use std::rc::Rc;

use polyrun_core::problem::{ProblemSummary, PublicProblem};
use yew::prelude::*;

use crate::services::problems::{FetchError, fetch_index, fetch_problem};

/// Where a load is.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// Waiting for the answer.
    Loading,
    /// Here it is.
    Ready(Rc<T>),
    /// There is no such thing.
    NotFound,
    /// It failed, for this reason.
    Failed(String),
}

impl<T> From<Result<T, FetchError>> for Load<T> {
    fn from(result: Result<T, FetchError>) -> Self {
        match result {
            Ok(value) => Load::Ready(Rc::new(value)),
            Err(FetchError::NotFound) => Load::NotFound,
            Err(FetchError::Other(message)) => Load::Failed(message),
        }
    }
}

/// The problem list, and a callback that loads it again.
#[hook]
pub fn use_problem_index() -> (Load<Vec<ProblemSummary>>, Callback<()>) {
    let state = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    {
        let state = state.clone();
        use_effect_with(*attempt, move |_| {
            state.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                state.set(fetch_index().await.into());
            });
        });
    }
    let retry = Callback::from(move |()| attempt.set(*attempt + 1));
    ((*state).clone(), retry)
}

/// A problem's public view, and a callback that loads it again.
#[hook]
pub fn use_problem(id: AttrValue) -> (Load<PublicProblem>, Callback<()>) {
    let state = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    // Only the latest request's answer counts (the id can change while one is in flight).
    let generation = use_mut_ref(|| 0u64);
    {
        let state = state.clone();
        use_effect_with((id, *attempt), move |(id, _)| {
            let id = id.clone();
            let current = {
                let mut g = generation.borrow_mut();
                *g += 1;
                *g
            };
            state.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = fetch_problem(&id).await.into();
                if *generation.borrow() == current {
                    state.set(loaded);
                }
            });
        });
    }
    let retry = Callback::from(move |()| attempt.set(*attempt + 1));
    ((*state).clone(), retry)
}
