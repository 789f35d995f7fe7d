//! Moves the keyboard focus to the new page's heading when the route changes, so that a
//! keyboard or screen-reader user starts at the top of the page they went to instead of on
//! `<body>` (where a page swapped under the focused link leaves it). Not on the first page.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;

/// How many times, [`RETRY_MS`] apart, to look for a heading that the page renders only
/// once its data is in (a problem's title).
const ATTEMPTS: u32 = 40;
const RETRY_MS: u32 = 50;

/// Renders nothing; focuses `<h1>` after each route change.
#[component]
pub fn RouteFocus() -> Html {
    let route = use_route::<Route>();
    let first = use_mut_ref(|| true);
    // A newer navigation cancels the search of an older one.
    let generation = use_mut_ref(|| Rc::new(Cell::new(0u32)));
    use_effect_with(route, move |_| {
        if !std::mem::replace(&mut *first.borrow_mut(), false) {
            let current = generation.borrow().clone();
            current.set(current.get().wrapping_add(1));
            focus_heading(current.clone(), current.get(), 0);
        }
    });
    Html::default()
}

fn focus_heading(current: Rc<Cell<u32>>, mine: u32, attempt: u32) {
    if current.get() != mine {
        return;
    }
    let heading = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("h1").ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok());
    match heading {
        Some(heading) => {
            if !heading.has_attribute("tabindex") {
                let _ = heading.set_attribute("tabindex", "-1");
            }
            let _ = heading.focus();
        }
        None if attempt < ATTEMPTS => {
            gloo_timers::callback::Timeout::new(RETRY_MS, move || focus_heading(current, mine, attempt + 1)).forget();
        }
        None => {}
    }
}
