//! The keyboard shortcuts dialog (`shortcuts-dialog`, a modal `<dialog>`: focus moves into
//! it, Escape or Close or a click beside it closes it, and focus goes back where it was),
//! and the shortcuts that work anywhere: `?` opens the dialog and `/` moves the focus to
//! the problem search, both only when the focus is not in a text field or the editor. The
//! list itself is `crate::shortcuts::GROUPS`.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlElement, KeyboardEvent};
use yew::prelude::*;

use crate::shortcuts::{Command, GROUPS, Press, key_caps};

/// Properties of [`ShortcutsDialog`].
#[derive(Properties, PartialEq)]
pub struct ShortcutsDialogProps {
    /// Whether the dialog is shown.
    pub open: bool,
    /// Called with `true` when `?` asks for the dialog, `false` when it closes.
    pub on_open_change: Callback<bool>,
}

/// Whether a key event comes from somewhere that takes text: a text field, a select, the
/// editor (contenteditable).
fn typing_in(event: &KeyboardEvent) -> bool {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
        return false;
    };
    matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || target.dyn_ref::<HtmlElement>().is_some_and(|e| e.is_content_editable())
}

/// The command of a key event (`typing`: see [`Press::command`]).
pub fn command_of(event: &KeyboardEvent, typing: bool) -> Option<Command> {
    let key = event.key();
    let press = Press {
        key: &key,
        ctrl: event.ctrl_key(),
        meta: event.meta_key(),
        shift: event.shift_key(),
        alt: event.alt_key(),
    };
    press.command(typing)
}

/// Whether the browser runs on an Apple system (⌘ rather than Ctrl in the list).
fn apple() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().platform().ok())
        .is_some_and(|p| p.starts_with("Mac") || p.starts_with("iP"))
}

/// The dialog, and the listener of `?` and `/` (one per app: the footer holds it).
#[component]
pub fn ShortcutsDialog(props: &ShortcutsDialogProps) -> Html {
    let dialog = use_node_ref();
    {
        let on_open_change = props.on_open_change.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listener = document.map(|document| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&document, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if event.default_prevented() {
                        return;
                    }
                    match command_of(event, typing_in(event)) {
                        Some(Command::ShowShortcuts) => {
                            event.prevent_default();
                            on_open_change.emit(true);
                        }
                        Some(Command::FocusSearch) => focus_search(event),
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }
    {
        let dialog = dialog.clone();
        use_effect_with(props.open, move |open| {
            if let Some(dialog) = dialog.cast::<HtmlDialogElement>() {
                if *open && !dialog.open() {
                    let _ = dialog.show_modal();
                } else if !*open && dialog.open() {
                    dialog.close();
                }
            }
        });
    }
    let onclose = {
        let on_open_change = props.on_open_change.clone();
        Callback::from(move |_: Event| on_open_change.emit(false))
    };
    // A click on the backdrop lands on the <dialog> itself (its content fills it).
    let onclick = {
        let dialog = dialog.clone();
        Callback::from(move |e: MouseEvent| {
            let on_backdrop = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .map(|t| t.tag_name());
            if on_backdrop.as_deref() == Some("DIALOG")
                && let Some(dialog) = dialog.cast::<HtmlDialogElement>()
            {
                dialog.close();
            }
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(dialog) = dialog.cast::<HtmlDialogElement>() {
                dialog.close();
            }
        })
    };
    let apple = apple();
    html! {
        <dialog class="shortcuts-dialog" data-testid="shortcuts-dialog" aria-labelledby="shortcuts-title"
            ref={dialog} {onclose} {onclick}>
            <div class="dialog-body">
                <div class="dialog-head">
                    <h2 id="shortcuts-title">{ "Keyboard shortcuts" }</h2>
                    <button type="button" class="button ghost small" data-testid="shortcuts-close"
                        autofocus=true onclick={close}>{ "Close" }</button>
                </div>
                { for GROUPS.iter().map(|group| html! {
                    <section class="shortcut-group">
                        <h3>{ group.title }</h3>
                        <dl class="shortcut-list">
                            { for group.shortcuts.iter().map(|s| html! {
                                <div class="shortcut">
                                    <dt>{ for s.keys.iter().enumerate().map(|(i, chord)| html! {
                                        <>
                                            if i > 0 { <span class="muted">{ " or " }</span> }
                                            { chord_html(chord, apple) }
                                        </>
                                    }) }</dt>
                                    <dd>{ s.what }</dd>
                                </div>
                            }) }
                        </dl>
                    </section>
                }) }
                <p class="muted small">{ if apple { "⌘ works as Ctrl does." } else { "On a Mac, ⌘ works as Ctrl does." } }</p>
            </div>
        </dialog>
    }
}

/// A chord as key caps: `Ctrl + Enter`; a sequence (`Esc Tab`) as `Esc then Tab`.
fn chord_html(chord: &str, apple: bool) -> Html {
    let between = if chord.contains(' ') { " then " } else { " + " };
    html! {
        <span class="chord">
            { for key_caps(chord, apple).into_iter().enumerate().map(|(i, cap)| html! {
                <>
                    if i > 0 { <span class="muted">{ between }</span> }
                    <kbd>{ cap.to_owned() }</kbd>
                </>
            }) }
        </span>
    }
}

/// `/`: the focus goes to the problem search when the page has one.
fn focus_search(event: &KeyboardEvent) {
    let search = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=\"problem-search\"]").ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if let Some(search) = search {
        event.prevent_default();
        let _ = search.focus();
    }
}
