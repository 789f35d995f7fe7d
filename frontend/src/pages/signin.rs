//! Signing in to the grader (`#/signin`): paste an access token (`signin-token-input`,
//! `signin-button`), or open an invite link, `#/signin?token=<token>`, whose token is read
//! and at once removed from the address bar (`history.replaceState`, through the router).
//! The token is checked with `GET {grader}/api/v1/me` and sent nowhere else; a token the
//! grader refuses shows `signin-error` and changes nothing else.

use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::account::{AccountAction, invite_token};
use crate::app::Route;
use crate::hooks::{sign_in, use_account, use_grader};
use crate::pages::welcome::set_title;

/// The sign-in page.
#[component]
pub fn SignInPage() -> Html {
    let account = use_account();
    let grader = use_grader();
    let navigator = use_navigator();
    let input = use_node_ref();
    // The fragment's query (an invite link's `?token=`), so that an invite link opened in
    // a tab already on this page is read too.
    let query = use_location().map(|l| l.query_str().to_owned()).unwrap_or_default();
    use_effect_with((), |_| set_title("Sign in — polyrun"));
    {
        let account = account.clone();
        let grader = grader.clone();
        let navigator = navigator.clone();
        use_effect_with(query, move |_| {
            let fragment = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            if let Some(token) = invite_token(&fragment) {
                // Out of the address bar (and the history entry) before anything else.
                match &navigator {
                    Some(navigator) => navigator.replace(&Route::SignIn),
                    None => remove_fragment_query(),
                }
                if let Some(base) = grader {
                    let navigator = navigator.clone();
                    let done = Callback::from(move |ok: bool| {
                        if let (true, Some(navigator)) = (ok, &navigator) {
                            navigator.replace(&Route::Home);
                        }
                    });
                    sign_in(&account, base, token, done);
                }
            }
        });
    }
    {
        // An error shown here is about this page's attempts only.
        let account = account.clone();
        use_effect_with((), move |_| move || account.dispatch(AccountAction::Dismiss));
    }

    let Some(base) = grader else {
        return html! {
            <main class="page signin-page">
                <h1>{ "Sign in" }</h1>
                <div class="alert error" role="alert" data-testid="signin-error">
                    { "This site has no grader, so there is nothing to sign in to: practice works without an account." }
                </div>
            </main>
        };
    };
    let onsubmit = {
        let account = account.clone();
        let input = input.clone();
        let navigator = navigator.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let navigator = navigator.clone();
            let cleared = field.clone();
            let done = Callback::from(move |ok: bool| {
                if ok {
                    cleared.set_value("");
                    if let Some(navigator) = &navigator {
                        navigator.push(&Route::Home);
                    }
                }
            });
            sign_in(&account, base.clone(), field.value(), done);
        })
    };
    let checking = account.checking;
    html! {
        <main class="page signin-page">
            <h1>{ "Sign in" }</h1>
            <p class="muted">
                { "Paste the access token your teacher gave you (it starts with " }<code>{ "pr_" }</code>
                { "). It is kept in this browser and sent only to the grader, with your submissions." }
            </p>
            if let Some(session) = &account.session {
                <p data-testid="signin-current">{ format!("Signed in as {} ({}).", session.name, session.role) }</p>
            }
            if let Some(notice) = &account.notice {
                <div class="alert" role="status" data-testid="signin-notice">{ notice.clone() }</div>
            }
            <form class="signin-form" {onsubmit}>
                <label class="field">
                    <span>{ "Access token" }</span>
                    <input ref={input} type="password" class="mono" data-testid="signin-token-input"
                        autocomplete="off" spellcheck="false" placeholder="pr_…" disabled={checking} />
                </label>
                <button type="submit" class="button primary" data-testid="signin-button" disabled={checking}>
                    { if checking { "Checking…" } else { "Sign in" } }
                </button>
            </form>
            if let Some(error) = &account.error {
                <div class="alert error" role="alert" data-testid="signin-error">{ error.clone() }</div>
            }
        </main>
    }
}

/// Drops the query from the address's fragment (`#/signin?token=…` → `#/signin`) without
/// a new history entry; for when the router is not at hand.
pub(crate) fn remove_fragment_query() {
    let Some(window) = web_sys::window() else { return };
    let Ok(hash) = window.location().hash() else { return };
    let Some((path, _)) = hash.split_once('?') else { return };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
}
