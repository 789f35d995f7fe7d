//! Share links in a page (see `crate::share` for the format and how a page uses these):
//! [`ShareBar`], a `share-button` that puts the link to what the page shows into
//! `share-link` (a read-only input) and copies it to the clipboard when the browser lets
//! it (`share-copied` says which), and [`use_shared_link`], which opens a link: it reads
//! `?share=` from the address, removes it from the address bar, and hands over what it
//! carries or why it cannot be opened.

use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::share::{self, Share, ShareError};

/// Properties of [`ShareBar`].
#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// What the page shows now, to share (called on each click).
    pub share: Callback<(), Share>,
}

/// Whether the link reached the clipboard.
#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Trying,
    Yes,
    No,
}

/// A Share button and the link it made.
#[component]
pub fn ShareBar(props: &ShareBarProps) -> Html {
    let link = use_state(|| None::<Result<String, String>>);
    let copied = use_state(|| Copied::Trying);
    let route = use_location()
        .map(|l| l.path().to_owned())
        .unwrap_or_else(|| "/".into());
    let onclick = {
        let make = props.share.clone();
        let link = link.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| match share::encode(&make.emit(())) {
            Ok(payload) => {
                let url = share::link(&page_address(), &route, &payload);
                link.set(Some(Ok(url.clone())));
                copied.set(Copied::Trying);
                let copied = copied.clone();
                copy_to_clipboard(
                    url,
                    Callback::from(move |ok| copied.set(if ok { Copied::Yes } else { Copied::No })),
                );
            }
            Err(e) => link.set(Some(Err(e.to_string()))),
        })
    };
    // A click in the field selects the whole link, ready to copy by hand.
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            input.select();
        }
    });
    html! {
        <div class="share-bar">
            <button type="button" class="button ghost small" data-testid="share-button"
                title="A link to this code (and your tests), to send to someone: nothing is uploaded" {onclick}>
                { "Share" }
            </button>
            { match &*link {
                Some(Ok(url)) => html! {
                    <>
                        <input type="text" class="share-link" data-testid="share-link" readonly=true
                            aria-label="Share link" value={url.clone()} onfocus={select_all} />
                        <span class="muted small" data-testid="share-copied" data-copied={(*copied == Copied::Yes).to_string()}>
                            { match *copied {
                                Copied::Trying => "",
                                Copied::Yes => "Copied to the clipboard",
                                Copied::No => "Copy the link above",
                            } }
                        </span>
                    </>
                },
                Some(Err(message)) => html! {
                    <span class="alert error" role="alert" data-testid="share-make-error">{ message.clone() }</span>
                },
                None => html! {},
            } }
        </div>
    }
}

/// This page's address without its fragment.
fn page_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// Copies `text` with `navigator.clipboard` where the page may (a secure page, the user's
/// permission), then tells `done` whether it did.
fn copy_to_clipboard(text: String, done: Callback<bool>) {
    let Some(window) = web_sys::window() else {
        return done.emit(false);
    };
    let navigator = window.navigator();
    // `navigator.clipboard` is undefined on an insecure page.
    let available = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined());
    if !available {
        return done.emit(false);
    }
    let promise = navigator.clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        done.emit(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Opens a share link: when the address's fragment has `?share=` (on arrival, or when a
/// link is opened in a tab already on the page), removes it from the address bar (and the
/// history entry), then gives `on_open` what the link carries or why it cannot be opened.
#[hook]
pub fn use_shared_link(on_open: Callback<Result<Share, ShareError>>) {
    let location = use_location();
    let navigator = use_navigator();
    let query = location.as_ref().map(|l| l.query_str().to_owned()).unwrap_or_default();
    let path = location.map(|l| l.path().to_owned()).unwrap_or_default();
    use_effect_with(query, move |_| {
        let fragment = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        let Some(payload) = share::payload_in(&fragment).map(str::to_owned) else {
            return;
        };
        // Through the router, so that it knows the address changed (the same link opened
        // again is then a change it sees).
        match (navigator, Route::recognize(&path)) {
            (Some(navigator), Some(route)) => navigator.replace(&route),
            _ => crate::pages::signin::remove_fragment_query(),
        }
        on_open.emit(share::decode(&payload));
    });
}
