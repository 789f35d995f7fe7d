//! The signed-in session, provided by the app's root as a context (its one reducer is
//! `account::AccountState`), and signing in with a token.

use yew::prelude::*;

use crate::account::{AccountAction, AccountState, Session};
use crate::services::grader::{self, ApiError};

/// The app's sign-in state and its dispatcher.
pub type Account = UseReducerHandle<AccountState>;

/// The app's sign-in state.
#[hook]
pub fn use_account() -> Account {
    use_context::<Account>().expect("the app provides the account")
}

/// The grader's URL, when the page names one.
#[hook]
pub fn use_grader() -> Option<String> {
    (*use_memo((), |_| grader::grader_url())).clone()
}

/// Checks `token` with the grader at `base` (`GET /api/v1/me`) and signs in with it when
/// the grader knows it; otherwise the state gets the error and nothing else changes.
/// `done` is called with whether it worked.
pub fn sign_in(account: &Account, base: String, token: String, done: Callback<bool>) {
    let token = token.trim().to_owned();
    if token.is_empty() {
        account.dispatch(AccountAction::Failed("Paste your access token first.".into()));
        done.emit(false);
        return;
    }
    account.dispatch(AccountAction::Checking);
    let dispatcher = account.dispatcher();
    wasm_bindgen_futures::spawn_local(async move {
        match grader::me(&base, &token).await {
            Ok(me) => {
                dispatcher.dispatch(AccountAction::SignedIn(Session {
                    token,
                    name: me.name,
                    role: me.role,
                }));
                done.emit(true);
            }
            Err(e) => {
                let message = match e {
                    ApiError::Unauthorized(m) | ApiError::Forbidden(m) | ApiError::NotFound(m) => m,
                    ApiError::Other(m) => format!("Could not sign in: {m}"),
                };
                dispatcher.dispatch(AccountAction::Failed(message));
                done.emit(false);
            }
        }
    });
}

/// Checks the stored session once, when the app starts: a token the grader no longer knows
/// (401) signs out with a note; a grader out of reach keeps the session as it is.
pub fn recheck(account: &Account, base: String) {
    let Some(session) = account.session.clone() else { return };
    let dispatcher = account.dispatcher();
    wasm_bindgen_futures::spawn_local(async move {
        match grader::me(&base, &session.token).await {
            Ok(me) => dispatcher.dispatch(AccountAction::Refreshed(Session {
                token: session.token,
                name: me.name,
                role: me.role,
            })),
            Err(ApiError::Unauthorized(_)) => dispatcher.dispatch(AccountAction::Expired {
                message: format!(
                    "The grader no longer accepts the token of {}: sign in again.",
                    session.name
                ),
                token: session.token,
            }),
            Err(_) => {}
        }
    });
}
