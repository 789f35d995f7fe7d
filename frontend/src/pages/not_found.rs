//! The page for an unknown route or problem.

use yew::prelude::*;

/// Properties of [`NotFound`].
#[derive(Properties, PartialEq)]
pub struct NotFoundProps {
    /// What was not found, if it is known.
    #[prop_or_default]
    pub what: Option<AttrValue>,
}

/// "Not found", with a way back.
#[component]
pub fn NotFound(props: &NotFoundProps) -> Html {
    use_effect_with((), |_| super::welcome::set_title("Not found — polyrun"));
    html! {
        <main class="page not-found" data-testid="not-found">
            <h1>{ "Not found" }</h1>
            <p>{ props.what.clone().unwrap_or_else(|| AttrValue::from("There is no page at this address.")) }</p>
            <p><a class="button" href="#/">{ "See all problems" }</a></p>
        </main>
    }
}
