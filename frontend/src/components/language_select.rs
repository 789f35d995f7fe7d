//! The language switcher: a `<select data-testid="language-select">` with one option per
//! language, valued by the language's id.

use polyrun_core::Language;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Properties of [`LanguageSelect`].
#[derive(Properties, PartialEq)]
pub struct LanguageSelectProps {
    /// The selected language.
    pub language: Language,
    /// Called with the language chosen.
    pub on_change: Callback<Language>,
}

/// The language switcher.
#[component]
pub fn LanguageSelect(props: &LanguageSelectProps) -> Html {
    let select = use_node_ref();
    {
        // An option's `selected` attribute stops deciding once the user has chosen, so the
        // selection follows the page's language (say, a reopened submission's) explicitly.
        let select = select.clone();
        use_effect_with(props.language, move |language| {
            if let Some(select) = select.cast::<HtmlSelectElement>() {
                select.set_value(language.id());
            }
        });
    }
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(language) = select.value().parse::<Language>() {
                on_change.emit(language);
            }
        })
    };
    html! {
        <label class="language-select">
            <span class="visually-hidden">{ "Language" }</span>
            <select ref={select} data-testid="language-select" aria-label="Language" {onchange}>
                { for Language::ALL.iter().map(|l| html! {
                    <option value={l.id()} selected={*l == props.language}>{ l.display_name() }</option>
                }) }
            </select>
        </label>
    }
}
