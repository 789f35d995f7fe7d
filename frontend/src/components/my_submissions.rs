//! "Your submissions" on a problem page (`my-submissions`), when the page names a grader:
//! one `submission-row` per submission, newest first, with `data-verdict`, passed / total
//! and when; `submission-open-button` puts its code into the editor (in its language; the
//! problem page offers `restore-draft-button` to bring back the code it replaced). Signed
//! out, it asks to sign in.

use yew::prelude::*;

use crate::account::format_when;
use crate::components::results::verdict_class;
use crate::state::Listing;

/// Properties of [`MySubmissions`].
#[derive(Properties, PartialEq)]
pub struct MySubmissionsProps {
    /// The list as the page has it.
    pub listing: Listing,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// The submission whose code the editor was given last.
    pub opened: Option<String>,
    /// Why the last submission could not be opened.
    pub open_error: Option<String>,
    /// Opens a submission (its id).
    pub on_open: Callback<String>,
    /// Fetches the list again.
    pub on_refresh: Callback<()>,
}

/// The learner's submissions of the problem.
#[component]
pub fn MySubmissions(props: &MySubmissionsProps) -> Html {
    let body = if !props.signed_in {
        html! {
            <p class="muted" data-testid="my-submissions-signin">
                <a href="#/signin">{ "Sign in" }</a>{ " to keep your submissions on the grader and see them here." }
            </p>
        }
    } else {
        match &props.listing {
            Listing::Off | Listing::Loading => html! {
                <p class="muted loading-line"><span class="spinner" aria-hidden="true"></span>{ "Loading your submissions…" }</p>
            },
            Listing::Failed(message) => {
                let refresh = props.on_refresh.clone();
                html! {
                    <div class="alert error" role="alert" data-testid="my-submissions-error">
                        { format!("Could not load your submissions: {message} ") }
                        <button type="button" class="button small" onclick={Callback::from(move |_: MouseEvent| refresh.emit(()))}>{ "Retry" }</button>
                    </div>
                }
            }
            Listing::Ready(list) if list.is_empty() => html! {
                <p class="muted" data-testid="my-submissions-empty">{ "None yet: Submit grades your code on the grader and keeps it here." }</p>
            },
            Listing::Ready(list) => html! {
                <ol class="submission-list">
                    { for list.iter().map(|s| {
                        let open = {
                            let on_open = props.on_open.clone();
                            let id = s.id.clone();
                            Callback::from(move |_: MouseEvent| on_open.emit(id.clone()))
                        };
                        let opened = props.opened.as_deref() == Some(s.id.as_str());
                        html! {
                            <li class={classes!("submission-row", opened.then_some("opened"))} data-testid="submission-row"
                                data-verdict={s.verdict.id()} data-submission-id={s.id.clone()} data-language={s.language.clone()}>
                                <span class={classes!("badge", verdict_class(s.verdict))}>{ s.verdict.label() }</span>
                                <span class="submission-score">{ format!("{} / {}", s.passed, s.total) }</span>
                                <span class="muted small">{ s.language.clone() }</span>
                                <time class="muted small submission-when">{ format_when(&s.created_at) }</time>
                                <span class="spacer"></span>
                                <button type="button" class="button ghost small" data-testid="submission-open-button"
                                    title="Put this submission's code into the editor" onclick={open}>
                                    { if opened { "Opened" } else { "Open" } }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            },
        }
    };
    html! {
        <section class="panel my-submissions" data-testid="my-submissions" aria-labelledby="my-submissions-title">
            <div class="panel-head"><h2 id="my-submissions-title">{ "Your submissions" }</h2></div>
            if let Some(message) = &props.open_error {
                <div class="alert error" role="alert" data-testid="submission-open-error">{ message.clone() }</div>
            }
            { body }
        </section>
    }
}
