//! The page footer: the note on where code runs, the theme switcher (`theme-select`:
//! system, light or dark, kept in local storage) and the "Keyboard shortcuts" button
//! (`shortcuts-button`), which opens the shortcuts dialog as `?` does anywhere.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::shortcuts::ShortcutsDialog;
use crate::services::storage;
use crate::theme::Theme;

/// Sets `data-theme` on `<html>` for `theme` (removes it for the system's).
pub fn apply_theme(theme: Theme) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme.attribute() {
        Some(value) => root.set_attribute("data-theme", value),
        None => root.remove_attribute("data-theme"),
    };
}

/// The footer.
#[component]
pub fn SiteFooter() -> Html {
    let theme = use_state(storage::theme);
    let shortcuts_open = use_state(|| false);
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |e: Event| {
            let chosen = Theme::parse(&e.target_unchecked_into::<HtmlSelectElement>().value());
            apply_theme(chosen);
            storage::save_theme(chosen);
            theme.set(chosen);
        })
    };
    let open = {
        let shortcuts_open = shortcuts_open.clone();
        Callback::from(move |_: MouseEvent| shortcuts_open.set(true))
    };
    let on_open_change = {
        let shortcuts_open = shortcuts_open.clone();
        Callback::from(move |open: bool| shortcuts_open.set(open))
    };
    html! {
        <footer class="site-footer">
            <p class="muted">{ "Your code runs in a sandbox in this page; drafts are kept in this browser." }</p>
            <div class="footer-controls">
                <button type="button" class="button ghost small" data-testid="shortcuts-button"
                    aria-haspopup="dialog" onclick={open}>
                    { "Keyboard shortcuts" }<kbd aria-hidden="true">{ "?" }</kbd>
                </button>
                <label class="theme-select">
                    <span>{ "Theme" }</span>
                    <select data-testid="theme-select" onchange={on_theme}>
                        { for Theme::ALL.iter().map(|t| html! {
                            <option value={t.id()} selected={*t == *theme}>{ t.label() }</option>
                        }) }
                    </select>
                </label>
            </div>
            <ShortcutsDialog open={*shortcuts_open} on_open_change={on_open_change} />
        </footer>
    }
}
