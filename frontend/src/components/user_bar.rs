//! The header's account corner, when the page names a grader: who is signed in
//! (`user-badge` with `data-role`), the gradebook link for teachers (`gradebook-link`) and
//! `signout-button`; or a `signin-link` when nobody is.

use yew::prelude::*;

use crate::account::AccountAction;
use crate::hooks::{use_account, use_grader};

/// The account corner of the header.
#[component]
pub fn UserBar() -> Html {
    let account = use_account();
    if use_grader().is_none() {
        return html! {};
    }
    match &account.session {
        Some(session) => {
            let signout = {
                let account = account.clone();
                Callback::from(move |_: MouseEvent| account.dispatch(AccountAction::SignOut))
            };
            html! {
                <nav class="user-bar" aria-label="Account">
                    if session.is_teacher() {
                        <a class="button ghost small" href="#/gradebook" data-testid="gradebook-link">{ "Gradebook" }</a>
                    }
                    <span class="user-badge" data-testid="user-badge" data-role={session.role.clone()}
                        data-name={session.name.clone()} title="Signed in to the grader">
                        <span class="user-name">{ &session.name }</span>
                        <span class={classes!("badge", "role", session.role.clone())}>{ &session.role }</span>
                    </span>
                    <button type="button" class="button ghost small" data-testid="signout-button" onclick={signout}>
                        { "Sign out" }
                    </button>
                </nav>
            }
        }
        None => html! {
            <nav class="user-bar" aria-label="Account">
                <a class="button small" href="#/signin" data-testid="signin-link">{ "Sign in" }</a>
            </nav>
        },
    }
}
