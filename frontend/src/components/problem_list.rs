//! The problem list: search by title or tag, a difficulty filter, and one row per problem
//! (title link with `data-testid="problem-link"`, difficulty badge, tags, solved mark).

use std::collections::BTreeSet;
use std::rc::Rc;

use polyrun_core::problem::{Difficulty, ProblemSummary};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::app::Route;
use crate::catalog;

/// A difficulty badge.
pub fn difficulty_badge(difficulty: Difficulty) -> Html {
    let label = match difficulty {
        Difficulty::Easy => "Easy",
        Difficulty::Medium => "Medium",
        Difficulty::Hard => "Hard",
    };
    html! { <span class={classes!("badge", "difficulty", difficulty.id())}>{ label }</span> }
}

/// Properties of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// Every problem.
    pub problems: Rc<Vec<ProblemSummary>>,
    /// The ids of the problems solved in this browser.
    pub solved: Rc<BTreeSet<String>>,
}

/// The filterable problem list.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    let query = use_state(String::new);
    let difficulty = use_state(|| Option::<Difficulty>::None);
    let navigator = use_navigator();

    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            query.set(input.value());
        })
    };
    let onchange = {
        let difficulty = difficulty.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            difficulty.set(catalog::parse_difficulty(&select.value()));
        })
    };
    let shown = catalog::filter(&props.problems, &query, *difficulty);
    let solved_count = props.problems.iter().filter(|p| props.solved.contains(&p.id)).count();

    let row = |p: &ProblemSummary| {
        let solved = props.solved.contains(&p.id);
        let onclick = {
            let navigator = navigator.clone();
            let id = p.id.clone();
            Callback::from(move |e: MouseEvent| {
                // Let the browser handle new-tab clicks; route plain ones in the app.
                if e.button() != 0 || e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key() {
                    return;
                }
                if let Some(navigator) = &navigator {
                    e.prevent_default();
                    navigator.push(&Route::Problem { id: id.clone() });
                }
            })
        };
        let tag_click = |tag: &str| {
            let query = query.clone();
            let tag = tag.to_owned();
            Callback::from(move |_: MouseEvent| query.set(tag.clone()))
        };
        html! {
            <li class={classes!("problem-row", solved.then_some("solved"))} key={p.id.clone()}>
                <span class="solved-mark" title={if solved { "Solved" } else { "Not solved yet" }}
                    data-testid="solved-mark" data-solved={solved.to_string()}>
                    { if solved { "✓" } else { "" } }
                </span>
                <a class="problem-title" href={format!("#/problems/{}", p.id)}
                    data-testid="problem-link" data-problem-id={p.id.clone()} {onclick}>
                    { &p.title }
                </a>
                { difficulty_badge(p.difficulty) }
                <span class="tags">
                    { for p.tags.iter().map(|t| html! {
                        <button type="button" class="tag" title={format!("Show problems tagged {t}")} onclick={tag_click(t)}>{ t }</button>
                    }) }
                </span>
            </li>
        }
    };

    html! {
        <section class="problem-list" aria-labelledby="problems-title">
            <div class="list-head">
                <h2 id="problems-title">{ "Problems" }</h2>
                <span class="muted">{ format!("{solved_count} of {} solved", props.problems.len()) }</span>
            </div>
            <div class="filters" role="search">
                <input type="search" class="search" placeholder="Search by title or tag"
                    aria-label="Search problems by title or tag" data-testid="problem-search"
                    value={(*query).clone()} {oninput} />
                <select aria-label="Difficulty" data-testid="difficulty-filter" {onchange}>
                    <option value="all" selected={difficulty.is_none()}>{ "All difficulties" }</option>
                    <option value="easy" selected={*difficulty == Some(Difficulty::Easy)}>{ "Easy" }</option>
                    <option value="medium" selected={*difficulty == Some(Difficulty::Medium)}>{ "Medium" }</option>
                    <option value="hard" selected={*difficulty == Some(Difficulty::Hard)}>{ "Hard" }</option>
                </select>
            </div>
            if shown.is_empty() {
                <p class="muted empty">{ "No problem matches. Try another word or difficulty." }</p>
            } else {
                <ul class="problems">{ for shown.into_iter().map(row) }</ul>
            }
        </section>
    }
}
