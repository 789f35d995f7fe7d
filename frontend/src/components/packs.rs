//! Problem packs on the welcome page: load one by URL (`pack-url-input`,
//! `pack-load-button`) or from a file (`pack-file-input`), each loaded pack listed as a
//! `pack` (`data-pack-title`) with one `problem-link` per problem and a
//! `pack-remove-button`. A pack is kept only once core's `Pack::parse` accepted all of it;
//! one that fails shows `pack-error` and changes nothing else. Packs are kept in local
//! storage, so they stay across reloads and work offline.

use std::rc::Rc;

use polyrun_core::problem::PublicProblem;
use web_sys::{HtmlInputElement, SubmitEvent};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::components::problem_list::difficulty_badge;
use crate::packs::{StoredPack, problem_store_key, remove, upsert};
use crate::services::{packs as load, storage};

/// Properties of [`Packs`].
#[derive(Properties, PartialEq)]
pub struct PacksProps {
    /// A pack URL to load at once (from `#/pack?url=…`).
    #[prop_or_default]
    pub load_url: Option<AttrValue>,
}

/// What a load ended with.
type Loaded = Result<StoredPack, String>;

/// The packs section of the welcome page.
#[component]
pub fn Packs(props: &PacksProps) -> Html {
    let packs = use_state(|| Rc::new(storage::load_packs()));
    let error = use_state(|| Option::<String>::None);
    let busy = use_state(|| false);
    let url_input = use_node_ref();
    let navigator = use_navigator();

    // Keeps an accepted pack (replacing one from the same source), or shows why not.
    let finish = {
        let packs = packs.clone();
        let error = error.clone();
        let busy = busy.clone();
        let navigator = navigator.clone();
        Callback::from(move |(loaded, from_link): (Loaded, bool)| {
            busy.set(false);
            let kept = loaded.and_then(|pack| {
                let next = upsert(&storage::load_packs(), pack);
                storage::save_packs(&next).map(|()| next)
            });
            match kept {
                Ok(next) => {
                    packs.set(Rc::new(next));
                    error.set(None);
                    if let (true, Some(navigator)) = (from_link, &navigator) {
                        navigator.replace(&Route::Home);
                    }
                }
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let start_url = {
        let busy = busy.clone();
        let error = error.clone();
        let finish = finish.clone();
        Callback::from(move |(typed, from_link): (String, bool)| {
            let url = match load::resolve_url(&typed) {
                Ok(url) => url,
                Err(message) => return finish.emit((Err(message), from_link)),
            };
            busy.set(true);
            error.set(None);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish.emit((load::load_url(&url).await, from_link));
            });
        })
    };
    {
        let start_url = start_url.clone();
        let url_input = url_input.clone();
        use_effect_with(props.load_url.clone(), move |url| {
            if let Some(url) = url {
                if let Some(input) = url_input.cast::<HtmlInputElement>() {
                    input.set_value(url);
                }
                start_url.emit((url.to_string(), true));
            }
        });
    }
    let onsubmit = {
        let url_input = url_input.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = url_input.cast::<HtmlInputElement>() {
                start_url.emit((input.value(), false));
            }
        })
    };
    let onchange = {
        let busy = busy.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            // Choosing the same file again is a change too.
            input.set_value("");
            busy.set(true);
            error.set(None);
            let finish = finish.clone();
            wasm_bindgen_futures::spawn_local(async move {
                finish.emit((load::load_file(&file).await, false));
            });
        })
    };
    let on_remove = {
        let packs = packs.clone();
        let error = error.clone();
        Callback::from(move |key: String| {
            let next = remove(&storage::load_packs(), &key);
            match storage::save_packs(&next) {
                Ok(()) => packs.set(Rc::new(next)),
                Err(message) => error.set(Some(message)),
            }
        })
    };

    html! {
        <section class="packs" aria-labelledby="packs-title">
            <div class="list-head">
                <h2 id="packs-title">{ "Problem packs" }</h2>
                <span class="muted">{ "A teacher's set of problems, from a link or a file" }</span>
            </div>
            <form class="filters pack-load" {onsubmit}>
                <input type="text" class="search" ref={url_input} placeholder="https://…/pack.json"
                    aria-label="Address of a pack file" data-testid="pack-url-input" />
                <button type="submit" class="button" data-testid="pack-load-button" disabled={*busy}>
                    { if *busy { "Loading…" } else { "Load pack" } }
                </button>
                <label class="button ghost pack-file">
                    { "Open a file…" }
                    <input type="file" accept=".json,application/json" data-testid="pack-file-input"
                        aria-label="Open a pack file" disabled={*busy} {onchange} />
                </label>
            </form>
            if let Some(message) = &*error {
                <div class="alert error" role="alert" data-testid="pack-error">
                    { format!("Could not load the pack: {message}") }
                </div>
            }
            { for packs.iter().map(|pack| pack_view(pack, &on_remove, &navigator)) }
        </section>
    }
}

/// One loaded pack: its title, where it came from, its problems and Remove.
fn pack_view(stored: &StoredPack, on_remove: &Callback<String>, navigator: &Option<Navigator>) -> Html {
    let solved = storage::solved();
    let onclick = {
        let on_remove = on_remove.clone();
        let key = stored.key.clone();
        Callback::from(move |_: MouseEvent| on_remove.emit(key.clone()))
    };
    let row = |p: &PublicProblem| {
        let store = problem_store_key(&stored.key, &p.id);
        let done = solved.contains(&store);
        html! {
            <li class={classes!("problem-row", done.then_some("solved"))} key={p.id.clone()}>
                <span class="solved-mark" data-testid="solved-mark" data-solved={done.to_string()}>
                    { if done { "✓" } else { "" } }
                </span>
                <a class="problem-title" href={format!("#/pack/{}/{}", stored.key, p.id)}
                    data-testid="problem-link" data-problem-id={p.id.clone()}
                    onclick={route_click(navigator, Route::PackProblem { pack: stored.key.clone(), id: p.id.clone() })}>
                    { &p.meta.title }
                </a>
                { difficulty_badge(p.meta.difficulty) }
                <span class="tags">{ for p.meta.tags.iter().map(|t| html! { <span class="tag static">{ t }</span> }) }</span>
            </li>
        }
    };
    let pack = &stored.pack;
    html! {
        <section class="pack" data-testid="pack" data-pack-title={pack.title.clone()}
            data-pack-key={stored.key.clone()} key={stored.key.clone()}>
            <div class="list-head">
                <h3>{ &pack.title }</h3>
                <button type="button" class="button ghost small" data-testid="pack-remove-button"
                    title="Forget this pack (your drafts of its problems stay)" {onclick}>
                    { "Remove" }
                </button>
            </div>
            <p class="muted small pack-source">
                { format!("{} problems · from {}", pack.problems.len(), stored.source) }
                { match &pack.grader {
                    Some(grader) => format!(" · Submit grades on {grader}"),
                    None => " · no grader: Run only".to_owned(),
                } }
            </p>
            <ul class="problems">{ for pack.problems.iter().map(row) }</ul>
        </section>
    }
}

/// Routes a plain click on a link in the app (new-tab clicks are left to the browser).
fn route_click(navigator: &Option<Navigator>, route: Route) -> Callback<MouseEvent> {
    let navigator = navigator.clone();
    Callback::from(move |e: MouseEvent| {
        if e.button() != 0 || e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() {
            return;
        }
        if let Some(navigator) = &navigator {
            e.prevent_default();
            navigator.push(&route);
        }
    })
}
