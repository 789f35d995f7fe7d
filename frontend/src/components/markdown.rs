//! A problem statement: Markdown rendered by [`crate::markdown::render`] (raw HTML shown
//! as text, unsafe link targets dropped) and inserted as HTML.

use yew::prelude::*;

/// Properties of [`Markdown`].
#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    /// The Markdown source.
    pub source: AttrValue,
}

/// Rendered Markdown.
#[component]
pub fn Markdown(props: &MarkdownProps) -> Html {
    let html = use_memo(props.source.clone(), |source| crate::markdown::render(source));
    html! {
        <div class="markdown">{ Html::from_html_unchecked(AttrValue::from((*html).clone())) }</div>
    }
}
