//! A problem of a loaded pack (`#/pack/<pack-key>/<problem-id>`): the normal workspace,
//! read from the packs kept in this browser (no network, so it works offline), with drafts
//! kept apart from the built-in problems' and Submit going to the pack's grader, if any.

use std::rc::Rc;

use yew::prelude::*;

use crate::packs::problem_store_key;
use crate::pages::not_found::NotFound;
use crate::pages::problem::{SubmitTo, Workspace};
use crate::services::storage;

/// Properties of [`PackProblemPage`].
#[derive(Properties, PartialEq)]
pub struct PackProblemProps {
    /// The pack's key.
    pub pack: AttrValue,
    /// The problem's id in the pack.
    pub id: AttrValue,
}

/// A pack's problem.
#[component]
pub fn PackProblemPage(props: &PackProblemProps) -> Html {
    let found = use_memo((props.pack.clone(), props.id.clone()), |(pack, id)| {
        let stored = storage::load_packs().into_iter().find(|p| p.key == pack.as_str())?;
        let problem = stored.problem(id)?.clone();
        Some((Rc::new(problem), stored.pack.grader))
    });
    match &*found {
        None => html! {
            <NotFound what={AttrValue::from(format!(
                "There is no problem “{}” in the packs loaded in this browser (was its pack removed?).",
                props.id
            ))} />
        },
        Some((problem, grader)) => {
            let store = AttrValue::from(problem_store_key(&props.pack, &problem.id));
            html! {
                <Workspace key={store.to_string()} problem={problem.clone()} store={store.clone()}
                    submit_to={SubmitTo::Pack { grader: grader.clone() }} />
            }
        }
    }
}
