//! The welcome page: what polyrun is, the problem list, and the problem packs loaded in
//! this browser (`#/pack?url=…` loads one, then shows this page with it).

use std::rc::Rc;

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::packs::Packs;
use crate::components::problem_list::ProblemList;
use crate::hooks::{Load, use_problem_index};
use crate::services::storage;

/// Properties of [`Welcome`].
#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// A pack URL to load at once (from `#/pack?url=…`).
    #[prop_or_default]
    pub load_url: Option<AttrValue>,
}

/// A shared pack link, `#/pack?url=<url-encoded>`: the welcome page, loading that pack.
#[component]
pub fn PackLink() -> Html {
    // Read again whenever the fragment's query changes (a link opened in a tab already here).
    let query = use_location().map(|l| l.query_str().to_owned()).unwrap_or_default();
    let url = use_memo(query, |_| {
        let fragment = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        // An empty `url` still loads, so that the learner sees why it failed.
        crate::packs::link_url(&fragment).unwrap_or_default()
    });
    html! { <Welcome load_url={AttrValue::from((*url).clone())} /> }
}

/// The welcome page.
#[component]
pub fn Welcome(props: &WelcomeProps) -> Html {
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
            <Packs load_url={props.load_url.clone()} />
        </main>
    }
}

/// Sets the document's title.
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}
