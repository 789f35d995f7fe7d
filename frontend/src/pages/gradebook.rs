//! The gradebook (`#/gradebook`, teachers): `GET {grader}/api/v1/gradebook` as a table of
//! people × problems (`gradebook-table`; one `gradebook-row` per person with `data-user`,
//! one `gradebook-cell` per result with `data-problem` and `data-verdict`: the verdict's
//! badge, passed / total and the attempts), and a CSV download (`gradebook-csv-button`:
//! `?format=csv` with the token, saved from a Blob URL). Anything that goes wrong shows
//! `gradebook-error`.

use std::rc::Rc;

use polyrun_core::verdict::Verdict;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::account::Gradebook;
use crate::components::results::verdict_class;
use crate::hooks::{use_account, use_grader};
use crate::pages::welcome::set_title;
use crate::services::grader::{self, ApiError};

#[derive(Clone, PartialEq)]
enum Table {
    Loading,
    Ready(Rc<Gradebook>),
    Failed(String),
}

/// The gradebook page.
#[component]
pub fn GradebookPage() -> Html {
    let account = use_account();
    let grader = use_grader();
    let table = use_state(|| Table::Loading);
    let csv_error = use_state(|| Option::<String>::None);
    let attempt = use_state(|| 0u32);
    use_effect_with((), |_| set_title("Gradebook — polyrun"));
    let token = account.token().map(str::to_owned);
    {
        let table = table.clone();
        let grader = grader.clone();
        use_effect_with((token.clone(), *attempt), move |(token, _)| {
            if let (Some(base), Some(token)) = (grader, token.clone()) {
                table.set(Table::Loading);
                wasm_bindgen_futures::spawn_local(async move {
                    table.set(match grader::gradebook(&base, &token).await {
                        Ok(book) => Table::Ready(Rc::new(book)),
                        Err(ApiError::Forbidden(_)) => {
                            Table::Failed("Only a teacher can see the gradebook (403).".into())
                        }
                        Err(e) => Table::Failed(format!("Could not load the gradebook: {e}")),
                    });
                });
            }
        });
    }

    let page = |body: Html| {
        html! {
            <main class="page gradebook-page">
                <h1>{ "Gradebook" }</h1>
                { body }
            </main>
        }
    };
    let error = |message: String| html! { <div class="alert error" role="alert" data-testid="gradebook-error">{ message }</div> };
    let (Some(base), Some(token)) = (grader, token) else {
        return page(html! {
            <div class="alert error" role="alert" data-testid="gradebook-error">
                { "Sign in with a teacher's token to see the gradebook. " }
                <a href="#/signin">{ "Sign in" }</a>
            </div>
        });
    };
    let download = {
        let csv_error = csv_error.clone();
        Callback::from(move |_: MouseEvent| {
            let base = base.clone();
            let token = token.clone();
            let csv_error = csv_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match grader::gradebook_csv(&base, &token).await {
                    Ok(text) => save_file("gradebook.csv", "text/csv", &text),
                    Err(e) => Err(format!("Could not download the CSV: {e}")),
                };
                csv_error.set(result.err());
            });
        })
    };
    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |_: MouseEvent| attempt.set(*attempt + 1))
    };
    let body = match &*table {
        Table::Loading => html! {
            <p class="muted loading-line"><span class="spinner" aria-hidden="true"></span>{ "Loading the gradebook…" }</p>
        },
        Table::Failed(message) => html! {
            <>
                { error(message.clone()) }
                <button type="button" class="button small" onclick={retry}>{ "Retry" }</button>
            </>
        },
        Table::Ready(book) => view_table(book),
    };
    page(html! {
        <>
            <div class="gradebook-actions">
                <p class="muted">{ "Each person's best submission per problem, with their attempts." }</p>
                <button type="button" class="button" data-testid="gradebook-csv-button" onclick={download}>
                    { "Download CSV" }
                </button>
            </div>
            if let Some(message) = &*csv_error {
                { error(message.clone()) }
            }
            { body }
        </>
    })
}

fn view_table(book: &Gradebook) -> Html {
    if book.rows.is_empty() {
        return html! {
            <p class="muted" data-testid="gradebook-empty">{ "Nobody has submitted anything yet." }</p>
        };
    }
    html! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Gradebook table">
            <table class="gradebook" data-testid="gradebook-table">
                <thead>
                    <tr>
                        <th scope="col">{ "Person" }</th>
                        { for book.problems.iter().map(|p| html! {
                            <th scope="col"><a href={format!("#/problems/{p}")}>{ p }</a></th>
                        }) }
                    </tr>
                </thead>
                <tbody>
                    { for book.rows.iter().map(|row| html! {
                        <tr data-testid="gradebook-row" data-user={row.user.clone()}>
                            <th scope="row">{ &row.user }</th>
                            { for book.problems.iter().map(|p| match row.results.get(p) {
                                Some(cell) => html! {
                                    <td data-testid="gradebook-cell" data-problem={p.clone()} data-verdict={cell.verdict.id()}
                                        title={cell.accepted_at.as_ref().map(|t| format!("first accepted {t}"))}>
                                        <span class={classes!("badge", verdict_class(cell.verdict))}>{ short_label(cell.verdict) }</span>
                                        <span class="cell-score">{ format!(" {}/{}", cell.passed, cell.total) }</span>
                                        <span class="muted small cell-attempts">
                                            { format!(" · {} attempt{}", cell.attempts, if cell.attempts == 1 { "" } else { "s" }) }
                                        </span>
                                    </td>
                                },
                                None => html! { <td class="muted" data-problem={p.clone()}>{ "—" }</td> },
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// A verdict's label, short enough for a table cell.
fn short_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accepted => "AC",
        Verdict::WrongAnswer => "WA",
        Verdict::RuntimeError => "RE",
        Verdict::TimeLimitExceeded => "TLE",
        Verdict::MemoryLimitExceeded => "MLE",
        Verdict::CompileError => "CE",
        Verdict::Skipped => "—",
    }
}

/// Saves `text` as a file named `name`: a Blob URL on a link with `download`, clicked.
fn save_file(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |what: &str| format!("Could not save the file: {what}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| fail("no Blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("no Blob URL"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| fail("no document"))?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("no link"))?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    let body = document.body().ok_or_else(|| fail("no body"))?;
    let _ = body.append_child(&link);
    link.click();
    let _ = body.remove_child(&link);
    // Revoked a moment later: the download has started by then.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
