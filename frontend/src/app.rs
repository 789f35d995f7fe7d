//! The app's root: routes (hash-based, so every page works when reloaded on any static
//! host), the header, and the contexts every page uses (the one sandbox host and the
//! runtimes' states).

use polyrun_core::Language;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::not_found::NotFound;
use crate::pages::problem::ProblemPage;
use crate::pages::welcome::Welcome;
use crate::sandbox::{RUNTIMES_BASE, Runtimes, Sandbox, SandboxHost};

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
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Welcome /> },
        Route::Problem { id } => html! { <ProblemPage id={AttrValue::from(id)} /> },
        Route::NotFound => html! { <NotFound /> },
    }
}

/// The app.
#[component]
pub fn App() -> Html {
    let runtimes = use_reducer(Runtimes::default);
    let sandbox = {
        let dispatcher = runtimes.dispatcher();
        use_memo((), move |_| {
            Sandbox(std::rc::Rc::new(SandboxHost::new(
                RUNTIMES_BASE,
                move |language: Language, state| dispatcher.dispatch((language, state)),
            )))
        })
    };
    {
        // The sandbox frame and JavaScript's worker (no download) start with the app, so
        // that JavaScript is ready by the time a problem opens.
        let sandbox = (*sandbox).clone();
        use_effect_with((), move |()| sandbox.0.prepare());
    }
    html! {
        <ContextProvider<Sandbox> context={(*sandbox).clone()}>
            <ContextProvider<UseReducerHandle<Runtimes>> context={runtimes}>
                <HashRouter>
                    <header class="site-header">
                        <a class="brand" href="#/">
                            <span class="brand-mark" aria-hidden="true">{ "▶" }</span>{ "polyrun" }
                        </a>
                        <span class="tagline">{ "Python · Ruby · JavaScript, in your browser" }</span>
                    </header>
                    <Switch<Route> render={switch} />
                    <footer class="site-footer muted">
                        { "Your code runs in a sandbox in this page; drafts are kept in this browser." }
                    </footer>
                </HashRouter>
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
    ensure_style();
    // Into the page's `#polyrun-app` when it has one (index.html does: the sandbox frame
    // beside it must not be replaced), else into <body>.
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(APP_ROOT));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}

/// The id of the element the app renders into.
const APP_ROOT: &str = "polyrun-app";
