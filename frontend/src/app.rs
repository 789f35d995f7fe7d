//! The app's root: routes (hash-based, so every page works when reloaded on any static
//! host), the header (with who is signed in to the grader), and the contexts every page
//! uses (the one sandbox host, the runtimes' states, the signed-in session).

use std::cell::RefCell;
use std::rc::Rc;

use polyrun_core::Language;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::account::AccountState;
use crate::components::route_focus::RouteFocus;
use crate::components::site_footer::{SiteFooter, apply_theme};
use crate::components::user_bar::UserBar;
use crate::hooks::{recheck, use_grader};
use crate::pages::gradebook::GradebookPage;
use crate::pages::not_found::NotFound;
use crate::pages::pack::PackProblemPage;
use crate::pages::playground::PlaygroundPage;
use crate::pages::problem::ProblemPage;
use crate::pages::signin::SignInPage;
use crate::pages::welcome::{PackLink, Welcome};
use crate::sandbox::{RUNTIMES_BASE, RuntimeView, Runtimes, Sandbox, SandboxHost};
use crate::services::storage;

/// The app's routes.
#[derive(Debug, Clone, PartialEq, Routable)]
pub enum Route {
    /// The welcome page and the problem list.
    #[at("/")]
    Home,
    /// A problem.
    #[at("/problems/:id")]
    Problem {
        /// The problem's id.
        id: String,
    },
    /// A problem of a loaded pack.
    #[at("/pack/:pack/:id")]
    PackProblem {
        /// The pack's key (`crate::packs::url_key` or `file_key`).
        pack: String,
        /// The problem's id in the pack.
        id: String,
    },
    /// Loads the pack at `?url=<url-encoded>`, then shows the welcome page with it.
    #[at("/pack")]
    Pack,
    /// Signing in to the grader with a token; an invite link is
    /// `#/signin?token=<token>` (the token is read, then removed from the address).
    #[at("/signin")]
    SignIn,
    /// The gradebook (teachers).
    #[at("/gradebook")]
    Gradebook,
    /// The playground: whole programs with standard input.
    #[at("/playground")]
    Playground,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Welcome /> },
        Route::Problem { id } => html! { <ProblemPage id={AttrValue::from(id)} /> },
        Route::PackProblem { pack, id } => {
            html! { <PackProblemPage pack={AttrValue::from(pack)} id={AttrValue::from(id)} /> }
        }
        Route::Pack => html! { <PackLink /> },
        Route::SignIn => html! { <SignInPage /> },
        Route::Gradebook => html! { <GradebookPage /> },
        Route::Playground => html! { <PlaygroundPage /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// Where the sandbox host's state changes go: the app's reducer, once it exists.
type StateListener = Rc<RefCell<Option<Callback<(Language, RuntimeView)>>>>;

/// Properties of [`App`]: the sandbox host, made (and started) before the app renders.
#[derive(Properties, Clone)]
pub struct AppProps {
    /// The one sandbox host.
    pub sandbox: Sandbox,
    /// Receives the host's state changes on the app's behalf.
    pub listener: StateListener,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        self.sandbox == other.sandbox && Rc::ptr_eq(&self.listener, &other.listener)
    }
}

impl AppProps {
    /// A host whose sandbox frame and JavaScript worker start now, before anything renders.
    pub fn start() -> Self {
        let listener: StateListener = Rc::default();
        let forward = Rc::clone(&listener);
        let host = SandboxHost::new(RUNTIMES_BASE, move |language: Language, state| {
            if let Some(callback) = forward.borrow().as_ref() {
                callback.emit((language, state));
            }
        });
        host.prepare();
        AppProps {
            sandbox: Sandbox(Rc::new(host)),
            listener,
        }
    }
}

/// The app.
#[component]
pub fn App(props: &AppProps) -> Html {
    let sandbox = props.sandbox.clone();
    // What the host reached before the app was up (JavaScript may be ready already), then
    // every change.
    let runtimes = {
        let host = sandbox.0.clone();
        use_reducer(move || Runtimes::from_states(Language::ALL.map(|l| (l, host.state(l)))))
    };
    {
        let dispatcher = runtimes.dispatcher();
        let listener = props.listener.clone();
        use_memo((), move |()| {
            *listener.borrow_mut() = Some(Callback::from(move |change| dispatcher.dispatch(change)));
        });
    }
    // Who is signed in to the grader (kept in local storage; checked again once at start).
    let account = use_reducer(|| AccountState::new(storage::load_session()));
    let grader = use_grader();
    {
        let account = account.clone();
        use_effect_with((), move |_| {
            if let Some(base) = grader {
                recheck(&account, base);
            }
        });
    }
    use_effect_with(account.session.clone(), |session| {
        storage::save_session(session.as_ref())
    });
    html! {
        <ContextProvider<Sandbox> context={sandbox}>
            <ContextProvider<UseReducerHandle<Runtimes>> context={runtimes}>
                <ContextProvider<UseReducerHandle<AccountState>> context={account}>
                    <HashRouter>
                        <header class="site-header">
                            <a class="brand" href="#/">
                                <span class="brand-mark" aria-hidden="true">{ "▶" }</span>{ "polyrun" }
                            </a>
                            <span class="tagline">{ "Python · Ruby · JavaScript, in your browser" }</span>
                            <UserBar />
                        </header>
                        <Switch<Route> render={switch} />
                        <RouteFocus />
                        <SiteFooter />
                    </HashRouter>
                </ContextProvider<UseReducerHandle<AccountState>>>
            </ContextProvider<UseReducerHandle<Runtimes>>>
        </ContextProvider<Sandbox>>
    }
}

/// The stylesheet, for pages that do not link `style.css` themselves.
const STYLE: &str = include_str!("../style.css");

/// Adds the app's stylesheet unless the page already has it (style.css sets
/// `--polyrun-style` on the root element).
fn ensure_style() {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let linked = document
        .document_element()
        .and_then(|root| window.get_computed_style(&root).ok().flatten())
        .and_then(|style| style.get_property_value("--polyrun-style").ok())
        .is_some_and(|v| !v.trim().is_empty());
    if linked {
        return;
    }
    if let (Ok(style), Some(head)) = (document.create_element("style"), document.head()) {
        style.set_text_content(Some(STYLE));
        let _ = head.append_child(&style);
    }
}

/// Starts the app in the page's `<body>`.
pub fn start() {
    crate::panic::install();
    ensure_style();
    apply_theme(storage::theme());
    // Into the page's `#polyrun-app` when it has one (index.html does: the sandbox frame
    // beside it must not be replaced), else into <body>.
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(APP_ROOT));
    // The sandbox starts before the first render: its frame is in the page already.
    let props = AppProps::start();
    match root {
        Some(root) => yew::Renderer::<App>::with_root_and_props(root, props).render(),
        None => yew::Renderer::<App>::with_props(props).render(),
    };
}

/// The id of the element the app renders into.
const APP_ROOT: &str = "polyrun-app";
