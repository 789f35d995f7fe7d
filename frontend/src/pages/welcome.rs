//! The welcome page: what polyrun is, and the problem list.

use std::rc::Rc;

use yew::prelude::*;

use crate::components::problem_list::ProblemList;
use crate::hooks::{Load, use_problem_index};
use crate::services::storage;

/// The welcome page.
#[component]
pub fn Welcome() -> Html {
    let (index, retry) = use_problem_index();
    let solved = use_memo((), |_| storage::solved());
    use_effect_with((), |_| set_title("polyrun — practise coding problems in your browser"));
    let list = match index {
        Load::Loading => {
            html! { <p class="muted loading-line"><span class="spinner" aria-hidden="true"></span>{ "Loading problems…" }</p> }
        }
        Load::Ready(problems) => html! { <ProblemList {problems} solved={Rc::clone(&solved)} /> },
        Load::NotFound => {
            html! { <div class="alert error" role="alert">{ "The problem list is missing from this site (problems/index.json)." }</div> }
        }
        Load::Failed(message) => {
            let onclick = Callback::from(move |_: MouseEvent| retry.emit(()));
            html! {
                <div class="alert error" role="alert">
                    { format!("Could not load the problems: {message}. ") }
                    <button type="button" class="button small" {onclick}>{ "Retry" }</button>
                </div>
            }
        }
    };
    html! {
        <main class="page welcome">
            <section class="intro">
                <h1>{ "Practise coding problems in Python, Ruby and JavaScript" }</h1>
                <p>
                    { "polyrun runs your code entirely in your browser: pick a problem, write a function \
                       in the language you like, and run it against the examples and your own test cases. \
                       Your code never leaves this page; it runs in a sandbox with the same interpreters \
                       and the same checks as the grader." }
                </p>
                <p>
                    <a href="#/playground" data-testid="playground-link">{ "Open the playground" }</a>
                    { ": run a whole program with standard input." }
                </p>
            </section>
            { list }
        </main>
    }
}

/// Sets the document's title.
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}
